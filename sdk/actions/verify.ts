import { ZeroHash } from "ethers";
import { decodeDocumentStates, encodeVerifyMany, type DocumentState } from "../codec.js";
import { callRegistry, chunk, organisationInfo, pool, read, registryLogs, type ClientContext } from "../context.js";
import { attestationReason } from "../attestation-reasons.js";
import { docTypeName } from "../doctypes.js";
import { TradeproofError, WrongChainError } from "../errors.js";
import { normalizeDocHash } from "../hash.js";
import { parseReceipt, type Receipt } from "../receipt.js";
import { locateInPublicBatches } from "./publicBatches.js";
import { ANCHOR_KINDS, MAX_LISTED_ATTESTATIONS, ORG_KINDS, OUTCOMES, STATUSES, isoSeconds, type Hex, type OrgKind, type Outcome, type VerificationResult } from "../types.js";

export interface VerifyParameters {
  /** The document's hash (see hashDocument). */
  docHash: Hex;
  /** The document's receipt: needed for a document of a batch (it carries the root and proof). */
  receipt?: Receipt;
}
export type VerifyReturnType = VerificationResult;
/** NodeUnreachableError, WrongChainError (a receipt from another ledger), InvalidHashError, InvalidReceiptError. */
export type VerifyErrorType = import("../errors.js").TradeproofError;

/** Queries per `verifyMany` eth_call: a few hundred keeps each call well under node response limits. */
const QUERIES_PER_CALL = 250;
/** eth_calls in flight at once. */
const CONCURRENT_CALLS = 8;
/** Anchors per getLogs topic filter. */
const ANCHORS_PER_LOG_QUERY = 200;

type State = DocumentState;
type Query = { docHash: Hex; root: Hex; proof: Hex[]; receipt?: Receipt };

function toQuery(ctx: ClientContext, item: VerifyParameters): Query {
  const docHash = normalizeDocHash(item.docHash);
  if (!item.receipt) return { docHash, root: docHash, proof: [] };
  const receipt = parseReceipt(item.receipt);
  const { chainId, registry } = ctx.deployment;
  if (receipt.chainId !== chainId || receipt.registry.toLowerCase() !== registry.toLowerCase()) {
    throw new WrongChainError(
      `The receipt was issued by registry ${receipt.registry} on chain ${receipt.chainId}; this client reads registry ${registry} on chain ${chainId}.`,
    );
  }
  // The receipt's root and proof are used as they are: if they do not lead to this document the ledger says NOT_FOUND.
  return { docHash, root: receipt.root, proof: receipt.proof, receipt };
}

/** The contract's `verifyMany`, in chunks sent concurrently. */
export async function readStates(ctx: ClientContext, queries: Query[]): Promise<State[]> {
  const calls = chunk(queries, QUERIES_PER_CALL).map(
    (slice) => async () => {
      const states = decodeDocumentStates(await callRegistry(ctx, encodeVerifyMany(slice)));
      // One state per query, in order: a node that answers with another count would pin verdicts on the wrong documents.
      if (states.length !== slice.length) {
        throw new TradeproofError(`The node returned ${states.length} states for ${slice.length} documents.`, { code: "BAD_DATA" });
      }
      return states;
    },
  );
  return (await pool(calls, CONCURRENT_CALLS)).flat();
}

/** How an anchor was made: its transaction, block, issuing account and document type, from its log. */
export interface AnchorRecord {
  txHash: Hex;
  blockNumber: number;
  issuer: Hex;
  docType: number;
  /** The organisation that anchored it. */
  organisation: number;
}

/** The DocumentRegistered / BatchRegistered log of each anchor, with one topic-filtered getLogs per 200 anchors. */
export async function anchorRecords(ctx: ClientContext, anchors: Hex[]): Promise<Map<string, AnchorRecord>> {
  const found = new Map<string, AnchorRecord>();
  if (anchors.length === 0) return found;
  const iface = ctx.registry.interface;
  const events = [iface.getEvent("DocumentRegistered").topicHash, iface.getEvent("BatchRegistered").topicHash];
  const slices = chunk(anchors, ANCHORS_PER_LOG_QUERY).map((slice) => () => registryLogs(ctx, [events, slice]));
  for (const log of (await pool(slices, CONCURRENT_CALLS)).flat()) {
    const parsed = iface.parseLog(log);
    if (!parsed) continue;
    found.set(log.topics[1]!.toLowerCase(), {
      txHash: log.transactionHash as Hex,
      blockNumber: log.blockNumber,
      issuer: parsed.args.account as Hex,
      docType: Number(parsed.args.docType),
      organisation: Number(parsed.args.organisation),
    });
  }
  return found;
}

