import { getAddress } from "ethers";
import { DocumentRegistry__factory } from "../types/ethers-contracts/index.js";
import { TradeproofError } from "./errors.js";
import type { Hex } from "./types.js";

// A dedicated ABI codec for `verifyMany(Query[])` and its `DocumentState[]` result.
// Why not ethers' Interface: on the 2-core reference machine it took ~290 ms to encode 250 queries and ~660 ms to
// decode 250 states, capping verifyMany at ~250 documents a second; the issue asks for 10,000. Both layouts are
// fixed by IDocumentRegistry (static words plus one dynamic array each), and the tests check this codec against
// ethers' on random data, so the shortcut cannot drift silently.

/** A decoded `IDocumentRegistry.DocumentState` with plain numbers (every numeric field is at most 40 bits). */
export interface DocumentState {
  status: number;
  kind: number;
  root: Hex;
  docType: number;
  account: Hex;
  organisation: number;
  organisationKind: number;
  organisationActive: boolean;
  anchoredAt: number;
  approvalsRequired: number;
  approvalsGiven: number;
  supersededBy: Hex;
  supersedes: Hex;
  revokedAt: number;
  revokedBy: Hex;
  /** How many attestations the document has in all; `attestations` holds the latest few of them. */
  attestationCount: number;
  attestations: { account: Hex; organisation: number; timestamp: number; outcome: number; reasonCode: number }[];
}

/** One question for verifyMany. */
export interface StateQuery {
  docHash: Hex;
  root: Hex;
  proof: readonly Hex[];
}

const SELECTOR = DocumentRegistry__factory.createInterface().getFunction("verifyMany").selector.slice(2);
const WORD = 32;
const STATE_WORDS = 17;
const ATTESTATION_WORDS = 5;

function writeWordNumber(buf: Buffer, at: number, value: number) {
  buf.writeUIntBE(value, at + WORD - 6, 6);
}

function writeHash(buf: Buffer, at: number, hex: Hex) {
  buf.write(hex.slice(2), at, WORD, "hex");
}

/** Calldata of `verifyMany(queries)`. Hashes must already be valid 0x + 64 hex (the callers normalise them). */
export function encodeVerifyMany(queries: readonly StateQuery[]): Hex {
  const n = queries.length;
  const sizes = queries.map((q) => (4 + q.proof.length) * WORD);
  const total = 2 * WORD + n * WORD + sizes.reduce((a, b) => a + b, 0);
  const buf = Buffer.alloc(total);
  writeWordNumber(buf, 0, WORD); // offset of the array
  writeWordNumber(buf, WORD, n);
  const base = 2 * WORD; // offsets are relative to the first offset word
  let offset = n * WORD;
  for (let i = 0; i < n; i++) {
    const q = queries[i]!;
    writeWordNumber(buf, base + i * WORD, offset);
    const at = base + offset;
    writeHash(buf, at, q.docHash);
    writeHash(buf, at + WORD, q.root);
    writeWordNumber(buf, at + 2 * WORD, 3 * WORD); // offset of proof inside the tuple
    writeWordNumber(buf, at + 3 * WORD, q.proof.length);
    for (let j = 0; j < q.proof.length; j++) writeHash(buf, at + (4 + j) * WORD, q.proof[j]!);
    offset += sizes[i]!;
  }
  return `0x${SELECTOR}${buf.toString("hex")}`;
}

const ZERO_ADDRESS = `0x${"00".repeat(20)}` as Hex;
const checksums = new Map<string, Hex>();
function address(buf: Buffer, at: number): Hex {
  const raw = buf.toString("hex", at + 12, at + WORD);
  if (raw === "00".repeat(20)) return ZERO_ADDRESS;
  let checksummed = checksums.get(raw);
  if (!checksummed) {
    checksummed = getAddress(`0x${raw}`) as Hex;
    if (checksums.size > 10_000) checksums.clear();
    checksums.set(raw, checksummed);
  }
  return checksummed;
}

function bad(): never {
  throw new TradeproofError("The node returned a malformed verifyMany result.", { code: "BAD_DATA" });
}

/** Decodes the `DocumentState[]` returned by `verifyMany`. */
export function decodeDocumentStates(data: string): DocumentState[] {
  if (!/^0x([0-9a-fA-F]{2})*$/.test(data) || data.length < 2 + 4 * WORD) bad();
  const buf = Buffer.from(data.slice(2), "hex");
  const num = (at: number) => {
    if (at + WORD > buf.length) bad();
    // Values are uint8..uint40 (or offsets and lengths): the high 26 bytes are zero in a well-formed result.
    return buf.readUIntBE(at + WORD - 6, 6);
  };
  const hash = (at: number) => `0x${buf.toString("hex", at, at + WORD)}` as Hex;
  const arrayAt = num(0);
  const n = num(arrayAt);
  const base = arrayAt + WORD;
  if (base + n * WORD > buf.length) bad();
  const states: DocumentState[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const at = base + num(base + i * WORD);
    if (at + STATE_WORDS * WORD > buf.length) bad();
    const w = (k: number) => at + k * WORD;
    const attestationsAt = at + num(w(16));
    const m = num(attestationsAt);
    if (m > buf.length / WORD) bad();
    if (attestationsAt + WORD + m * ATTESTATION_WORDS * WORD > buf.length) bad();
    const attestations: DocumentState["attestations"] = new Array(m);
    for (let j = 0; j < m; j++) {
      const a = attestationsAt + WORD + j * ATTESTATION_WORDS * WORD;
      attestations[j] = {
        account: address(buf, a),
        organisation: num(a + WORD),
        timestamp: num(a + 2 * WORD),
        outcome: num(a + 3 * WORD),
        reasonCode: num(a + 4 * WORD),
      };
    }
    states[i] = {
      status: num(w(0)),
      kind: num(w(1)),
      root: hash(w(2)),
      docType: num(w(3)),
      account: address(buf, w(4)),
      organisation: num(w(5)),
      organisationKind: num(w(6)),
      organisationActive: num(w(7)) !== 0,
      anchoredAt: num(w(8)),
      approvalsRequired: num(w(9)),
      approvalsGiven: num(w(10)),
      supersededBy: hash(w(11)),
      supersedes: hash(w(12)),
      revokedAt: num(w(13)),
      revokedBy: address(buf, w(14)),
      attestationCount: num(w(15)),
      attestations,
    };
  }
  return states;
}
