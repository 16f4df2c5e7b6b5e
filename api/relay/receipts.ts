import { getAddress } from "ethers";
import { buildBatch, isoSeconds, type Hex, type Receipt } from "../../sdk/index.js";
import { onChain, type Chain } from "../chain.js";
import { conflict } from "../errors.js";
import type { RequestRow } from "./queue.js";

/** How a mined relayed write anchored its documents: the fields every receipt of it shares. */
export interface RelayedAnchor {
  root: Hex;
  docType: string;
  chainId: number;
  registry: Hex;
  txHash: Hex;
  blockNumber: number;
  anchoredAt: string;
  issuer: Hex;
}

/** What GET /v1/requests/:id/receipts answers. */
export interface RelayedReceipts {
  anchor: RelayedAnchor;
  /** One normative receipt per document: for `register` and `registerPublicBatch`; absent for a private batch. */
  receipts?: Receipt[];
}

/**
 * The receipts of a mined relayed write, built from the request the member signed and the transaction that
 * carried it, so a back office that writes through the API gets what the SDK and the CLI hand out.
 * - `register`: the one document, its own root, no proof;
 * - `registerPublicBatch`: each document with its proof (the tree is rebuilt from the signed leaves);
 * - `registerBatch` (private): only the anchor; the documents never reach the API, so their proofs come from
 *   the member's own tree (SDK `buildBatch`), with these fields.
 * Anything else, or a request not mined (yet), is a 409 with a code saying which.
 */
export async function relayedReceipts(chain: Chain, row: RequestRow): Promise<RelayedReceipts> {
  if (row.status !== "mined" || row.tx_hash === null || row.block_number === null) {
    const state = row.status === "failed" ? `failed (${row.reason_code ?? "REVERTED"})` : `is ${row.status}`;
    throw conflict("REQUEST_NOT_MINED", `The request ${state}; receipts exist once it is mined.`);
  }
  const call = chain.registry.interface.parseTransaction({ data: row.data });
  if (!call || !["register", "registerBatch", "registerPublicBatch"].includes(call.name)) {
    throw conflict("NOT_AN_ANCHOR", `The request calls ${call?.name ?? "an unknown function"}, which anchors no document.`);
  }
  const block = await onChain(() => chain.provider.getBlock(row.block_number!));
  if (!block) throw conflict("REQUEST_NOT_MINED", `The node does not have block ${row.block_number} yet.`);
  const base = {
    docType: String(call.args.docType),
    chainId: chain.deployment.chainId,
    registry: getAddress(chain.deployment.registry) as Hex,
    txHash: row.tx_hash,
    blockNumber: row.block_number,
    anchoredAt: isoSeconds(block.timestamp),
    issuer: getAddress(row.from_addr) as Hex,
  };
  const receipt = (docHash: Hex, root: Hex, proof: Hex[]): Receipt => ({
    type: "tradeproof-receipt/v1", docHash, docType: base.docType, root, proof, chainId: base.chainId, registry: base.registry,
    txHash: base.txHash, blockNumber: base.blockNumber, anchoredAt: base.anchoredAt, issuer: base.issuer,
  });
  switch (call.name) {
    case "register": {
      const docHash = (call.args.docHash as string).toLowerCase() as Hex;
      return { anchor: { root: docHash, ...base }, receipts: [receipt(docHash, docHash, [])] };
    }
    case "registerPublicBatch": {
      const batch = buildBatch((call.args.docHashes as string[]).map((h) => h.toLowerCase() as Hex));
      return { anchor: { root: batch.root, ...base }, receipts: batch.leaves.map((h) => receipt(h, batch.root, batch.proof(h))) };
    }
    default:
      return { anchor: { root: (call.args.root as string).toLowerCase() as Hex, ...base } };
  }
}
