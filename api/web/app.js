// Tradeproof web verifier. Files are hashed here and only the hashes go to the API (DESIGN.md): JSON by
// RFC 8785 JCS then SHA-256, any other file by the SHA-256 of its exact bytes, small ones with WebCrypto,
// large ones streamed through hash-worker.js. Built with DOM calls and textContent only: nothing from a file
// or the API is ever parsed as HTML.
import canonicalize from "/vendor/canonicalize.js";

const RECEIPT_TYPE = "tradeproof-receipt/v1";
const CREDENTIAL_TYP = "vc+jwt";
const CREDENTIAL_LIMIT = 64 * 1024;
const BATCH_LIMIT = 1000;
const RETRY_MS = 3000;
const HEALTH_MS = 5000;
// WebCrypto's digest() has no streaming form: above this size a file is streamed through hash-worker.js, so a
// 2 GB scan never sits in the tab's memory (WebCrypto stays for small files: it is several times faster).
const STREAM_FROM = 16 * 1024 * 1024;
// JCS needs the whole JSON value in memory, several times its size while it is parsed and canonicalised.
const JSON_LIMIT_MB = 32;
const JSON_LIMIT = JSON_LIMIT_MB * 1024 * 1024;

const $ = (id) => document.getElementById(id);
const input = $("files");
const drop = $("drop");
const results = $("results");
const summary = $("summary");
const connection = $("connection");
const clearButton = $("clear");

/**
 * Cards by docHash (by a placeholder key while the file is being hashed):
 * { docHash, names: string[], hashing?, receipt?, result?, error?, chain? }
 */
const items = new Map();
let online = true;
let retryTimer;

// ------------------------------------------------------------------ hashing

const hex = (buf) => "0x" + Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");
const sha256 = async (bytes) => hex(await crypto.subtle.digest("SHA-256", bytes));

class UnreadableFile extends Error {}
class Cancelled extends Error {}

const isJson = (file) => /\.json$/i.test(file.name) || file.type === "application/json";
const isStreamed = (file) => !isJson(file) && file.size > STREAM_FROM;
const cli = (name) => `npx tradeproof verify ${/^[\w./@+-]+$/.test(name) ? name : JSON.stringify(name)}`;
const MOVED = "The file could not be read: it may have been moved, changed or deleted since it was chosen.";

async function bytesOf(file) {
  try {
    return await file.arrayBuffer();
  } catch {
    throw new UnreadableFile(MOVED);
  }
}

/**
 * The document hash an anchor credential is about, when `text` is one (a compact JWS whose header says vc+jwt and
 * whose payload names a docHash); else undefined. Nothing is trusted here: the API checks the signature and status.
 */
function credentialDocHash(text) {
  const parts = text.split(".");
  if (parts.length !== 3) return undefined;
  try {
    const json = (part) => JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(part.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0))));
    const header = json(parts[0]);
    const docHash = String(json(parts[1])?.credentialSubject?.docHash ?? "").toLowerCase();
    return header?.typ === CREDENTIAL_TYP && /^0x[0-9a-f]{64}$/.test(docHash) ? docHash : undefined;
  } catch {
    return undefined;
  }
}

/** What a dropped file is: a receipt, a credential, or a document with its hash. `onProgress(bytesDone)` for large files. */
async function readFile(file, onProgress) {
  if (/\.jwt$/i.test(file.name) && file.size <= CREDENTIAL_LIMIT) {
    const text = new TextDecoder().decode(await bytesOf(file)).trim();
    const docHash = credentialDocHash(text);
    if (docHash) return { kind: "credential", credential: text, docHash };
  }
  if (!isJson(file)) return { kind: "document", docHash: isStreamed(file) ? await hashInWorker(file, onProgress) : await sha256(await bytesOf(file)) };
  if (file.size > JSON_LIMIT) {
    throw new UnreadableFile(`JSON documents over ${JSON_LIMIT_MB} MB cannot be checked in the browser; use the CLI: ${cli(file.name)}`);
  }
  const bytes = await bytesOf(file);
  let value;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw new UnreadableFile("This .json file is not valid JSON, so it cannot be fingerprinted the way the ledger does.");
  }
  if (value && typeof value === "object" && value.type === RECEIPT_TYPE) {
    if (!/^0x[0-9a-f]{64}$/.test(String(value.docHash))) throw new UnreadableFile("This receipt has no valid docHash.");
    return { kind: "receipt", receipt: value, docHash: value.docHash };
  }
  return { kind: "document", docHash: await sha256(new TextEncoder().encode(canonicalize(value))) };
}

// One worker, started on the first large file and stopped by "Clear results" (which abandons its work).
let worker;
let jobSeq = 0;
const jobs = new Map();

function hashInWorker(file, onProgress) {
  worker ??= startWorker();
  const id = ++jobSeq;
  return new Promise((resolve, reject) => {
    jobs.set(id, { file, resolve, reject, onProgress });
    worker.postMessage({ id, file });
  });
}

