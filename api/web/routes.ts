// Browser builds of the libraries the web verifier uses, served from node_modules so nothing is vendored into
// the repository and the versions are the ones package.json pins:
//   /vendor/canonicalize.js        RFC 8785 (JCS), the same library the SDK hashes JSON with
//   /vendor/ethers.min.js          keccak256 for checking a receipt's Merkle proof (loaded only when needed)
//   /vendor/hash-wasm-sha256.js    incremental SHA-256 (WebAssembly) for streaming large files, loaded by
//                                  hash-worker.js only
import { createRequire } from "node:module";
import express, { type Router } from "express";
import helmet from "helmet";

const require = createRequire(import.meta.url);

const FILES: Record<string, string> = {
  "/vendor/canonicalize.js": require.resolve("canonicalize"),
  // The package's "exports" hides dist/, so resolve the entry point and step to the ESM bundle beside it.
  "/vendor/ethers.min.js": require.resolve("ethers").replace(/lib\.(esm|commonjs)[/\\]index\.js$/, "dist/ethers.min.js"),
  // The SHA-256-only UMD build (18 kB); it defines self.hashwasm, so a classic worker can importScripts() it.
  "/vendor/hash-wasm-sha256.js": require.resolve("hash-wasm/dist/sha256.umd.min.js"),
};

/**
 * Routes of the web verifier that are not plain files of api/web/. Mount before the static files:
 * `app.use(webRoutes())`.
 */
export function webRoutes(): Router {
  const router = express.Router();
  // A worker runs under the policy of its own script's response. Compiling WebAssembly needs
  // 'wasm-unsafe-eval' (which allows WebAssembly only, not eval); grant it to the hashing worker alone and keep
  // the page itself under helmet's default policy. The static files answer the request after this.
  router.get(
    "/hash-worker.js",
    helmet.contentSecurityPolicy({ directives: { "script-src": ["'self'", "'wasm-unsafe-eval'"] } }),
  );
  for (const [path, file] of Object.entries(FILES)) {
    router.get(path, (_req, res, next) => {
      res.sendFile(file, { headers: { "content-type": "text/javascript; charset=utf-8" }, maxAge: "1h" }, (err) => {
        if (err) next(err);
      });
    });
  }
  return router;
}
