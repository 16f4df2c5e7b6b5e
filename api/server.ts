import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { createServer, type Server } from "node:http";
import { createApp } from "./app.js";
import { loadConfig, type Config } from "./config.js";
import { createServices, type ServiceOverrides, type Services } from "./services.js";

export interface StartServerOptions extends ServiceOverrides {
  /** A parsed configuration; default: {@link loadConfig} over `env`. */
  config?: Config;
  /** Environment to parse when `config` is absent (default process.env). */
  env?: Record<string, string | undefined>;
  /** Stop on SIGTERM/SIGINT (default true; the embedded `npm start` passes false and stops it itself). */
  handleSignals?: boolean;
}

export interface RunningServer {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  server: Server;
  services: Services;
  /** Stops accepting connections, finishes the ones in flight, stops the loops, closes the database. */
  close(): Promise<void>;
}

/**
 * Node's HTTP parser refuses some requests before Express sees them (headers or a query string over its 16 KiB
 * header limit, a malformed request line) and answers with a bare status line. They get the API's error body too.
 */
function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable) return void socket.destroy();
  const [status, reason, code, message] =
    err.code === "HPE_HEADER_OVERFLOW"
      ? [431, "Request Header Fields Too Large", "HEADERS_TOO_LARGE", "The request's headers or query string are larger than the server accepts (16 KiB together)."]
      : [400, "Bad Request", "MALFORMED_REQUEST", "The request is not valid HTTP."];
  const body = JSON.stringify({ error: { code, message } });
  socket.end(`HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}

/**
 * Starts the API: parses the configuration (a bad value throws, naming the variable), builds the
 * services, starts the indexer and relayer loops and listens on the configured host (127.0.0.1 by default).
 */
export async function startServer(opts: StartServerOptions = {}): Promise<RunningServer> {
  const config = opts.config ?? loadConfig(opts.env);
  const services = await createServices(config, opts);
  const app = createApp(services);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = createServer(app);
    s.on("clientError", answerClientError);
    s.once("error", reject);
    s.listen(config.port, config.host, () => {
      s.off("error", reject);
      resolve(s);
    });
  });
  server.keepAliveTimeout = 5_000;
  const { port } = server.address() as AddressInfo;
  services.start();
  const url = `http://${config.host}:${port}`;
  services.logger.info({ url, chainId: services.deployment.chainId, registry: services.deployment.registry }, "tradeproof api listening");

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // A request still waiting for a node that does not answer, or a client that keeps its connection busy, does
        // not hold the stop for ever: after 5 s the remaining connections are cut.
        setTimeout(() => server.closeAllConnections(), 5_000).unref();
      });
      await services.close();
    })());
  if (opts.handleSignals ?? true) {
    const onSignal = (signal: NodeJS.Signals) => {
      services.logger.info({ signal }, "stopping");
      void close().then(() => process.exit(0));
    };
    process.once("SIGTERM", onSignal);
    process.once("SIGINT", onSignal);
  }
  return { url, port, server, services, close };
}

// Run directly: `npx tsx api/server.ts`.
if (import.meta.url === `file://${process.argv[1]}`) {
  startServer().catch((e: unknown) => {
    console.error(e instanceof Error ? `${e.name}: ${e.message}` : e);
    process.exit(1);
  });
}
