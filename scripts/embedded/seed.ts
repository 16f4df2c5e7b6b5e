// First-start content of the embedded ledger: the sample shipment anchored, plus one superseded and one
// revoked document so the web verifier has every status to show. Every step looks at the ledger first, so
// running it again (after a crash half-way) finishes the job without sending anything twice.
import { mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Provider } from "ethers";
import { hashFile, TradeproofClient, type Deployment, type DocumentReference, type Hex, type ReferenceScheme, type Receipt } from "../../sdk/index.js";
import { demoWallet, type DemoRole } from "../demo.js";

/** A document of the demo folder and what the seed does with it. */
export interface DemoDocument {
  file: string;
  docType: number;
  issuer: DemoRole;
  /** Roles that countersign after the issuer (four eyes). */
  countersigners?: DemoRole[];
  /** The field that holds the number printed on the document, and its scheme: the document is filed under it. */
  reference?: { field: string; scheme: ReferenceScheme };
}

/** The files the seed writes next to the samples. */
export const DEMO_EXTRA_FILES = {
  /** An earlier draft of the sample invoice, replaced by it. */
  draftInvoice: "commercial-invoice-draft.json",
  /** A certificate issued with the wrong consignee, revoked by the authority. */
  revokedCertificate: "certificate-of-origin-revoked.json",
} as const;

const SAMPLE_TYPES: Record<string, DemoDocument> = {
  "certificate-of-origin.json": { file: "certificate-of-origin.json", docType: 861, issuer: "officer1", countersigners: ["officer2"], reference: { field: "referenceNumber", scheme: "certificate" } },
  "commercial-invoice.json": { file: "commercial-invoice.json", docType: 380, issuer: "trader", reference: { field: "invoiceNumber", scheme: "invoice" } },
  "goods-declaration.json": { file: "goods-declaration.json", docType: 830, issuer: "trader", reference: { field: "declarationNumber", scheme: "declaration" } },
};

/** Copies the samples into `demoDir` and derives the draft invoice and the wrongly issued certificate. */
export async function prepareDemoFolder(samplesDir: string, demoDir: string): Promise<string[]> {
  await mkdir(join(demoDir, "receipts"), { recursive: true });
  const copied: string[] = [];
  for (const name of (await readdir(samplesDir)).filter((n) => n.endsWith(".json"))) {
    // Contents only, not the mode: the shared samples are read-only, the demo copies need not be.
    const bytes = await readFile(join(samplesDir, name));
    const target = join(demoDir, name);
    if (existsSync(target) && (await readFile(target)).equals(bytes)) continue;
    await rm(target, { force: true });
    await writeFile(target, bytes);
    copied.push(name);
  }
  const invoicePath = join(demoDir, "commercial-invoice.json");
  if (existsSync(invoicePath) && !existsSync(join(demoDir, DEMO_EXTRA_FILES.draftInvoice))) {
    const invoice = JSON.parse(await readFile(invoicePath, "utf8")) as Record<string, unknown>;
    invoice.paymentTerms = "DRAFT - superseded by the final invoice";
    await writeFile(join(demoDir, DEMO_EXTRA_FILES.draftInvoice), `${JSON.stringify(invoice, null, 2)}\n`);
  }
  const certPath = join(demoDir, "certificate-of-origin.json");
  if (existsSync(certPath) && !existsSync(join(demoDir, DEMO_EXTRA_FILES.revokedCertificate))) {
    const cert = JSON.parse(await readFile(certPath, "utf8")) as Record<string, unknown>;
    cert.referenceNumber = `${String(cert.referenceNumber)}-ERR`;
    (cert.consignee as Record<string, unknown>).name = "Lion City Roaster Pte Ltd (misspelt)";
    await writeFile(join(demoDir, DEMO_EXTRA_FILES.revokedCertificate), `${JSON.stringify(cert, null, 2)}\n`);
  }
  return copied;
}

export interface SeedOptions {
  provider: Provider;
  deployment: Deployment;
  demoDir: string;
  log?: (line: string) => void;
}

/**
 * Anchors the demo documents. Returns the doc hashes by file name.
 */