/** The reason of each revocation: the anchor's DocumentRevoked, else the document's BatchDocumentRevoked. */
async function revocationReasons(ctx: ClientContext, revoked: { docHash: Hex; root: Hex }[]): Promise<Map<string, string>> {
  const reasons = new Map<string, string>();
  if (revoked.length === 0) return reasons;
  const iface = ctx.registry.interface;
  const whole = iface.getEvent("DocumentRevoked").topicHash;
  const one = iface.getEvent("BatchDocumentRevoked").topicHash;
  const roots = [...new Set(revoked.map((r) => r.root))];
  const slices = chunk(roots, ANCHORS_PER_LOG_QUERY).map((slice) => () => registryLogs(ctx, [[whole, one], slice]));
  const byRoot = new Map<string, string>();
  const byDocument = new Map<string, string>();
  for (const log of (await pool(slices, CONCURRENT_CALLS)).flat()) {
    const parsed = iface.parseLog(log);
    if (!parsed) continue;
    const root = log.topics[1]!.toLowerCase();
    if (parsed.name === "DocumentRevoked") byRoot.set(root, parsed.args.reason as string);
    else byDocument.set(`${root}:${log.topics[2]!.toLowerCase()}`, parsed.args.reason as string);
  }
  for (const { docHash, root } of revoked) {
    const reason = byRoot.get(root) ?? byDocument.get(`${root}:${docHash}`);
    if (reason !== undefined) reasons.set(`${root}:${docHash}`, reason);
  }
  return reasons;
}

/**
 * The contract returns a document's number of outcomes and only its latest two (so that no number of attestations
 * makes a document unreadable); for the few documents with more, one paged read brings the latest
 * MAX_LISTED_ATTESTATIONS.
 */
async function completeAttestations(ctx: ClientContext, queries: Query[], states: State[]): Promise<void> {
  const short = states.map((s, i) => ({ s, q: queries[i]! })).filter(({ s }) => s.attestationCount > s.attestations.length);
  await pool(
    short.map(({ s, q }) => async () => {
      const limit = Math.min(s.attestationCount, MAX_LISTED_ATTESTATIONS);
      const [page] = await read(ctx, () => ctx.registry.attestationsOf(q.docHash, s.attestationCount - limit, limit));
      s.attestations = page.map((a) => ({
        account: a.account as Hex,
        organisation: Number(a.organisation),
        timestamp: Number(a.timestamp),
        outcome: Number(a.outcome),
        reasonCode: Number(a.reasonCode),
      }));
    }),
    CONCURRENT_CALLS,
  );
}

async function toResults(ctx: ClientContext, queries: Query[], states: State[]): Promise<VerificationResult[]> {
  await completeAttestations(ctx, queries, states);
  const found = states.map((s, i) => ({ s, q: queries[i]! })).filter(({ s }) => Number(s.status) !== 0);
  const orgIds = new Set<number>();
  for (const { s } of found) orgIds.add(Number(s.organisation));
  // Outcomes are returned for every document, anchored or not: customs may have rejected a forgery.
  for (const s of states) for (const a of s.attestations) orgIds.add(Number(a.organisation));
  // Transaction and block come from the chain's own log even when a receipt is given: a receipt is trusted for
  // its root and proof only (which the contract checks), never for what it claims about the transaction.
  const needTx = [...new Set(found.map(({ s }) => s.root.toLowerCase() as Hex))];
  const revoked = found
    .filter(({ s }) => STATUSES[Number(s.status)] === "REVOKED")
    .map(({ s, q }) => ({ docHash: q.docHash, root: s.root.toLowerCase() as Hex }));
  const [orgs, txs, reasons] = await Promise.all([
    Promise.all([...orgIds].map(async (id) => [id, await organisationInfo(ctx, id)] as const)).then((e) => new Map(e)),
    anchorRecords(ctx, needTx),
    revocationReasons(ctx, revoked),
  ]);
  return states.map((s, i) => {
    const q = queries[i]!;
    const status = STATUSES[Number(s.status)]!;
    if (status === "NOT_FOUND") {
      const result: VerificationResult = { docHash: q.docHash, status };
      addAttestations(result, s, orgs);
      return result;
    }
    const root = s.root.toLowerCase() as Hex;
    const code = String(s.docType);
    const org = orgs.get(Number(s.organisation))!;
    const tx = txs.get(root);
    const kind = ANCHOR_KINDS[Number(s.kind)];
    // Key order follows DESIGN.md; fields that do not apply are left out.
    const result: VerificationResult = {
      docHash: q.docHash,
      status,
      docType: { code, name: docTypeName(code) ?? `Unlisted document type ${code}` },
      issuer: {
        account: s.account as Hex,
        organisation: org.name,
        country: org.country,
        kind: ORG_KINDS[Number(s.organisationKind)] as OrgKind,
        status: s.organisationActive ? "ACTIVE" : "SUSPENDED",
      },
      anchoredAt: isoSeconds(s.anchoredAt),
    };
    if (tx) {
      result.blockNumber = tx.blockNumber;
      result.txHash = tx.txHash;
    }
    if (s.approvalsRequired > 1) result.approvals = { required: Number(s.approvalsRequired), given: Number(s.approvalsGiven) };
    if (kind === "PRIVATE_BATCH" || kind === "PUBLIC_BATCH") result.batch = { root, public: kind === "PUBLIC_BATCH" };
    if (s.supersededBy !== ZeroHash) result.supersededBy = s.supersededBy.toLowerCase() as Hex;
    if (s.revokedAt !== 0) {
      result.revokedAt = isoSeconds(s.revokedAt);
      const reason = reasons.get(`${root}:${q.docHash}`);
      if (reason !== undefined) result.revocationReason = reason;
    }
    addAttestations(result, s, orgs);
    return result;
  });
}

