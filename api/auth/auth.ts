import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { generateNonce, SiweErrorType, SiweMessage } from "siwe";
import type { Hex } from "../../sdk/index.js";
import { badRequest, forbidden, unauthorized } from "../errors.js";
import type { Store } from "../store.js";

/** What an authenticated request carries. */
export interface Session {
  address: Hex;
  expiresAt: string;
}

export interface AuthOptions {
  store: Store;
  /** The API's public origin, e.g. http://127.0.0.1:8080: the SIWE domain (its host) and URI (its origin). */
  publicUrl: string;
  chainId: number;
  secret: Uint8Array;
  sessionTtlSec: number;
  nonceTtlSec: number;
  /** Clock (ms), replaceable in tests. */
  now?: () => number;
}

/** Tolerated clock difference between wallet and server for `Issued At`. */
const SKEW_SEC = 60;
const ISSUER = "tradeproof-api";

/**
 * Sign-In with Ethereum (EIP-4361) and session tokens (JWT, HS256, short-lived). Nonces are stored
 * in SQLite, expire, and are consumed atomically, so a message logs in at most once, across
 * restarts and across API instances sharing the file.
 */
export class Auth {
  private readonly now: () => number;
  readonly domain: string;
  readonly origin: string;

  constructor(private readonly opts: AuthOptions) {
    this.now = opts.now ?? Date.now;
    const url = new URL(opts.publicUrl);
    this.domain = url.host;
    this.origin = url.origin;
  }

  /** A fresh single-use nonce, valid for `nonceTtlSec`. */
  async issueNonce(): Promise<{ nonce: string; expiresAt: string }> {
    const now = this.now();
    const nonce = generateNonce();
    const expires = now + this.opts.nonceTtlSec * 1000;
    const { store } = this.opts;
    await store.run("DELETE FROM nonces WHERE expires_at < ?", [now - 86_400_000]);
    await store.run("INSERT INTO nonces (nonce, expires_at) VALUES (?, ?)", [nonce, expires]);
    return { nonce, expiresAt: new Date(expires).toISOString() };
  }

  /** Checks a signed SIWE message and returns a session token bound to its address. */
  async login(message: string, signature: string): Promise<{ token: string; address: Hex; expiresAt: string }> {
    let msg: SiweMessage;
    try {
      msg = new SiweMessage(message);
    } catch (e) {
      throw badRequest("SIWE_INVALID_MESSAGE", `Not an EIP-4361 message: ${siweProblem(e)}`);
    }
    const now = this.now();
    if (msg.domain !== this.domain) {
      throw unauthorized("SIWE_DOMAIN_MISMATCH", `The message is for ${msg.domain}, not ${this.domain}.`);
    }
    if (URL.canParse(msg.uri) ? new URL(msg.uri).origin !== this.origin : true) {
      throw unauthorized("SIWE_URI_MISMATCH", `The message's URI must be on ${this.origin}.`);
    }
    if (msg.chainId !== this.opts.chainId) {
      throw badRequest("WRONG_CHAIN", `The message is for chain ${msg.chainId}; this ledger is chain ${this.opts.chainId}.`);
    }
    const issuedAt = Date.parse(msg.issuedAt ?? "");
    if (!Number.isFinite(issuedAt) || issuedAt > now + SKEW_SEC * 1000) {
      throw unauthorized("SIWE_NOT_YET_VALID", "The message's Issued At is in the future.");
    }
    if (issuedAt < now - this.opts.nonceTtlSec * 1000 - SKEW_SEC * 1000) {
      throw unauthorized("SIWE_EXPIRED", "The message was issued too long ago; sign a fresh one.");
    }
    const result = await msg.verify(
      { signature, domain: this.domain, nonce: msg.nonce, time: new Date(now).toISOString() },
      { suppressExceptions: true },
    );
    if (!result.success) {
      const type = result.error?.type;
      if (type === SiweErrorType.EXPIRED_MESSAGE) throw unauthorized("SIWE_EXPIRED", "The message has expired.");
      if (type === SiweErrorType.NOT_YET_VALID_MESSAGE) throw unauthorized("SIWE_NOT_YET_VALID", "The message is not valid yet.");
      throw unauthorized("SIWE_INVALID_SIGNATURE", "The signature does not match the message's address.");
    }
    await this.consumeNonce(msg.nonce, now);
    const ttlEnd = now + this.opts.sessionTtlSec * 1000;
    const msgEnd = msg.expirationTime ? Date.parse(msg.expirationTime) : Infinity;
    const expires = Math.floor(Math.min(ttlEnd, msgEnd) / 1000);
    const address = msg.address.toLowerCase() as Hex;
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(address)
      .setIssuer(ISSUER)
      .setAudience(this.origin)
      .setIssuedAt(Math.floor(now / 1000))
      .setExpirationTime(expires)
      .setJti(msg.nonce)
      .sign(this.opts.secret);
    return { token, address, expiresAt: new Date(expires * 1000).toISOString() };
  }

