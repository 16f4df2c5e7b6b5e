import { expect } from "chai";
import fc from "fast-check";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { callOf, deployConsortium, DocType, ethers, Kind, kinds, networkHelpers, Outcome, plainState, Status, type Consortium, type PlainState } from "./fixtures.js";

/**
 * Property tests of the document lifecycle: random sequences of register, approve, revoke, supersede and
 * attest, by random members (and a non-member), run on the chain and on a small model of the rules. The
 * model predicts each action's success or exact refusal; the invariants are checked on the chain's own
 * answers after every step, so that a rule the model and the contract both get wrong still shows.
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

/** Where each status may go next; a status may also stay as it is. */
const ALLOWED: Record<number, number[]> = {
  [Status.NOT_FOUND]: [Status.PENDING, Status.VALID],
  [Status.PENDING]: [Status.VALID, Status.REVOKED, Status.SUPERSEDED],
  [Status.VALID]: [Status.REVOKED, Status.SUPERSEDED],
  [Status.SUPERSEDED]: [Status.REVOKED],
  [Status.REVOKED]: [],
};

type Step =
  | { op: "register"; actor: number; docType: number }
  | { op: "registerAgain"; actor: number; anchor: Ref; docType: number }
  | { op: "approve"; actor: number; anchor: Ref }
  | { op: "revoke"; actor: number; anchor: Ref }
  | { op: "supersede"; actor: number; anchor: Ref; successor: Ref }
  | { op: "attest"; actor: number; anchor: Ref; outcome: number };

/** Mostly the two organisations with two accounts each (trader, authority), so that four-eyes is exercised. */
const actor = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(0, 1, 2, 3) }, { weight: 1, arbitrary: fc.constantFrom(4, 5, 6, 7, 8) });
/** Mostly customs and the agency, who may attest. */
const attester = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(5, 6) }, { weight: 1, arbitrary: fc.nat({ max: 8 }) });
/** An anchor reference: mostly one of the actor's own organisation (else any), rarely a hash never anchored. */
const FRESH = 40;
const anchor = fc.record({ index: fc.nat({ max: FRESH }), own: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }) });
type Ref = { index: number; own: boolean };
const docType = fc.constantFrom(...DOC_TYPES);
const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant("register" as const), actor, docType }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("registerAgain" as const), actor, anchor, docType }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("approve" as const), actor, anchor }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("revoke" as const), actor, anchor }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("supersede" as const), actor, anchor, successor: anchor }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("attest" as const), actor: attester, anchor, outcome: fc.nat({ max: 3 }) }) },
);
const stepsArbitrary = fc.array(stepArbitrary, { minLength: 1, maxLength: 30, size: "max" });

interface Member {
  signer: HardhatEthersSigner;
  org: bigint;
  kind: number;
}

interface Anchor {
  status: number;
  org: bigint;
  required: number;
  approvers: Set<string>;
  predecessor?: string;
}

type Verdict = { ok: true } | { ok: false; error: string; args: unknown[] };
const refuse = (error: string, ...args: unknown[]): Verdict => ({ ok: false, error: `DocumentRegistry${error}`, args });

/** The lifecycle rules, as the design states them. */
class Model {
  readonly anchors = new Map<string, Anchor>();

  constructor(readonly members: Member[]) {}

  /**
   * The hash a reference names: `fresh` (never anchored) for index FRESH; else, when `own`, an anchor of `org`
   * that `fits` the action if there is one (so that successes are common), or any anchor of `org`; else any anchor.
   */
  pick(hashes: string[], { index, own }: Ref, org: bigint, fresh: string, fits: (a: Anchor, h: string) => boolean = () => true) {
    const mine = hashes.filter((h) => this.anchors.get(h)!.org === org);
    const fitting = mine.filter((h) => fits(this.anchors.get(h)!, h));
    const pool = own ? (fitting.length > 0 ? fitting : mine.length > 0 ? mine : hashes) : hashes;
    return index === FRESH || pool.length === 0 ? fresh : pool[index % pool.length];
  }

