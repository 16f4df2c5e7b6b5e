// Helpers of the API tests: an anvil node started on 127.0.0.1 and a demo consortium deployed on it.
// No top-level side effects: `hardhat test` loads every file under test/.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { freePort } from "../../scripts/embedded/anvil.js";
import { ethers } from "ethers";
import {
  Council__factory,
  DocumentReferences__factory,
  DocumentRegistry__factory,
  Forwarder__factory,
  type Council,
  type DocumentReferences,
  type DocumentRegistry,
  type Forwarder,
} from "../../types/ethers-contracts/index.js";
import { consortiumCalls, Kind, kinds } from "../support/consortium.js";

const MNEMONIC = "test test test test test test test test test test test junk";
export { DocType, Kind } from "../support/consortium.js";

export { freePort };

function anvilBinary(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("@foundry-rs/anvil-linux-amd64/package.json")), "bin", "anvil");
}

/** An anvil node on 127.0.0.1; `stop()` and `start()` again (same port, same state file) simulate a node outage. */
export class Anvil {
  private proc: ChildProcess | undefined;
  readonly url: string;
  private constructor(readonly port: number, private readonly stateFile: string, private readonly extra: string[]) {
    this.url = `http://127.0.0.1:${port}`;
  }

  static async start(extra: string[] = []): Promise<Anvil> {
    const dir = mkdtempSync(join(tmpdir(), "tradeproof-anvil-"));
    const a = new Anvil(await freePort(), join(dir, "state.json"), extra);
    await a.start();
    return a;
  }

  async start(): Promise<void> {
    this.proc = spawn(anvilBinary(), ["--host", "127.0.0.1", "--port", String(this.port), "--accounts", "20", "--silent", "--state", this.stateFile, ...this.extra], { stdio: "ignore" });
    const until = Date.now() + 20_000;
    for (;;) {
      try {
        const r = await fetch(this.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }) });
        if (r.ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > until) throw new Error("anvil did not start");
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Stops the node; SIGTERM makes anvil write its state file, so `start()` brings the same chain back. */
  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once("exit", () => resolve());
      p.kill("SIGTERM");
    });
    this.proc = undefined;
  }
}

export const wallet = (i: number, provider: ethers.Provider) =>
  ethers.HDNodeWallet.fromPhrase(MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`).connect(provider);

export interface Consortium {
  provider: ethers.JsonRpcProvider;
  deployment: { chainId: number; registry: `0x${string}`; council: `0x${string}`; forwarder: `0x${string}`; references: `0x${string}`; startBlock: number };
  registry: DocumentRegistry;
  references: DocumentReferences;
  council: Council;
  forwarder: Forwarder;
  governors: ethers.HDNodeWallet[];
  trader: ethers.HDNodeWallet;
  trader2: ethers.HDNodeWallet;
  officer1: ethers.HDNodeWallet;
  officer2: ethers.HDNodeWallet;
  customs: ethers.HDNodeWallet;
  agency: ethers.HDNodeWallet;
  auditor: ethers.HDNodeWallet;
  otherTrader: ethers.HDNodeWallet;
  outsider: ethers.HDNodeWallet;
  /** The API's relayer key (pays gas, member of nothing). */
  relayer: ethers.HDNodeWallet;
  spare: ethers.HDNodeWallet[];
  govern: (calls: { target: string; data: string }[]) => Promise<void>;
}

/** The same demo consortium as test/contracts/fixtures.ts, deployed on an anvil node. */
export async function deployConsortium(rpcUrl: string): Promise<Consortium> {
  const provider = new ethers.JsonRpcProvider(rpcUrl, 31337, { staticNetwork: true, cacheTimeout: -1 });
  const w = Array.from({ length: 20 }, (_, i) => new ethers.NonceManager(wallet(i, provider)));
  const raw = Array.from({ length: 20 }, (_, i) => wallet(i, provider));
  const deployer = w[0];
  const forwarder = await new Forwarder__factory(deployer).deploy();
  await forwarder.waitForDeployment();
  const startBlock = (await forwarder.deploymentTransaction()!.wait())!.blockNumber;
  const governors = raw.slice(0, 3);
  const council = await new Council__factory(deployer).deploy(governors.map((g) => g.address), 2, 7 * 24 * 3600, await forwarder.getAddress());
  await council.waitForDeployment();
  const registry = await new DocumentRegistry__factory(deployer).deploy(await council.getAddress(), await forwarder.getAddress(), kinds(Kind.TRADER, Kind.ISSUING_AUTHORITY));
  await registry.waitForDeployment();
  const govern = async (calls: { target: string; data: string }[]) => {
    const id = (await council.proposalCount()) + 1n;
    await (await council.connect(w[0]).propose(calls, "test")).wait();
    await (await council.connect(w[1]).approve(id)).wait();
    await (await council.connect(w[1]).execute(id)).wait();
  };
  const [trader, trader2, officer1, officer2, customs, agency, auditor, otherTrader, outsider, relayer] = raw.slice(3, 13);
  const target = await registry.getAddress();
  await govern(
    consortiumCalls(registry, target, {
      trader: trader.address, trader2: trader2.address, officer1: officer1.address, officer2: officer2.address,
      customs: customs.address, agency: agency.address, auditor: auditor.address, otherTrader: otherTrader.address,
    }),
  );
  // Last, so that the other contracts keep the addresses they had before it existed.
  const references = await new DocumentReferences__factory(deployer).deploy(target, await forwarder.getAddress());
  await references.waitForDeployment();
  return {
    provider,
    deployment: {
      chainId: 31337, registry: target.toLowerCase() as `0x${string}`, council: (await council.getAddress()).toLowerCase() as `0x${string}`,
      forwarder: (await forwarder.getAddress()).toLowerCase() as `0x${string}`,
      references: (await references.getAddress()).toLowerCase() as `0x${string}`, startBlock,
    },
    registry: registry.connect(provider) as DocumentRegistry,
    references: references.connect(provider) as DocumentReferences,
    council: council.connect(provider) as Council,
    forwarder: forwarder.connect(provider) as Forwarder,
    governors, trader, trader2, officer1, officer2, customs, agency, auditor, otherTrader, outsider, relayer,
    spare: raw.slice(13),
    govern,
  };
}

export const tempDir = () => mkdtempSync(join(tmpdir(), "tradeproof-api-"));
