// Sign in to the Tradeproof API with an Ethereum key (Sign-In with Ethereum, EIP-4361), then call an endpoint that
// needs a session. Run: TRADEPROOF_API=http://127.0.0.1:8080 PRIVATE_KEY=0x… node sign-in.mjs 0x<docHash>
// Needs the npm packages ethers and siwe. The key must belong to a customs, agency or auditor organisation.
import { Wallet } from "ethers";
import { SiweMessage } from "siwe";

const api = process.env.TRADEPROOF_API ?? "http://127.0.0.1:8080";
const wallet = new Wallet(process.env.PRIVATE_KEY);
const docHash = process.argv[2];

// 1. A one-time nonce from the API (valid for a few minutes, usable once).
const { nonce } = await (await fetch(`${api}/v1/auth/nonce`)).json();

// 2. The EIP-4361 message, for this API's origin and chain, signed with the key (personal_sign).
const { chainId } = await (await fetch(`${api}/health`)).json();
const message = new SiweMessage({
  domain: new URL(api).host, uri: `${api}/login`, address: wallet.address, version: "1", chainId, nonce,
  issuedAt: new Date().toISOString(), statement: "Sign in to Tradeproof.",
}).prepareMessage();
const signature = await wallet.signMessage(message);

// 3. The session token: send it as `Authorization: Bearer …` until it expires (15 minutes by default).
const login = await fetch(`${api}/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ message, signature }) });
if (!login.ok) throw new Error(`login: ${login.status} ${await login.text()}`);
const { token } = await login.json();

// 4. A call that needs the session: the history of a document.
const history = await fetch(`${api}/v1/documents/${docHash}/history`, { headers: { authorization: `Bearer ${token}` } });
if (!history.ok) throw new Error(`history: ${history.status} ${await history.text()}`);
const { entries } = await history.json();
for (const e of entries) console.log(`${e.at}  ${e.action}  by ${e.organisationName ?? e.organisation}`);
