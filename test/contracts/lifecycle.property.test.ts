import { expect } from "chai";
import fc from "fast-check";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import {
  callOf,
  deployConsortium,
  DocType,
  ethers,
  Kind,
  kinds,
  networkHelpers,
  Outcome,
  plainState,
  standardTree,
  Status,
  type Consortium,
  type PlainState,
} from "./fixtures.js";

/**
 * Property tests of the document lifecycle: random sequences of register (single and private batch), approve,
 * revoke, revokeInBatch, supersede and attest, by random members (and a non-member), run on the chain and on a
 * small model of the rules. The model predicts each action's success or exact refusal; the invariants are
 * checked on the chain's own answers after every step, so that a rule the model and the contract both get
 * wrong still shows.
 */

/** A type that traders and authorities register with two approvals, so that PENDING is common. */
const TWO_EYES = 325;
const DOC_TYPES = [DocType.INVOICE, DocType.CERTIFICATE_OF_ORIGIN, DocType.GOODS_DECLARATION, DocType.BILL_OF_LADING, TWO_EYES];
const POLICIES: Record<number, { allowed: number; approvals: number }> = {
  [DocType.INVOICE]: { allowed: kinds(Kind.TRADER), approvals: 1 },
  [DocType.CERTIFICATE_OF_ORIGIN]: { allowed: kinds(Kind.ISSUING_AUTHORITY), approvals: 2 },
  [DocType.GOODS_DECLARATION]: { allowed: kinds(Kind.TRADER, Kind.CUSTOMS), approvals: 1 },
  [DocType.BILL_OF_LADING]: { allowed: kinds(Kind.TRADER, Kind.ISSUING_AUTHORITY), approvals: 1 },
  [TWO_EYES]: { allowed: kinds(Kind.TRADER, Kind.ISSUING_AUTHORITY), approvals: 2 },
};
const BATCH_SIZE = 3;

/** Where each status may go next; a status may also stay as it is. */
const ALLOWED: Record<number, number[]> = {
  [Status.NOT_FOUND]: [Status.PENDING, Status.VALID],
  [Status.PENDING]: [Status.VALID, Status.REVOKED, Status.SUPERSEDED],
  [Status.VALID]: [Status.REVOKED, Status.SUPERSEDED],
  [Status.SUPERSEDED]: [Status.REVOKED],
  [Status.REVOKED]: [],
};

/** A reference to an anchor: mostly one of the actor's own organisation that suits the action, rarely a hash
 * never anchored (index FRESH). */
type Ref = { index: number; own: boolean };

type Step =
  | { op: "register"; actor: number; docType: number }
  | { op: "registerBatch"; actor: number; docType: number }
  | { op: "registerAgain"; actor: number; anchor: Ref; docType: number }
  | { op: "approve"; actor: number; anchor: Ref }
  | { op: "revoke"; actor: number; anchor: Ref }
  | { op: "revokeInBatch"; actor: number; anchor: Ref; leaf: number; wrongProof: boolean }
  | { op: "supersede"; actor: number; anchor: Ref; successor: Ref }
  | { op: "attest"; actor: number; anchor: Ref; leaf: number; outcome: number };

