// Bitstring Status List 1.0 (W3C Recommendation, 2025), the parts both the ledger and a verifier need: the bitstring
// of one list, its encoding ("Bitstring Generation Algorithm": GZIP, then multibase base64url without padding, prefix "u") and a status bit read
// by index (index 0 is the left-most bit of the first byte).
import { gunzipSync, gzipSync } from "node:zlib";

/** Entries in one list: the spec's minimum (16 KiB, 131,072 entries, for herd privacy) and ours. */
export const STATUS_LIST_SIZE = 131_072;

/** The purposes a Tradeproof anchor credential's status is published under (README, "Anchor credentials"). */
export const STATUS_PURPOSES = ["revocation", "superseded"] as const;
export type StatusPurpose = (typeof STATUS_PURPOSES)[number];

/** A list of {@link STATUS_LIST_SIZE} one-bit statuses. */
export class Bitstring {
  constructor(readonly bytes: Uint8Array = new Uint8Array(STATUS_LIST_SIZE / 8)) {}

  get(index: number): boolean {
    this.check(index);
    return (this.bytes[index >> 3]! & (0x80 >> (index & 7))) !== 0;
  }

  set(index: number): void {
    this.check(index);
    this.bytes[index >> 3]! |= 0x80 >> (index & 7);
  }

  get length(): number {
    return this.bytes.length * 8;
  }

  private check(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) throw new RangeError(`status index ${index} is outside the list (0–${this.length - 1})`);
  }

  /** The `encodedList` of a BitstringStatusList. */
  encode(): string {
    return `u${gzipSync(this.bytes).toString("base64url")}`;
  }

  /** Reads an `encodedList`; refuses one that is not multibase base64url of GZIP, or shorter than the spec's minimum. */
  static decode(encodedList: string): Bitstring {
    if (!encodedList.startsWith("u")) throw new Error("encodedList is not multibase base64url (no \"u\" prefix)");
    let bytes: Buffer;
    try {
      bytes = gunzipSync(Buffer.from(encodedList.slice(1), "base64url"), { maxOutputLength: 16 * 1024 * 1024 });
    } catch (cause) {
      throw new Error("encodedList is not GZIP-compressed", { cause });
    }
    if (bytes.length * 8 < STATUS_LIST_SIZE) throw new Error(`the status list holds ${bytes.length * 8} entries, fewer than the minimum ${STATUS_LIST_SIZE}`);
    return new Bitstring(new Uint8Array(bytes));
  }
}
