import { expect } from "chai";
import { hexlify, randomBytes, Wallet } from "ethers";
import { DEFAULT_TRANSACTION_LIMITS, maxPublicBatch, publicBatchGas, transactionLimitsFromEnv, type Hex } from "../../sdk/index.js";
import { DocumentRegistry__factory, Forwarder__factory } from "../../types/ethers-contracts/index.js";

const registry = DocumentRegistry__factory.createInterface();
const forwarder = Forwarder__factory.createInterface();
const hashes = (n: number) => Array.from({ length: n }, () => hexlify(randomBytes(32)) as Hex);
const wallet = Wallet.createRandom();

/** The signed bytes of a transaction as a member (or the relayer) would send it, with large nonce and fee fields. */
async function signedSize(data: string, gasLimit: bigint): Promise<number> {
  const raw = await wallet.signTransaction({
    type: 2, chainId: 2_026_000_001n, nonce: 4_000_000_000, to: wallet.address, value: 0n, data,
    gasLimit, maxFeePerGas: 10n ** 15n, maxPriorityFeePerGas: 10n ** 12n,
  });
  return (raw.length - 2) / 2;
}

describe("transaction limits of the network", function () {
  it("the largest public batch under Besu's defaults fits 128 KiB signed, and one more document would not fit with room to spare", async function () {
    const { documents, binding } = maxPublicBatch();
    expect(binding).to.equal("maxTxBytes");
    expect(documents).to.be.within(4_000, 4_089); // 4,089 was the largest measured within 128 KiB on anvil
    const data = registry.encodeFunctionData("registerPublicBatch", [hashes(documents), 380]);
    expect(await signedSize(data, publicBatchGas(documents))).to.be.at.most(DEFAULT_TRANSACTION_LIMITS.maxTxBytes);
    const over = registry.encodeFunctionData("registerPublicBatch", [hashes(documents + 10), 380]);
    expect(await signedSize(over, publicBatchGas(documents + 10))).to.be.above(DEFAULT_TRANSACTION_LIMITS.maxTxBytes);
    expect(Number(publicBatchGas(documents))).to.be.at.most(DEFAULT_TRANSACTION_LIMITS.maxTxGas);
  });

  it("a relayed public batch of the largest size fits 128 KiB inside the forwarder's executeBatch, as the relayer sends it", async function () {
    const { documents } = maxPublicBatch(DEFAULT_TRANSACTION_LIMITS, { relayed: true });
    expect(documents).to.be.below(maxPublicBatch().documents);
    const inner = registry.encodeFunctionData("registerPublicBatch", [hashes(documents), 380]);
    const request = { from: wallet.address, to: wallet.address, value: 0n, gas: publicBatchGas(documents), deadline: 2n ** 48n - 1n, data: inner, signature: hexlify(randomBytes(65)) };
    const data = forwarder.encodeFunctionData("executeBatch", [[request], wallet.address]);
    expect(await signedSize(data, publicBatchGas(documents) + 100_000n)).to.be.at.most(DEFAULT_TRANSACTION_LIMITS.maxTxBytes);
  });

  it("the gas limit binds when the network allows larger transactions than it allows gas", function () {
    const { documents, binding } = maxPublicBatch({ maxTxBytes: 1_000_000, maxTxGas: 5_000_000 });
    expect(binding).to.equal("maxTxGas");
    expect(Number(publicBatchGas(documents))).to.be.at.most(5_000_000);
    expect(Number(publicBatchGas(documents + 1))).to.be.above(5_000_000);
  });

  it("reads TRADEPROOF_MAX_TX_BYTES and TRADEPROOF_MAX_TX_GAS, and names a bad one", function () {
    expect(transactionLimitsFromEnv({})).to.deep.equal(DEFAULT_TRANSACTION_LIMITS);
    expect(transactionLimitsFromEnv({ TRADEPROOF_MAX_TX_BYTES: "65536", TRADEPROOF_MAX_TX_GAS: "30000000" })).to.deep.equal({ maxTxBytes: 65_536, maxTxGas: 30_000_000 });
    expect(() => transactionLimitsFromEnv({ TRADEPROOF_MAX_TX_BYTES: "lots" })).to.throw(/^TRADEPROOF_MAX_TX_BYTES: expected a whole number/);
  });
});
