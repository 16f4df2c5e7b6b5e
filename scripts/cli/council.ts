// `tradeproof council …`: M-of-N governance of membership, accounts and document-type policy.
import { Command, InvalidArgumentError, Option } from "commander";
import pc from "picocolors";
import type * as Sdk from "../../sdk/index.js";
import type { OrgKind } from "../../sdk/index.js";
import { withConnection, withSigner, type ConnectionOptions, type SignerOptions, ledger } from "./options.js";
import { docTypeArg, intArg } from "./inputs.js";
import { printJson, txLine } from "./output.js";
import { UsageError } from "./errors.js";

const KINDS: OrgKind[] = ["TRADER", "ISSUING_AUTHORITY", "CUSTOMS", "AGENCY", "AUDITOR"];

/** The SDK, loaded by a proposal's action before its calls are built (`--help` never loads it). */
let sdk: typeof Sdk;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** Checks an address's form here; its checksum once the command runs ({@link checksummed}), where ethers is loaded. */
function addressArg(value: string): string {
  if (!ADDRESS.test(value)) throw new InvalidArgumentError("not an Ethereum address (0x and 40 hex digits).");
  return value;
}

/** Every address among a command's arguments in its checksummed form, or a usage error for a bad mixed-case checksum. */
async function checksummed<T>(value: T): Promise<T> {
  const { getAddress } = await import("ethers");
  const fix = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(fix);
    if (typeof v !== "string" || !ADDRESS.test(v)) return v;
    try {
      return getAddress(v);
    } catch {
      throw new UsageError(`${v} is not an Ethereum address: its mixed-case checksum is wrong (check each letter, or give it in lower case).`);
    }
  };
  return fix(value) as T;
}
function countryArg(value: string): string {
  if (!/^[A-Z]{2}$/.test(value)) throw new InvalidArgumentError("an ISO 3166-1 alpha-2 code in capitals, e.g. VN.");
  return value;
}
function kindsArg(value: string): OrgKind[] {
  const kinds = value.split(",").map((k) => k.trim().toUpperCase());
  for (const k of kinds) if (!KINDS.includes(k as OrgKind)) throw new InvalidArgumentError(`each kind one of ${KINDS.join(", ")}.`);
  return kinds as OrgKind[];
}
const orgArg = intArg("organisation id", 0xffffff);

