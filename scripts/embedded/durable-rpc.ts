// A JSON-RPC gateway in front of the embedded anvil node that never shows anything that is not on disk.
//
// anvil keeps its chain in memory and can dump it to a file. Its own `--state-interval` dump rewrites the
// file in place every N seconds, so a `kill -9` can lose the last seconds of writes (which a client may
// already have seen as mined) or catch the file half-written. This gateway instead:
//   - forwards every request to anvil, which listens on a private port only this process knows;
//   - counts the writes it forwards (transactions, evm_/anvil_ methods) and, for a transaction, waits until
//     anvil has mined it;
//   - before answering any read, makes sure every write forwarded so far is in a state file on disk: it
//     asks anvil for its state (`anvil_dumpState`), writes it to a temporary file, fsyncs it and renames it
//     over `chain.json` (atomic on POSIX), then fsyncs the directory.
// So a receipt, a block number, a log or an eth_call result seen through the gateway is durable: after a
// crash the chain restarts from `chain.json` with all of it, with the same block times and transaction hashes.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { open, rename } from "node:fs/promises";
import { dirname } from "node:path";
import { gunzipSync } from "node:zlib";
import type { AddressInfo } from "node:net";

/** A JSON-RPC 2.0 request as the gateway sees it. */
interface RpcRequest {
  jsonrpc?: string;
  id?: unknown;
  method?: unknown;
  params?: unknown;
}

/** Methods that change the chain. Everything else is a read and waits for durability. */
function isWrite(method: string): boolean {
  return (
    method === "eth_sendRawTransaction" ||
    method === "eth_sendTransaction" ||
    method.startsWith("evm_") ||
    method.startsWith("anvil_") ||
    method.startsWith("hardhat_")
  );
}

export interface DurableRpcOptions {
  /** anvil's own JSON-RPC URL (private). */
  upstream: string;
  /** The state file anvil loads with `--load-state` on the next start. */
  stateFile: string;
  /** Port to listen on, on 127.0.0.1 (0: a free one). */
  port: number;
  /** Largest request body accepted, in bytes. */
  maxBody?: number;
}

export interface DurableRpc {
  /** http://127.0.0.1:PORT: the URL clients use. */
  url: string;
  port: number;
  /** Writes every forwarded write to disk now (used at shutdown). */
  flush(): Promise<void>;
  /** Points the gateway at a restarted node. */
  setUpstream(url: string): void;
  /** Stops listening (after a final flush when `flush` is true). */
  close(opts?: { flush?: boolean }): Promise<void>;
  /** Number of state files written, for logs and tests. */
  readonly dumps: number;
}

async function upstreamCall(upstream: string, body: string): Promise<string> {
  const res = await fetch(upstream, { method: "POST", headers: { "content-type": "application/json" }, body });
  return res.text();
}

async function call<T>(upstream: string, method: string, params: unknown[] = []): Promise<T> {
  const text = await upstreamCall(upstream, JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }));
  const reply = JSON.parse(text) as { result?: T; error?: { message: string } };
  if (reply.error) throw new Error(`${method}: ${reply.error.message}`);
  return reply.result as T;
}

