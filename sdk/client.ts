import type { Provider, Signer } from "ethers";
import {
  Council__factory,
  DocumentReferences__factory,
  DocumentRegistry__factory,
  Forwarder__factory,
  type Council,
  type DocumentReferences,
  type DocumentRegistry,
  type Forwarder,
} from "../types/ethers-contracts/index.js";
import { approve } from "./actions/approve.js";
import { attest } from "./actions/attest.js";
import { approveProposal, executeProposal, proposals, propose, type GovernanceCall } from "./actions/council.js";
import { history, type HistoryReturnType } from "./actions/history.js";
import { members, organisation } from "./actions/members.js";
import { policies, type PoliciesReturnType } from "./actions/policies.js";
import { emptyPublicLeaves } from "./actions/publicBatches.js";
import { fileReferences, findByCommitment, findByReference, type FindByReferenceParameters, type FindByReferenceReturnType, type ReferencedDocument } from "./actions/references.js";
import { register } from "./actions/register.js";
import { registerBatch, type RegisterBatchParameters } from "./actions/registerBatch.js";
import { revoke, revokeInBatch } from "./actions/revoke.js";
import { supersede } from "./actions/supersede.js";
import { verify, verifyMany } from "./actions/verify.js";
import type { ClientContext } from "./context.js";
import type { Deployment } from "./deployment.js";
import { InvalidArgumentError, InvalidHashError, NodeUnreachableError, WrongChainError, toTradeproofError } from "./errors.js";
import type { AttestationReasonId } from "./attestation-reasons.js";
import { hashDocument, isDocHash } from "./hash.js";
import type { Receipt } from "./receipt.js";
import type { DocumentReference, ReceiptReference } from "./references.js";
import type { Hex, Organisation, Outcome, ProposalInfo, TxInfo, VerificationResult } from "./types.js";

/** A hash as it is; a string that looks like a hash but is not one is refused rather than read as a file name. */
async function toDocHash(document: unknown, json: boolean | undefined): Promise<Hex> {
  if (isDocHash(document)) return document;
  if (typeof document === "string" && /^0x[0-9a-fA-F]*$/.test(document)) throw new InvalidHashError({ value: document });
  return hashDocument(document, json === undefined ? {} : { json });
}

function isSigner(runner: Provider | Signer): runner is Signer {
  return typeof (runner as Signer).getAddress === "function" && typeof (runner as Signer).signTypedData === "function";
}

/**
 * A typed client of one Tradeproof ledger. Connect with an ethers provider (reads only) or signer (writes too)
 * and the deployment's addresses. Every method translates failures once, at its boundary, into
 * {@link TradeproofError}s: reverts by custom-error name, RPC failures as {@link NodeUnreachableError}.
 *
 * @example
 * ```ts
 * import { JsonRpcProvider } from "ethers";
 * import { TradeproofClient, hashFile, loadDeployment } from "./sdk/index.js";
 * const client = await TradeproofClient.connect({
 *   runner: new JsonRpcProvider("http://127.0.0.1:8545"),
 *   deployment: await loadDeployment("data/deployment.json"),
 * });
 * console.log(await client.verify(await hashFile("../shared/samples/certificate-of-origin.json")));
 * ```
 */
export class TradeproofClient {
  readonly deployment: Deployment;
  readonly registry: DocumentRegistry;
  readonly council: Council;
  readonly forwarder: Forwarder;
  /** The references contract (documents filed under their numbers), when the deployment has one. */
  readonly references?: DocumentReferences;
  readonly provider: Provider;
  readonly signer?: Signer;
  readonly #ctx: ClientContext;

  private constructor(ctx: ClientContext) {
    this.#ctx = ctx;
    this.deployment = ctx.deployment;
    this.registry = ctx.registry;
    this.council = ctx.council;
    if (ctx.references) this.references = ctx.references;
    this.forwarder = ctx.forwarder;
    this.provider = ctx.provider;
    if (ctx.signer) this.signer = ctx.signer;
  }