function startWorker() {
  const w = new Worker("hash-worker.js");
  w.onmessage = ({ data }) => {
    const job = jobs.get(data.id);
    if (!job) return;
    if (data.docHash === undefined && data.error === undefined) return job.onProgress?.(data.done);
    jobs.delete(data.id);
    if (data.docHash) job.resolve(data.docHash);
    else if (data.unreadable) job.reject(new UnreadableFile(MOVED));
    else job.reject(new UnreadableFile(`This browser could not fingerprint the file (${data.error}); use the CLI: ${cli(job.file.name)}`));
  };
  w.onerror = (e) => {
    e.preventDefault();
    stopWorker((job) => new UnreadableFile(`This browser could not start fingerprinting large files; use the CLI: ${cli(job.file.name)}`));
  };
  return w;
}

function stopWorker(reason) {
  worker?.terminate();
  worker = undefined;
  for (const job of jobs.values()) job.reject(reason(job));
  jobs.clear();
}

// ------------------------------------------------------------------ API

class ApiUnreachable extends Error {}
class NodeUnreachable extends Error {}

async function api(path, init) {
  let res;
  try {
    res = await fetch(path, { ...init, headers: { accept: "application/json", ...(init?.headers ?? {}) } });
  } catch {
    throw new ApiUnreachable("The Tradeproof API cannot be reached.");
  }
  let body;
  try {
    body = await res.json();
  } catch {
    if (res.status >= 500) throw new ApiUnreachable(`The Tradeproof API answered ${res.status}.`);
    throw new Error(`Unexpected answer from the API (HTTP ${res.status}).`);
  }
  if (res.status === 503) throw new NodeUnreachable(body?.error?.message ?? "The ledger node cannot be reached.");
  if (res.status === 502 || res.status === 504) throw new ApiUnreachable(`The Tradeproof API answered ${res.status}.`);
  if (res.status === 429) throw new ApiUnreachable("The API asks us to slow down; retrying shortly.");
  if (!res.ok) throw new Error(body?.error?.message ?? `HTTP ${res.status}`);
  return body;
}

const verifyMany = async (docHashes) => {
  const out = [];
  for (let i = 0; i < docHashes.length; i += BATCH_LIMIT) {
    const body = await api("/v1/verify/batch", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ docHashes: docHashes.slice(i, i + BATCH_LIMIT) }),
    });
    out.push(...body.results);
  }
  return out;
};
const verifyOne = (docHash) => api(`/v1/documents/${docHash}`);
const verifyWithReceipt = (receipt) =>
  api("/v1/verify/receipt", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ receipt }) });

// ------------------------------------------------------------------ receipts with a Merkle proof

let ethersLib;
/** Root of a StandardMerkleTree(["bytes32"]) proof: leaf = keccak(keccak(abi.encode(docHash))), sorted pairs. */
async function proofRoot(docHash, proof) {
  ethersLib ??= await import("/vendor/ethers.min.js");
  const { keccak256, concat, getBytes } = ethersLib;
  let node = keccak256(keccak256(getBytes(docHash)));
  for (const sibling of proof) {
    const [a, b] = BigInt(node) < BigInt(sibling) ? [node, sibling] : [sibling, node];
    node = keccak256(concat([a, b]));
  }
  return node.toLowerCase();
}

// ------------------------------------------------------------------ checking

async function check(item) {
  let result = (await verifyMany([item.docHash]))[0];
  item.privateBatch = undefined;
  // A document of a private batch cannot be found by its hash alone; its receipt carries root and proof. The
  // proof is checked here first (a clear message when the receipt belongs to another document), then the ledger
  // checks it against the anchored root through POST /v1/verify/receipt.
  const r = item.receipt;
  if (result.status === "NOT_FOUND" && r && r.root && r.root.toLowerCase() !== item.docHash && Array.isArray(r.proof) && r.proof.length) {
    if ((await proofRoot(item.docHash, r.proof)) === r.root.toLowerCase()) {
      item.privateBatch = r.root;
      try {
        result = await verifyWithReceipt(r);
      } catch (e) {
        if (e instanceof ApiUnreachable || e instanceof NodeUnreachable) throw e;
        item.receiptProblem = `The ledger did not take this receipt: ${e.message}`;
      }
    } else item.receiptProblem = "The receipt's Merkle proof does not lead to its root: the receipt does not belong to this document.";
  }
  item.result = result;
  item.chain = undefined;
  if (result.status === "SUPERSEDED") item.chain = await versionsAfter(result);
}

/**
 * The API's check of a dropped credential: the ledger's signature and key, both status bits, and (when the document
 * was dropped too: the card has a file name) that the document is the credential's.
 */
async function checkCredential(item) {
  item.credentialFailure = undefined;
  try {
    item.credentialCheck = await api("/v1/credentials/verify", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ credential: item.credential, ...(item.names.length ? { docHash: item.docHash } : {}) }),
    });
  } catch (e) {
    if (e instanceof ApiUnreachable || e instanceof NodeUnreachable) throw e;
    // This credential's check failed, not the others': only its card says so, and the other cards keep their verdicts.
    item.credentialCheck = undefined;
    item.credentialFailure = e.message;
  }
}