/** Writes `bytes` to `file` so that after a crash the file holds either the old or the new content, whole. */
export async function writeFileAtomic(file: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${file}.tmp`;
  const fh = await open(tmp, "w");
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
  const dir = await open(dirname(file), "r");
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/**
 * Starts the gateway. Clients (the SDK, the CLI, the API) use its URL; only the gateway talks to anvil.
 */
export async function startDurableRpc(opts: DurableRpcOptions): Promise<DurableRpc> {
  let upstream = opts.upstream;
  const maxBody = opts.maxBody ?? 64 * 1024 * 1024;
  let writes = 0; // writes forwarded (and, for transactions, mined)
  let durable = 0; // writes known to be in the state file
  // With a block period, anvil mines on its own: a transaction forwarded earlier lands in a later block that no
  // write announces. So a read also dumps when the chain has a block the state file lacks.
  let durableBlock = -1;
  let dumps = 0;
  let dumping: Promise<void> | undefined;

  const dumpOnce = async () => {
    const target = writes;
    const block = Number(await call<string>(upstream, "eth_blockNumber"));
    const hex = await call<string>(upstream, "anvil_dumpState");
    const raw = Buffer.from(hex.replace(/^0x/, ""), "hex");
    // anvil answers gzip; `--load-state` reads the plain JSON.
    const json = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
    await writeFileAtomic(opts.stateFile, json);
    durable = Math.max(durable, target);
    durableBlock = Math.max(durableBlock, block);
    dumps++;
  };

  /** Resolves once every write forwarded before the call is on disk. Dumps are single-flight and coalesce. */
  const flush = async (): Promise<void> => {
    const wanted = writes;
    const head = Number(await call<string>(upstream, "eth_blockNumber"));
    // The chain the gateway starts on is the one its state file holds (or an upstream whose durability is not its
    // own): only blocks mined after that are owed to the file.
    if (durableBlock < 0) durableBlock = head;
    while (durable < wanted || durableBlock < head) {
      if (!dumping) dumping = dumpOnce().finally(() => (dumping = undefined));
      await dumping;
    }
  };

  const waitMined = async (txHash: unknown) => {
    if (typeof txHash !== "string") return;
    // anvil automines; the receipt appears within milliseconds. A transaction that stays pending (a nonce gap)
    // is not waited for beyond two seconds: it is still counted as a write, so the next read dumps.
    for (let i = 0; i < 400; i++) {
      const receipt = await call<unknown>(upstream, "eth_getTransactionReceipt", [txHash]);
      if (receipt) return;
      await new Promise((r) => setTimeout(r, 5));
    }
  };

  const handleOne = async (req: RpcRequest): Promise<unknown> => {
    const method = typeof req.method === "string" ? req.method : "";
    if (method === "anvil_dumpState" || method === "anvil_loadState") {
      // The state file is the gateway's to write; loading another state would make it lie.
      return { jsonrpc: "2.0", id: req.id ?? null, error: { code: -32601, message: `${method} is not available through this gateway` } };
    }
    if (!isWrite(method)) await flush();
    const reply = JSON.parse(await upstreamCall(upstream, JSON.stringify(req))) as { result?: unknown };
    if (isWrite(method)) {
      if (method.startsWith("eth_send") && reply.result) await waitMined(reply.result);
      writes++;
    }
    return reply;
  };

  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on("data", (c: Buffer) => {
        size += c.length;
        if (size > maxBody) {
          reject(new Error("request body too large"));
          req.destroy();
        } else chunks.push(c);
      });
      req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
      req.on("error", reject);
    });

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };

  const server: Server = createServer(async (req, res) => {
    if (req.method !== "POST") return send(res, 405, { jsonrpc: "2.0", id: null, error: { code: -32600, message: "POST JSON-RPC only" } });
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readBody(req));
    } catch {
      return send(res, 400, { jsonrpc: "2.0", id: null, error: { code: -32700, message: "parse error" } });
    }
    try {
      // Batches are handled in order, so a write followed by a read in one batch reads durable state.
      if (Array.isArray(parsed)) {
        const out: unknown[] = [];
        for (const r of parsed as RpcRequest[]) out.push(await handleOne(r));
        return send(res, 200, out);
      }
      return send(res, 200, await handleOne(parsed as RpcRequest));
    } catch (e) {
      // anvil unreachable or the disk refused the state: the client must not take this as an answer.
      const id = Array.isArray(parsed) ? null : ((parsed as RpcRequest).id ?? null);
      return send(res, 502, { jsonrpc: "2.0", id, error: { code: -32603, message: `node unavailable: ${(e as Error).message}` } });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    flush,
    setUpstream(url: string) {
      upstream = url;
    },
    get dumps() {
      return dumps;
    },
    async close({ flush: doFlush = true } = {}) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      if (doFlush) await flush();
    },
  };
}
