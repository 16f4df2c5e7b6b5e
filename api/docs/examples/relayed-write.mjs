// Register a document through the API's relayer: the API builds the request, the member signs it with its own key
// (EIP-712, nothing else leaves the member), the relayer sends it and pays the gas; the member's organisation is
// the issuer on the ledger. Run: TRADEPROOF_API=http://127.0.0.1:8080 PRIVATE_KEY=0x… node relayed-write.mjs 0x<docHash> 380
// Needs the npm package ethers. The key must belong to an organisation allowed to register that document type.
import { Wallet } from "ethers";

const api = process.env.TRADEPROOF_API ?? "http://127.0.0.1:8080";
const wallet = new Wallet(process.env.PRIVATE_KEY);
const [docHash, docType = "380"] = process.argv.slice(2);
const post = async (path, body) => {
  const res = await fetch(`${api}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const answer = await res.json();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${answer.error.code}: ${answer.error.message}`);
  return answer;
};

// 1. Build: the API simulates the write (a refusal comes back now, with its code) and returns what to sign.
const { domain, types, message } = await post("/v1/requests/prepare", { action: "register", from: wallet.address, docHash, docType });

// 2. Sign the ERC-2771 ForwardRequest as EIP-712 typed data.
const signature = await wallet.signTypedData(domain, types, message);

// 3. Send: 202 with the request's id; the relayer puts it in its next transaction.
const { id } = await post("/v1/requests", { request: message, signature });

// 4. Follow it until it is mined (or failed, with a code and a reason), then take the normative receipt.
for (;;) {
  const request = await (await fetch(`${api}/v1/requests/${id}`)).json();
  if (request.status === "failed") throw new Error(`request ${id} failed: ${request.code}: ${request.reason}`);
  if (request.status === "mined") break;
  await new Promise((r) => setTimeout(r, 500));
}
const { receipts } = await (await fetch(`${api}/v1/requests/${id}/receipts`)).json();
console.log(JSON.stringify(receipts[0], null, 2));
