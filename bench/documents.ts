/**
 * Deterministic trade documents of about 4 KB, shaped as OpenAttestation v2 documents (an `issuers`
 * entry with a document store) so that the very same objects go through both Tradeproof and
 * OpenAttestation's `wrapDocuments`.
 */

/** Address the generated documents name as their OpenAttestation document store (any address validates). */
export const OA_DOCUMENT_STORE = "0x9178F546D3FF57D7A6352bD61B80cCCD46199C2d";

/** mulberry32: a tiny seeded PRNG, so every run (and both sides) sees identical documents (and a crash test's seed replays its kill times). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GOODS = [
  "Cotton T-shirts, knitted, HS 6109.10",
  "Men's trousers, woven cotton, HS 6203.42",
  "Frozen pangasius fillets, HS 0304.62",
  "Robusta coffee beans, not roasted, HS 0901.11",
  "Cashew nuts, shelled, HS 0801.32",
  "Wooden bedroom furniture, HS 9403.50",
  "Rubber gloves, HS 4015.19",
  "Black pepper, neither crushed nor ground, HS 0904.11",
];

/** One invoice-like document; `i` decides its content, so document i is the same on every call. */
export function makeDocument(i: number) {
  const rnd = prng(0x7ade ^ (i * 2654435761));
  const lines = Array.from({ length: 23 }, (_, n) => {
    const quantity = 1 + Math.floor(rnd() * 5000);
    const unitPrice = Math.round(rnd() * 10_000) / 100;
    return {
      line: n + 1,
      description: GOODS[Math.floor(rnd() * GOODS.length)],
      quantity,
      unit: "PCE",
      unitPrice,
      amount: Math.round(quantity * unitPrice * 100) / 100,
      origin: "VN",
    };
  });
  return {
    $template: { name: "COMMERCIAL_INVOICE", type: "EMBEDDED_RENDERER", url: "https://renderer.example.org" },
    issuers: [{ name: "Saigon Textiles JSC", documentStore: OA_DOCUMENT_STORE, identityProof: { type: "DNS-TXT", location: "example.org" } }],
    documentType: "380",
    invoiceNumber: `INV-2026-${String(i).padStart(7, "0")}`,
    issueDate: "2026-11-23",
    seller: { name: "Saigon Textiles JSC", address: "12 Nguyen Hue, District 1, Ho Chi Minh City", country: "VN", taxId: `03${Math.floor(rnd() * 1e8)}` },
    buyer: { name: "Rotterdam Imports BV", address: "Wilhelminakade 909, 3072 AP Rotterdam", country: "NL", vatId: `NL${Math.floor(rnd() * 1e9)}B01` },
    incoterms: "FOB Cat Lai",
    currency: "USD",
    lines,
    total: Math.round(lines.reduce((s, l) => s + l.amount, 0) * 100) / 100,
    remarks: "Goods of Vietnamese origin. Payment by irrevocable documentary credit at sight.",
  };
}

/** `n` documents, `from` … `from + n - 1`. */
export const makeDocuments = (n: number, from = 0) => Array.from({ length: n }, (_, i) => makeDocument(from + i));
