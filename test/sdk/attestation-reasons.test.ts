import { expect } from "chai";
import { readFileSync } from "node:fs";
import {
  ATTESTATION_REASONS, attestationReason, InvalidArgumentError, OWN_REASON_CODES_FROM, parseAttestationReason, withReasonName,
} from "../../sdk/index.js";

describe("SDK: attestation reasons, one documented list", function () {
  it("takes a listed reason by id (any case, spaces or dashes) or by code, and an administration's own code", function () {
    expect(parseAttestationReason("CONTENT_MISMATCH")).to.equal(21);
    expect(parseAttestationReason(" content-mismatch ")).to.equal(21);
    expect(parseAttestationReason("physical examination")).to.equal(2);
    expect(parseAttestationReason(21)).to.equal(21);
    expect(parseAttestationReason("21")).to.equal(21);
    expect(parseAttestationReason(0)).to.equal(0);
    expect(parseAttestationReason(OWN_REASON_CODES_FROM)).to.equal(1_000);
    expect(parseAttestationReason(65_535)).to.equal(65_535);
  });

  it("refuses an unlisted code below 1000, a code above 65535 and an unknown id, saying what to give", function () {
    const refusal = (value: string | number) => {
      try {
        parseAttestationReason(value);
      } catch (e) {
        expect(e).to.be.instanceOf(InvalidArgumentError);
        return (e as Error).message;
      }
      throw new Error(`accepted ${value}`);
    };
    expect(refusal(12)).to.equal(
      "The reason code 12 is not on the list; codes below 1000 are kept for it. Give one of DOCUMENTARY_CHECK, PHYSICAL_EXAMINATION, " +
        "CONFIRMED_WITH_ISSUER, RISK_SELECTION, RANDOM_SELECTION, NOT_ANCHORED, CONTENT_MISMATCH, REVOKED_OR_REPLACED, ISSUER_NOT_AUTHORISED, " +
        "OUT_OF_VALIDITY, SUSPECTED_FORGERY, INCOMPLETE, or a code of your administration's own from 1000 to 65535.",
    );
    expect(refusal(65_536)).to.equal("The reason code 65536 is too large: codes go up to 65535.");
    expect(refusal("BRIBERY")).to.match(/^Unknown reason "BRIBERY"\. Give one of DOCUMENTARY_CHECK, /);
    for (const bad of [-1, 2.5, "", "0x15", "21a"]) expect(refusal(bad)).to.match(/^Unknown reason/);
  });

  it("names a listed code in a result and in history details, and leaves 0 and an administration's code unnamed", function () {
    expect(attestationReason(0)).to.equal(undefined);
    expect(attestationReason(25)).to.deep.equal({ code: 25, name: "Suspected forgery" });
    expect(attestationReason(4711)).to.deep.equal({ code: 4711 });
    expect(withReasonName({ outcome: "REJECTED", reasonCode: 25 })).to.deep.equal({ outcome: "REJECTED", reasonCode: 25, reason: "Suspected forgery" });
    expect(withReasonName({ outcome: "ACCEPTED", reasonCode: 0 })).to.deep.equal({ outcome: "ACCEPTED", reasonCode: 0 });
    expect(withReasonName({ reason: "issued in error" })).to.deep.equal({ reason: "issued in error" }); // a revocation's own reason stays
  });

  it("codes and ids are unique, below 1000, and the README's table lists exactly them", function () {
    const codes = ATTESTATION_REASONS.map((r) => r.code);
    expect(new Set(codes).size).to.equal(codes.length);
    expect(new Set(ATTESTATION_REASONS.map((r) => r.id)).size).to.equal(codes.length);
    for (const r of ATTESTATION_REASONS) {
      expect(r.code).to.be.within(1, OWN_REASON_CODES_FROM - 1);
      expect(r.id).to.match(/^[A-Z]+(_[A-Z]+)*$/);
    }
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const rows = [...readme.matchAll(/^\| (\d+) \| `([A-Z_]+)` \| ([^|]+) \|$/gm)].map((m) => ({ code: Number(m[1]), id: m[2], name: m[3].trim() }));
    expect(rows).to.deep.equal(ATTESTATION_REASONS.map((r) => ({ ...r })));
  });
});
