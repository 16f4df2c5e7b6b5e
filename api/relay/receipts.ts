import { buildBatch, buildReceipt, isoSeconds, type AnchorFields, type Hex, type Receipt } from "../../sdk/index.js";
import { onChain, type Chain } from "../chain.js";
import { conflict } from "../errors.js";
import type { RequestRow } from "./queue.js";

/** What GET /v1/requests/:id/receipts answers. */
export interface RelayedReceipts {
  /** The anchor the write made, with the ledger's chain id and registry: what every receipt of it shares. */
  anchor: Omit<Receipt, "type" | "docHash" | "proof">;
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
  if (chain.deployment.references && row.to_addr.toLowerCase() === chain.deployment.references.toLowerCase()) {
    throw conflict("NOT_AN_ANCHOR", "The request filed documents under their numbers; it anchors no document (the receipts are those of the registration).");
  }
  const call = chain.registry.interface.parseTransaction({ data: row.data });
  if (!call || !["register", "registerBatch", "registerPublicBatch"].includes(call.name)) {
    throw conflict("NOT_AN_ANCHOR", `The request calls ${call?.name ?? "an unknown function"}, which anchors no document.`);
  }
  const block = await onChain(() => chain.provider.getBlock(row.block_number!));
  if (!block) throw conflict("REQUEST_NOT_MINED", `The node does not have block ${row.block_number} yet.`);
  const lower = (h: unknown) => String(h).toLowerCase() as Hex;
  const batch = call.name === "registerPublicBatch" ? buildBatch((call.args.docHashes as string[]).map(lower)) : undefined;
  const root = batch?.root ?? lower(call.name === "register" ? call.args.docHash : call.args.root);
  const fields: AnchorFields = {
    docType: String(call.args.docType), root, txHash: row.tx_hash, blockNumber: row.block_number,
    anchoredAt: isoSeconds(block.timestamp), issuer: row.from_addr,
  };
  // The anchor is a receipt of the root without a document: the same spelling of every field.
  const { type: _type, docHash: _docHash, proof: _proof, ...anchor } = buildReceipt(chain.deployment, root, [], fields);
  if (call.name === "registerBatch") return { anchor };
  const receipts = batch
    ? batch.leaves.map((h) => buildReceipt(chain.deployment, h, batch.proof(h), fields))
    : [buildReceipt(chain.deployment, root, [], fields)];
  return { anchor, receipts };
}