  /**
   * Connects to the ledger after checking that the node answers (else {@link NodeUnreachableError}), serves the
   * deployment's chain and has the registry's code (else {@link WrongChainError}).
   *
   * @example
   * ```ts
   * import { JsonRpcProvider, Wallet } from "ethers";
   * import { TradeproofClient, loadDeployment } from "./sdk/index.js";
   * const provider = new JsonRpcProvider("http://127.0.0.1:8545");
   * const client = await TradeproofClient.connect({
   *   runner: new Wallet(process.env.TRADEPROOF_KEY!, provider),
   *   deployment: await loadDeployment("data/deployment.json"),
   * });
   * ```
   */
  static async connect(opts: {
    runner: Provider | Signer;
    deployment: Deployment;
    /**
     * Find documents of public batches by their hash alone (default true): the client keeps the leaves of the
     * public batches it has seen, about 100 bytes per document, and scans new BatchLeaves events when a hash is
     * not found otherwise. Turn it off where an index (the API's) does that job.
     */
    publicBatchLookup?: boolean;
  }): Promise<TradeproofClient> {
    const { runner, deployment } = opts;
    const signer = isSigner(runner) ? runner : undefined;
    const provider = signer ? signer.provider : (runner as Provider);
    if (!provider) throw new InvalidArgumentError("The signer has no provider: connect it to one first.");
    let chainId: bigint;
    let code: string;
    try {
      chainId = (await provider.getNetwork()).chainId;
      code = await provider.getCode(deployment.registry);
    } catch (e) {
      const error = toTradeproofError(e);
      throw error instanceof WrongChainError ? error : new NodeUnreachableError({ cause: e });
    }
    if (Number(chainId) !== deployment.chainId) {
      throw new WrongChainError(`The node serves chain ${chainId}, but the deployment is on chain ${deployment.chainId}.`);
    }
    if (code === "0x") {
      throw new WrongChainError(`There is no contract at the registry address ${deployment.registry} on chain ${chainId}.`);
    }
    const connected = signer ?? provider;
    const registry = DocumentRegistry__factory.connect(deployment.registry, connected);
    const council = Council__factory.connect(deployment.council, connected);
    const forwarder = Forwarder__factory.connect(deployment.forwarder, connected);
    const references = deployment.references ? DocumentReferences__factory.connect(deployment.references, connected) : undefined;
    return new TradeproofClient({
      deployment,
      provider,
      ...(signer ? { signer } : {}),
      registry,
      council,
      forwarder,
      ...(references ? { references } : {}),
      ifaces: [registry.interface, council.interface, forwarder.interface, ...(references ? [references.interface] : [])],
      organisations: new Map(),
      blockTimes: new Map(),
      publicLeaves: emptyPublicLeaves(deployment.startBlock, opts.publicBatchLookup ?? true),
    });
  }

