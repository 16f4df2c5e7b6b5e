import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { once } from "node:events";
import canonicalize from "canonicalize";
import fc from "fast-check";
import {
  InvalidArgumentError,
  InvalidDocumentError,
  InvalidHashError,
  canonicalJson,
  hashBytes,
  hashDocument,
  hashFile,
  hashFiles,
  hashJson,
  hashOneFile,
  hashStream,
  isDocHash,
  normalizeDocHash,
} from "../../sdk/index.js";

const SHARED = new URL("../../../shared/", import.meta.url).pathname;
const JCS = join(SHARED, "vectors/jcs");
const SAMPLES = join(SHARED, "samples");

const sha256Hex = (s: string | Uint8Array) => `0x${createHash("sha256").update(s).digest("hex")}`;

/** An IEEE-754 double from the big-endian hex of the upstream number files (leading zeros stripped). */
function doubleFromHex(hex: string): number {
  const buf = Buffer.from(hex.padStart(16, "0"), "hex");
  return buf.readDoubleBE(0);
}

function sha256sum(path: string): string {
  return `0x${execFileSync("sha256sum", [path], { encoding: "utf8" }).split(/\s+/)[0]}`;
}

describe("SDK hashing", function () {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), "tradeproof-hash-"))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe("JCS (RFC 8785) edge cases", function () {
    it("sorts object keys by UTF-16 code units, recursively", function () {
      expect(canonicalJson({ b: 1, a: { d: 2, c: 3 }, A: 0 })).to.equal('{"A":0,"a":{"c":3,"d":2},"b":1}');
      // "€" (U+20AC) sorts before "😂" (U+D83D U+DE02 in UTF-16), even though its code point is smaller.
      expect(canonicalJson({ "😂": 1, "€": 2, "\r": 3 })).to.equal('{"\\r":3,"€":2,"😂":1}');
    });

    it("keeps unicode as is and escapes only what JSON requires", function () {
      expect(canonicalJson({ s: "é ü 中 😂" })).to.equal('{"s":"é ü 中 😂"}');
      expect(canonicalJson("\u0000\u001f\"\\/\b\f\n\r\t\u007f")).to.equal('"\\u0000\\u001f\\"\\\\/\\b\\f\\n\\r\\t\u007f"');
    });

    it("writes numbers the ES6 way: 1.0 as 1, 1e21 as 1e+21, -0 as 0", function () {
      expect(canonicalJson([1.0, 1e21, -0, 1e-7, 0.000001, 100, 1.5])).to.equal("[1,1e+21,0,1e-7,0.000001,100,1.5]");
    });

    it("writes large integers as their nearest double, and hashes 1.0 and 1 alike", function () {
      expect(canonicalJson(JSON.parse("[9007199254740993, 12345678901234567890]"))).to.equal("[9007199254740992,12345678901234567000]");
      expect(hashJson(JSON.parse('{"total":1.0}'))).to.equal(hashJson({ total: 1 }));
    });

    it("keeps array order and nests arrays and objects", function () {
      expect(canonicalJson([3, [2, [1, { z: [], a: {} }]], null, true])).to.equal('[3,[2,[1,{"a":{},"z":[]}]],null,true]');
    });

    it("refuses values JCS cannot encode with InvalidDocumentError", function () {
      for (const bad of [NaN, Infinity, -Infinity, { x: NaN }, "\uD800", undefined, 1n]) {
        expect(() => hashJson(bad), String(bad)).to.throw(InvalidDocumentError);
      }
    });
  });

  // canonicalJson writes plain data through a sorted copy and the engine's JSON.stringify, and everything else
  // through the canonicalize library: both must give the library's bytes.
  describe("the fast path for plain data agrees with the canonicalize library", function () {
    const keyChars = fc.constantFrom("a", "b", "A", "0", "1", "9", "-", "é", "€", "😂", "\r", "\u2028", "_", "z");
    const key = fc.oneof(fc.string({ unit: "grapheme", maxLength: 6 }), fc.string({ unit: keyChars, maxLength: 4 }), fc.constantFrom("__proto__", "toJSON", "10", "9", "01", "4294967295"));
    const number = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.constantFrom(-0, 1e21, 1e-7, 2 ** 53 + 2, 0.1 + 0.2));
    const { value } = fc.letrec<{ value: unknown }>((tie) => ({
      value: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        fc.constantFrom(null, true, false),
        number,
        fc.string({ unit: "binary", maxLength: 12 }),
        fc.array(tie("value"), { maxLength: 5 }),
        fc.dictionary(key, tie("value"), { maxKeys: 6 }),
      ),
    }));

    it("gives the same text on generated JSON (unicode and digit keys, __proto__, numbers, lone surrogates)", function () {
      fc.assert(
        fc.property(value, (v) => {
          let expected: string | undefined;
          try {
            expected = canonicalize(v);
          } catch {
            expect(() => canonicalJson(v)).to.throw(InvalidDocumentError);
            return;
          }
          expect(canonicalJson(v)).to.equal(expected);
        }),
        { numRuns: 2_000 },
      );
    });

    it("orders integer-like keys as strings, as JCS does, not numerically as the engine lists them", function () {
      expect(canonicalJson({ 10: "a", 9: "b", 1: "c", x: { 2: 0, 10: 1 } })).to.equal('{"1":"c","10":"a","9":"b","x":{"10":1,"2":0}}');
    });

    it("sorts objects with many members (a general sort above 32 keys) like the library", function () {
      const keys = Array.from({ length: 100 }, (_, i) => `k${(i * 37) % 100}${["é", "😂", "a"][i % 3]}`);
      const wide = Object.fromEntries(keys.map((k, i) => [k, { [`z${i}`]: i, [`a${i}`]: [i, `${k}`] }]));
      expect(canonicalJson(wide)).to.equal(canonicalize(wide));
    });

    it("keeps a __proto__ member and hands other values (toJSON, boxed, undefined, deep nesting) to the library", function () {
      const parsed = JSON.parse('{"__proto__":{"b":1},"a":2}');
      expect(canonicalJson(parsed)).to.equal('{"__proto__":{"b":1},"a":2}');
      const odd = { d: new Date(0), n: Object(5), s: Object("x"), u: undefined, arr: [undefined, () => 1], nested: { toJSON: () => ({ z: 1, y: 2 }) } };
      expect(canonicalJson(odd)).to.equal(canonicalize(odd));
      let deep: unknown = 1;
      for (let i = 0; i < 2_000; i++) deep = { k: [deep] };
      expect(canonicalJson(deep)).to.equal(canonicalize(deep));
      expect(canonicalJson(Object.assign(Object.create(null), { b: 1, a: 2 }))).to.equal('{"a":2,"b":1}');
    });

    it("honours toJSON on arrays, and stays canonical when the prototypes were tampered with", function () {
      const withToJson = Object.assign([1, 2], { toJSON: () => "x" });
      class Listing extends Array {
        toJSON() {
          return { z: 1, a: 2 };
        }
      }
      const sub = Listing.from([1]);
      expect(canonicalJson(withToJson)).to.equal('"x"');
      expect(canonicalJson(sub)).to.equal('{"a":2,"z":1}');
      expect(canonicalJson([1, , 3])).to.equal(canonicalize([1, , 3])); // eslint-disable-line no-sparse-arrays
      const parsed = () => JSON.parse('{"b":2,"a":1,"list":[{"y":1,"x":2}]}');
      try {
        Object.defineProperty(Array.prototype, "toJSON", { value: () => ({ z: 1, y: 2 }), configurable: true, writable: true });
        expect(canonicalJson(parsed())).to.equal(canonicalize(parsed()));
      } finally {
        delete (Array.prototype as { toJSON?: unknown }).toJSON;
      }
      for (const tamper of [{ set() {}, configurable: true }, { value: 0, writable: false, configurable: true }]) {
        try {
          Object.defineProperty(Object.prototype, "a", tamper);
          expect(canonicalJson(parsed())).to.equal('{"a":1,"b":2,"list":[{"x":2,"y":1}]}');
        } finally {
          delete (Object.prototype as { a?: unknown }).a;
        }
      }
    });

    it("reports a getter that throws as InvalidDocumentError, as before the fast path", function () {
      const bad = {
        get a(): number {
          throw new Error("boom");
        },
      };
      expect(() => canonicalJson(bad)).to.throw(InvalidDocumentError);
    });

    it("refuses a cycle", function () {
      const cyclic: Record<string, unknown> = { a: 1 };
      cyclic.self = { back: cyclic };
      expect(() => canonicalJson(cyclic)).to.throw(InvalidDocumentError);
    });
  });

  describe("RFC 8785 vectors (cyberphone/json-canonicalization)", function () {
    for (const file of readdirSync(join(JCS, "input"))) {
      it(`canonicalises ${file} to the expected bytes, and the hash is SHA-256 of those bytes`, function () {
        const input = JSON.parse(readFileSync(join(JCS, "input", file), "utf8"));
        const expected = readFileSync(join(JCS, "output", file));
        const hex = readFileSync(join(JCS, "outhex", file.replace(/\.json$/, ".txt")), "utf8").trim().split(/\s+/).join("");
        expect(Buffer.from(canonicalJson(input), "utf8").equals(expected)).to.equal(true);
        expect(expected.toString("hex")).to.equal(hex);
        expect(hashJson(input)).to.equal(sha256Hex(expected));
      });
    }

    it("serialises the number samples and refuses NaN and the infinities", function () {
      const lines = readFileSync(join(JCS, "numbers/samples.csv"), "utf8").trim().split("\n");
      for (const line of lines) {
        const [hex, expected] = line.split(",") as [string, string];
        const value = doubleFromHex(hex);
        if (expected.startsWith("ERROR")) expect(() => canonicalJson(value), expected).to.throw(InvalidDocumentError);
        else expect(canonicalJson(value), hex).to.equal(expected);
      }
    });

    it("serialises the first 10,000 numbers of es6testfile100m", function () {
      const lines = readFileSync(join(JCS, "numbers/es6testfile_10000.txt"), "utf8").trim().split("\n");
      expect(lines).to.have.length(10_000);
      for (const line of lines) {
        const [hex, expected] = line.split(",") as [string, string];
        expect(canonicalJson(doubleFromHex(hex)), hex).to.equal(expected);
      }
    });
  });

  describe("documents in every form", function () {
    for (const name of ["certificate-of-origin.json", "commercial-invoice.json", "goods-declaration.json"]) {
      it(`hashes ${name} identically as file path, object, bytes and stream`, async function () {
        const path = join(SAMPLES, name);
        const bytes = readFileSync(path);
        const expected = sha256Hex(canonicalJson(JSON.parse(bytes.toString("utf8"))));
        expect(await hashFile(path)).to.equal(expected);
        expect(await hashDocument(path)).to.equal(expected);
        expect(await hashDocument(JSON.parse(bytes.toString("utf8")))).to.equal(expected);
        expect(hashJson(JSON.parse(bytes.toString("utf8")))).to.equal(expected);
        expect(await hashDocument(bytes, { json: true })).to.equal(expected);
        expect(await hashDocument(createReadStream(path), { json: true })).to.equal(expected);
      });
    }

    it("hashes a reformatted JSON file (other key order, spacing, 1.0) like the original", async function () {
      const original = JSON.parse(readFileSync(join(SAMPLES, "commercial-invoice.json"), "utf8"));
      const reordered = Object.fromEntries(Object.entries(original).reverse());
      const path = join(dir, "reformatted.json");
      writeFileSync(path, JSON.stringify(reordered, null, 4));
      expect(await hashFile(path)).to.equal(hashJson(original));
    });

    it("hashes a non-JSON file exactly as sha256sum does", async function () {
      const path = join(dir, "bill-of-lading.pdf");
      writeFileSync(path, Buffer.concat([Buffer.from("%PDF-1.7\n"), Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) % 256))]));
      expect(await hashFile(path)).to.equal(sha256sum(path));
      expect(await hashDocument(path)).to.equal(sha256sum(path));
      expect(hashBytes(readFileSync(path))).to.equal(sha256sum(path));
      expect(await hashStream(createReadStream(path))).to.equal(sha256sum(path));
      expect(await hashDocument(Readable.from([readFileSync(path)]))).to.equal(sha256sum(path));
    });

    it("hashes an ArrayBuffer, a typed array and a Blob as bytes, never as JSON", async function () {
      const bytes = Buffer.from("%PDF-1.7 not JSON");
      const expected = hashBytes(bytes);
      const copy = new Uint8Array(bytes).buffer;
      expect(await hashDocument(copy)).to.equal(expected);
      expect(await hashDocument(new DataView(copy))).to.equal(expected);
      expect(await hashDocument(new Blob([bytes]))).to.equal(expected);
    });

    it("hashes a JSON file's raw bytes when told it is not JSON", async function () {
      const path = join(SAMPLES, "goods-declaration.json");
      expect(await hashFile(path, { json: false })).to.equal(sha256sum(path));
    });

    it("changes the hash when one byte of a file changes", async function () {
      const a = join(dir, "a.xml");
      const b = join(dir, "b.xml");
      const content = Buffer.from("<Invoice><Total>1000.00</Total></Invoice>");
      writeFileSync(a, content);
      const changed = Buffer.from(content);
      changed[20] = changed[20]! ^ 0x01;
      writeFileSync(b, changed);
      expect(await hashFile(a)).to.not.equal(await hashFile(b));
      expect(await hashFile(b)).to.equal(sha256sum(b));
    });

    it("refuses a missing file, bad JSON in a .json file and non-UTF-8 JSON with InvalidDocumentError", async function () {
      await expectRejects(hashFile(join(dir, "missing.pdf")), InvalidDocumentError);
      await expectRejects(hashFile(join(dir, "missing.json")), InvalidDocumentError);
      const bad = join(dir, "bad.json");
      writeFileSync(bad, '{"a": 1,}');
      await expectRejects(hashFile(bad), InvalidDocumentError);
      await expectRejects(hashDocument(Buffer.from([0x7b, 0xff, 0x7d]), { json: true }), InvalidDocumentError);
    });

    it("streams a 200 MB file in bounded memory and matches sha256sum", async function () {
      this.timeout(120_000);
      const path = join(dir, "large.bin");
      const block = Buffer.alloc(1 << 20);
      const out = createWriteStream(path);
      for (let i = 0; i < 200; i++) {
        block.fill(i % 251);
        block.writeUInt32BE(i, 0);
        if (!out.write(Buffer.from(block))) await once(out, "drain");
      }
      out.end();
      await once(out, "finish");
      globalThis.gc?.();
      const before = process.memoryUsage().rss;
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
      const hash = await hashFile(path);
      clearInterval(sampler);
      peak = Math.max(peak, process.memoryUsage().rss);
      expect(hash).to.equal(sha256sum(path));
      // Reading the file whole would add at least its 200 MB; streaming adds a few buffers and whatever garbage the
      // collector has not reclaimed yet, which depends on the machine's load. The bound sits well between the two.
      expect(peak - before).to.be.below(150 * 1024 * 1024);
    });
  });

  describe("hashFiles: many files on worker threads", function () {
    let files: string[];
    let expected: (string | RegExp)[];
    before(function () {
      const sub = mkdtempSync(join(dir, "many-"));
      files = [];
      expected = [];
      for (let i = 0; i < 600; i++) {
        const doc = { z: i, a: [i, `line ${i}`, { y: true, b: null }], "é": 1.0 };
        const path = join(sub, `doc-${String(i).padStart(4, "0")}.json`);
        writeFileSync(path, JSON.stringify(doc, null, i % 3));
        files.push(path);
        expected.push(hashJson(doc));
      }
      const binary = join(sub, "scan.pdf");
      writeFileSync(binary, Buffer.alloc(5 << 20, 7)); // above the read-whole limit: streamed, on a worker
      const badJson = join(sub, "broken.json");
      writeFileSync(badJson, '{"a": 1,');
      const missing = join(sub, "missing.json");
      files.splice(100, 0, binary);
      expected.splice(100, 0, sha256Hex(readFileSync(binary)));
      files.splice(300, 0, badJson, missing);
      expected.splice(300, 0, /broken\.json.*not valid JSON/s, /missing\.json cannot be read/);
    });

    const check = (results: Awaited<ReturnType<typeof hashFiles>>) => {
      expect(results.map((r) => r.path)).to.deep.equal(files);
      results.forEach((r, i) => {
        const want = expected[i]!;
        if (typeof want === "string") expect("docHash" in r && r.docHash, r.path).to.equal(want);
        else {
          expect("error" in r, r.path).to.equal(true);
          const error = (r as { error: InvalidDocumentError }).error;
          expect(error).to.be.instanceOf(InvalidDocumentError);
          expect(error.message).to.match(want);
        }
      });
    };

    it("gives every file its hash, in input order, and names each bad file, on two threads", async function () {
      const progress: number[] = [];
      const results = await hashFiles(files, { threads: 2, chunkSize: 64, onProgress: (n) => progress.push(n) });
      check(results);
      expect(progress.at(-1)).to.equal(files.length);
      expect(progress).to.deep.equal([...progress].sort((a, b) => a - b));
    });

    it("names a large JSON file (streamed path) whose content JCS refuses, and refuses bad options", async function () {
      const big = join(dir, "big-bad.json");
      writeFileSync(big, `{"pad":"${"x".repeat(5 << 20)}","lone":"\\ud800"}`);
      const [result] = await hashFiles([big], { threads: 1 });
      expect("error" in result && result.error.message).to.match(/big-bad\.json: .*canonical JSON/s);
      for (const chunkSize of [0, 0.5, NaN]) {
        expect(await hashFiles(files, { chunkSize }).then(() => undefined, (e: unknown) => e)).to.be.instanceOf(InvalidArgumentError);
      }
    });

    it("gives the same on the calling thread, and as hashOneFile file by file", async function () {
      check(await hashFiles(files, { threads: 1, chunkSize: 64 }));
      for (const i of [0, 100, 599]) expect(await hashOneFile(files[i]!)).to.equal(expected[i]);
    });
  });

  describe("hash spelling", function () {
    it("accepts 0x and 64 hex digits in either case and normalises to lowercase", function () {
      const upper = `0x${"AB".repeat(32)}`;
      expect(isDocHash(upper)).to.equal(true);
      expect(normalizeDocHash(upper)).to.equal(`0x${"ab".repeat(32)}`);
    });

    it("refuses anything else with InvalidHashError", function () {
      for (const bad of ["ab".repeat(32), `0x${"ab".repeat(31)}`, `0x${"ab".repeat(33)}`, `0x${"zz".repeat(32)}`, 42, null]) {
        expect(isDocHash(bad)).to.equal(false);
        expect(() => normalizeDocHash(bad)).to.throw(InvalidHashError);
      }
    });
  });
});

async function expectRejects(p: Promise<unknown>, type: new (...args: never[]) => Error) {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(type);
    return;
  }
  expect.fail(`expected a ${type.name}`);
}