  private issued(member: Member | undefined, account: string, hash: string): Verdict | Anchor {
    const anchor = this.anchors.get(hash);
    if (!anchor) return refuse("UnknownAnchor", hash);
    if (anchor.org !== member!.org) return refuse("NotIssuingOrganisation", account, hash);
    return anchor;
  }

  verdict(step: Step, account: string, hash: string, successor: string, docType: number): Verdict {
    const member = this.members.find((m) => m.signer.address === account && m.org !== 0n);
    if (!member) return refuse("NotMember", account);
    switch (step.op) {
      case "register":
      case "registerAgain": {
        if ((POLICIES[docType].allowed & (1 << member.kind)) === 0) return refuse("NotIssuer", account, docType);
        if (this.anchors.has(hash)) return refuse("AlreadyAnchored", hash);
        return { ok: true };
      }
      case "approve": {
        const a = this.issued(member, account, hash);
        if ("ok" in a) return a;
        if (a.status !== Status.PENDING) return refuse("NotPending", hash);
        if (a.approvers.has(account)) return refuse("AlreadyApproved", hash, account);
        return { ok: true };
      }
      case "revoke": {
        const a = this.issued(member, account, hash);
        if ("ok" in a) return a;
        if (a.status === Status.REVOKED) return refuse("AlreadyRevoked", hash, hash);
        return { ok: true };
      }
      case "supersede": {
        const old = this.issued(member, account, hash);
        if ("ok" in old) return old;
        const next = this.issued(member, account, successor);
        if ("ok" in next) return next;
        if (old.status !== Status.VALID && old.status !== Status.PENDING) return refuse("NotSupersedable", hash, old.status);
        const open = next.status === Status.VALID || next.status === Status.PENDING;
        if (hash === successor || !open || next.predecessor !== undefined) return refuse("InvalidSuccessor", successor);
        return { ok: true };
      }
      case "attest": {
        if (member.kind !== Kind.CUSTOMS && member.kind !== Kind.AGENCY) return refuse("NotAttester", account);
        if (step.outcome === Outcome.NONE) return refuse("InvalidOutcome");
        return { ok: true };
      }
    }
  }

