// Where a verifier of anchor credentials gets the ledger's DID document and status lists: from the network (did:web
// resolution, the lists' URLs) or from a cache on disk filled beforehand, for a border post with a bad connection.
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { CredentialSources, DidDocument, FetchedStatusList } from "./credentials.js";
import { VC_JWT_MEDIA_TYPE } from "./credentials.js";
import type { Receipt } from "./receipt.js";
import type { Hex } from "./types.js";

/** Hosts whose did:web is resolved over plain http (a ledger run on this machine); every other host needs https. */
const LOCAL_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * The URL of a did:web's DID document (W3C did:web method, "Read (Resolve)"): the method-specific id's first segment
 * is the host (a port written %3A), further segments are a path; no path means /.well-known/did.json.
 */
export function didWebUrl(did: string): string {
  const m = /^did:web:([^:#?/]+)((?::[^:#?/]+)*)$/.exec(did);
  if (!m) throw new Error(`${did} is not a did:web`);
  const host = decodeURIComponent(m[1]!);
  const path = m[2] ? m[2].slice(1).split(":").map(decodeURIComponent).join("/") : ".well-known";
  const scheme = LOCAL_HOSTS.has(host.replace(/:\d+$/, "")) ? "http" : "https";
  return `${scheme}://${host}/${path}/did.json`;
}

/** The did:web of an API at `apiUrl` (the same rule as api/identity/did.ts). */
export function didWebOf(apiUrl: string): string {
  const url = new URL(apiUrl);
  const host = url.port ? `${url.hostname}%3A${url.port}` : url.hostname;
  return ["did:web", host, ...url.pathname.split("/").filter(Boolean).map(encodeURIComponent)].join(":");
}

async function fetchText(url: string, accept: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept }, signal: AbortSignal.timeout(15_000) });
  } catch (cause) {
    throw new Error(`${url} cannot be reached (${(cause as Error).message})`, { cause });
  }
  if (!res.ok) throw new Error(`${url} answered HTTP ${res.status}`);
  return res.text();
}

/** Sources that read each DID document and each status list once (a failed read is tried again next time). */
function readOnce(
  readDid: (did: string) => Promise<{ document: DidDocument; fetchedAt: string }>,
  readList: (url: string) => Promise<FetchedStatusList | undefined>,
): CredentialSources {
  const once = <T>(memo: Map<string, Promise<T>>, key: string, read: () => Promise<T>): Promise<T> => {
    let pending = memo.get(key);
    if (!pending) {
      memo.set(key, (pending = read()));
      pending.catch(() => memo.delete(key));
    }
    return pending;
  };
  const dids = new Map<string, Promise<{ document: DidDocument; fetchedAt: string }>>();
  const lists = new Map<string, Promise<FetchedStatusList | undefined>>();
  return { didDocument: (did) => once(dids, did, () => readDid(did)), statusList: (url) => once(lists, url, () => readList(url)) };
}

