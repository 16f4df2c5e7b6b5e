// The floor under `tradeproof verify-credential --offline`: a bare Node process that reads every .jwt file of a folder
// and checks only its ES256 signature, with node:crypto on libuv's thread pool (both cores), against the first key of
// a cached DID document. No parsing, no status, no checks of the format: what no verifier of these files can skip.
// Plain JavaScript, so that Node's start is all it loads. Prints how many signatures verified.
//
//   node bench/signature-floor.mjs <folder of .jwt files> <cached did.json>
import { createPublicKey, verify } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const [folder, didFile] = process.argv.slice(2);
const { document } = JSON.parse(readFileSync(didFile, "utf8"));
const key = createPublicKey({ key: document.verificationMethod[0].publicKeyJwk, format: "jwk" });
const files = readdirSync(folder).filter((f) => f.endsWith(".jwt")).map((f) => join(folder, f));

const check = (jwt) =>
  new Promise((resolve, reject) => {
    const dot = jwt.lastIndexOf(".");
    const input = Buffer.from(jwt.slice(0, dot), "latin1");
    verify("sha256", input, { key, dsaEncoding: "ieee-p1363" }, Buffer.from(jwt.slice(dot + 1), "base64url"), (e, ok) => (e ? reject(e) : resolve(ok)));
  });

let verified = 0;
let next = 0;
await Promise.all(
  Array.from({ length: 64 }, async () => {
    for (let i = next++; i < files.length; i = next++) if (await check(readFileSync(files[i], "utf8").trim())) verified++;
  }),
);
process.stdout.write(`${verified}\n`);
