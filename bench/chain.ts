/** Our ledger on a local chain, deployed from the build's artifacts, with one trader admitted. */
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";

/** UNTDID 1001 code of a commercial invoice: the type every benchmark registers. */
export const INVOICE = 380;

const TRADER = 1;
const ISSUING_AUTHORITY = 2;
const kinds = (...list: number[]) => list.reduce((bits, k) => bits | (1 << k), 0);

/** Forwarder, council (governors 0-2, threshold 2) and registry; signer 3 is an admitted trader. */
export async function deployOurLedger(ethers: HardhatEthers) {
  const signers = await ethers.getSigners();
  const governors = signers.slice(0, 3);
  const trader = signers[3];
  const forwarder = await ethers.deployContract("Forwarder");
  const council = await ethers.deployContract("Council", [governors.map((g) => g.address), 2, 7 * 24 * 3600, await forwarder.getAddress()]);
  const registry = await ethers.deployContract("DocumentRegistry", [
    await council.getAddress(),
    await forwarder.getAddress(),
    kinds(TRADER, ISSUING_AUTHORITY),
  ]);
  const deployGas = await Promise.all(
    [forwarder, council, registry].map(async (c) => Number((await c.deploymentTransaction()!.wait())!.gasUsed)),
  );
  const target = await registry.getAddress();
  const calls = [
    {
      target,
      data: registry.interface.encodeFunctionData("addOrganisation", [
        "Saigon Textiles JSC",
        ethers.hexlify(ethers.toUtf8Bytes("VN")),
        TRADER,
        [trader.address],
      ]),
    },
    { target, data: registry.interface.encodeFunctionData("setDocumentPolicy", [INVOICE, kinds(TRADER), 1]) },
  ];
  const id = (await council.proposalCount()) + 1n;
  await (await council.connect(governors[0]).getFunction("propose")(calls, "benchmark consortium")).wait();
  await (await council.connect(governors[1]).getFunction("approve")(id)).wait();
  await (await council.connect(governors[1]).getFunction("execute")(id)).wait();
  const network = await ethers.provider.getNetwork();
  const startBlock = Number((await forwarder.deploymentTransaction()!.wait())!.blockNumber);
  return {
    registry,
    council,
    forwarder,
    trader,
    signers,
    deployGas: deployGas.reduce((a, b) => a + b, 0),
    deployment: {
      chainId: Number(network.chainId),
      registry: target as `0x${string}`,
      council: (await council.getAddress()) as `0x${string}`,
      forwarder: (await forwarder.getAddress()) as `0x${string}`,
      startBlock,
    },
  };
}
