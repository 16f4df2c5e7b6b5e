// Browser builds of the two libraries the web verifier uses, served from node_modules so nothing is
// vendored into the repository and the versions are the ones package.json pins:
//   /vendor/canonicalize.js  RFC 8785 (JCS), the same library the SDK hashes JSON with
//   /vendor/ethers.min.js    keccak256 for checking a receipt's Merkle proof (loaded only when needed)
import { createRequire } from "node:module";
import express, { type Router } from "express";

const require = createRequire(import.meta.url);

const FILES: Record<string, string> = {
  "/vendor/canonicalize.js": require.resolve("canonicalize"),
  // The package's "exports" hides dist/, so resolve the entry point and step to the ESM bundle beside it.
  "/vendor/ethers.min.js": require.resolve("ethers").replace(/lib\.(esm|commonjs)[/\\]index\.js$/, "dist/ethers.min.js"),
};

/**
 * Routes of the web verifier that are not plain files of api/web/. Mount before the static files:
 * `app.use(webRoutes())`.
 */
export function webRoutes(): Router {
  const router = express.Router();
  for (const [path, file] of Object.entries(FILES)) {
    router.get(path, (_req, res, next) => {
      res.sendFile(file, { headers: { "content-type": "text/javascript; charset=utf-8" }, maxAge: "1h" }, (err) => {
        if (err) next(err);
      });
    });
  }
  return router;
}
