// The demo consortium of the tests, shared by the contract fixtures (in-process chain) and the API/CLI helpers
// (anvil). No top-level side effects: `hardhat test` loads every file under test/.
import { hexlify, toUtf8Bytes, type Interface } from "ethers";

/** Organisation kinds, in the contract's order. */
export const Kind = { NONE: 0, TRADER: 1, ISSUING_AUTHORITY: 2, CUSTOMS: 3, AGENCY: 4, AUDITOR: 5 } as const;

/** UNTDID 1001 codes used by the tests. */
export const DocType = { INVOICE: 380, CERTIFICATE_OF_ORIGIN: 861, GOODS_DECLARATION: 830, BILL_OF_LADING: 705 } as const;

/** The bit set of organisation kinds that a policy allows. */
export const kinds = (...list: number[]) => list.reduce((bits, k) => bits | (1 << k), 0);

export interface ConsortiumAccounts {
  trader: string;
  trader2: string;
  officer1: string;
  officer2: string;
  customs: string;
  agency: string;
  auditor: string;
  otherTrader: string;
}

/**
 * The council calls that admit the demo organisations (ids 1 to 6 in this order: trader, authority, customs,
 * agency, auditor, other trader) and set the policies: certificates of origin by authorities with two approvals,
 * invoices by traders, goods declarations by traders or customs.
 */
export function consortiumCalls(registry: { interface: Interface }, target: string, a: ConsortiumAccounts) {
  const add = (name: string, country: string, kind: number, accounts: string[]) => ({
    target,
    data: registry.interface.encodeFunctionData("addOrganisation", [name, hexlify(toUtf8Bytes(country)), kind, accounts]),
  });
  const policy = (docType: number, allowed: number, approvals: number) => ({
    target,
    data: registry.interface.encodeFunctionData("setDocumentPolicy", [docType, allowed, approvals]),
  });
  return [
    add("Saigon Textiles JSC", "VN", Kind.TRADER, [a.trader, a.trader2]),
    add("VCCI Ho Chi Minh City", "VN", Kind.ISSUING_AUTHORITY, [a.officer1, a.officer2]),
    add("General Department of Vietnam Customs", "VN", Kind.CUSTOMS, [a.customs]),
    add("Plant Protection Department", "VN", Kind.AGENCY, [a.agency]),
    add("State Audit Office", "VN", Kind.AUDITOR, [a.auditor]),
    add("Rotterdam Imports BV", "NL", Kind.TRADER, [a.otherTrader]),
    policy(DocType.CERTIFICATE_OF_ORIGIN, kinds(Kind.ISSUING_AUTHORITY), 2),
    policy(DocType.INVOICE, kinds(Kind.TRADER), 1),
    policy(DocType.GOODS_DECLARATION, kinds(Kind.TRADER, Kind.CUSTOMS), 1),
  ];
}
