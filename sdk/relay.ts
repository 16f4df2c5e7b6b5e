import { Signature, type Signer, type TypedDataDomain, type TypedDataField } from "ethers";
import type { Deployment } from "./deployment.js";
import { InvalidArgumentError, atBoundary } from "./errors.js";
import type { Hex } from "./types.js";

/** An ERC-2771 request for OpenZeppelin's ERC2771Forwarder (EIP-712 type `ForwardRequest`). */
export interface ForwardRequest {
  /** The member's account: the signer, and `_msgSender()` in the registry. */
  from: Hex;
  /** The registry (or council). */
  to: Hex;
  /** Wei, as a decimal string; "0" for every Tradeproof call. */
  value: string;
  /** Gas the forwarder passes on, decimal string. */
  gas: string;
  /** `forwarder.nonces(from)`, decimal string. */
  nonce: string;
  /** Unix seconds after which the forwarder refuses the request (uint48). */
  deadline: number;
  /** The call, e.g. `registry.interface.encodeFunctionData("register", [docHash, 380])`. */
  data: Hex;
}

/** EIP-712 types of the forwarder's request (OZ ERC2771Forwarder `_FORWARD_REQUEST_TYPEHASH`). */
export const FORWARD_REQUEST_TYPES: Record<string, TypedDataField[]> = {
  ForwardRequest: [
    { name: "from", type: "address" },
    { name: "to", type: "address" },
    { name: "value", type: "uint256" },
    { name: "gas", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint48" },
    { name: "data", type: "bytes" },
  ],
};

/**
 * The forwarder's EIP-712 domain: name "Tradeproof Forwarder", version "1", the deployment's chain and forwarder.
 *
 * @example
 * ```ts
 * import { forwarderDomain, loadDeployment } from "./sdk/index.js";
 * const domain = forwarderDomain(await loadDeployment("data/deployment.json"));
 * ```
 */
export function forwarderDomain(d: Deployment): TypedDataDomain {
  return { name: "Tradeproof Forwarder", version: "1", chainId: d.chainId, verifyingContract: d.forwarder };
}

/**
 * Signs a forward request with the member's own key (EIP-712), for the API to relay.
 *
 * @example
 * ```ts
 * import { Wallet } from "ethers";
 * import { signForwardRequest, loadDeployment } from "./sdk/index.js";
 * const deployment = await loadDeployment("data/deployment.json");
 * const wallet = new Wallet(process.env.TRADEPROOF_KEY!);
 * const signature = await signForwardRequest(wallet, deployment, {
 *   from: wallet.address as `0x${string}`, to: deployment.registry, value: "0", gas: "200000", nonce: "0",
 *   deadline: Math.floor(Date.now() / 1000) + 600, data: "0x",
 * });
 * ```
 */
export async function signForwardRequest(signer: Signer, d: Deployment, req: ForwardRequest): Promise<Hex> {
  if (!Number.isInteger(req.deadline) || req.deadline < 0 || req.deadline >= 2 ** 48) {
    throw new InvalidArgumentError("deadline must be Unix seconds that fit a uint48.");
  }
  return atBoundary(async () => (await signer.signTypedData(forwarderDomain(d), FORWARD_REQUEST_TYPES, req)) as Hex);
}

/**
 * The `ForwardRequestData` struct that `forwarder.execute(...)` takes: the request without its nonce (the
 * forwarder reads it) and with the signature.
 *
 * @example
 * ```ts
 * import { toForwardRequestData, type ForwardRequest } from "./sdk/index.js";
 * declare const req: ForwardRequest; declare const signature: `0x${string}`;
 * const data = toForwardRequestData(req, signature); // forwarder.execute(data)
 * ```
 */
export function toForwardRequestData(req: ForwardRequest, signature: Hex) {
  // Normalises the signature (rejects malformed ones here rather than at the forwarder).
  const sig = Signature.from(signature).serialized as Hex;
  return { from: req.from, to: req.to, value: req.value, gas: req.gas, deadline: req.deadline, data: req.data, signature: sig };
}
