// The ledger's signing keys (ES256), kept in one file under the data folder (mode 600): the key that signs now, the
// keys that signed before (still listed, so that what they signed still verifies) and the retired ones (marked
// revoked: a key thought compromised). Rotation and retirement are offline edits of the file (`npx tsx
// api/identity/cli.ts`); the API reads the file again whenever it changed, so no restart is needed.
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from "jose";

export const LEDGER_KEY_ALG = "ES256";

/** One key of the ledger, as kept in the file. */
export interface LedgerKey {
  /** The JWK thumbprint (RFC 7638) of the public key: the fragment of its verification method in the DID document. */
  kid: string;
  createdAt: string;
  /** When it was marked retired (revoked): it verifies nothing signed from then on, nor before. */
  retiredAt?: string;
  publicJwk: JWK;
  privateJwk: JWK;
}

export interface LedgerKeyFile {
  type: "tradeproof-ledger-keys/v1";
  /** The kid of the key that signs now. */
  current: string;
  keys: LedgerKey[];
}

/** Where the ledger's keys are kept inside a data folder. */
export const ledgerKeyFileIn = (dataDir: string) => join(dataDir, "ledger-keys.json");

const iso = () => new Date().toISOString().replace(/\.\d{3}Z$/, "Z");

async function newKey(): Promise<LedgerKey> {
  const { publicKey, privateKey } = await generateKeyPair(LEDGER_KEY_ALG, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return { kid, createdAt: iso(), publicJwk: { ...publicJwk, kid, alg: LEDGER_KEY_ALG }, privateJwk: { ...(await exportJWK(privateKey)), kid, alg: LEDGER_KEY_ALG } };
}

function write(file: string, keys: LedgerKeyFile): void {
  mkdirSync(dirname(file), { recursive: true });
  // Written beside and renamed over: a crash leaves the old file or the new one, never half of one.
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

function read(file: string): LedgerKeyFile {
  const parsed = JSON.parse(readFileSync(file, "utf8")) as LedgerKeyFile;
  if (parsed.type !== "tradeproof-ledger-keys/v1" || !Array.isArray(parsed.keys) || !parsed.keys.some((k) => k.kid === parsed.current)) {
    throw new Error(`${file} is not a tradeproof-ledger-keys/v1 file with its current key`);
  }
  return parsed;
}

/** The key file at `file`, created with a first key when there is none. */
export async function loadLedgerKeys(file: string): Promise<LedgerKeyFile> {
  if (existsSync(file)) return read(file);
  const first = await newKey();
  const keys: LedgerKeyFile = { type: "tradeproof-ledger-keys/v1", current: first.kid, keys: [first] };
  write(file, keys);
  return keys;
}

/** A new key signs from now on; the one before stays listed so that what it signed still verifies. */
export async function rotateLedgerKey(file: string): Promise<LedgerKey> {
  const keys = await loadLedgerKeys(file);
  const next = await newKey();
  write(file, { ...keys, current: next.kid, keys: [...keys.keys, next] });
  return next;
}

/** Marks a key retired (revoked), e.g. after a compromise. The current key cannot be retired: rotate first. */
export async function retireLedgerKey(file: string, kid: string): Promise<LedgerKey> {
  const keys = await loadLedgerKeys(file);
  const key = keys.keys.find((k) => k.kid === kid);
  if (!key) throw new Error(`no key ${kid} in ${file} (keys: ${keys.keys.map((k) => k.kid).join(", ")})`);
  if (kid === keys.current) throw new Error(`${kid} signs now: rotate to a new key first, then retire this one`);
  if (key.retiredAt) return key;
  const retired = { ...key, retiredAt: iso() };
  write(file, { ...keys, keys: keys.keys.map((k) => (k.kid === kid ? retired : k)) });
  return retired;
}

/** The key file as the API sees it: read again whenever the file changed on disk. */
export class LedgerKeys {
  private cached: { stamp: string; keys: LedgerKeyFile } | undefined;
  /**
   * @param create Whether a missing file is created with a first key (one instance); instances sharing a database
   *   must all sign with one key, so they are given the file and never make one of their own.
   */
  constructor(readonly file: string, private readonly create = true) {}

  async get(): Promise<LedgerKeyFile> {
    const stampOf = () => {
      const { mtimeMs, size, ino } = statSync(this.file);
      return `${mtimeMs}:${size}:${ino}`;
    };
    if (!existsSync(this.file)) {
      if (!this.create) throw new Error(`the ledger key file ${this.file} is gone; every instance needs the same one`);
      const keys = await loadLedgerKeys(this.file);
      this.cached = { stamp: stampOf(), keys };
      return keys;
    }
    const stamp = stampOf();
    if (this.cached?.stamp !== stamp) this.cached = { stamp, keys: read(this.file) };
    return this.cached.keys;
  }
}
