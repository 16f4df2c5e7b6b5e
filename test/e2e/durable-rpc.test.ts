// The embedded chain's durability (scripts/embedded/): the gateway journals every block before a read can see it,
// checkpoints are written in the background, and a start replays the journal after the newest checkpoint that
// loads, refusing a journal that is damaged or does not reproduce what it recorded.
import { expect } from "chai";
import { appendFile, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hexlify, JsonRpcProvider, parseEther, randomBytes, toQuantity, type TransactionReceipt } from "ethers";
import { demoWallet } from "../../scripts/demo.js";
import { KEPT_BLOCKS } from "../../scripts/embedded/archive.js";
import { listCheckpoints } from "../../scripts/embedded/checkpoints.js";
import { startDurableRpc, type DurableRpc } from "../../scripts/embedded/durable-rpc.js";
import { encodeRecord, JournalError, readJournal, type BlockRecord } from "../../scripts/embedded/journal.js";
import { chainFiles, recoverChain, type RecoveredChain } from "../../scripts/embedded/recover.js";

describe("the embedded chain: journal, checkpoints and recovery", function () {
  this.timeout(120_000);
  let dir: string;
  let chain: RecoveredChain | undefined;
  let gateway: DurableRpc | undefined;
  let provider: JsonRpcProvider | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "tradeproof-chain-"));
  });
  afterEach(async () => {
    await shutdown();
    await rm(dir, { recursive: true, force: true });
  });

  /** Recovers the chain in `dir` and puts a gateway in front of it. */
  const start = async (everyBlocks = 0) => {
    chain = await recoverChain({ dataDir: dir });
    gateway = await startDurableRpc({
      upstream: chain.anvil.url, journal: chain.journal, archive: chain.archive, journaledBlock: chain.journaledBlock, port: 0,
      checkpoints: { dir: chainFiles(dir).checkpoints, everyBlocks, last: chain.checkpoint?.block ?? 0 },
    });
    provider = new JsonRpcProvider(gateway.url, 31337, { staticNetwork: true, cacheTimeout: -1, pollingInterval: 50 });
    return chain;
  };
  /** A crash: the node killed outright, no last flush, no checkpoint. */
  const crash = async () => {
    provider?.destroy();
    const exited = new Promise((r) => chain!.anvil.process.once("exit", r));
    chain!.anvil.process.kill("SIGKILL");
    await exited;
    await gateway!.close({ flush: false });
    chain = undefined;
    gateway = undefined;
    provider = undefined;
  };
  const shutdown = async () => {
    provider?.destroy();
    await gateway?.close({ flush: false });
    await chain?.anvil.stop();
    chain = undefined;
    gateway = undefined;
    provider = undefined;
  };
  const send = async (n: number) => {
    const receipts = [];
    for (let i = 0; i < n; i++) receipts.push((await (await demoWallet("trader", provider).sendTransaction({ to: demoWallet("auditor").address, value: parseEther("1") })).wait())!);
    return receipts;
  };
  const blockRecords = () => readJournal(chainFiles(dir).journal).records.filter((r): r is BlockRecord => r.kind === "block");

  it("a transaction whose receipt a client has seen is already in the journal on disk, with its block and raw bytes", async () => {
    await start();
    const [receipt] = await send(1);
    const block = (await provider!.getBlock(receipt!.blockNumber))!;
    const recorded = blockRecords().find((b) => b.number === receipt!.blockNumber)!;
    expect(recorded).to.deep.include({ number: block.number, timestamp: block.timestamp, hash: block.hash, txHashes: [receipt!.hash] });
    const raw = await provider!.send("eth_getRawTransactionByHash", [receipt!.hash]);
    expect(recorded.txs).to.deep.equal([raw]);
  });

  it("after a crash the chain comes back from the journal with the same blocks, times, hashes and receipts", async () => {
    await start();
    const receipts = await send(4);
    const blocks = await Promise.all(receipts.map((r) => provider!.getBlock(r.blockNumber)));
    await crash();

    const again = await start();
    expect(again.replayed).to.equal(4);
    for (const [i, r] of receipts.entries()) {
      const got = (await provider!.getTransactionReceipt(r.hash))!;
      expect([got.blockNumber, got.index, got.status, got.gasUsed]).to.deep.equal([r.blockNumber, r.index, r.status, r.gasUsed]);
      const block = (await provider!.getBlock(r.blockNumber))!;
      expect([block.timestamp, block.hash]).to.deep.equal([blocks[i]!.timestamp, blocks[i]!.hash]);
    }
    // and it goes on from there, at the wall clock's time (the replay set the node's clock back to the recorded times)
    await new Promise((r) => setTimeout(r, 2_100));
    const [next] = await send(1);
    expect(next!.blockNumber).to.equal(receipts[3]!.blockNumber + 1);
    expect((await provider!.getBlock(next!.blockNumber))!.timestamp).to.be.at.least(Math.floor(Date.now() / 1000) - 1);
  });

  it("checkpoints are written in the background every so many blocks, the newest two kept, and a start replays only what follows", async () => {
    await start(2);
    const receipts = await send(7);
    for (let i = 0; i < 100 && listCheckpoints(chainFiles(dir).checkpoints)[0]?.block !== 6; i++) {
      await provider!.getBlockNumber(); // each read journals and, past the interval, starts a checkpoint
      await new Promise((r) => setTimeout(r, 50));
    }
    const kept = listCheckpoints(chainFiles(dir).checkpoints).map((c) => c.block);
    expect(kept.length).to.equal(2);
    expect(kept[0]).to.be.at.least(6);
    await crash();
    const again = await start();
    expect(again.checkpoint?.block).to.equal(kept[0]);
    expect(again.replayed).to.equal(7 - kept[0]!);
    expect((await provider!.getTransactionReceipt(receipts[6]!.hash))!.blockNumber).to.equal(receipts[6]!.blockNumber);
    await new Promise((r) => setTimeout(r, 2_100));
    const [next] = await send(1);
    expect((await provider!.getBlock(next!.blockNumber))!.timestamp).to.be.at.least(Math.floor(Date.now() / 1000) - 1);
  });

  it("a corrupt newest checkpoint falls back to the one before it and a longer replay", async () => {
    await start();
    await send(2);
    await gateway!.checkpoint();
    const receipts = await send(2);
    const newest = await gateway!.checkpoint();
    await crash();
    await writeFile(newest!.file, '{"block": {"number": "0x4"}, "best_block_number": "0x4", "accounts": {'); // cut short
    const logs: string[] = [];
    chain = await recoverChain({ dataDir: dir, log: (l) => logs.push(l) });
    expect(logs.join("\n")).to.match(/checkpoint .*state-000000000004\.json cannot be used/);
    expect([chain.checkpoint?.block, chain.replayed]).to.deep.equal([2, 2]);
    const head = await fetch(chain.anvil.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_getTransactionReceipt", params: [receipts[1]!.hash] }) });
    expect(Number(((await head.json()) as { result: { blockNumber: string } }).result.blockNumber)).to.equal(receipts[1]!.blockNumber);
  });

  it("a torn last record (a crash half-way through an append) is dropped, never replayed half", async () => {
    await start();
    const receipts = await send(3);
    await crash();
    const file = chainFiles(dir).journal;
    const whole = (await readFile(file)).length;
    const fake = encodeRecord({ kind: "block", number: 4, timestamp: 1, hash: "0x00", txs: ["0x02"], txHashes: ["0x03"] });
    await appendFile(file, fake.slice(0, fake.length - 20));
    const logs: string[] = [];
    chain = await recoverChain({ dataDir: dir, log: (l) => logs.push(l) });
    expect(logs.join("\n")).to.contain("the last record was cut short by a crash (never acknowledged); dropped");
    expect(chain.replayed).to.equal(3);
    expect((await readFile(file)).length).to.equal(whole);
    expect(chain.journaledBlock).to.equal(receipts[2]!.blockNumber);
  });

  it("a damaged record before the end, or one that does not replay as recorded, stops the start naming the file and line", async () => {
    await start();
    await send(3);
    await crash();
    const file = chainFiles(dir).journal;
    const lines = (await readFile(file, "utf8")).split("\n");
    // line 3 (block 2): one byte changed, its digest no longer matches
    const damaged = [...lines];
    damaged[2] = damaged[2]!.replace('"timestamp":', '"timestamp": ');
    await writeFile(file, damaged.join("\n"));
    let error = await recoverChain({ dataDir: dir }).then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(JournalError);
    expect((error as Error).message).to.equal(`${file}, line 3: the record is damaged (its digest does not match); the records after it cannot be trusted`);

    // line 4 well-formed, but naming another transaction than the one its bytes replay to: a second history, refused
    const forged = [...lines];
    const record = JSON.parse(lines[3]!.split("\t")[0]!) as BlockRecord;
    forged[3] = encodeRecord({ ...record, txHashes: [`0x${"ab".repeat(32)}`] }).trimEnd();
    await writeFile(file, forged.join("\n"));
    error = await recoverChain({ dataDir: dir }).then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(JournalError);
    expect((error as Error).message).to.match(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}, line 4: block 3 replays as 1 transaction\\(s\\) at \\d+, not the 1 recorded at \\d+; the start stops rather than build a second history$`));
  });

  it("a data folder of the design before (one chain.json state file) starts from it and journals from there on", async () => {
    await start();
    const old = await send(2);
    // The old design's file: anvil's whole state, dumped and written as chain.json; no journal, no checkpoint.
    const dump = await fetch(chain!.anvil.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "anvil_dumpState", params: [] }) });
    const { stateJson } = await import("../../scripts/embedded/checkpoints.js");
    const state = stateJson(((await dump.json()) as { result: string }).result);
    await shutdown();
    await rm(chainFiles(dir).journal);
    await rm(chainFiles(dir).checkpoints, { recursive: true });
    await writeFile(chainFiles(dir).legacyState, state);

    const again = await start();
    expect([again.checkpoint?.file, again.checkpoint?.block, again.replayed]).to.deep.equal([chainFiles(dir).legacyState, old[1]!.blockNumber, 0]);
    const [next] = await send(1);
    expect(next!.blockNumber).to.equal(old[1]!.blockNumber + 1);
    await crash();
    const third = await start();
    expect([third.checkpoint?.file, third.replayed]).to.deep.equal([chainFiles(dir).legacyState, 1]);
    expect((await provider!.getTransactionReceipt(old[0]!.hash))!.blockNumber).to.equal(old[0]!.blockNumber);
    expect((await provider!.getTransactionReceipt(next!.hash))!.blockNumber).to.equal(next!.blockNumber);
  });

  /** A contract that logs its call data's first word as the topic of one event (init code, then the runtime). */
  const EMITTER = "0x6009600c60003960096000f360003560006000a100";
  const direct = async (method: string, params: unknown[]) =>
    ((await (await fetch(chain!.anvil.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) })).json()) as { result: any }).result;

  it("the node keeps its last blocks' transactions only; older blocks, transactions, receipts and logs come from the archive, also after a crash and without the archive file", async () => {
    await start(10);
    const trader = demoWallet("trader", provider);
    const emitter = (await (await trader.sendTransaction({ data: EMITTER })).wait())!.contractAddress!;
    const topics: string[] = [];
    const receipts: TransactionReceipt[] = [];
    for (let i = 0; i < KEPT_BLOCKS + 8; i++) {
      topics.push(hexlify(randomBytes(32)));
      receipts.push((await (await trader.sendTransaction({ to: emitter, data: topics[i] })).wait())!);
    }
    const first = receipts[0]!;
    expect((await direct("eth_getBlockByNumber", [toQuantity(first.blockNumber), false])).transactions, "the node forgot it").to.deep.equal([]);

    const check = async () => {
      const receipt = (await provider!.getTransactionReceipt(first.hash))!;
      expect([receipt.blockNumber, receipt.blockHash, receipt.index, receipt.gasUsed]).to.deep.equal([first.blockNumber, first.blockHash, first.index, first.gasUsed]);
      expect(receipt.logs.map((l) => l.topics[0])).to.deep.equal([topics[0]]);
      expect((await provider!.getTransaction(first.hash))!.data).to.equal(topics[0]);
      expect((await provider!.getBlock(first.blockNumber))!.transactions).to.deep.equal([first.hash]);
      expect((await provider!.getBlock(first.blockHash))!.number).to.equal(first.blockNumber);
      expect((await provider!.send("eth_getBlockReceipts", [toQuantity(first.blockNumber)])).map((r: { transactionHash: string }) => r.transactionHash)).to.deep.equal([first.hash]);
      // a range over archived blocks and those the node still holds, in the chain's order
      const logs = await provider!.getLogs({ address: emitter, fromBlock: 0, toBlock: "latest" });
      expect(logs.map((l) => l.topics[0])).to.deep.equal(topics);
      expect(logs.map((l) => l.transactionHash)).to.deep.equal(receipts.map((r) => r.hash));
      const one = await provider!.getLogs({ address: emitter, topics: [[topics[3]!, hexlify(randomBytes(32))]], fromBlock: 0 });
      expect(one.map((l) => [l.blockNumber, l.index])).to.deep.equal([[receipts[3]!.blockNumber, receipts[3]!.logs[0]!.index]]);
      expect((await provider!.getLogs({ blockHash: first.blockHash })).map((l) => l.topics[0])).to.deep.equal([topics[0]]);
      expect(await provider!.getLogs({ address: hexlify(randomBytes(20)), fromBlock: 0 })).to.deep.equal([]);
      // as nodes read a filter: an empty list, or one holding null, matches anything at its position
      const raw = (filter: object) => provider!.send("eth_getLogs", [{ address: emitter, fromBlock: "0x0", ...filter }]) as Promise<{ topics: string[] }[]>;
      expect((await raw({ topics: [[]] })).length).to.equal(topics.length);
      expect((await raw({ topics: [[null, topics[0]]] })).length).to.equal(topics.length);
      // "safe" and "finalized" are blocks the node forgot: the archive answers for them
      const safe = await provider!.send("eth_getBlockByNumber", ["safe", true]);
      expect(Number(safe.number)).to.be.lessThan(receipts.at(-1)!.blockNumber - KEPT_BLOCKS / 2);
      const upToSafe = await raw({ toBlock: "safe" });
      expect(upToSafe.map((l) => l.topics[0])).to.deep.equal(topics.slice(0, receipts.findIndex((r) => r.blockNumber > Number(safe.number))));
      expect((await provider!.send("eth_getBlockReceipts", [first.blockHash])).map((r: { transactionHash: string }) => r.transactionHash)).to.deep.equal([first.hash]);
    };
    await check();

    await crash();
    expect((await start(10)).replayed).to.be.greaterThan(0);
    await check();

    // The archive file lost: checkpoints that no longer hold the old transactions are passed over, and the journal
    // replayed from genesis brings the archive back.
    await crash();
    for (const f of ["", "-wal", "-shm"]) await rm(`${chainFiles(dir).archive}${f}`, { force: true });
    await start(10);
    await check();
  });

  it("a checkpoint of another history than the journal's (a block mined but never journaled, then another of its number) is passed over", async () => {
    await start();
    const trader = () => demoWallet("trader", provider);
    await send(2);
    // A block the checkpoint holds but the journal never got (the crash came before its append):
    const unseen = (await (await trader().sendTransaction({ to: demoWallet("auditor").address, value: 1n })).wait())!;
    const cp = (await gateway!.checkpoint())!;
    await crash();
    const journalFile = chainFiles(dir).journal;
    const lines = (await readFile(journalFile, "utf8")).split("\n").filter(Boolean);
    await writeFile(journalFile, `${lines.slice(0, -1).join("\n")}\n`);
    // A start that passed over the checkpoint (here: it was out of the way) journals another block of that number.
    await rename(cp.file, `${cp.file}.away`);
    await start();
    const other = (await (await trader().sendTransaction({ to: demoWallet("auditor").address, value: 2n })).wait())!;
    expect(other.blockNumber).to.equal(unseen.blockNumber);
    await crash();
    await rename(`${cp.file}.away`, cp.file);
    const logs: string[] = [];
    chain = await recoverChain({ dataDir: dir, log: (l) => logs.push(l) });
    expect(chain.checkpoint).to.equal(undefined);
    expect(logs.join("\n")).to.contain(`its block ${unseen.blockNumber} is not the journal's`);
    gateway = await startDurableRpc({ upstream: chain.anvil.url, journal: chain.journal, archive: chain.archive, journaledBlock: chain.journaledBlock, port: 0, checkpoints: { dir: chainFiles(dir).checkpoints, everyBlocks: 0, last: 0 } });
    provider = new JsonRpcProvider(gateway.url, 31337, { staticNetwork: true, cacheTimeout: -1 });
    expect((await provider.getTransactionReceipt(other.hash))?.blockNumber).to.equal(other.blockNumber);
    expect(await provider.getTransactionReceipt(unseen.hash)).to.equal(null);
  });

  it("many blocks mined at once are journaled and archived a round at a time, so the node forgets none first", async () => {
    await start();
    const [receipt] = await send(1);
    await provider!.send("anvil_mine", [toQuantity(KEPT_BLOCKS * 3)]);
    const head = await provider!.getBlockNumber();
    expect(head).to.equal(receipt!.blockNumber + KEPT_BLOCKS * 3);
    expect(blockRecords().map((b) => b.number).at(-1)).to.equal(head);
    expect((await provider!.getTransactionReceipt(receipt!.hash))!.blockNumber).to.equal(receipt!.blockNumber);
    expect((await provider!.getBlock(receipt!.blockNumber))!.transactions).to.deep.equal([receipt!.hash]);
  });

  it("with a block period, blocks mined on request are journaled before the answer, so the node forgets none first", async () => {
    chain = await recoverChain({ dataDir: dir, blockTime: 60 });
    gateway = await startDurableRpc({
      upstream: chain.anvil.url, journal: chain.journal, archive: chain.archive, journaledBlock: chain.journaledBlock, port: 0, minesOnItsOwn: true,
      checkpoints: { dir: chainFiles(dir).checkpoints, everyBlocks: 0, last: 0 },
    });
    provider = new JsonRpcProvider(gateway.url, 31337, { staticNetwork: true, cacheTimeout: -1, pollingInterval: 50 });
    const tx = await demoWallet("trader", provider).sendTransaction({ to: demoWallet("auditor").address, value: 1n });
    for (let i = 0; i < 3; i++) await provider.send("anvil_mine", [toQuantity(KEPT_BLOCKS / 2)]);
    const receipt = (await provider.getTransactionReceipt(tx.hash))!;
    expect(receipt.blockNumber).to.be.greaterThan(0);
    expect((await provider.getBlock(receipt.blockNumber))!.transactions).to.deep.equal([tx.hash]);
    expect(blockRecords().at(-1)!.number).to.equal(await provider.getBlockNumber());
  });

  it("refuses methods the journal could not replay: loading or dumping a state, reverting, impersonating, setting a balance", async () => {
    await start();
    for (const method of ["anvil_loadState", "anvil_dumpState", "evm_revert", "anvil_reset", "anvil_impersonateAccount", "anvil_setBalance"]) {
      const res = await fetch(gateway!.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 7, method, params: [] }),
      });
      expect(await res.json(), method).to.deep.equal({ jsonrpc: "2.0", id: 7, error: { code: -32601, message: `${method} is not available through this gateway: the chain's journal could not replay it` } });
    }
  });
});