  apply(step: Step, account: string, hash: string, successor: string, docType: number) {
    const member = this.members.find((m) => m.signer.address === account)!;
    switch (step.op) {
      case "register":
      case "registerAgain": {
        const required = POLICIES[docType].approvals;
        const status = required > 1 ? Status.PENDING : Status.VALID;
        this.anchors.set(hash, { status, org: member.org, required, approvers: new Set([account]) });
        break;
      }
      case "approve": {
        const a = this.anchors.get(hash)!;
        a.approvers.add(account);
        if (a.approvers.size >= a.required) a.status = Status.VALID;
        break;
      }
      case "revoke":
        this.anchors.get(hash)!.status = Status.REVOKED;
        break;
      case "supersede":
        this.anchors.get(hash)!.status = Status.SUPERSEDED;
        this.anchors.get(successor)!.predecessor = hash;
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
    await c.govern([
      callOf(c.registry, "setDocumentPolicy", [TWO_EYES, POLICIES[TWO_EYES].allowed, POLICIES[TWO_EYES].approvals]),
    ]);
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

  /** The chain's state of every hash ever named in a run (single anchors: root = docHash, no proof). */
  async function chainStates(hashes: string[]) {
    if (hashes.length === 0) return new Map<string, PlainState>();
    const states = await c.registry.verifyMany(hashes.map((h) => ({ docHash: h, root: h, proof: [] })));
    return new Map(hashes.map((h, i) => [h, plainState(states[i])]));
  }

  /**
   * Runs `steps` on a fresh copy of the consortium and on the model, checks each action's outcome against the
   * model, and calls `check(before, after, step)` with the chain's states around every step.
   */
  async function run(steps: Step[], check: (before: Map<string, PlainState>, after: Map<string, PlainState>, step: Step) => void) {
    await snapshot.restore();
    const model = new Model(members);
    const hashes: string[] = [];
    const named = new Set<string>();
    let before = await chainStates([]);
    for (const [i, step] of steps.entries()) {
      const fresh = ethers.keccak256(ethers.toUtf8Bytes(`document ${i}`));
      const { signer, org } = members[step.actor];
      const account = signer.address;
      const open = (a: Anchor) => a.status === Status.VALID || a.status === Status.PENDING;
      const fits: Partial<Record<Step["op"], (a: Anchor) => boolean>> = {
        approve: (a) => a.status === Status.PENDING && !a.approvers.has(signer.address),
        revoke: (a) => a.status !== Status.REVOKED,
        supersede: open,
      };
      const hash = step.op === "register" ? fresh : model.pick(hashes, step.anchor, org, fresh, fits[step.op]);
      const successor =
        step.op === "supersede"
          ? model.pick(hashes, step.successor, org, fresh, (a, h) => open(a) && a.predecessor === undefined && h !== hash)
          : ethers.ZeroHash;
      const type = "docType" in step ? step.docType : 0;
      const registry = c.registry.connect(signer);
      const tx = {
        register: () => registry.register(hash, type),
        registerAgain: () => registry.register(hash, type),
        approve: () => registry.approve(hash),
        revoke: () => registry.revoke(hash, "property"),
        supersede: () => registry.supersede(hash, successor),
        attest: () => registry.attest(hash, (step as { outcome: number }).outcome, 0),
      }[step.op]();
      const verdict = model.verdict(step, account, hash, successor, type);
      if (verdict.ok) {
        await (await tx).wait();
        model.apply(step, account, hash, successor, type);
        if ((step.op === "register" || step.op === "registerAgain") && !hashes.includes(hash)) hashes.push(hash);
      } else {
        await expect(tx, `${step.op} by member ${step.actor}`).to.be.revertedWithCustomError(c.registry, verdict.error).withArgs(...verdict.args);
      }
      named.add(hash);
      const after = await chainStates([...named]);
      for (const [h, state] of after) {
        const expected = model.anchors.get(h)?.status ?? Status.NOT_FOUND;
        expect(state.status, `status of ${h} after ${step.op}`).to.equal(BigInt(expected));
      }
      check(before, after, step);
      before = after;
    }
  }

  const params = { numRuns: 30 };

  it("status changes only along the allowed transitions", async function () {
    await fc.assert(
      fc.asyncProperty(stepsArbitrary, (steps) =>
        run(steps, (before, after) => {
          for (const [h, state] of after) {
            const from = Number(before.get(h)?.status ?? 0n);
            const to = Number(state.status);
            if (from !== to) expect(ALLOWED[from], `${h}: ${from} → ${to}`).to.include(to);
          }
        }),
      ),
      params,
    );
  });

  it("a revoked document never becomes valid again", async function () {
    await fc.assert(
      fc.asyncProperty(stepsArbitrary, async (steps) => {
        const revoked = new Set<string>();
        await run(steps, (_before, after) => {
          for (const [h, state] of after) {
            if (revoked.has(h)) expect(state.status, h).to.equal(BigInt(Status.REVOKED));
            if (state.status === BigInt(Status.REVOKED)) revoked.add(h);
          }
        });
      }),
      params,
    );
  });

  it("a superseded document always points to an anchored successor whose predecessor points back", async function () {
    await fc.assert(
      fc.asyncProperty(stepsArbitrary, (steps) =>
        run(steps, (_before, after) => {
          for (const [h, state] of after) {
            if (state.status === BigInt(Status.SUPERSEDED)) expect(state.supersededBy, h).to.not.equal(ethers.ZeroHash);
            if (state.supersededBy === ethers.ZeroHash) continue;
            const successor = after.get(state.supersededBy);
            // Every successor was named in the run, so its state is in `after`.
            expect(successor, `successor of ${h}`).to.not.equal(undefined);
            expect(successor!.status, `successor of ${h}`).to.not.equal(BigInt(Status.NOT_FOUND));
            expect(successor!.supersedes, `successor of ${h}`).to.equal(h);
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
        run(steps, (before, after, step) => {
          if (step.op !== "attest") return;
          for (const [h, state] of after) {
            const was = before.get(h);
            if (was) expect({ ...state, attestations: [] }, h).to.deep.equal({ ...was, attestations: [] });
          }
        }),
      ),
      params,
    );
  });
});
