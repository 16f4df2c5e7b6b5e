// The demo consortium of `npm start` and `tradeproof deploy --demo`.
//
// DEMO KEYS ARE PUBLIC. Every account here comes from the well-known Hardhat/anvil test mnemonic
// "test test test test test test test test test test test junk", whose private keys are printed by
// every local node and published everywhere. They are for a local chain only: anything they sign on
// a real network can be forged by anyone. `assertLocalChain` refuses other chains.
import { HDNodeWallet, type Provider } from "ethers";
import {
  addOrganisationCall,
  deployLedger,
  setPolicyCall,
  TradeproofClient,
  WrongChainError,
  type Deployment,
  type Hex,
  type OrgKind,
} from "../sdk/index.js";

/** The Hardhat/anvil test mnemonic. Public: never use it outside a local chain. */
export const DEMO_MNEMONIC = "test test test test test test test test test test test junk";

/** Chain ids of local development nodes (anvil and Hardhat use 31337), the only ones the demo keys may touch. */
export const LOCAL_CHAIN_IDS: readonly number[] = [31337, 1337];

/** Which account of the mnemonic (m/44'/60'/0'/0/index) plays which part. */
export const DEMO_ROLES = {
  governor1: 0,
  governor2: 1,
  governor3: 2,
  trader: 3,
  officer1: 4,
  officer2: 5,
  customs: 6,
  agency: 7,
  auditor: 8,
} as const;
export type DemoRole = keyof typeof DEMO_ROLES;

/** The demo organisations, in the order they are admitted (so their ids are 1 to 5 on a fresh ledger). */
export const DEMO_ORGANISATIONS: readonly { key: string; name: string; country: string; kind: OrgKind; roles: DemoRole[] }[] = [
  { key: "trader", name: "Mekong Coffee Export JSC", country: "VN", kind: "TRADER", roles: ["trader"] },
  {
    key: "authority",
    name: "Regional Export-Import Management Office, Ho Chi Minh City",
    country: "VN",
    kind: "ISSUING_AUTHORITY",
    roles: ["officer1", "officer2"],
  },
  { key: "customs", name: "Cat Lai Port Customs Branch", country: "VN", kind: "CUSTOMS", roles: ["customs"] },
  { key: "agency", name: "Plant Protection Department", country: "VN", kind: "AGENCY", roles: ["agency"] },
  { key: "auditor", name: "State Audit Office of Vietnam", country: "VN", kind: "AUDITOR", roles: ["auditor"] },
];

/** Document-type policies of the demo (UNTDID 1001 codes). */
export const DEMO_POLICIES: readonly { docType: number; allowedKinds: OrgKind[]; approvals: number }[] = [
  { docType: 861, allowedKinds: ["ISSUING_AUTHORITY"], approvals: 2 }, // certificate of origin: four eyes
  { docType: 380, allowedKinds: ["TRADER"], approvals: 1 }, // commercial invoice
  { docType: 271, allowedKinds: ["TRADER"], approvals: 1 }, // packing list
  { docType: 705, allowedKinds: ["TRADER"], approvals: 1 }, // bill of lading
  { docType: 830, allowedKinds: ["TRADER", "CUSTOMS"], approvals: 1 }, // goods declaration for exportation
];

/** A demo account: its part, address and (public!) private key. */
export interface DemoAccount {
  role: DemoRole;
  index: number;
  address: Hex;
  privateKey: Hex;
}

/** The wallet of a demo role, derived from the public test mnemonic. */
export function demoWallet(role: DemoRole, provider?: Provider): HDNodeWallet {
  const wallet = HDNodeWallet.fromPhrase(DEMO_MNEMONIC, undefined, `m/44'/60'/0'/0/${DEMO_ROLES[role]}`);
  return provider ? wallet.connect(provider) : wallet;
}

/** Every demo account, for printing where the demo keys are or writing them to a file. */
export function demoAccounts(): DemoAccount[] {
  return (Object.keys(DEMO_ROLES) as DemoRole[]).map((role) => {
    const w = demoWallet(role);
    return { role, index: DEMO_ROLES[role], address: w.address as Hex, privateKey: w.privateKey as Hex };
  });
}

/** Throws unless `provider` is a local development chain: the demo keys are public. */
export async function assertLocalChain(provider: Provider): Promise<void> {
  const { chainId } = await provider.getNetwork();
  if (!LOCAL_CHAIN_IDS.includes(Number(chainId))) {
    throw new WrongChainError(
      `Refusing to use the public demo keys on chain ${chainId}: they are for a local chain (id ${LOCAL_CHAIN_IDS.join(" or ")}) only.`,
    );
  }
}

/**
 * Deploys forwarder, council and registry from demo governor 1, with the three demo governors and a
 * threshold of 2.
 */
export async function deployDemoLedger(provider: Provider): Promise<Deployment> {
  await assertLocalChain(provider);
  const governors = (["governor1", "governor2", "governor3"] as const).map((r) => demoWallet(r).address);
  return deployLedger(demoWallet("governor1", provider), { governors, threshold: 2 });
}

/** What {@link seedDemoConsortium} set up. */
export interface DemoConsortium {
  /** Organisation ids by part. */
  organisations: Record<string, number>;
  accounts: DemoAccount[];
  /** False when the ledger was seeded already (e.g. `npm start` after a restart): nothing was sent. */
  seeded: boolean;
}

/**
 * Admits the demo organisations and sets the demo policies, through the council: governor 1 proposes
 * everything in one proposal, governor 2 approves and executes it (threshold 2). Idempotent: a ledger
 * on which the demo trader is already a member is left as it is.
 *
 * @example
 * ```ts
 * import { JsonRpcProvider } from "ethers";
 * import { deployDemoLedger, seedDemoConsortium } from "./scripts/demo.js";
 * const provider = new JsonRpcProvider("http://127.0.0.1:8545");
 * const deployment = await deployDemoLedger(provider);
 * const { organisations } = await seedDemoConsortium({ provider, deployment });
 * ```
 */
export async function seedDemoConsortium({ provider, deployment }: { provider: Provider; deployment: Deployment }): Promise<DemoConsortium> {
  await assertLocalChain(provider);
  const proposer = await TradeproofClient.connect({ runner: demoWallet("governor1", provider), deployment });
  const accounts = demoAccounts();
  const address = (role: DemoRole) => accounts.find((a) => a.role === role)!.address;

  const [existing] = await proposer.registry.accountOf(address("trader"));
  if (existing !== 0n) {
    const members = await proposer.members();
    const organisations = Object.fromEntries(
      DEMO_ORGANISATIONS.map((o) => [o.key, members.find((m) => m.accounts.includes(address(o.roles[0])))?.id ?? 0]),
    );
    return { organisations, accounts, seeded: false };
  }

  const firstId = Number(await proposer.registry.organisationCount()) + 1;
  const calls = [
    ...DEMO_ORGANISATIONS.map((o) =>
      addOrganisationCall(deployment, { name: o.name, country: o.country, kind: o.kind, accounts: o.roles.map(address) }),
    ),
    ...DEMO_POLICIES.map((p) => setPolicyCall(deployment, p)),
  ];
  const id = await proposer.propose(calls, "Demo consortium: admit the demo organisations and set document-type policies");
  const second = await TradeproofClient.connect({ runner: demoWallet("governor2", provider), deployment });
  await second.approveProposal(id);
  await second.executeProposal(id);
  const organisations = Object.fromEntries(DEMO_ORGANISATIONS.map((o, i) => [o.key, firstId + i]));
  return { organisations, accounts, seeded: true };
}