/** Mostly the two organisations with two accounts each (trader, authority), so that four-eyes is exercised. */
const actor = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(0, 1, 2, 3) }, { weight: 1, arbitrary: fc.constantFrom(4, 5, 6, 7, 8) });
/** Mostly customs and the agency, who may attest. */
const attester = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(5, 6) }, { weight: 1, arbitrary: fc.nat({ max: 8 }) });
const FRESH = 40;
const anchor = fc.record({
  index: fc.nat({ max: FRESH }),
  own: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
});
/** Types that need a countersignature come up as often as the others, so that approvals have work. */
const docType = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...DOC_TYPES) }, { weight: 2, arbitrary: fc.constantFrom(TWO_EYES, DocType.CERTIFICATE_OF_ORIGIN) });
const leaf = fc.nat({ max: BATCH_SIZE - 1 });
const rarely = fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) });
const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant("register" as const), actor, docType }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("registerBatch" as const), actor, docType }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("registerAgain" as const), actor, anchor, docType }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant("approve" as const), actor, anchor }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("revoke" as const), actor, anchor }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("revokeInBatch" as const), actor, anchor, leaf, wrongProof: rarely }) },
  {
    weight: 4,
    // Old and new are both the actor's own or both anyone's, so that most supersessions can succeed.
    arbitrary: fc
      .tuple(actor, anchor, fc.nat({ max: FRESH }))
      .map(([who, old, index]) => ({ op: "supersede" as const, actor: who, anchor: old, successor: { index, own: old.own } })),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("attest" as const), actor: attester, anchor, leaf, outcome: fc.nat({ max: 3 }) }) },
);
/** The trader's and the authority's accounts, who can register something. */
const issuer = fc.constantFrom(0, 1, 2, 3);
/** A few documents and batches first, so that the actions after them have something to act on. */
const opening = fc.array(
  fc.oneof(
    fc.record({ op: fc.constant("register" as const), actor: issuer, docType }),
    fc.record({ op: fc.constant("registerBatch" as const), actor: issuer, docType }),
  ),
  { minLength: 2, maxLength: 6 },
);
const stepsArbitrary: fc.Arbitrary<Step[]> = fc
  .tuple(opening, fc.array(stepArbitrary, { minLength: 1, maxLength: 20, size: "max" }))
  .map(([first, rest]) => [...first, ...rest]);

interface Member {
  signer: HardhatEthersSigner;
  org: bigint;
  kind: number;
}

/** A batch's documents and their proofs. */
interface Batch {
  docs: string[];
  proof: (doc: string) => string[];
}

interface Anchor {
  status: number;
  org: bigint;
  required: number;
  approvers: Set<string>;
  predecessor?: string;
  batch?: Batch;
  leafRevoked: Set<string>;
}

/** One document as verify asks for it. */
interface Query {
  docHash: string;
  root: string;
  proof: string[];
}
const keyOf = (q: Query) => `${q.docHash}@${q.root}`;

type Verdict = { ok: true } | { ok: false; error: string; args: unknown[] };
const refuse = (error: string, ...args: unknown[]): Verdict => ({ ok: false, error: `DocumentRegistry${error}`, args });

/** What one step acts on, resolved against the anchors of the run so far. */
interface Target {
  account: string;
  hash: string;
  successor: string;
  doc: string;
  proof: string[];
  docType: number;
  batch?: Batch;
}

/** The lifecycle rules, as the design states them. */
class Model {
  readonly anchors = new Map<string, Anchor>();

  constructor(readonly members: Member[]) {}

  /** The hash a reference names: `fresh` for index FRESH; else, when `own`, an anchor of `org` that `fits` the
   * action if there is one (so that successes are common), or any anchor of `org`; else any anchor. */
  pick(hashes: string[], { index, own }: Ref, org: bigint, fresh: string, fits: (a: Anchor, h: string) => boolean = () => true) {
    const mine = hashes.filter((h) => this.anchors.get(h)!.org === org);
    const fitting = mine.filter((h) => fits(this.anchors.get(h)!, h));
    const pool = own ? (fitting.length > 0 ? fitting : mine.length > 0 ? mine : hashes) : hashes;
    return index === FRESH || pool.length === 0 ? fresh : pool[index % pool.length];
  }

  /** The status verify should report for `query`. */
  status(query: Query) {
    const a = this.anchors.get(query.root);
    if (!a) return Status.NOT_FOUND;
    if (a.batch && a.leafRevoked.has(query.docHash)) return Status.REVOKED;
    return a.status;
  }

  private issued(member: Member, account: string, hash: string): Verdict | Anchor {
    const anchor = this.anchors.get(hash);
    if (!anchor) return refuse("UnknownAnchor", hash);
    if (anchor.org !== member.org) return refuse("NotIssuingOrganisation", account, hash);
    return anchor;
  }

