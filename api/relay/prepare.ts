import { ethers } from "ethers";
import { buildBatch, forwarderDomain, parseAttestationReason, parseReference, referenceCommitment, FORWARD_REQUEST_TYPES, maxPublicBatch, publicBatchGas, type ForwardRequest, type Hex, type TransactionLimits } from "../../sdk/index.js";
import { onChain, type Chain } from "../chain.js";
import { ApiError, badRequest, forbidden } from "../errors.js";
import { referencesInterface, registryInterface } from "../indexer/decode.js";
import type { RelayQueue } from "./queue.js";

const OUTCOMES = { ACCEPTED: 1, REJECTED: 2, INSPECTED: 3 } as const;

/** A write a member asks the API to prepare; the shape of each is the route's zod schema. */
export type PrepareAction =
  | { action: "register"; docHash: Hex; docType: number }
  | { action: "registerBatch"; root: Hex; count: number; docType: number }
  | { action: "registerPublicBatch"; docHashes: Hex[]; docType: number }
  | { action: "approve"; anchor: Hex }
  | { action: "revoke"; anchor: Hex; reason: string }
  | { action: "revokeInBatch"; root: Hex; docHash: Hex; proof: Hex[]; reason: string }
  | { action: "supersede"; oldAnchor: Hex; newAnchor: Hex }
  | { action: "attest"; docHash: Hex; outcome: keyof typeof OUTCOMES; reason?: string | number; reasonCode?: number }
  | { action: "fileReferences"; anchor: Hex; references: { docHash: Hex; scheme: string; id: string }[] };

/** fileReferences with its commitments computed (they need the member's organisation). */
type EncodableAction = Exclude<PrepareAction, { action: "fileReferences" }> | { action: "fileReferences"; anchor: Hex; docHashes: Hex[]; commitments: Hex[] };

/** The calldata of an action: the registry's, or the references contract's for fileReferences. */
export function encodeAction(a: EncodableAction): Hex {
  const f = registryInterface;
  switch (a.action) {
    case "fileReferences": return referencesInterface.encodeFunctionData("fileReferences", [a.anchor, a.docHashes, a.commitments]) as Hex;
    case "register": return f.encodeFunctionData("register", [a.docHash, a.docType]) as Hex;
    case "registerBatch": return f.encodeFunctionData("registerBatch", [a.root, a.count, a.docType]) as Hex;
    // The contract wants the tree's leaf order; the SDK's batch gives it (deduplicated).
    case "registerPublicBatch": return f.encodeFunctionData("registerPublicBatch", [buildBatch(a.docHashes).leaves, a.docType]) as Hex;
    case "approve": return f.encodeFunctionData("approve", [a.anchor]) as Hex;
    case "revoke": return f.encodeFunctionData("revoke", [a.anchor, a.reason]) as Hex;
    case "revokeInBatch": return f.encodeFunctionData("revokeInBatch", [a.root, a.docHash, a.proof, a.reason]) as Hex;
    case "supersede": return f.encodeFunctionData("supersede", [a.oldAnchor, a.newAnchor]) as Hex;
    case "attest": return f.encodeFunctionData("attest", [a.docHash, OUTCOMES[a.outcome], parseAttestationReason(a.reason ?? a.reasonCode ?? 0)]) as Hex;
  }
}

/** Gas when the call cannot be simulated because earlier requests of the same account are still queued. */
const UNSIMULATED_GAS = 3_000_000n;

/** The EIP-712 typed data a member signs (with any EIP-712 library) and posts back to POST /v1/requests. */
export interface PreparedRequest {
  domain: ethers.TypedDataDomain;
  types: Record<string, ethers.TypedDataField[]>;
  primaryType: "ForwardRequest";
  message: ForwardRequest;
}

/**
 * Builds the ForwardRequest for `action` by `from`: calldata, gas from a simulation of the relayed
 * call (which also refuses, by the contract's error name, a write the ledger would reject), the
 * next forwarder nonce counting requests still in the queue, and a deadline.
 */
export async function prepareRequest(
  chain: Chain,
  queue: RelayQueue,
  from: Hex,
  action: PrepareAction,
  opts: { ttlSec: number; limits: TransactionLimits },
): Promise<PreparedRequest> {
  let to = chain.deployment.registry;
  let encodable: EncodableAction;
  if (action.action === "fileReferences") {
    if (!chain.deployment.references) throw new ApiError(501, "REFERENCES_UNAVAILABLE", "This ledger's deployment has no references contract: documents cannot be filed by number.");
    to = chain.deployment.references;
    const [organisation, , active] = await onChain(() => chain.registry.accountOf(from));
    if (organisation === 0n || !active) throw forbidden("NOT_MEMBER", `${from} is not an account of an active member organisation.`);
    const commitments = action.references.map((r, i) => {
      try {
        return referenceCommitment(Number(organisation), parseReference(r));
      } catch (e) {
        throw badRequest("INVALID_REFERENCE", `references[${i}]: ${(e as Error).message}`);
      }
    });
    encodable = { action: "fileReferences", anchor: action.anchor, docHashes: action.references.map((r) => r.docHash), commitments };
  } else {
    encodable = action;
  }
  if (action.action === "registerPublicBatch") {
    // One signed request is one transaction: a public batch must fit the network's limits as relayed (the
    // forwarder's envelope included). The SDK's registerBatch splits a large one into parts that do.
    const { documents, binding } = maxPublicBatch(opts.limits, { relayed: true });
    const count = new Set(action.docHashes.map((h) => h.toLowerCase())).size;
    if (count > documents) {
      throw badRequest(
        "BATCH_TOO_LARGE",
        `A relayed public batch carries at most ${documents} documents on this network (${binding === "maxTxBytes" ? `${opts.limits.maxTxBytes} bytes` : `${opts.limits.maxTxGas} gas`} per transaction); this one has ${count}. Split it into several requests.`,
      );
    }
  }
  const data = encodeAction(encodable);
  const pending = await queue.pendingCount(from);
  const chainNonce = await onChain(() => chain.forwarder.nonces(from));
  let gas: bigint;
  if (pending === 0) {
    // ERC-2771: the registry reads the sender from the calldata's last 20 bytes when called by the forwarder.
    const estimate = await onChain(() => chain.provider.estimateGas({ from: chain.deployment.forwarder, to, data: ethers.concat([data, from]) }));
    gas = estimate + estimate / 4n + 10_000n;
  } else {
    gas = action.action === "registerPublicBatch" ? publicBatchGas(action.docHashes.length) : UNSIMULATED_GAS;
  }
  const nonce = await queue.nextNonce(from, chainNonce);
  return {
    domain: forwarderDomain(chain.deployment),
    types: FORWARD_REQUEST_TYPES,
    primaryType: "ForwardRequest",
    message: {
      from, to, value: "0", gas: gas.toString(), nonce: nonce.toString(),
      deadline: Math.floor(Date.now() / 1000) + opts.ttlSec, data,
    },
  };
}
