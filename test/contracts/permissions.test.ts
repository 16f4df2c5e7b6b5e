import { expect } from "chai";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { callOf, deployConsortium, DocType, Kind, kinds, networkHelpers, Outcome, randomHash, randomHashes, standardTree } from "./fixtures.js";

const { loadFixture } = networkHelpers;

/** Types every kind may register, with one and with two approvals: they give every organisation anchors of
 * its own, so that approve, revoke and supersede are tested for every kind. */
const ANY_ONE = 1;
const ANY_TWO = 2;
const ALL_KINDS = kinds(Kind.TRADER, Kind.ISSUING_AUTHORITY, Kind.CUSTOMS, Kind.AGENCY, Kind.AUDITOR);

const ACTORS = ["TRADER", "ISSUING_AUTHORITY", "CUSTOMS", "AGENCY", "AUDITOR", "NON_MEMBER"] as const;
type Actor = (typeof ACTORS)[number];
const ACTOR_NAMES: Record<Actor, string> = {
  TRADER: "a trader",
  ISSUING_AUTHORITY: "an issuing authority's officer",
  CUSTOMS: "a customs officer",
  AGENCY: "an agency's officer",
  AUDITOR: "an auditor",
  NON_MEMBER: "a non-member",
};

/** A cell: "ok", or the error the registry reverts with. */
type Verdict = "ok" | "NotMember" | "NotIssuer" | "NotAttester" | "NotIssuingOrganisation";

/** The consortium, with a second account for customs, the agency and the auditor. */
async function deployMatrix() {
  const c = await deployConsortium();
  const [customs2, agency2, auditor2] = c.spare;
  await c.govern([
    callOf(c.registry, "addAccount", [c.org.customs, customs2.address]),
    callOf(c.registry, "addAccount", [c.org.agency, agency2.address]),
    callOf(c.registry, "addAccount", [c.org.auditor, auditor2.address]),
    callOf(c.registry, "setDocumentPolicy", [ANY_ONE, ALL_KINDS, 1]),
    callOf(c.registry, "setDocumentPolicy", [ANY_TWO, ALL_KINDS, 2]),
  ]);
  /** For each actor: the acting account, a colleague in the same organisation, and the organisation. */
  const cast: Record<Actor, { account: HardhatEthersSigner; colleague: HardhatEthersSigner; org: bigint }> = {
    TRADER: { account: c.trader, colleague: c.trader2, org: c.org.trader },
    ISSUING_AUTHORITY: { account: c.officer1, colleague: c.officer2, org: c.org.authority },
    CUSTOMS: { account: c.customs, colleague: customs2, org: c.org.customs },
    AGENCY: { account: c.agency, colleague: agency2, org: c.org.agency },
    AUDITOR: { account: c.auditor, colleague: auditor2, org: c.org.auditor },
    // A non-member tries to act on the trader's anchors.
    NON_MEMBER: { account: c.outsider, colleague: c.trader2, org: 0n },
  };
  return { ...c, cast };
}

type Matrix = Awaited<ReturnType<typeof deployMatrix>>;

interface Action {
  name: string;
  /** Prepares what the action needs and returns the acting transaction and the event a success emits. */
  run: (m: Matrix, actor: Actor) => Promise<{ tx: Promise<unknown>; event: string; anchor: string }>;
  verdicts: Record<Actor, Verdict>;
  /** The type a register action anchors, which DocumentRegistryNotIssuer names. */
  docType?: number;
}

const row = (...v: Verdict[]) => Object.fromEntries(ACTORS.map((a, i) => [a, v[i]])) as Record<Actor, Verdict>;

function registerAction(docType: number, label: string, verdicts: Record<Actor, Verdict>): Action {
  return {
    name: `register ${label} (${docType})`,
    run: async (m, actor) => {
      const doc = randomHash();
      return { tx: m.registry.connect(m.cast[actor].account).register(doc, docType), event: "DocumentRegistered", anchor: doc };
    },
    verdicts,
    docType,
  };
}

/** The anchor actions on the actor's own organisation's anchors, and on another organisation's. */
function anchorActions(own: boolean): Action[] {
  const who = (m: Matrix, actor: Actor) => (own ? m.cast[actor].colleague : m.otherTrader);
  const verdicts = own ? row("ok", "ok", "ok", "ok", "ok", "NotMember") : row(...Array(5).fill("NotIssuingOrganisation"), "NotMember");
  const whose = own ? "its own organisation's" : "another organisation's";
  return [
    {
      name: `approve ${whose} PENDING document`,
      run: async (m, actor) => {
        const doc = randomHash();
        await m.registry.connect(who(m, actor)).register(doc, ANY_TWO);
        return { tx: m.registry.connect(m.cast[actor].account).approve(doc), event: "DocumentApproved", anchor: doc };
      },
      verdicts,
    },
    {
      name: `revoke ${whose} document`,
      run: async (m, actor) => {
        const doc = randomHash();
        await m.registry.connect(who(m, actor)).register(doc, ANY_ONE);
        return { tx: m.registry.connect(m.cast[actor].account).revoke(doc, "x"), event: "DocumentRevoked", anchor: doc };
      },
      verdicts,
    },
    {
      name: `revoke one document of ${whose} batch`,
      run: async (m, actor) => {
        const docs = randomHashes(3);
        const { root, proof } = standardTree(docs);
        await m.registry.connect(who(m, actor)).registerBatch(root, 3, ANY_ONE);
        const tx = m.registry.connect(m.cast[actor].account).revokeInBatch(root, docs[1], proof(docs[1]), "x");
        return { tx, event: "BatchDocumentRevoked", anchor: root };
      },
      verdicts,
    },
    {
      name: `supersede ${whose} document`,
      run: async (m, actor) => {
        const [old, next] = randomHashes(2);
        await m.registry.connect(who(m, actor)).register(old, ANY_ONE);
        await m.registry.connect(who(m, actor)).register(next, ANY_ONE);
        // The first anchor the action touches is the old one, which is what a refusal names.
        return { tx: m.registry.connect(m.cast[actor].account).supersede(old, next), event: "DocumentSuperseded", anchor: old };
      },
      verdicts,
    },
  ];
}

