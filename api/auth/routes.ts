// Sign-in: a single-use SIWE nonce, and Sign-In with Ethereum (EIP-4361) for a session token.
import { route, type RouteContext } from "../http.js";
import * as S from "../schemas.js";

const { z } = S;

export function authRoutes({ v1, registry, deps, limiter, json, err }: RouteContext): void {
  const { auth } = deps;
  route(v1, registry, {
    method: "get", path: "/auth/nonce", summary: "A single-use SIWE nonce", tags: ["auth"], schema: {}, middleware: [limiter],
    responses: { 200: { description: "Nonce", schema: z.object({ nonce: z.string(), expiresAt: z.string(), domain: z.string(), uri: z.string(), chainId: z.number() }) } },
    handler: async () => ({ ...(await auth.issueNonce()), domain: auth.domain, uri: auth.origin, chainId: deps.deployment.chainId }),
  });
  route(v1, registry, {
    method: "post", path: "/auth/login", summary: "Sign in with Ethereum (EIP-4361)", tags: ["auth"], middleware: [limiter], body: json,
    schema: { body: z.object({ message: z.string().min(1).max(4_096), signature: S.Hex }) },
    responses: { 200: { description: "Session token", schema: z.object({ token: z.string(), address: S.Address, expiresAt: z.string() }) }, 401: err("Sign-in refused") },
    handler: (req) => auth.login(req.body.message, req.body.signature),
  });
}
