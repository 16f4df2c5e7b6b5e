// Who signed a relayed request: the EIP-712 digest of the ForwardRequest and the address its signature recovers
// to, as the forwarder computes them on chain. Every accepted request needs one recovery; in JavaScript (ethers'
// verifyTypedData) that took 2.5–3.5 ms of the API's one thread, libsecp256k1 (the `secp256k1` package, with
// prebuilt binaries and a JavaScript fallback of its own) takes 0.1 ms.
import { ethers } from "ethers";
import secp256k1 from "secp256k1";
import { forwarderDomain, FORWARD_REQUEST_TYPES, type Deployment, type ForwardRequest } from "../../sdk/index.js";

const encoder = ethers.TypedDataEncoder.from(FORWARD_REQUEST_TYPES);
/** The forwarder's domain separator, by forwarder address and chain: the same for every request. */
const domains = new Map<string, string>();
/** Half the order of secp256k1: OpenZeppelin's ECDSA, and so the forwarder, refuses a larger s (EIP-2). */
const HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

export class SignatureError extends Error {}

/** The EIP-712 digest the member signed: keccak256(0x1901 ‖ domain separator ‖ hashStruct(request)). */
export function forwardRequestDigest(deployment: Deployment, request: ForwardRequest): string {
  const key = `${deployment.chainId}:${deployment.forwarder.toLowerCase()}`;
  let domain = domains.get(key);
  if (!domain) domains.set(key, (domain = ethers.TypedDataEncoder.hashDomain(forwarderDomain(deployment))));
  return ethers.keccak256(ethers.concat(["0x1901", domain, encoder.hash(request)]));
}

/** The lowercase address that signed `request`; throws SignatureError, saying why, for a signature that is not one. */
export function forwardRequestSigner(deployment: Deployment, request: ForwardRequest, signature: string): string {
  let sig: ethers.Signature;
  try {
    sig = ethers.Signature.from(signature);
  } catch {
    throw new SignatureError("The signature is not a 65-byte secp256k1 signature (r, s, v) in hex.");
  }
  let s: string;
  try {
    s = sig.s; // ethers refuses to give an s of 2^255 or more
  } catch {
    s = ethers.toBeHex(HALF_N + 1n, 32);
  }
  if (BigInt(s) > HALF_N) throw new SignatureError("The signature's s is in the upper half of the curve order; the forwarder accepts only the lower (EIP-2).");
  const digest = forwardRequestDigest(deployment, request);
  let publicKey: Uint8Array;
  try {
    publicKey = secp256k1.ecdsaRecover(ethers.getBytes(ethers.concat([sig.r, s])), sig.yParity, ethers.getBytes(digest), false);
  } catch {
    throw new SignatureError("The signature does not recover to any key.");
  }
  return ethers.dataSlice(ethers.keccak256(publicKey.subarray(1)), 12).toLowerCase();
}