  verdict(step: Step, t: Target): Verdict {
    const member = this.members.find((m) => m.signer.address === t.account && m.org !== 0n);
    if (!member) return refuse("NotMember", t.account);
    switch (step.op) {
      case "register":
      case "registerBatch":
      case "registerAgain": {
        if ((POLICIES[t.docType].allowed & (1 << member.kind)) === 0) return refuse("NotIssuer", t.account, t.docType);
        if (this.anchors.has(t.hash)) return refuse("AlreadyAnchored", t.hash);
        return { ok: true };
      }
      case "approve": {
        const a = this.issued(member, t.account, t.hash);
        if ("ok" in a) return a;
        if (a.status !== Status.PENDING) return refuse("NotPending", t.hash);
        if (a.approvers.has(t.account)) return refuse("AlreadyApproved", t.hash, t.account);
        return { ok: true };
      }
      case "revoke": {
        const a = this.issued(member, t.account, t.hash);
        if ("ok" in a) return a;
        if (a.status === Status.REVOKED) return refuse("AlreadyRevoked", t.hash, t.hash);
        return { ok: true };
      }
      case "revokeInBatch": {
        const a = this.issued(member, t.account, t.hash);
        if ("ok" in a) return a;
        if (!a.batch) return refuse("NotBatch", t.hash);
        if (a.status === Status.REVOKED || a.leafRevoked.has(t.doc)) return refuse("AlreadyRevoked", t.hash, t.doc);
        if (step.wrongProof) return refuse("InvalidProof", t.hash, t.doc);
        return { ok: true };
      }
      case "supersede": {
        const old = this.issued(member, t.account, t.hash);
        if ("ok" in old) return old;
        const next = this.issued(member, t.account, t.successor);
        if ("ok" in next) return next;
        if (old.status !== Status.VALID && old.status !== Status.PENDING) return refuse("NotSupersedable", t.hash, old.status);
        const open = next.status === Status.VALID || next.status === Status.PENDING;
        if (t.hash === t.successor || !open || next.predecessor !== undefined) return refuse("InvalidSuccessor", t.successor);
        return { ok: true };
      }
      case "attest": {
        if (member.kind !== Kind.CUSTOMS && member.kind !== Kind.AGENCY) return refuse("NotAttester", t.account);
        if (step.outcome === Outcome.NONE) return refuse("InvalidOutcome");
        return { ok: true };
      }
    }
  }

  apply(step: Step, t: Target) {
    const member = this.members.find((m) => m.signer.address === t.account)!;
    switch (step.op) {
      case "register":
      case "registerBatch":
      case "registerAgain": {
        const required = POLICIES[t.docType].approvals;
        const status = required > 1 ? Status.PENDING : Status.VALID;
        this.anchors.set(t.hash, { status, org: member.org, required, approvers: new Set([t.account]), batch: t.batch, leafRevoked: new Set() });
        break;
      }
      case "approve": {
        const a = this.anchors.get(t.hash)!;
        a.approvers.add(t.account);
        if (a.approvers.size >= a.required) a.status = Status.VALID;
        break;
      }
      case "revoke":
        this.anchors.get(t.hash)!.status = Status.REVOKED;
        break;
      case "revokeInBatch":
        this.anchors.get(t.hash)!.leafRevoked.add(t.doc);
        break;
      case "supersede":
        this.anchors.get(t.hash)!.status = Status.SUPERSEDED;
        this.anchors.get(t.successor)!.predecessor = t.hash;
        break;
      case "attest":
        break;
    }
  }
}