/** Fetches the document's anchor credential and hands it to the browser as a download. */
async function downloadCredential(item, button) {
  button.disabled = true;
  item.credentialError = undefined;
  try {
    const privateReceipt = item.receipt && item.result?.batch && !item.result.batch.public;
    const res = await fetch(privateReceipt ? "/v1/credentials" : `/v1/documents/${item.docHash}/credential`, privateReceipt
      ? { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ receipt: item.receipt }) }
      : {});
    if (!res.ok) {
      const body = await res.json().catch(() => undefined);
      throw new Error(body?.error?.message ?? `The API answered HTTP ${res.status}.`);
    }
    const url = URL.createObjectURL(new Blob([await res.text()], { type: "application/vc+jwt" }));
    const link = el("a", { href: url, download: `${item.names[0] ?? item.docHash}.credential.jwt`, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    item.credentialSaved = true;
  } catch (e) {
    item.credentialError = e instanceof TypeError ? "The Tradeproof service cannot be reached; try again." : e.message;
  }
  render();
}

/** The newer versions, following supersededBy (at most 10 hops). */
async function versionsAfter(result) {
  const chain = [];
  let next = result.supersededBy;
  while (next && chain.length < 10) {
    const r = await verifyOne(next);
    chain.push(r);
    next = r.status === "SUPERSEDED" ? r.supersededBy : undefined;
  }
  return chain;
}

async function checkAll(list) {
  clearTimeout(retryTimer);
  const todo = list.filter((i) => !i.unreadable);
  if (todo.length === 0) return render();
  try {
    // One batch call for all, then per-item follow-ups (version chains, receipts).
    const fresh = await verifyMany(todo.map((i) => i.docHash));
    await Promise.all(
      todo.map(async (item, k) => {
        if (fresh[k].status === "SUPERSEDED" || (fresh[k].status === "NOT_FOUND" && item.receipt?.proof?.length)) await check(item);
        else {
          item.result = fresh[k];
          item.chain = undefined;
        }
        item.waiting = false;
        if (item.credential) await checkCredential(item);
      }),
    );
    setOnline(true);
  } catch (e) {
    if (e instanceof ApiUnreachable || e instanceof NodeUnreachable) {
      for (const i of todo) i.waiting = true;
      setOnline(false, e);
      retryTimer = setTimeout(() => checkAll([...items.values()].filter((i) => i.waiting)), RETRY_MS);
    } else for (const i of todo) i.error = e.message;
  }
  render();
}

// ------------------------------------------------------------------ connection state

function setOnline(ok, err) {
  online = ok;
  connection.hidden = ok;
  if (ok) {
    connection.textContent = "";
    return;
  }
  connection.textContent =
    err instanceof NodeUnreachable
      ? "The ledger node cannot be reached, so documents cannot be checked right now. Retrying automatically…"
      : "The Tradeproof service cannot be reached. Check your connection; retrying automatically…";
}

async function health() {
  try {
    await api("/health");
    const wasOffline = !online;
    setOnline(true);
    const waiting = [...items.values()].filter((i) => i.waiting);
    if (wasOffline && waiting.length) await checkAll(waiting);
  } catch (e) {
    if (e instanceof ApiUnreachable || e instanceof NodeUnreachable) setOnline(false, e);
  }
  setTimeout(health, online ? HEALTH_MS : RETRY_MS);
}

// ------------------------------------------------------------------ intake

// Each dropped file gets a card at once; its hash replaces the placeholder key when known. Drops are taken one
// at a time (large files share the worker); within a drop the small files are hashed and checked first, in
// one batch, then each large file is hashed with its progress shown and checked as soon as it is done.
let intake = Promise.resolve();
let generation = 0; // bumped by "Clear results": work of an older generation is dropped
let placeholderSeq = 0;

function addFiles(fileList) {
  const gen = generation;
  const placeholders = [...fileList].map((file) => {
    const item = { docHash: `file:${++placeholderSeq}`, names: [file.name], hashing: { file, done: 0, total: file.size, streamed: isStreamed(file) } };
    items.set(item.docHash, item);
    return item;
  });
  if (placeholders.length === 0) return intake;
  render();
  intake = intake.then(async () => {
    await hashAndCheck(placeholders.filter((p) => !p.hashing.streamed), gen);
    for (const p of placeholders.filter((q) => q.hashing?.streamed)) await hashAndCheck([p], gen);
  });
  return intake;
}

