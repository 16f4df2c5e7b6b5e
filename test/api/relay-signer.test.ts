// The relayer's own recovery of a ForwardRequest's signer (libsecp256k1) against ethers' verifyTypedData.
import { expect } from "chai";
import { ethers } from "ethers";
import { forwardRequestDigest, forwardRequestSigner, SignatureError } from "../../api/relay/signer.js";
import { FORWARD_REQUEST_TYPES, forwarderDomain, type Deployment, type ForwardRequest, type Hex } from "../../sdk/index.js";

describe("relayed request signer", function () {
  const deployment = {
    chainId: 31337,
    registry: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    council: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
    forwarder: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
    startBlock: 0,
  } as Deployment;
  const request = (i: number, from: string): ForwardRequest => ({
    from: from as Hex, to: deployment.registry, value: "0", gas: String(100_000 + i), nonce: String(i), deadline: 1_900_000_000 + i,
    data: ethers.hexlify(ethers.randomBytes(4 + 32 * (i % 5))) as `0x${string}`,
  });

  it("gives the digest and the signer ethers gives, for many keys, requests and both forwarder domains", async function () {
    for (let i = 0; i < 40; i++) {
      const wallet = ethers.Wallet.createRandom();
      const d: Deployment = i % 2 === 0 ? deployment : { ...deployment, chainId: 2026, forwarder: ethers.Wallet.createRandom().address as Hex };
      const r = request(i, wallet.address);
      const signature = await wallet.signTypedData(forwarderDomain(d), FORWARD_REQUEST_TYPES, r);
      expect(forwardRequestDigest(d, r)).to.equal(ethers.TypedDataEncoder.hash(forwarderDomain(d), FORWARD_REQUEST_TYPES, r));
      expect(forwardRequestSigner(d, r, signature)).to.equal(ethers.verifyTypedData(forwarderDomain(d), FORWARD_REQUEST_TYPES, r, signature).toLowerCase());
      expect(forwardRequestSigner(d, r, signature)).to.equal(wallet.address.toLowerCase());
      // another request under the same signature recovers someone else
      expect(forwardRequestSigner(d, { ...r, nonce: String(i + 1) }, signature)).to.not.equal(wallet.address.toLowerCase());
    }
  });

  it("names what is wrong with a signature that is not one", function () {
    const r = request(1, ethers.Wallet.createRandom().address);
    expect(() => forwardRequestSigner(deployment, r, "0x1234")).to.throw(SignatureError, /65-byte/);
    // r = 0 is no point on the curve
    expect(() => forwardRequestSigner(deployment, r, ethers.concat([ethers.ZeroHash, ethers.toBeHex(1, 32), "0x1b"]))).to.throw(SignatureError, /does not recover/);
  });
});