export function councilCommand(): Command {
  const council = new Command("council")
    .summary("propose, approve and execute governance changes")
    .description(
      "Every change of membership, signing accounts and document-type policy is a council proposal: a governor proposes, " +
        "other governors approve, and once the threshold is reached any governor executes it.",
    );
  council.addCommand(proposeCommand());
  council.addCommand(
    withSigner(new Command("approve").summary("approve a proposal").argument("<id>", "proposal id", intArg("proposal id", Number.MAX_SAFE_INTEGER)))
      .action(async (id: number, opts: SignerOptions) => {
        const client = await (await ledger()).signingClient(opts);
        process.stdout.write(`${txLine(`approved proposal #${id}`, await client.approveProposal(BigInt(id)))}\n`);
      }),
  );
  council.addCommand(
    withSigner(new Command("execute").summary("execute a proposal that reached the threshold").argument("<id>", "proposal id", intArg("proposal id", Number.MAX_SAFE_INTEGER)))
      .action(async (id: number, opts: SignerOptions) => {
        const client = await (await ledger()).signingClient(opts);
        process.stdout.write(`${txLine(`executed proposal #${id}`, await client.executeProposal(BigInt(id)))}\n`);
      }),
  );
  council.addCommand(
    withConnection(new Command("list").summary("list the proposals").option("--json", "print the proposals as JSON"))
      .action(async (opts: ConnectionOptions & { json?: boolean }) => {
        const client = await (await ledger()).readClient(opts);
        const [proposals, threshold] = await Promise.all([client.proposals(), client.council.threshold()]);
        if (opts.json) return printJson(proposals);
        const lines = proposals.map((p) => {
          const state = p.executed ? pc.green("executed") : pc.yellow(`${p.approvals} of ${threshold} approvals`);
          return `#${p.id}  ${state}  ${p.description}  ${pc.dim(`by ${p.proposer}, expires ${p.expiresAt}`)}`;
        });
        process.stdout.write(`${lines.length > 0 ? lines.join("\n") : "no proposals yet"}\n`);
      }),
  );
  return council;
}

/** An organisation given by its id or by its name (exact, any case), or a usage error naming the members. */
async function organisationArg(client: Sdk.TradeproofClient, given: string): Promise<{ id: number; name: string }> {
  const members = await client.members();
  const found = /^\d+$/.test(given.trim())
    ? members.filter((m) => m.id === Number(given.trim()))
    : members.filter((m) => m.name.toLowerCase() === given.trim().toLowerCase());
  if (found.length === 1) return found[0]!;
  throw new UsageError(`no organisation ${JSON.stringify(given)}; the members are: ${members.map((m) => `${m.id} ${m.name}`).join("; ")}`);
}

/** `council propose <helper>`: one subcommand per common proposal. */
function proposeCommand(): Command {
  const propose = new Command("propose")
    .summary("propose a change (and approve it as the proposer)")
    .addHelpText("after", "\nExample:\n  $ tradeproof council propose add-org --name \"Mekong Coffee Export JSC\" --country VN --kind TRADER --account 0x…");

  /** Declares a helper: its arguments and options, and how they become the proposal's calls and description. */
  const helper = (name: string, summary: string, configure: (c: Command) => Command,
    build: (d: Sdk.Deployment, args: unknown[], opts: Record<string, unknown>, client: Sdk.TradeproofClient) =>
      { calls: { target: Sdk.Hex; data: Sdk.Hex }[]; description: string } | Promise<{ calls: { target: Sdk.Hex; data: Sdk.Hex }[]; description: string }>) => {
    const cmd = withSigner(configure(new Command(name).summary(summary)).option("--description <text>", "what the proposal is for (default: generated)"));
    cmd.action(async (...all: unknown[]) => {
      const opts = await checksummed(all[all.length - 2] as SignerOptions & { description?: string });
      const args = await checksummed(all.slice(0, -2));
      sdk = await import("../../sdk/index.js");
      const client = await (await ledger()).signingClient(opts);
      const { calls, description } = await build(client.deployment, args, opts as unknown as Record<string, unknown>, client);
      const id = await client.propose(calls, opts.description ?? description);
      process.stdout.write(`proposed #${id}: ${opts.description ?? description}\n` +
        pc.dim(`other governors approve with \`tradeproof council approve ${id}\`, then \`tradeproof council execute ${id}\`\n`));
    });
    propose.addCommand(cmd);
  };

  helper("add-org", "admit an organisation with its signing accounts",
    (c) => c.requiredOption("--name <name>", "organisation name")
      .addOption(new Option("--country <cc>", "ISO 3166-1 alpha-2 country").argParser(countryArg).makeOptionMandatory())
      .addOption(new Option("--kind <kind>", "organisation kind").choices(KINDS).makeOptionMandatory())
      .addOption(new Option("--account <address...>", "signing accounts").argParser(collectAddress).makeOptionMandatory()),
    (d, _a, o) => ({
      calls: [sdk.addOrganisationCall(d, { name: o.name as string, country: o.country as string, kind: o.kind as OrgKind, accounts: o.account as string[] })],
      description: `Admit ${o.name as string} (${o.country as string}, ${o.kind as string})`,
    }));
  helper("suspend", "suspend an organisation (its documents stay verifiable)",
    (c) => c.argument("<organisation>", "organisation id or name (as `tradeproof members` lists it)"),
    async (d, [org], _o, client) => {
      const o = await organisationArg(client, org as string);
      return { calls: [sdk.suspendOrganisationCall(d, o.id)], description: `Suspend ${o.name} (organisation ${o.id})` };
    });
  helper("reinstate", "reinstate a suspended organisation",
    (c) => c.argument("<organisation>", "organisation id or name (as `tradeproof members` lists it)"),
    async (d, [org], _o, client) => {
      const o = await organisationArg(client, org as string);
      return { calls: [sdk.reinstateOrganisationCall(d, o.id)], description: `Reinstate ${o.name} (organisation ${o.id})` };
    });
  helper("add-account", "add a signing account to an organisation",
    (c) => c.argument("<organisation>", "organisation id", orgArg).argument("<account>", "address", addressArg),
    (d, [org, account]) => ({ calls: [sdk.addAccountCall(d, { organisation: org as number, account: account as string })], description: `Add account ${account as string} to organisation ${org as number}` }));
  helper("remove-account", "remove a signing account",
    (c) => c.argument("<account>", "address", addressArg),
    (d, [account]) => ({ calls: [sdk.removeAccountCall(d, account as string)], description: `Remove account ${account as string}` }));
  helper("rotate-account", "replace a signing account by a new one",
    (c) => c.argument("<old>", "address", addressArg).argument("<new>", "address", addressArg),
    (d, [oldA, newA]) => ({ calls: [sdk.rotateAccountCall(d, { oldAccount: oldA as string, newAccount: newA as string })], description: `Rotate account ${oldA as string} to ${newA as string}` }));
  helper("set-policy", "set who may register a document type, and how many approvals it needs",
    (c) => c.argument("<type>", "UNTDID 1001 document type code", docTypeArg)
      .requiredOption("--kinds <kinds>", `comma-separated kinds allowed to register it (${KINDS.join(", ")})`, kindsArg)
      .requiredOption("--approvals <n>", "distinct accounts of the issuing organisation that must approve (1 = none beyond the issuer)", intArg("--approvals", 16)),
    (d, [type], o) => ({
      calls: [sdk.setPolicyCall(d, { docType: Number(type), allowedKinds: o.kinds as OrgKind[], approvals: o.approvals as number })],
      description: `Document type ${type as string}: ${(o.kinds as string[]).join(" or ")}, ${o.approvals as number} approval(s)`,
    }));
  return propose;
}

function collectAddress(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), addressArg(value)];
}
