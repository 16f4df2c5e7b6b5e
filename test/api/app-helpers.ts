// Helpers of the API tests that build the app (services over an anvil consortium, SIWE sign-in).
import { ethers } from "ethers";
import type { RequestListener } from "node:http";
import { pino } from "pino";
import { SiweMessage } from "siwe";
import request from "supertest";
import { createApp } from "../../api/app.js";
import { loadConfig } from "../../api/config.js";
import { createServices, type ServiceOverrides, type Services } from "../../api/services.js";
import { tempDir, type Consortium } from "./helpers.js";

/** Services and app over a consortium, with a fresh (or given) data dir; loops are NOT started (tests drive them). */
export async function apiFor(
  c: Consortium,
  rpcUrl: string,
  opts: { dataDir?: string; env?: Record<string, string>; overrides?: ServiceOverrides } = {},
): Promise<{ services: Services; app: RequestListener; dataDir: string }> {
  const dataDir = opts.dataDir ?? tempDir();
  const config = loadConfig({
    TRADEPROOF_RPC: rpcUrl, TRADEPROOF_DATA_DIR: dataDir, TRADEPROOF_PUBLIC_URL: "http://127.0.0.1:8080",
    TRADEPROOF_RELAYER_KEY: c.relayer.privateKey, TRADEPROOF_RATE_LIMIT: "0", TRADEPROOF_LOG_LEVEL: "silent", ...opts.env,
  });
  const services = await createServices(config, { deployment: c.deployment, logger: pino({ level: "silent" }), ...opts.overrides });
  return { services, app: createApp(services), dataDir };
}

/** A SIWE message for the API of apiFor (domain 127.0.0.1:8080, chain 31337). */
export function siweMessage(address: string, nonce: string, fields: Partial<ConstructorParameters<typeof SiweMessage>[0] & object> = {}): string {
  return new SiweMessage({
    domain: "127.0.0.1:8080", address: ethers.getAddress(address), uri: "http://127.0.0.1:8080/login", version: "1", chainId: 31337,
    nonce, issuedAt: new Date().toISOString(), statement: "Sign in to Tradeproof.", ...fields,
  }).prepareMessage();
}

/** Signs in `signer` through the API and returns the session token. */
export async function signIn(app: RequestListener, signer: ethers.Signer): Promise<string> {
  const { body } = await request(app).get("/v1/auth/nonce").expect(200);
  const message = siweMessage(await signer.getAddress(), body.nonce);
  const res = await request(app).post("/v1/auth/login").send({ message, signature: await signer.signMessage(message) }).expect(200);
  return res.body.token as string;
}