async function hashAndCheck(placeholders, gen) {
  if (placeholders.length === 0) return;
  const added = [];
  for (const p of placeholders) {
    if (gen !== generation) return;
    p.hashing.started = true;
    if (p.hashing.streamed) render();
    let read;
    try {
      read = await readFile(p.hashing.file, (done) => progress(p, done));
    } catch (e) {
      if (gen !== generation || e instanceof Cancelled) return;
      p.hashing = undefined;
      p.unreadable = e.message;
      continue;
    }
    if (gen !== generation) return;
    added.push(settle(p, read));
  }
  render();
  if (added.length) await checkAll([...new Set(added)]);
}

/** Turns a placeholder into the card of its hash, keeping its place, or merges it into that hash's card. */
function settle(p, read) {
  const name = p.hashing.file.name;
  p.hashing = undefined;
  let item = items.get(read.docHash);
  if (item) items.delete(p.docHash);
  else {
    item = p;
    const entries = [...items].map(([k, v]) => (k === p.docHash ? [read.docHash, p] : [k, v]));
    items.clear();
    for (const [k, v] of entries) items.set(k, v);
    item.docHash = read.docHash;
    item.names = [];
  }
  if (read.kind === "receipt") item.receipt = read.receipt;
  else if (read.kind === "credential") item.credential = read.credential;
  else if (!item.names.includes(name)) item.names.push(name);
  item.error = undefined;
  item.receiptProblem = undefined;
  return item;
}

const percent = (h) => Math.floor((h.done * 100) / h.total);

/** Moves a large file's progress bar in place (not a re-render) and lets the summary say the quarter. */
function progress(item, done) {
  if (!item.hashing) return;
  item.hashing.done = done;
  const pct = percent(item.hashing);
  if (item.view && item.view.pct !== pct) {
    item.view.pct = pct;
    item.view.bar.value = pct;
    item.view.text.textContent = `${pct}%`;
  }
  renderSummary();
}

input.addEventListener("change", () => {
  void addFiles([...input.files]);
  input.value = "";
});
for (const type of ["dragenter", "dragover"]) {
  drop.addEventListener(type, (e) => {
    e.preventDefault();
    drop.classList.add("over");
  });
}
for (const type of ["dragleave", "drop"]) drop.addEventListener(type, () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => {
  e.preventDefault();
  void addFiles([...(e.dataTransfer?.files ?? [])]);
});
// A file dropped outside the zone must not navigate away from the results.
window.addEventListener("dragover", (e) => e.preventDefault());
window.addEventListener("drop", (e) => e.preventDefault());
clearButton.addEventListener("click", () => {
  generation++;
  stopWorker(() => new Cancelled());
  items.clear();
  render();
  input.focus();
});

// ------------------------------------------------------------------ rendering

const STATUS = {
  VALID: { label: "Valid", words: "genuine" },
  PENDING: { label: "Pending", words: "awaiting countersignature" },
  REVOKED: { label: "Revoked", words: "withdrawn by its issuer" },
  SUPERSEDED: { label: "Superseded", words: "replaced by a newer version" },
  NOT_FOUND: { label: "Not found", words: "not anchored on this ledger" },
};
const KINDS = { TRADER: "trader", ISSUING_AUTHORITY: "issuing authority", CUSTOMS: "customs", AGENCY: "border agency", AUDITOR: "auditor" };
const OUTCOMES = { ACCEPTED: "accepted", REJECTED: "rejected", INSPECTED: "inspected" };

const dateFormat = new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", dateStyle: "medium", timeStyle: "short" });
const when = (iso) => (iso ? `${dateFormat.format(new Date(iso))} UTC` : "unknown time");
let regions;
const country = (code) => {
  try {
    regions ??= new Intl.DisplayNames(["en"], { type: "region" });
    return `${regions.of(code)} (${code})`;
  } catch {
    return code;
  }
};
const short = (h) => (h ? `${h.slice(0, 10)}…${h.slice(-6)}` : "");

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c !== undefined && c !== null && c !== false) node.append(c);
  return node;
}
const hashText = (h) => el("code", { class: "hash", title: h }, h);

function message(item) {
  const r = item.result;
  const by = r.issuer ? `${r.issuer.organisation}, ${country(r.issuer.country)}` : "its issuer";
  switch (r.status) {
    case "VALID":
      return `Genuine: this exact document was anchored by ${by}, on ${when(r.anchoredAt)}.`;
    case "PENDING":
      return `Awaiting countersignature: anchored by ${by}, but only ${r.approvals?.given ?? 0} of ${r.approvals?.required ?? "?"} required signatures so far. Do not rely on it yet.`;
    case "REVOKED":
      return `Revoked on ${when(r.revokedAt)} by ${by}${r.revocationReason ? `: “${r.revocationReason}”` : ""}. Do not accept it.`;
    case "SUPERSEDED": {
      const next = item.chain?.[0];
      const issued = next?.issuer ? `, issued by ${next.issuer.organisation}` : "";
      // The result carries no time of the supersession itself unless the API adds `supersededAt`; then say
      // when the newer version was anchored rather than guess.
      if (r.supersededAt) return `Replaced on ${when(r.supersededAt)} by ${short(r.supersededBy)}${issued ? ` (${issued.slice(2)})` : ""}. Ask for the newer version.`;
      return `Replaced by ${short(r.supersededBy)} (the newer version${next?.anchoredAt ? `, anchored on ${when(next.anchoredAt)}` : ""}${issued}). Ask for the newer version.`;
    }
    default:
      if (item.privateBatch) {
        return `Not anchored on this ledger: its receipt places it in a private batch (root ${short(item.privateBatch)}) and its proof leads to that root, but the ledger has no such batch. The receipt may come from another ledger, or the batch was never anchored.`;
      }
      return "Not anchored on this ledger — it may have been altered, or it was never registered. Even a one-character change gives a different fingerprint. If it was anchored in a private batch, drop its receipt with it: such a document is found only with its receipt.";
  }
}

