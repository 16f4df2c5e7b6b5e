// Many attestations on one document without thousands of transactions, for the bounded-cost tests and the gas
// benchmark. No top-level side effects: `hardhat test` loads every file under test/.
import { AbiCoder, keccak256, toBeHex, zeroPadValue } from "ethers";

export interface StorageAccess {
  getStorage(address: string, slot: bigint): Promise<string>;
  setStorage(address: string, slot: bigint, value: string): Promise<void>;
}

/**
 * Raises the number of attestations of `docHash` to `count`. The document must already have exactly one real
 * attestation: its storage slot (the length of `_attestations[docHash]`) is found by probing the mapping's possible
 * positions for a length of 1. The length is then set directly and the last entries filled with a copy of the first,
 * so a view that reads the latest entries reads real data, and a view that would read the whole array pays for every
 * entry (reading an unwritten slot costs the same as a written one).
 */
export async function inflateAttestations(storage: StorageAccess, registry: string, docHash: string, count: number): Promise<void> {
  let slot: bigint | undefined;
  for (let index = 0n; index < 64n && slot === undefined; index++) {
    const candidate = BigInt(keccak256(AbiCoder.defaultAbiCoder().encode(["bytes32", "uint256"], [docHash, index])));
    if (BigInt(await storage.getStorage(registry, candidate)) === 1n) slot = candidate;
  }
  if (slot === undefined) throw new Error(`no mapping slot of ${registry} holds one attestation of ${docHash}`);
  const first = BigInt(keccak256(toBeHex(slot, 32)));
  const entry = await storage.getStorage(registry, first);
  for (let i = Math.max(1, count - 4); i < count; i++) await storage.setStorage(registry, first + BigInt(i), entry);
  await storage.setStorage(registry, slot, zeroPadValue(toBeHex(count), 32));
}