export async function seedDemoDocuments({ provider, deployment, demoDir, log = () => {} }: SeedOptions): Promise<Record<string, Hex>> {
  const clients = new Map<DemoRole, TradeproofClient>();
  const as = async (role: DemoRole) => {
    let c = clients.get(role);
    if (!c) {
      c = await TradeproofClient.connect({ runner: demoWallet(role, provider), deployment });
      clients.set(role, c);
    }
    return c;
  };
  const reader = await as("auditor");
  const hashes: Record<string, Hex> = {};
  const saveReceipt = (name: string, receipt: Receipt) =>
    // The CLI's rule (`<file name>.receipt.json`, extension kept), so that `verify --receipts` finds them.
    writeFile(join(demoDir, "receipts", `${name}.receipt.json`), `${JSON.stringify(receipt, null, 2)}\n`);

  const receiptHasReference = async (name: string) => {
    try {
      return (JSON.parse(await readFile(join(demoDir, "receipts", `${name}.receipt.json`), "utf8")) as Receipt).reference !== undefined;
    } catch {
      return false;
    }
  };

  // The number printed on a document, when the deployment can file it (one made before references cannot).
  const referenceOf = async (doc: DemoDocument, path: string): Promise<DocumentReference | undefined> => {
    if (!doc.reference || !deployment.references) return undefined;
    const id = (JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>)[doc.reference.field];
    return typeof id === "string" ? { scheme: doc.reference.scheme, id } : undefined;
  };

  const anchor = async (doc: DemoDocument) => {
    const path = join(demoDir, doc.file);
    if (!existsSync(path)) return undefined;
    const docHash = await hashFile(path);
    hashes[doc.file] = docHash;
    const reference = await referenceOf(doc, path);
    let state = await reader.verify(docHash);
    if (state.status === "NOT_FOUND") {
      const receipt = await (await as(doc.issuer)).register(docHash, doc.docType, reference ? { reference } : {});
      await saveReceipt(doc.file, receipt);
      log(`anchored ${doc.file} ${docHash}${reference ? ` under ${reference.scheme} number ${reference.id}` : ""}`);
      state = await reader.verify(docHash);
    } else if (reference && !(await receiptHasReference(doc.file))) {
      // Anchored by an earlier start that stopped before filing it (its receipt, written after the filing, says
      // nothing of it): file it now, once.
      const issuer = await as(doc.issuer);
      const [organisation] = await issuer.registry.accountOf(await issuer.signer!.getAddress());
      const found = await reader.findByReference({ issuer: Number(organisation), ...reference });
      if (!found.documents.some((d) => d.result.docHash === docHash)) {
        await issuer.fileReferences(docHash, [{ docHash, reference }]);
        log(`filed ${doc.file} under ${reference.scheme} number ${reference.id}`);
      }
    }
    if (state.status === "PENDING") {
      for (const role of doc.countersigners ?? []) {
        state = await reader.verify(docHash);
        if (state.status !== "PENDING") break;
        await (await as(role)).approve(docHash);
        log(`countersigned ${doc.file} (${role})`);
      }
    }
    return docHash;
  };

  // The draft first, so the final invoice can replace it.
  const draft = await anchor({ file: DEMO_EXTRA_FILES.draftInvoice, docType: 380, issuer: "trader", reference: { field: "invoiceNumber", scheme: "invoice" } });
  for (const doc of Object.values(SAMPLE_TYPES)) await anchor(doc);
  const finalInvoice = hashes["commercial-invoice.json"];
  if (draft && finalInvoice && (await reader.verify(draft)).status === "VALID") {
    await (await as("trader")).supersede(draft, finalInvoice);
    log(`superseded ${DEMO_EXTRA_FILES.draftInvoice} by commercial-invoice.json`);
  }

  const wrong = await anchor({
    file: DEMO_EXTRA_FILES.revokedCertificate, docType: 861, issuer: "officer1", countersigners: ["officer2"],
    reference: { field: "referenceNumber", scheme: "certificate" },
  });
  if (wrong && (await reader.verify(wrong)).status === "VALID") {
    await (await as("officer1")).revoke(wrong, "Issued in error: consignee name misspelt; replaced by VN-SG 26/01/000123");
    log(`revoked ${DEMO_EXTRA_FILES.revokedCertificate}`);
  }

  // Customs and the plant-protection agency record their outcomes on the shipment's documents.
  const declaration = hashes["goods-declaration.json"];
  if (declaration && ((await reader.verify(declaration)).attestations ?? []).length === 0) {
    await (await as("customs")).attest(declaration, "ACCEPTED", "DOCUMENTARY_CHECK");
    log("customs accepted goods-declaration.json");
  }
  const certificate = hashes["certificate-of-origin.json"];
  if (certificate && ((await reader.verify(certificate)).attestations ?? []).length === 0) {
    await (await as("agency")).attest(certificate, "INSPECTED", "PHYSICAL_EXAMINATION");
    await (await as("customs")).attest(certificate, "ACCEPTED", "CONFIRMED_WITH_ISSUER");
    log("agency inspected and customs accepted certificate-of-origin.json");
  }
  return hashes;
}