describe("lifecycle properties", function () {
  this.timeout(120_000);
  let c: Consortium;
  let members: Member[];
  let snapshot: Awaited<ReturnType<typeof networkHelpers.takeSnapshot>>;

  before(async function () {
    c = await networkHelpers.loadFixture(deployConsortium);
    await c.govern([callOf(c.registry, "setDocumentPolicy", [TWO_EYES, POLICIES[TWO_EYES].allowed, POLICIES[TWO_EYES].approvals])]);
    members = [
      { signer: c.trader, org: c.org.trader, kind: Kind.TRADER },
      { signer: c.trader2, org: c.org.trader, kind: Kind.TRADER },
      { signer: c.officer1, org: c.org.authority, kind: Kind.ISSUING_AUTHORITY },
      { signer: c.officer2, org: c.org.authority, kind: Kind.ISSUING_AUTHORITY },
      { signer: c.otherTrader, org: c.org.otherTrader, kind: Kind.TRADER },
      { signer: c.customs, org: c.org.customs, kind: Kind.CUSTOMS },
      { signer: c.agency, org: c.org.agency, kind: Kind.AGENCY },
      { signer: c.auditor, org: c.org.auditor, kind: Kind.AUDITOR },
      { signer: c.outsider, org: 0n, kind: Kind.NONE },
    ];
    snapshot = await networkHelpers.takeSnapshot();
  });

  /** The chain's state of every document named in a run, by query key. */
  async function chainStates(queries: Query[]) {
    if (queries.length === 0) return new Map<string, PlainState>();
    const states = await c.registry.verifyMany(queries);
    return new Map(queries.map((q, i) => [keyOf(q), plainState(states[i])]));
  }

  /** What a run's invariants are checked with after each step. */
  interface Observation {
    before: Map<string, PlainState>;
    after: Map<string, PlainState>;
    step: Step;
    /** For each anchor, the key of one of its documents. */
    representative: Map<string, string>;
  }

  /**
   * Runs `steps` on a fresh copy of the consortium and on the model, checks each action's outcome and every
   * document's status against the model, and calls `check` with the chain's states around every step.
   */
  async function run(steps: Step[], check: (o: Observation) => void) {
    await snapshot.restore();
    const model = new Model(members);
    const hashes: string[] = [];
    const named = new Map<string, Query>();
    const representative = new Map<string, string>();
    const name = (q: Query) => named.set(keyOf(q), q);
    let before = await chainStates([]);
    for (const [i, step] of steps.entries()) {
      const fresh = ethers.keccak256(ethers.toUtf8Bytes(`document ${i}`));
      const { signer, org } = members[step.actor];
      const open = (a: Anchor) => a.status === Status.VALID || a.status === Status.PENDING;
      const fits: Partial<Record<Step["op"], (a: Anchor) => boolean>> = {
        approve: (a) => a.status === Status.PENDING && !a.approvers.has(signer.address),
        revoke: (a) => a.status !== Status.REVOKED,
        revokeInBatch: (a) => a.batch !== undefined && a.status !== Status.REVOKED,
        supersede: open,
      };
      let batch: Batch | undefined;
      let hash: string;
      if (step.op === "register") {
        hash = fresh;
      } else if (step.op === "registerBatch") {
        const tree = standardTree(Array.from({ length: BATCH_SIZE }, (_, j) => ethers.keccak256(ethers.toUtf8Bytes(`document ${i}.${j}`))));
        batch = { docs: tree.ordered, proof: tree.proof };
        hash = tree.root;
      } else {
        hash = model.pick(hashes, step.anchor, org, fresh, fits[step.op]);
      }
      const successor =
        step.op === "supersede" ? model.pick(hashes, step.successor, org, fresh, (a, h) => open(a) && a.predecessor === undefined && h !== hash) : ethers.ZeroHash;
      // The document a batch action names: one of the batch's, or the anchor itself when it is not a batch.
      const anchored = model.anchors.get(hash)?.batch;
      const leafIndex = "leaf" in step ? step.leaf : 0;
      const doc = anchored ? anchored.docs[leafIndex] : hash;
      const proof = anchored ? anchored.proof(step.op === "revokeInBatch" && step.wrongProof ? anchored.docs[(leafIndex + 1) % BATCH_SIZE] : doc) : [];
      const t: Target = { account: signer.address, hash, successor, doc, proof, docType: "docType" in step ? step.docType : 0, batch };

      const registry = c.registry.connect(signer);
      const tx = {
        register: () => registry.register(hash, t.docType),
        registerBatch: () => registry.registerBatch(hash, BATCH_SIZE, t.docType),
        registerAgain: () => registry.register(hash, t.docType),
        approve: () => registry.approve(hash),
        revoke: () => registry.revoke(hash, "property"),
        revokeInBatch: () => registry.revokeInBatch(hash, doc, proof, "property"),
        supersede: () => registry.supersede(hash, successor),
        attest: () => registry.attest(doc, (step as { outcome: number }).outcome, 0),
      }[step.op]();
      const verdict = model.verdict(step, t);
      if (verdict.ok) {
        await (await tx).wait();
        model.apply(step, t);
        if (step.op === "register" || step.op === "registerAgain") {
          hashes.push(hash);
          representative.set(hash, keyOf({ docHash: hash, root: hash, proof: [] }));
        } else if (step.op === "registerBatch") {
          hashes.push(hash);
          for (const d of batch!.docs) name({ docHash: d, root: hash, proof: batch!.proof(d) });
          representative.set(hash, keyOf({ docHash: batch!.docs[0], root: hash, proof: [] }));
        }
      } else {
        await expect(tx, `${step.op} by member ${step.actor}`).to.be.revertedWithCustomError(c.registry, verdict.error).withArgs(...verdict.args);
      }
      if (!model.anchors.get(hash)?.batch) name({ docHash: hash, root: hash, proof: [] });
      const after = await chainStates([...named.values()]);
      for (const [key, state] of after) {
        expect(state.status, `status of ${key} after ${step.op}`).to.equal(BigInt(model.status(named.get(key)!)));
      }
      check({ before, after, step, representative });
      before = after;
    }
  }

  const params = { numRuns: 30 };

  it("status changes only along the allowed transitions", async function () {
    await fc.assert(
      fc.asyncProperty(stepsArbitrary, (steps) =>
        run(steps, ({ before, after }) => {
          for (const [key, state] of after) {
            const from = Number(before.get(key)?.status ?? 0n);
            const to = Number(state.status);
            if (from !== to) expect(ALLOWED[from], `${key}: ${from} → ${to}`).to.include(to);
          }
        }),
      ),
      params,
    );
  });

  it("a revoked document, alone or in a batch, never becomes valid again", async function () {
    await fc.assert(
      fc.asyncProperty(stepsArbitrary, async (steps) => {
        const revoked = new Set<string>();
        await run(steps, ({ after }) => {
          for (const [key, state] of after) {
            if (revoked.has(key)) expect(state.status, key).to.equal(BigInt(Status.REVOKED));
            if (state.status === BigInt(Status.REVOKED)) revoked.add(key);
          }
        });
      }),
      params,
    );
  });

  it("a superseded document always points to an anchored successor whose predecessor points back", async function () {
    await fc.assert(
      fc.asyncProperty(stepsArbitrary, (steps) =>
        run(steps, ({ after, representative }) => {
          for (const [key, state] of after) {
            if (state.status === BigInt(Status.SUPERSEDED)) expect(state.supersededBy, key).to.not.equal(ethers.ZeroHash);
            if (state.supersededBy === ethers.ZeroHash) continue;
            const successor = after.get(representative.get(state.supersededBy) ?? "");
            expect(successor, `successor of ${key}`).to.not.equal(undefined);
            expect(successor!.status, `successor of ${key}`).to.not.equal(BigInt(Status.NOT_FOUND));
            expect(successor!.root, `successor of ${key}`).to.equal(state.supersededBy);
            expect(successor!.supersedes, `successor of ${key}`).to.equal(state.root);
            expect(successor!.organisation).to.equal(state.organisation);
          }
        }),
      ),
      params,
    );
  });

  it("attest never changes any document's status", async function () {
    await fc.assert(
      fc.asyncProperty(stepsArbitrary, (steps) =>
        run(steps, ({ before, after, step }) => {
          if (step.op !== "attest") return;
          for (const [key, state] of after) {
            const was = before.get(key);
            if (was) expect({ ...state, attestationCount: 0n, attestations: [] }, key).to.deep.equal({ ...was, attestationCount: 0n, attestations: [] });
          }
        }),
      ),
      params,
    );
  });
});
