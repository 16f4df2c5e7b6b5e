// `tradeproof credential`, `tradeproof verify-credential` and `tradeproof cache refresh`: anchor credentials (VC 2.0,
// vc+jwt) fetched from the ledger's API, checked online or offline from a cache (README, "Anchor credentials").
import { existsSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { basename } from "node:path";
import { Command, Option } from "commander";
import pc from "picocolors";
import type { CredentialCheck } from "../../sdk/credentials.js";
import { ApiUnreachable, ExitCode, UsageError } from "./errors.js";
import { expandInputs, hashArg, readReceipt } from "./inputs.js";
import { note, printJson } from "./output.js";

const DEFAULT_API = "http://127.0.0.1:8080";
/** Credentials checked at once by verify-credential, files it reads ahead of their checks, and up to how many it prints in full. */
const CONCURRENCY = 64;
const READ_AHEAD = 1_000;
const DETAILED = 20;
const apiOption = () => new Option("--api <url>", "the ledger's API (its did:web is derived from it)").env("TRADEPROOF_API_URL").default(DEFAULT_API);
const cacheOption = () => new Option("--cache <dir>", "the cache folder (default: $TRADEPROOF_CACHE_DIR, else ~/.cache/tradeproof)");
const sources = () => import("../../sdk/credential-sources.js");

export function credentialCommand(): Command {
  return new Command("credential")
    .summary("get a document's anchor credential (VC 2.0, vc+jwt) from the ledger's API")
    .description(
      "Hashes the document locally (or takes its 0x hash) and asks the ledger's API for its anchor credential: a W3C " +
        "Verifiable Credential 2.0 signed by the ledger's did:web, saying the document is anchored and naming its issuer, " +
        "type and anchor, with its revocation and supersession status in public status lists. Only a VALID document gets " +
        "one. A document of a private batch needs its receipt. Anyone can check the credential, even offline: " +
        "`tradeproof verify-credential`.",
    )
    .argument("<document>", "the document (file) or its 0x hash")
    .addOption(apiOption())
    .option("--receipt <file>", "the document's receipt (needed for a private batch's document)")
    .option("--out <file>", "where to write the credential (default: <document>.credential.jwt, or stdout for a hash)")
    .addHelpText("after", "\nExamples:\n  $ tradeproof credential certificate-of-origin.json\n  $ tradeproof credential 0x9f…e1 --out coo.credential.jwt")
    .action(async (document: string, opts: { api: string; receipt?: string; out?: string }) => {
      const docHash = await hashArg(document);
      // The receipt kept beside the document when it was registered in a batch (<file>.receipt.json) is used by itself.
      const beside = existsSync(`${document}.receipt.json`) ? `${document}.receipt.json` : undefined;
      const receiptFile = opts.receipt ?? beside;
      const receipt = receiptFile ? await readReceipt(receiptFile) : undefined;
      if (receipt && receipt.docHash !== docHash && !opts.receipt) throw new UsageError(`${beside} is the receipt of another version of ${document} (${receipt.docHash}); pass --receipt`);
      if (receipt && receipt.docHash !== docHash) throw new UsageError(`receipt ${opts.receipt} is for document ${receipt.docHash}, not ${docHash}`);
      const jwt = await (await sources()).fetchCredential(opts.api, docHash, receipt).catch((e: { code?: string; message: string }) => {
        if (e.code === "API_UNREACHABLE") throw new ApiUnreachable(e.message);
        throw new Error(e.message);
      });
      const out = opts.out ?? (existsSync(document) ? `${document}.credential.jwt` : undefined);
      if (!out) return void process.stdout.write(`${jwt}\n`);
      await writeFile(out, `${jwt}\n`);
      process.stdout.write(`${pc.green("credential")} of ${docHash} written to ${out}\n`);
    });
}

interface VerifyCredentialOptions {
  api: string;
  issuer?: string;
  document?: string;
  offline?: boolean;
  cache?: string;
  json?: boolean;
}

export function verifyCredentialCommand(): Command {
  return new Command("verify-credential")
    .summary("check anchor credentials: signature, issuer, status; online or --offline")
    .description(
      "Checks each credential's signature against the ledger's DID document, that the ledger is the one you trust " +
        "(--issuer, else the did:web of --api), both status bits (revoked, superseded) in the ledger's signed status lists, " +
        "and, with --document, that the document is the credential's. --offline reads the DID document and the lists " +
        "from the cache that `tradeproof cache refresh` fills, and says how old they are. A credential whose status " +
        "cannot be had is STATUS_UNKNOWN, never VALID.\n\n" +
        "Exit code: 0 when every credential is VALID, 1 when any is not, 2 on a usage or input error.",
    )
    .argument("<credential...>", "credential files (.jwt), or folders of them")
    .addOption(apiOption())
    .option("--issuer <did>", "the ledger's DID to trust (default: the did:web of --api)")
    .option("--document <file>", "the document the credential should be of (one credential only)")
    .option("--offline", "use only the cached DID document and status lists (no network)")
    .addOption(cacheOption())
    .option("--json", "print the checks as JSON")
    .addHelpText("after", "\nExamples:\n  $ tradeproof verify-credential coo.credential.jwt --document certificate-of-origin.json\n  $ tradeproof cache refresh && tradeproof verify-credential --offline inbox/")
    .action(async (args: string[], opts: VerifyCredentialOptions) => {
      // Signatures are checked on libuv's thread pool while this thread reads and parses: a pool thread for each other
      // core keeps them from taking turns on the same cores (set before the pool's first use, unless the user set it).
      process.env.UV_THREADPOOL_SIZE ??= String(Math.max(1, availableParallelism() - 1));
      const files = (await expandInputs(args)).filter((f, _i, all) => all.length === 1 || f.endsWith(".jwt"));
      if (files.length === 0) throw new UsageError(`no .jwt credential among ${args.join(", ")}`);
      if (opts.document && files.length !== 1) throw new UsageError("--document goes with one credential");
      const docHash = opts.document ? await hashArg(opts.document) : undefined;
      const [{ verifyCredential }, src] = await Promise.all([import("../../sdk/credentials.js"), sources()]);
      const trustedIssuer = opts.issuer ?? src.didWebOf(opts.api);
      const cacheDir = opts.cache ?? src.defaultCacheDir();
      const from = opts.offline ? src.cachedSources(cacheDir) : src.onlineSources();
      const read = (file: string) => {
        try {
          return readFileSync(file, "utf8");
        } catch (e) {
          throw new UsageError(`${file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`);
        }
      };
      // Every check is printed for a few credentials or --json; for more, the not-VALID ones and a summary, so only
      // what those need is kept (10,000 whole credentials held to the end cost more in garbage collection than in JSON).
      const detailed = opts.json || files.length <= DETAILED;
      const checks: Checked[] = new Array(files.length);
      // Files are read a part at a time, synchronously, ahead of their checks (read one by one between the checks, with
      // signatures in flight on the thread pool, it was slower). Within a part, a window of CONCURRENCY checks, each
      // followed at once by the next, keeps the pool's threads busy with signatures (batches waited for their slowest).
      for (let start = 0; start < files.length; start += READ_AHEAD) {
        const part = files.slice(start, start + READ_AHEAD);
        const jwts = part.map(read);
        let next = 0;
        const worker = async () => {
          for (let i = next++; i < part.length; i = next++) {
            const check = await verifyCredential(jwts[i]!, { trustedIssuer, sources: from, ...(docHash ? { docHash } : {}) });
            checks[start + i] = detailed ? { file: part[i]!, ...check } : brief(part[i]!, check);
          }
        };
        await Promise.all(Array.from({ length: Math.min(CONCURRENCY, part.length) }, worker));
      }
      if (opts.json) printJson(checks.length === 1 ? checks[0] : checks);
      else if (detailed) process.stdout.write(`${checks.map((c) => formatCheck(c, opts.offline)).join("\n\n")}\n`);
      else process.stdout.write(`${summary(checks, opts.offline)}\n`);
      if (checks.some((c) => c.problem?.code === "NO_DID_DOCUMENT") && opts.offline) note(`${pc.yellow("note:")} run \`tradeproof cache refresh --api ${opts.api}\` while online to fill ${cacheDir}`);
      if (checks.some((c) => c.verdict !== "VALID")) process.exitCode = ExitCode.NOT_VALID;
    });
}

const VERDICT_LABELS: Record<CredentialCheck["verdict"], string> = {
  VALID: pc.bold(pc.green("VALID")),
  REVOKED: pc.bold(pc.red("REVOKED")),
  SUPERSEDED: pc.bold(pc.magenta("SUPERSEDED")),
  INVALID: pc.bold(pc.red("INVALID")),
  STATUS_UNKNOWN: pc.bold(pc.yellow("STATUS UNKNOWN")),
};

const VERDICT_MEANINGS: Record<CredentialCheck["verdict"], string> = {
  VALID: "signed by the ledger, the document is anchored and in force",
  REVOKED: "the ledger has revoked this document; do not accept it",
  SUPERSEDED: "replaced by an amended version",
  INVALID: "do not rely on this credential",
  STATUS_UNKNOWN: "the signature may be good, but whether the document is still in force cannot be told",
};

type Checked = CredentialCheck & { file: string };

/** What a summary of many checks reads of one: its verdict, why, and how old its sources were; not the credential. */
const brief = (file: string, { verdict, problem, statuses, didDocument }: CredentialCheck): Checked => ({ file, verdict, statuses, ...(problem ? { problem } : {}), ...(didDocument ? { didDocument } : {}) });

const age = (seconds: number) =>
  seconds < 120 ? `${seconds} s` : seconds < 7_200 ? `${Math.round(seconds / 60)} min` : seconds < 172_800 ? `${Math.round(seconds / 3_600)} h` : `${Math.round(seconds / 86_400)} days`;

function formatCheck(c: Checked, offline?: boolean): string {
  const lines = [`${pc.bold(basename(c.file))}  ${VERDICT_LABELS[c.verdict]} — ${VERDICT_MEANINGS[c.verdict]}`];
  const row = (key: string, value: string) => lines.push(`  ${pc.dim(key.padEnd(14))}${value}`);
  if (c.problem && c.verdict !== "REVOKED" && c.verdict !== "SUPERSEDED") row("why", c.problem.message);
  const s = c.credential?.credentialSubject;
  if (s) {
    row("document", s.docHash);
    row("type", `${s.documentType.name ?? "type"} (${s.documentType.code})`);
    row("issuer", `${s.issuedBy.name}, ${s.issuedBy.country} (${s.issuedBy.kind.toLowerCase().replace("_", " ")}), organisation ${s.issuedBy.organisation}`);
    row("anchored", `${s.anchor.anchoredAt}, block ${s.anchor.block} of chain ${s.anchor.chainId}`);
  }
  if (c.signedBy) row("signed by", c.signedBy);
  if (c.didDocument && offline) row("DID document", pc.dim(`cached ${age(c.didDocument.ageSeconds)} ago`));
  if (c.documentMatches !== undefined) row("document", c.documentMatches ? pc.green("the file given is this document") : pc.red("the file given is NOT this document"));
  for (const st of c.statuses) {
    const when = st.ageSeconds !== undefined ? `${offline ? "cached" : "fetched"} ${age(st.ageSeconds)} ago${st.validUntil ? `, valid until ${st.validUntil}` : ""}` : "";
    row(`${st.purpose}`, st.problem ? pc.yellow(st.problem) : `${st.set ? pc.red("set") : pc.green("clear")}  ${pc.dim(when)}`);
  }
  return lines.join("\n");
}

/** One line for each credential that is not VALID (file, verdict, why), then the counts and the sources' ages. */
function summary(checks: Checked[], offline?: boolean): string {
  const counts = new Map<string, number>();
  const lines: string[] = [];
  let oldest = 0;
  let didAge = -1;
  for (const c of checks) {
    counts.set(c.verdict, (counts.get(c.verdict) ?? 0) + 1);
    for (const s of c.statuses) oldest = Math.max(oldest, s.ageSeconds ?? 0);
    didAge = Math.max(didAge, c.didDocument?.ageSeconds ?? -1);
    if (c.verdict !== "VALID") lines.push(`${c.file}  ${VERDICT_LABELS[c.verdict]}  ${c.problem?.message ?? ""}`);
  }
  const did = offline && didAge >= 0 ? `, DID document ${age(didAge)} old` : "";
  lines.push(`${checks.length} credentials: ${[...counts].map(([v, n]) => `${n} ${v}`).join(", ")}; status lists ${age(oldest)} old${did}`);
  return lines.join("\n");
}

export function cacheCommand(): Command {
  const cmd = new Command("cache").summary("the offline cache of DID documents and status lists").description(
    "What `verify-credential --offline` reads: the ledger's DID document and its status lists, fetched while online.",
  );
  cmd
    .command("refresh")
    .summary("fetch the ledger's DID document and status lists into the cache")
    .addOption(apiOption())
    .addOption(cacheOption())
    .option("--json", "print what was cached as JSON")
    .action(async (opts: { api: string; cache?: string; json?: boolean }) => {
      const src = await sources();
      const dir = opts.cache ?? src.defaultCacheDir();
      const cached = await src.refreshCache(opts.api, dir).catch((e: Error) => {
        throw new ApiUnreachable(`cannot refresh the cache from ${opts.api}: ${e.message}`);
      });
      if (opts.json) return printJson({ ...cached, dir });
      process.stdout.write(`cached the DID document of ${cached.did} and ${cached.lists.length} status lists in ${dir} at ${cached.fetchedAt}\n`);
    });
  return cmd;
}