function row(term, ...value) {
  return [el("dt", {}, term), el("dd", {}, ...value)];
}

/** An outcome's reason as the page shows it: its name when the reason is a listed one, else the administration's code. */
const reasonText = (a) => (a.reason ? ` — ${a.reason.name ?? `reason code ${a.reason.code} (the administration's own)`}` : "");

function history(item) {
  const r = item.result;
  const events = [];
  if (r.anchoredAt) events.push([r.anchoredAt, `Anchored by ${r.issuer?.organisation ?? "issuer"}${r.batch ? ` in a ${r.batch.public ? "public" : "private"} batch` : ""}`, r.txHash]);
  if (r.approvals && r.approvals.required > 1) events.push([undefined, `Countersigned: ${r.approvals.given} of ${r.approvals.required} signatures`]);
  for (const a of r.attestations ?? []) events.push([a.at, `${a.organisation}: ${OUTCOMES[a.outcome] ?? a.outcome}${reasonText(a)}`]);
  if (r.revokedAt) events.push([r.revokedAt, `Revoked${r.revocationReason ? `: ${r.revocationReason}` : ""}`]);
  if (r.supersededBy) events.push([r.supersededAt, `Superseded by ${short(r.supersededBy)}`]);
  // Countersignatures carry no time in the result: keep them right after the anchoring (the sort is stable).
  const key = (e) => e[0] ?? r.anchoredAt ?? "";
  events.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return el(
    "details",
    { class: "history" },
    el("summary", {}, "History"),
    el("ol", {}, events.map(([at, what, tx]) => el("li", {}, at ? el("time", { datetime: at }, when(at)) : "", at ? " — " : "", what, tx ? el("span", { class: "tx" }, "transaction ", hashText(tx)) : ""))),
    el("p", { class: "note" }, "The full event history of a document is open to signed-in customs, agency and auditor accounts through the API."),
  );
}

function receiptNote(item) {
  const rc = item.receipt;
  if (!rc) return undefined;
  if (item.receiptProblem) return el("p", { class: "warn" }, item.receiptProblem);
  const r = item.result;
  // The message already says the ledger has no batch under the receipt's root: no "matched" to add.
  if (item.privateBatch && r?.status === "NOT_FOUND") return undefined;
  const problems = [];
  if (r && r.status !== "NOT_FOUND") {
    if (r.txHash && rc.txHash && r.txHash.toLowerCase() !== rc.txHash.toLowerCase()) problems.push("its transaction differs from the ledger's");
    if (r.anchoredAt && rc.anchoredAt && r.anchoredAt !== rc.anchoredAt) problems.push("its time differs from the ledger's");
  }
  if (problems.length) return el("p", { class: "warn" }, `Receipt does not match the ledger: ${problems.join("; ")}.`);
  return el("p", { class: "note" }, `Receipt matched${item.privateBatch ? ` (its Merkle proof was checked here${r && r.status !== "NOT_FOUND" ? " and by the ledger" : ""})` : ""}: transaction `, hashText(rc.txHash ?? ""), ` in block ${rc.blockNumber}.`);
}

function card(item) {
  const title = item.names.length ? item.names.join(", ") : `${item.credential && !item.receipt ? "Credential" : "Receipt"} for ${short(item.docHash)}`;
  const head = el("h3", {}, title);
  if (item.hashing) return hashingCard(item, head);
  if (item.unreadable) return el("li", { class: "card status-ERROR" }, head, el("p", { class: "badge" }, "Cannot read"), el("p", {}, item.unreadable));
  if (item.error) return el("li", { class: "card status-ERROR" }, head, el("p", { class: "badge" }, "Not checked"), el("p", {}, item.error), el("p", {}, "Fingerprint ", hashText(item.docHash)));
  if (!item.result) {
    return el("li", { class: "card status-WAITING", "aria-busy": "true" }, head,
      el("p", { class: "badge" }, item.waiting ? "Waiting for the service" : "Checking…"),
      item.waiting ? el("p", {}, "Not checked yet: the service cannot be reached. It will be checked as soon as the service is back.") : undefined,
      el("p", {}, "Fingerprint ", hashText(item.docHash)));
  }
  // A receipt or a credential without its document says nothing about a document in the officer's hands: no verdict, no count.
  if (!item.names.length) return item.credential && !item.receipt ? credentialOnlyCard(item, head) : receiptOnlyCard(item, head);
  const r = item.result;
  const s = STATUS[r.status] ?? { label: r.status, words: "" };
  const dl = el("dl", {});
  if (r.issuer) {
    dl.append(...row("Issued by", `${r.issuer.organisation}, ${country(r.issuer.country)} — ${KINDS[r.issuer.kind] ?? r.issuer.kind}`,
      r.issuer.status === "SUSPENDED" ? el("strong", { class: "warn" }, " (this organisation is now suspended)") : ""));
  }
  if (r.docType) dl.append(...row("Document type", `${r.docType.name ?? "Unknown type"} (UNTDID 1001 code ${r.docType.code})`));
  if (r.anchoredAt) dl.append(...row("Anchored", el("time", { datetime: r.anchoredAt }, when(r.anchoredAt)), r.blockNumber !== undefined ? `, block ${r.blockNumber}` : ""));
  if (r.approvals) dl.append(...row("Countersignatures", `${r.approvals.given} of ${r.approvals.required}`));
  if (r.attestations?.length && r.status === "NOT_FOUND") {
    // The ledger does not know this document: an outcome recorded against its fingerprint says what was presented
    // to customs or an agency, never that the document was cleared.
    dl.append(...row("Recorded against this fingerprint", el("ul", {}, r.attestations.map((a) => el("li", {}, `${a.organisation} recorded “${OUTCOMES[a.outcome] ?? a.outcome}” on ${when(a.at)}${reasonText(a)}`))),
      el("p", { class: "warn" }, "This document is not on the ledger. These are records of what was presented to customs or an agency, not a verdict on the document.")));
  } else if (r.attestations?.length) {
    dl.append(...row("Customs and agency outcomes", el("ul", {}, r.attestations.map((a) => el("li", {}, `${OUTCOMES[a.outcome] ?? a.outcome} by ${a.organisation} on ${when(a.at)}${reasonText(a)}`))),
      r.attestationsTotal ? el("p", { class: "note" }, `The latest ${r.attestations.length} of ${r.attestationsTotal} outcomes.`) : ""));
  }
  if (r.status === "SUPERSEDED" && item.chain) {
    const versions = [el("li", {}, "this document (", hashText(r.docHash), ")"), ...item.chain.map((v) => el("li", {}, hashText(v.docHash), ` — ${STATUS[v.status]?.label ?? v.status}${v.anchoredAt ? `, anchored ${when(v.anchoredAt)}` : ""}`))];
    dl.append(...row("Version chain", el("ol", { class: "versions" }, versions)));
  }
  if (r.batch) dl.append(...row("Batch", `${r.batch.public ? "public" : "private"} batch, root `, hashText(r.batch.root)));
  if (r.txHash) dl.append(...row("Transaction", hashText(r.txHash)));
  dl.append(...row("Fingerprint", hashText(r.docHash)));
  return el("li", { class: `card status-${r.status}`, "data-status": r.status },
    head,
    el("p", { class: "badge" }, el("span", { class: "icon", "aria-hidden": "true" }), `${s.label} — ${s.words}`),
    el("p", { class: "message" }, item.lookup && r.status === "VALID" ? `Registered under this number by ${r.issuer ? `${r.issuer.organisation}, ${country(r.issuer.country)}` : "its issuer"} on ${when(r.anchoredAt)}, and in force.` : message(item)),
    item.lookup ? el("p", { class: "note" }, "This is the document the issuer registered under that number. A copy in your hands is this document only if its fingerprint is the same: drop the file above to check it.") : undefined,
    receiptNote(item),
    credentialNote(item),
    dl,
    r.status === "VALID" ? credentialDownload(item) : undefined,
    r.status !== "NOT_FOUND" ? history(item) : undefined,
  );
}

const CREDENTIAL_VERDICTS = {
  VALID: "Credential checked: signed by this ledger, the document is in force, and the file dropped is its document.",
  REVOKED: "Credential of a document this ledger has since revoked.",
  SUPERSEDED: "Credential of a document this ledger has since replaced by a newer version.",
  STATUS_UNKNOWN: "Credential signed by this ledger, but its status lists could not be checked.",
  INVALID: "This credential does not hold",
};

/** What the check of a credential dropped with its document says, under the document's verdict. */
function credentialNote(item) {
  const c = item.credentialCheck;
  if (!item.credential) return undefined;
  if (item.credentialFailure) return el("p", { class: "warn", "data-credential": "NOT_CHECKED" }, `The credential could not be checked: ${item.credentialFailure}`);
  if (!c) return el("p", { class: "note" }, "Checking the credential…");
  const words = CREDENTIAL_VERDICTS[c.verdict] ?? c.verdict;
  if (c.verdict === "VALID") return el("p", { class: "note", "data-credential": c.verdict }, words);
  return el("p", { class: "warn", "data-credential": c.verdict }, c.verdict === "INVALID" ? `${words}: ${c.problem?.message ?? ""}` : words);
}

/** The VALID card's offer of the document's credential: proof that travels with the document and checks offline. */
function credentialDownload(item) {
  const button = el("button", { type: "button", class: "credential" }, item.credentialSaved ? "Credential downloaded" : "Download its credential (.jwt)");
  button.addEventListener("click", () => downloadCredential(item, button));
  return el("p", { class: "credential-offer" }, button, " ",
    el("span", { class: "note" }, "A W3C Verifiable Credential signed by this ledger: send it with the document; anyone can check it, even offline."),
    item.credentialError ? el("span", { class: "warn" }, ` ${item.credentialError}`) : undefined);
}

/** A credential dropped without its document: whether the credential holds, and which document it is of. */
function credentialOnlyCard(item, head) {
  const c = item.credentialCheck;
  const s = item.credentialCheck?.credential?.credentialSubject;
  const failed = item.credentialFailure;
  const verdict = failed ? "The credential could not be checked" : !c ? "Checking the credential…" : c.verdict === "VALID" ? "A genuine credential of this ledger — drop the document it belongs to" : c.verdict === "INVALID" ? "Not a credential to rely on" : CREDENTIAL_VERDICTS[c.verdict];
  return el("li", { class: `card status-${c?.verdict === "VALID" ? "RECEIPT" : "ERROR"}`, "data-status": "CREDENTIAL_ONLY", "data-credential": failed ? "NOT_CHECKED" : c?.verdict },
    head,
    el("p", { class: "badge" }, verdict),
    el("p", { class: "message" }, failed ?? (c?.verdict === "INVALID" ? c.problem?.message ?? "" : "A credential says which document the ledger anchored, but proves nothing about a file in your hands until you drop that file with it: its fingerprint must be the credential's.")),
    el("dl", {}, ...row("For the document", hashText(item.docHash)),
      ...(s ? row("Issued by", `${s.issuedBy.name}, ${country(s.issuedBy.country)}`) : []),
      ...(s ? row("Anchored", el("time", { datetime: s.anchor.anchoredAt }, when(s.anchor.anchoredAt))) : [])),
  );
}

function receiptOnlyCard(item, head) {
  const rc = item.receipt;
  return el("li", { class: "card status-RECEIPT", "data-status": "RECEIPT_ONLY" },
    head,
    el("p", { class: "badge" }, "A receipt — drop the document it belongs to"),
    el("p", { class: "message" }, "This is a receipt, not a document: it says which document was anchored, but proves nothing about a file in your hands. Drop the document together with its receipt to check it."),
    el("dl", {}, ...row("For the document", hashText(item.docHash)), ...(rc?.txHash ? row("Anchored in transaction", hashText(rc.txHash)) : [])),
  );
}

const sizeFormat = new Intl.NumberFormat("en", { maximumFractionDigits: 1 });
const size = (n) => (n >= 1024 ** 3 ? `${sizeFormat.format(n / 1024 ** 3)} GB` : `${sizeFormat.format(n / 1024 ** 2)} MB`);

function hashingCard(item, head) {
  const h = item.hashing;
  const badge = el("p", { class: "badge" }, h.streamed && !h.started ? "Queued" : "Fingerprinting…");
  item.view = undefined;
  if (!h.streamed) return el("li", { class: "card status-WAITING", "aria-busy": "true" }, head, badge);
  const pct = percent(h);
  const bar = el("progress", { max: "100", value: String(pct), "aria-label": `Fingerprinting ${item.names[0]}` });
  const text = el("span", { class: "percent" }, `${pct}%`);
  item.view = { bar, text, pct };
  return el("li", { class: "card status-WAITING", "aria-busy": "true" }, head, badge,
    el("p", { class: "progress" }, bar, " ", text, ` of ${size(h.total)}, fingerprinted on this device`));
}

function render() {
  const list = [...items.values()];
  results.replaceChildren(...list.map(card));
  clearButton.hidden = list.length === 0;
  renderSummary();
}

/**
 * The polite live region. It changes only when its words do: a large file's progress is given in quarters
 * (0, 25, 50, 75%; the verdict follows 100% at once), not at every slice; the card shows the exact percentage.
 */
function renderSummary() {
  const list = [...items.values()];
  const counts = {};
  for (const i of list) if (i.result && i.names.length) counts[i.result.status] = (counts[i.result.status] ?? 0) + 1;
  const parts = Object.entries(counts).map(([k, n]) => `${n} ${STATUS[k]?.label.toLowerCase() ?? k}`);
  const receiptsOnly = list.filter((i) => !i.names.length && i.receipt && !i.hashing).length;
  if (receiptsOnly) parts.push(`${receiptsOnly} ${receiptsOnly === 1 ? "receipt" : "receipts"} without ${receiptsOnly === 1 ? "its document" : "their documents"}`);
  const credentialsOnly = list.filter((i) => !i.names.length && i.credential && !i.receipt && !i.hashing).length;
  if (credentialsOnly) parts.push(`${credentialsOnly} ${credentialsOnly === 1 ? "credential" : "credentials"} without ${credentialsOnly === 1 ? "its document" : "their documents"}`);
  const waiting = list.filter((i) => i.waiting).length;
  const hashing = list.filter((i) => i.hashing);
  const active = hashing.find((i) => i.hashing.streamed && i.hashing.started);
  const groups = [
    parts.join(", "),
    waiting ? `${waiting} waiting for the service` : "",
    hashing.length ? `${hashing.length} being fingerprinted${active ? ` (${active.names[0]}: ${Math.min(75, Math.floor(percent(active.hashing) / 25) * 25)}%)` : ""}` : "",
  ].filter(Boolean);
  const text = list.length === 0 ? "" : `${list.length} ${list.length === 1 ? "file" : "files"}${groups.length ? `: ${groups.join("; ")}` : ""}.`;
  if (summary.textContent !== text) summary.textContent = text;
}

// ------------------------------------------------------------------ look up by document number

// The normative rule (README, references; sdk/references.ts): the number in NFKC, upper case, letters and digits
// only; the commitment is SHA-256 of the RFC 8785 form of {id, organisation, scheme, type}. Only it is sent.
const REFERENCE_TYPE = "tradeproof-reference/v1";
const lookupForm = $("lookup");
const lookupIssuer = $("lookup-issuer");
const lookupScheme = $("lookup-scheme");
const lookupNumber = $("lookup-number");
const lookupSummary = $("lookup-summary");
const lookupResults = $("lookup-results");

/** The number as it is compared, or an error in the officer's words. */
function normaliseNumber(raw) {
  if (raw.trim() === "") throw new Error("Type the document number as printed on the document.");
  if (raw.length > 100) throw new Error("That is longer than any document number (100 characters at most).");
  const id = raw.normalize("NFKC").toUpperCase().replace(/[^\p{L}\p{N}]/gu, "");
  if (id === "") throw new Error("A document number has letters or digits; this one has none.");
  if ([...id].length > 64) throw new Error("That has more than 64 letters and digits: check the number.");
  return id;
}

async function referenceCommitment(organisation, scheme, raw) {
  const id = normaliseNumber(raw);
  return sha256(new TextEncoder().encode(canonicalize({ id, organisation, scheme, type: REFERENCE_TYPE })));
}

async function loadIssuers() {
  try {
    const { organisations } = await api("/v1/members");
    const options = organisations
      .filter((o) => o.kind !== "AUDITOR")
      .map((o) => el("option", { value: String(o.id) }, `${o.name} (${country(o.country)})`));
    lookupIssuer.replaceChildren(el("option", { value: "" }, "Choose the issuing organisation"), ...options);
  } catch {
    lookupIssuer.replaceChildren(el("option", { value: "" }, "Members could not be loaded; retrying…"));
    setTimeout(loadIssuers, RETRY_MS);
  }
}

lookupForm.addEventListener("submit", async (e) => {
  e.preventDefault();
  const organisation = Number(lookupIssuer.value);
  const scheme = lookupScheme.value;
  const raw = lookupNumber.value;
  const label = `${lookupScheme.selectedOptions[0]?.textContent ?? scheme} ${raw.trim()}`;
  lookupResults.replaceChildren();
  if (!organisation) {
    lookupSummary.textContent = "Choose the organisation that issued the document.";
    return lookupIssuer.focus();
  }
  let commitment;
  try {
    commitment = await referenceCommitment(organisation, scheme, raw);
  } catch (err) {
    lookupSummary.textContent = err.message;
    return lookupNumber.focus();
  }
  lookupSummary.textContent = "Looking up…";
  try {
    const found = await api(`/v1/references/${organisation}/${commitment}`);
    if (found.documents.length === 0) {
      lookupSummary.textContent = `Not found: ${found.organisation.name} registered no document under ${label} on this ledger. Check the number and the issuer.`;
      return;
    }
    const cards = [];
    for (const d of found.documents) {
      const item = { docHash: d.result.docHash, names: [label], result: d.result, lookup: true };
      if (d.result.status === "SUPERSEDED") item.chain = await versionsAfter(d.result);
      cards.push(card(item));
    }
    lookupResults.replaceChildren(...cards);
    const counts = found.documents.map((d) => STATUS[d.result.status]?.label.toLowerCase() ?? d.result.status);
    lookupSummary.textContent = `${found.documents.length} ${found.documents.length === 1 ? "document" : "documents"} registered by ${found.organisation.name} under ${label}, newest first: ${counts.join(", ")}. Compare the document in your hands with the one shown: drop it above to check its fingerprint.`;
  } catch (err) {
    lookupSummary.textContent = `Not checked: ${err.message}`;
  }
});

void loadIssuers();
void health();