  /** Marks the nonce used, once; says why when it cannot (unknown, replayed, expired). */
  private async consumeNonce(nonce: string, now: number): Promise<void> {
    const { store } = this.opts;
    // One conditional UPDATE: of two sign-ins with the same nonce (on any instance), exactly one changes the row.
    const r = await store.run("UPDATE nonces SET used_at = ? WHERE nonce = ? AND used_at IS NULL AND expires_at > ?", [now, nonce, now]);
    if (r.changes === 1) return;
    const row = await store.one<{ used_at: number | null }>("SELECT used_at, expires_at FROM nonces WHERE nonce = ?", [nonce]);
    if (!row) throw unauthorized("SIWE_UNKNOWN_NONCE", "The nonce was not issued by this API.");
    if (row.used_at !== null) throw unauthorized("SIWE_NONCE_REPLAYED", "This message was already used to sign in.");
    throw unauthorized("SIWE_NONCE_EXPIRED", "The nonce has expired; ask for a new one.");
  }

  /** The session of an `Authorization: Bearer …` header. */
  async authenticate(header: string | undefined): Promise<Session> {
    const m = /^Bearer\s+(\S+)$/i.exec(header ?? "");
    if (!m) throw unauthorized("SESSION_REQUIRED", "Sign in with Ethereum and send the token as 'Authorization: Bearer …'.");
    try {
      const { payload } = await jwtVerify(m[1], this.opts.secret, {
        algorithms: ["HS256"], issuer: ISSUER, audience: this.origin, currentDate: new Date(this.now()),
      });
      return { address: payload.sub as Hex, expiresAt: new Date(payload.exp! * 1000).toISOString() };
    } catch (e) {
      if (e instanceof joseErrors.JWTExpired) throw unauthorized("SESSION_EXPIRED", "The session has expired; sign in again.");
      if (e instanceof joseErrors.JOSEError) throw unauthorized("SESSION_INVALID", "The session token is not valid.");
      throw e;
    }
  }
}

/** The session secret: from configuration, else generated once and kept (mode 600) under the data dir. */
export function sessionSecret(configured: string | undefined, dataDir: string): Uint8Array {
  if (configured) {
    return /^(0x)?[0-9a-fA-F]+$/.test(configured) ? Buffer.from(configured.replace(/^0x/, ""), "hex") : Buffer.from(configured, "base64");
  }
  const file = `${dataDir}/session-secret`;
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString("hex"), { mode: 0o600, flag: "wx" });
  }
  return Buffer.from(readFileSync(file, "utf8").trim(), "hex");
}

/** Kinds allowed to read history and audit events. */
export const AUDIT_KINDS = new Set([3, 4, 5]); // CUSTOMS, AGENCY, AUDITOR (IDocumentRegistry.OrgKind)

export const roleRefused = () =>
  forbidden("ROLE_FORBIDDEN", "History and audit queries are for active customs, agency and auditor accounts.");

/**
 * What is wrong with a message the SIWE parser refused, in the caller's terms: its own lines ("line 2: invalid
 * address"), without the dump of the parser's internal state it appends.
 */
function siweProblem(e: unknown): string {
  const lines = String((e as Error)?.message ?? e)
    .split("\n")
    .filter((l) => !/^Invalid message: \{/.test(l) && !/^invalid message: max line number/.test(l));
  return lines.length > 0 ? lines.join("; ").slice(0, 200) : "it does not follow the format (a domain line, the address, then the fields, each on its own line).";
}
