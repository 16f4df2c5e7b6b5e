// SHA-256 of a file's exact bytes (DESIGN.md: "streamed, so a file of any size hashes in constant memory"),
// off the page's main thread. WebCrypto's digest() wants the whole file in memory, so large files go through
// hash-wasm's incremental SHA-256 here. The page sends { id, file } (a File is passed by reference, not
// copied); the worker answers { id, done } every 8 MiB or so, then { id, docHash } or { id, error, unreadable }.
importScripts("/vendor/hash-wasm-sha256.js");

const BUFFER = 1024 * 1024;
const PROGRESS_EVERY = 8 * 1024 * 1024;

/**
 * The file's bytes in order. Read into one reused buffer where a Blob's stream is a byte stream, as the File
 * API now specifies (Chromium 150 here): hashing 1 GB then grows the renderer by about 30 MB, where a fresh
 * ArrayBuffer per slice left ~250 MB of garbage for the collector. Elsewhere, the stream's own chunks.
 * Each chunk is valid until the next one is asked for.
 */
async function* chunks(file) {
  const stream = file.stream();
  let reader;
  try {
    reader = stream.getReader({ mode: "byob" });
  } catch {
    const plain = stream.getReader();
    for (;;) {
      const { done, value } = await plain.read();
      if (done) return;
      yield value;
    }
  }
  let buffer = new ArrayBuffer(BUFFER);
  for (;;) {
    const { done, value } = await reader.read(new Uint8Array(buffer));
    if (done) return;
    yield value;
    buffer = value.buffer; // read() transferred it; take it back for the next read
  }
}

self.onmessage = async ({ data: { id, file } }) => {
  try {
    const hasher = await self.hashwasm.createSHA256();
    hasher.init();
    let done = 0;
    let told = 0;
    for await (const chunk of chunks(file)) {
      hasher.update(chunk); // copies into the WebAssembly memory, so the buffer can be reused
      done += chunk.byteLength;
      if (done - told >= PROGRESS_EVERY) {
        told = done;
        self.postMessage({ id, done });
      }
    }
    if (done !== file.size) throw new DOMException("The file changed while it was read.", "NotReadableError");
    self.postMessage({ id, done });
    self.postMessage({ id, docHash: `0x${hasher.digest("hex")}` });
  } catch (e) {
    // A read fails when the file was moved, changed or deleted after it was chosen (NotReadableError,
    // NotFoundError); anything else is this browser refusing the WebAssembly or running out of memory.
    self.postMessage({ id, error: String(e?.message ?? e), unreadable: e?.name === "NotReadableError" || e?.name === "NotFoundError" });
  }
};