  /** Anchors one document, filed under its number when `reference` is given; see {@link register}. */
  register(docHash: Hex, docType: string | number, opts: { reference?: DocumentReference } = {}): Promise<Receipt> {
    return register(this.#ctx, { docHash, docType, ...opts });
  }

  /** The documents an organisation registered under a number, newest first; see {@link findByReference}. */
  findByReference(params: FindByReferenceParameters): Promise<FindByReferenceReturnType> {
    return findByReference(this.#ctx, params);
  }

  /** Files documents already registered under their numbers; see {@link fileReferences}. */
  fileReferences(anchor: Hex, items: { docHash: Hex; reference: DocumentReference }[]): Promise<ReceiptReference[]> {
    return fileReferences(this.#ctx, anchor, items);
  }

  /** The documents an organisation filed under a reference's commitment; see {@link findByCommitment}. */
  findByCommitment(organisation: number, commitment: Hex): Promise<ReferencedDocument[]> {
    return findByCommitment(this.#ctx, organisation, commitment);
  }

  /** Anchors many documents under Merkle roots; see {@link registerBatch}. */
  registerBatch(docHashes: Hex[], docType: string | number, opts: Omit<RegisterBatchParameters, "docHashes" | "docType"> = {}): Promise<Receipt[]> {
    return registerBatch(this.#ctx, { ...opts, docHashes, docType });
  }

  /** Countersigns a PENDING anchor; see {@link approve}. */
  approve(anchor: Hex): Promise<TxInfo> {
    return approve(this.#ctx, { anchor });
  }

  /** Revokes a document or a whole batch; see {@link revoke}. */
  revoke(anchor: Hex, reason: string): Promise<TxInfo> {
    return revoke(this.#ctx, { anchor, reason });
  }

  /** Revokes one document of a batch; see {@link revokeInBatch}. */
  revokeInBatch(receipt: Receipt, reason: string): Promise<TxInfo> {
    return revokeInBatch(this.#ctx, { receipt, reason });
  }

  /** Replaces an anchor by an amended one; see {@link supersede}. */
  supersede(oldAnchor: Hex, newAnchor: Hex): Promise<TxInfo> {
    return supersede(this.#ctx, { oldAnchor, newAnchor });
  }

  /** Records a verification outcome as customs or an agency, with a reason (an id or code) if any; see {@link attest}. */
  attest(docHash: Hex, outcome: Outcome, reason?: AttestationReasonId | number): Promise<TxInfo> {
    return attest(this.#ctx, { docHash, outcome, ...(reason === undefined ? {} : { reason }) });
  }

  /**
   * Verifies one document against the ledger; see {@link verify}. `document` is its hash, or the document itself
   * in any form {@link hashDocument} takes (a file path, bytes, a stream, a JSON value), hashed here, locally.
   *
   * @example
   * ```ts
   * import { JsonRpcProvider } from "ethers";
   * import { TradeproofClient, loadDeployment } from "./sdk/index.js";
   * const client = await TradeproofClient.connect({ runner: new JsonRpcProvider("http://127.0.0.1:8545"), deployment: await loadDeployment("data/deployment.json") });
   * const byFile = await client.verify("../shared/samples/commercial-invoice.json");
   * const byHash = await client.verify(byFile.docHash);
   * ```
   */
  async verify(document: Hex | unknown, opts: { receipt?: Receipt; json?: boolean } = {}): Promise<VerificationResult> {
    const { receipt, json } = opts;
    return verify(this.#ctx, { docHash: await toDocHash(document, json), ...(receipt ? { receipt } : {}) });
  }

  /** Verifies many documents in few round trips; see {@link verifyMany}. */
  verifyMany(items: { docHash: Hex; receipt?: Receipt }[]): Promise<VerificationResult[]> {
    return verifyMany(this.#ctx, items);
  }

  /** The document's ordered events and version chain; see {@link history}. */
  history(docHash: Hex, opts: { receipt?: Receipt } = {}): Promise<HistoryReturnType> {
    return history(this.#ctx, { docHash, ...opts });
  }

  /** Every member organisation; see {@link members}. */
  members(): Promise<Organisation[]> {
    return members(this.#ctx);
  }

  /** The document-type policies in force; see {@link policies}. */
  policies(): Promise<PoliciesReturnType> {
    return policies(this.#ctx);
  }

  /** One member organisation; see {@link organisation}. */
  organisation(id: number): Promise<Organisation> {
    return organisation(this.#ctx, id);
  }

  /** Proposes council calls (built with governance.ts); see {@link propose}. */
  propose(calls: GovernanceCall[], description: string): Promise<bigint> {
    return propose(this.#ctx, calls, description);
  }

  /** Approves a council proposal; see {@link approveProposal}. */
  approveProposal(id: bigint): Promise<TxInfo> {
    return approveProposal(this.#ctx, id);
  }

  /** Executes a council proposal; see {@link executeProposal}. */
  executeProposal(id: bigint): Promise<TxInfo> {
    return executeProposal(this.#ctx, id);
  }

  /** Every council proposal; see {@link proposals}. */
  proposals(): Promise<ProposalInfo[]> {
    return proposals(this.#ctx);
  }

  /** Returns a client for the same ledger acting with another signer (reuses the read caches). */
  withSigner(signer: Signer): TradeproofClient {
    if (!signer.provider) throw new InvalidArgumentError("The signer has no provider: connect it to one first.");
    return new TradeproofClient({
      ...this.#ctx,
      signer,
      registry: this.registry.connect(signer),
      council: this.council.connect(signer),
      forwarder: this.forwarder.connect(signer),
    });
  }
}