//                                                 TRADER       AUTHORITY    CUSTOMS      AGENCY       AUDITOR      NON_MEMBER
const ACTIONS: Action[] = [
  registerAction(DocType.INVOICE, "an invoice", row("ok", "NotIssuer", "NotIssuer", "NotIssuer", "NotIssuer", "NotMember")),
  registerAction(DocType.CERTIFICATE_OF_ORIGIN, "a certificate of origin", row("NotIssuer", "ok", "NotIssuer", "NotIssuer", "NotIssuer", "NotMember")),
  registerAction(DocType.GOODS_DECLARATION, "a goods declaration", row("ok", "NotIssuer", "ok", "NotIssuer", "NotIssuer", "NotMember")),
  registerAction(DocType.BILL_OF_LADING, "a type without a policy", row("ok", "ok", "NotIssuer", "NotIssuer", "NotIssuer", "NotMember")),
  {
    name: "register a private batch of goods declarations",
    run: async (m, actor) => {
      const root = randomHash();
      return { tx: m.registry.connect(m.cast[actor].account).registerBatch(root, 3, DocType.GOODS_DECLARATION), event: "BatchRegistered", anchor: root };
    },
    verdicts: row("ok", "NotIssuer", "ok", "NotIssuer", "NotIssuer", "NotMember"),
    docType: DocType.GOODS_DECLARATION,
  },
  {
    name: "register a public batch of certificates of origin",
    run: async (m, actor) => {
      const { root, ordered } = standardTree(randomHashes(3));
      return {
        tx: m.registry.connect(m.cast[actor].account).registerPublicBatch(ordered, DocType.CERTIFICATE_OF_ORIGIN),
        event: "BatchRegistered",
        anchor: root,
      };
    },
    verdicts: row("NotIssuer", "ok", "NotIssuer", "NotIssuer", "NotIssuer", "NotMember"),
    docType: DocType.CERTIFICATE_OF_ORIGIN,
  },
  ...anchorActions(true),
  ...anchorActions(false),
  {
    name: "attest a document",
    run: async (m, actor) => {
      const doc = randomHash();
      await m.registry.connect(m.trader).register(doc, DocType.INVOICE);
      return { tx: m.registry.connect(m.cast[actor].account).attest(doc, Outcome.ACCEPTED, 0), event: "DocumentAttested", anchor: doc };
    },
    verdicts: row("NotAttester", "NotAttester", "ok", "ok", "NotAttester", "NotMember"),
  },
];

/** The arguments each refusal carries. */
function errorArgs(verdict: Verdict, account: string, anchor: string, docType: number | undefined): unknown[] {
  switch (verdict) {
    case "NotMember":
    case "NotAttester":
      return [account];
    case "NotIssuer":
      return [account, docType];
    case "NotIssuingOrganisation":
      return [account, anchor];
    default:
      throw new Error(`no error for ${verdict}`);
  }
}

describe("permission matrix", function () {
  for (const action of ACTIONS) {
    describe(action.name, function () {
      for (const actor of ACTORS) {
        const verdict = action.verdicts[actor];
        const who = ACTOR_NAMES[actor];
        it(`${who} ${verdict === "ok" ? "may" : `may not (${verdict})`} ${action.name}`, async function () {
          const m = await loadFixture(deployMatrix);
          const { account, org } = m.cast[actor];
          const { tx, event, anchor } = await action.run(m, actor);
          if (verdict === "ok") {
            const receipt = await (await (tx as Promise<{ wait: () => Promise<unknown> }>)).wait();
            expect(receipt).to.not.equal(null);
            await expect(tx).to.emit(m.registry, event);
            const log = (await m.registry.queryFilter(m.registry.getEvent(event as "DocumentRegistered"), -1)).at(-1)!;
            expect(log.args.organisation).to.equal(org);
            expect(log.args.account).to.equal(account.address);
          } else {
            await expect(tx)
              .to.be.revertedWithCustomError(m.registry, `DocumentRegistry${verdict}`)
              .withArgs(...errorArgs(verdict, account.address, anchor, action.docType));
          }
        });
      }
    });
  }
});