/** Sources read from the network (did:web resolution, the lists' URLs). */
export function onlineSources(): CredentialSources {
  return readOnce(
    async (did) => ({ document: JSON.parse(await fetchText(didWebUrl(did), "application/did+json, application/json")) as DidDocument, fetchedAt: new Date().toISOString() }),
    (url) => fetchText(url, VC_JWT_MEDIA_TYPE).then((jwt) => ({ jwt: jwt.trim(), fetchedAt: new Date().toISOString() }), () => undefined),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// The cache: a folder per issuer for its DID document, and each status list by URL, each with when it was fetched.

interface CachedDid { did: string; fetchedAt: string; document: DidDocument }
interface CachedList { url: string; fetchedAt: string; jwt: string }

const folderOf = (dir: string, did: string) => join(dir, createHash("sha256").update(did).digest("hex").slice(0, 16));
const listFile = (dir: string, url: string) => join(dir, "lists", `${createHash("sha256").update(url).digest("hex").slice(0, 16)}.json`);

async function writeAtomically(file: string, value: unknown): Promise<void> {
  await writeFile(`${file}.tmp`, `${JSON.stringify(value, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
}

/** The default cache folder: $TRADEPROOF_CACHE_DIR, else $XDG_CACHE_HOME/tradeproof, else ~/.cache/tradeproof. */
export function defaultCacheDir(env: Record<string, string | undefined> = process.env): string {
  if (env.TRADEPROOF_CACHE_DIR) return env.TRADEPROOF_CACHE_DIR;
  return join(env.XDG_CACHE_HOME ?? join(env.HOME ?? ".", ".cache"), "tradeproof");
}

/**
 * Fills the cache for the ledger at `apiUrl`: its DID document and every status list it publishes (GET /v1/status).
 * Returns what was stored. Nothing is verified here: the copies are verified each time they are used.
 */
export async function refreshCache(apiUrl: string, dir: string): Promise<{ did: string; lists: string[]; fetchedAt: string }> {
  const did = didWebOf(apiUrl);
  const fetchedAt = new Date().toISOString();
  const document = JSON.parse(await fetchText(didWebUrl(did), "application/did+json, application/json")) as DidDocument;
  if (document.id !== did) throw new Error(`the DID document at ${didWebUrl(did)} is of ${document.id}, not ${did}`);
  const index = JSON.parse(await fetchText(`${apiUrl.replace(/\/$/, "")}/v1/status`, "application/json")) as { lists: string[] };
  const lists = await Promise.all(index.lists.map(async (url) => ({ url, fetchedAt, jwt: (await fetchText(url, VC_JWT_MEDIA_TYPE)).trim() })));
  await mkdir(folderOf(dir, did), { recursive: true });
  await mkdir(join(dir, "lists"), { recursive: true });
  for (const list of lists) await writeAtomically(listFile(dir, list.url), list satisfies CachedList);
  await writeAtomically(join(folderOf(dir, did), "did.json"), { did, fetchedAt, document } satisfies CachedDid);
  return { did, lists: lists.map((l) => l.url), fetchedAt };
}

/** Sources read from the cache only (offline): a list never fetched is "cannot be had". */
export function cachedSources(dir: string): CredentialSources {
  return readOnce(
    (did) =>
      readFile(join(folderOf(dir, did), "did.json"), "utf8").then(
        (text) => JSON.parse(text) as CachedDid,
        () => {
          throw new Error(`no cached DID document of ${did} in ${dir}: run \`tradeproof cache refresh\` while online`);
        },
      ),
    (url) => readFile(listFile(dir, url), "utf8").then((text) => JSON.parse(text) as CachedList, () => undefined),
  );
}

/** The anchor credential of a document from the ledger's API: by hash, or with its receipt (a private batch's). */
export async function fetchCredential(apiUrl: string, docHash: Hex, receipt?: Receipt): Promise<string> {
  const base = apiUrl.replace(/\/$/, "");
  let res: Response;
  try {
    res = receipt
      ? await fetch(`${base}/v1/credentials`, { method: "POST", headers: { "content-type": "application/json", accept: VC_JWT_MEDIA_TYPE }, body: JSON.stringify({ receipt }), signal: AbortSignal.timeout(30_000) })
      : await fetch(`${base}/v1/documents/${docHash}/credential`, { headers: { accept: VC_JWT_MEDIA_TYPE }, signal: AbortSignal.timeout(30_000) });
  } catch (cause) {
    throw Object.assign(new Error(`The API at ${base} cannot be reached (${(cause as Error).message}).`, { cause }), { code: "API_UNREACHABLE" });
  }
  const text = await res.text();
  if (!res.ok) {
    let message = `HTTP ${res.status}`;
    let code = "API_ERROR";
    try {
      const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
      message = body.error?.message ?? message;
      code = body.error?.code ?? code;
    } catch {
      // not our error shape: keep the status
    }
    throw Object.assign(new Error(message), { code, status: res.status });
  }
  return text.trim();
}
