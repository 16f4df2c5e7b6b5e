// Two API instances (processes) on one PostgreSQL and one chain, requests alternating between them; the instance that
// relays is killed with SIGKILL in the middle of a stream of relayed writes from three members (issue 11, faults).
import { expect } from "chai";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ethers } from "ethers";
import { loadLedgerKeys } from "../../api/identity/keys.js";
import { PostgresStore } from "../../api/store/postgres.js";
import { Anvil, deployConsortium, DocType, tempDir, type Consortium } from "../api/helpers.js";
import { runCli } from "../cli/harness.js";
import { startApiProcess, type ApiProcess } from "../support/api-process.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";

const LEASE_MS = 1_500;
const PER_MEMBER = 8;

interface Health { status: string; database?: { reachable: boolean; leads?: boolean }; index?: { lag: number } }

describe("two API instances on one PostgreSQL: the relaying instance killed mid-stream", function () {
  this.timeout(300_000);
  let anvil: Anvil;
  let c: Consortium;
  let db: TestDatabase;
  let env: Record<string, string>;
  const instances: ApiProcess[] = [];

  before(async function () {
    anvil = await Anvil.start();
    c = await deployConsortium(anvil.url);
    // Blocks every second from now on: relayed transactions stay in flight for a while, as on a QBFT network.
    await c.provider.send("evm_setAutomine", [false]);
    await c.provider.send("evm_setIntervalMining", [1]);
    db = await createTestDatabase();
    const deployment = join(tempDir(), "deployment.json");
    writeFileSync(deployment, JSON.stringify(c.deployment));
    // One key file for every instance, as a deployment gives them (on PostgreSQL the API makes none of its own).
    const ledgerKeys = join(tempDir(), "ledger-keys.json");
    await loadLedgerKeys(ledgerKeys);
    env = {
      TRADEPROOF_RPC: anvil.url, TRADEPROOF_DEPLOYMENT: deployment, TRADEPROOF_DATABASE_URL: db.url, TRADEPROOF_LEDGER_KEYS: ledgerKeys,
      TRADEPROOF_RELAYER_KEY: c.relayer.privateKey, TRADEPROOF_SESSION_SECRET: "bb".repeat(32), TRADEPROOF_RATE_LIMIT: "0",
      TRADEPROOF_POLL_MS: "200", TRADEPROOF_LEASE_MS: String(LEASE_MS), TRADEPROOF_LOG_LEVEL: "info",
    };
  });
  after(async function () {
    for (const i of instances) await i.stop();
    await db?.drop();
    c?.provider.destroy();
    await anvil?.stop();
  });

  const health = async (i: ApiProcess): Promise<Health | undefined> => {
    try {
      return (await (await fetch(`${i.url}/health`)).json()) as Health;
    } catch {
      return undefined; // killed
    }
  };
  async function until<T>(what: string, f: () => Promise<T | undefined | false>, ms = 60_000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = await f();
      if (v) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${instances.map((i) => i.output().slice(-3_000)).join("\n---\n")}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it("every request answered 202 is mined exactly once, the other instance relays the rest, and index verify is clean", async function () {
    for (let n = 0; n < 2; n++) instances.push(await startApiProcess({ ...env, TRADEPROOF_DATA_DIR: tempDir() }));
    await until("one instance to lead", async () => (await Promise.all(instances.map(health))).filter((h) => h?.database?.leads).length === 1);

    // Requests alternate between the instances; a client whose instance is gone tries the other, as a load balancer does.
    let turn = 0;
    const call = async (path: string, init?: { body: unknown }) => {
      for (let attempt = 0; ; attempt++) {
        const i = instances[turn++ % 2]!;
        try {
          const res = await fetch(`${i.url}${path}`, init ? { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(init.body) } : undefined);
          return { status: res.status, body: (await res.json()) as Record<string, any> };
        } catch (e) {
          if (attempt > 4) throw e; // both gone
        }
      }
    };
    const accepted: { id: string; from: string; nonce: string; docHash: string }[] = [];
    let killed: { at: number; leader: ApiProcess } | undefined;
    const members = [[c.trader, DocType.INVOICE], [c.otherTrader, DocType.INVOICE], [c.customs, DocType.GOODS_DECLARATION]] as const;
    const write = async ([member, docType]: (typeof members)[number], m: number) => {
      for (let k = 0; k < PER_MEMBER; k++) {
        const docHash = ethers.keccak256(ethers.toUtf8Bytes(`failover ${m} ${k}`));
        const prep = await call("/v1/requests/prepare", { body: { action: "register", from: member.address, docHash, docType } });
        expect(prep.status, JSON.stringify(prep.body)).to.equal(200);
        const { domain, types, message } = prep.body;
        const signed = { request: message, signature: await member.signTypedData(domain, types, message) };
        const res = await call("/v1/requests", { body: signed });
        // A 409 DUPLICATE_REQUEST here is a retry of a request the killed instance accepted before it died.
        if (res.status === 202) accepted.push({ id: res.body.id, from: member.address.toLowerCase(), nonce: message.nonce, docHash });
        else expect(res.body.error?.code, JSON.stringify(res.body)).to.equal("DUPLICATE_REQUEST");
        if (!killed && accepted.length >= 9) {
          killed = { at: 0, leader: instances[0]! }; // the other writers go on meanwhile
          const leader = await until("an instance that leads", async () => {
            const states = await Promise.all(instances.map(health));
            return instances[states.findIndex((h) => h?.database?.leads)];
          });
          killed = { at: Date.now(), leader };
          await leader.kill();
        }
      }
    };
    await Promise.all(members.map(write));
    expect(killed, "the relaying instance was killed during the stream").to.not.equal(undefined);
    const survivor = instances.find((i) => i !== killed!.leader)!;
    const tookOver = await until("the survivor to lead", async () => (await health(survivor))?.database?.leads && Date.now());
    expect(tookOver - killed!.at, "takeover within a few seconds").to.be.lessThan(10_000);

    // Every accepted request is mined, relayed by whichever instance led.
    await until("every accepted request to be mined", async () => {
      for (const a of accepted) {
        const r = (await (await fetch(`${survivor.url}/v1/requests/${a.id}`)).json()) as { status: string };
        expect(r.status, `request ${a.id}`).to.not.equal("failed");
        if (r.status !== "mined") return false;
      }
      return true;
    });
    // The survivor sent transactions of its own after the kill: it relayed the rest.
    const store = await PostgresStore.open(db.url);
    try {
      const after = await store.one<{ n: number }>("SELECT COUNT(*) AS n FROM relay_txs WHERE sent_at > ?", [killed!.at]);
      expect(after!.n, "relayer transactions sent after the kill").to.be.greaterThan(0);
    } finally {
      await store.close();
    }
    // Exactly once on chain: one ExecutedForwardRequest per (signer, nonce), and each succeeded.
    const executed = new Map<string, boolean[]>();
    for (const log of await c.forwarder.queryFilter(c.forwarder.filters.ExecutedForwardRequest(), 0)) {
      const key = `${String(log.args.signer).toLowerCase()}:${log.args.nonce}`;
      executed.set(key, [...(executed.get(key) ?? []), log.args.success]);
    }
    expect(accepted.length).to.be.at.least(3 * PER_MEMBER - 3);
    for (const a of accepted) expect(executed.get(`${a.from}:${a.nonce}`), `${a.from} nonce ${a.nonce}`).to.deep.equal([true]);
    for (const a of accepted) expect((await c.registry.verify(a.docHash, a.docHash, [])).account.toLowerCase()).to.equal(a.from);

    // The survivor indexed everything, and the index in PostgreSQL matches the chain.
    const head = await c.provider.getBlockNumber();
    await until("the index to reach the head", async () => {
      const h = await health(survivor);
      return h?.index !== undefined && h.index.lag === 0 && (await c.provider.getBlockNumber()) >= head;
    });
    const verify = await runCli(["index", "verify", "--json"], { TRADEPROOF_RPC: env.TRADEPROOF_RPC, TRADEPROOF_DEPLOYMENT: env.TRADEPROOF_DEPLOYMENT, TRADEPROOF_DATABASE_URL: db.url });
    expect(verify.code, verify.stderr + verify.stdout).to.equal(0);
    expect(JSON.parse(verify.stdout).ok).to.equal(true);
  });
});