/**
 * The normative `attestations` of a state: `by`, `organisation`, `outcome`, `at` (DESIGN.md), `reason` when one was
 * given (README: "Attestation reasons"), and their total when not all are listed.
 */
function addAttestations(result: VerificationResult, s: State, orgs: Map<number, { name: string }>): void {
  if (s.attestations.length === 0) return;
  result.attestations = s.attestations.map((a) => {
    const reason = attestationReason(Number(a.reasonCode));
    return {
      by: a.account as Hex,
      organisation: orgs.get(Number(a.organisation))!.name,
      outcome: OUTCOMES[Number(a.outcome)] as Outcome,
      at: isoSeconds(a.timestamp),
      ...(reason ? { reason } : {}),
    };
  });
  if (s.attestationCount > s.attestations.length) result.attestationsTotal = s.attestationCount;
}

/**
 * Verifies one document against the ledger (the contract is the source of truth) and returns the normative
 * result. A document anchored alone needs only its hash; a document of a batch needs its receipt. A receipt
 * whose proof does not lead to the document gives NOT_FOUND. An unreachable node throws NodeUnreachableError:
 * it is never a verdict.
 *
 * @example
 * ```ts
 * import { JsonRpcProvider } from "ethers";
 * import { TradeproofClient, hashFile, loadDeployment } from "./sdk/index.js";
 * const client = await TradeproofClient.connect({
 *   runner: new JsonRpcProvider("http://127.0.0.1:8545"),
 *   deployment: await loadDeployment("data/deployment.json"),
 * });
 * const result = await client.verify(await hashFile("../shared/samples/commercial-invoice.json"));
 * console.log(result.status, result.issuer?.organisation);
 * ```
 */
export async function verify(ctx: ClientContext, params: VerifyParameters): Promise<VerifyReturnType> {
  return (await verifyMany(ctx, [params]))[0]!;
}

/**
 * Verifies many documents in few round trips: the queries go to the contract's `verifyMany` in chunks of
 * 250 sent concurrently, then one topic-filtered getLogs per 200 anchors for transactions and revocation
 * reasons. Results come in the order of `items`.
 *
 * @example
 * ```ts
 * import { JsonRpcProvider } from "ethers";
 * import { TradeproofClient, hashFile, loadDeployment } from "./sdk/index.js";
 * const client = await TradeproofClient.connect({
 *   runner: new JsonRpcProvider("http://127.0.0.1:8545"),
 *   deployment: await loadDeployment("data/deployment.json"),
 * });
 * const files = ["invoice.json", "packing-list.pdf"];
 * const results = await client.verifyMany(await Promise.all(files.map(async (f) => ({ docHash: await hashFile(f) }))));
 * ```
 */
export async function verifyMany(ctx: ClientContext, items: VerifyParameters[]): Promise<VerificationResult[]> {
  const queries = items.map((item) => toQuery(ctx, item));
  if (queries.length === 0) return [];
  const states = await readStates(ctx, queries);
  // A document of a public batch can be found by its hash alone: its root and proof come from the emitted leaves.
  const unknown = queries.map((q, i) => ({ q, i })).filter(({ q, i }) => !q.receipt && states[i]!.status === 0);
  if (unknown.length > 0) {
    const located = await locateInPublicBatches(ctx, unknown.map(({ q }) => q.docHash));
    const retry = unknown.filter(({ q }) => located.has(q.docHash));
    if (retry.length > 0) {
      for (const { q } of retry) Object.assign(q, located.get(q.docHash));
      const again = await readStates(ctx, retry.map(({ q }) => q));
      retry.forEach(({ i }, k) => (states[i] = again[k]!));
    }
  }
  return toResults(ctx, queries, states);
}
