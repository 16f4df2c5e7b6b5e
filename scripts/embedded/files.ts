// Writing files so that a crash leaves them whole: the embedded chain's journal, checkpoints and deployment file.
import { open, rename } from "node:fs/promises";
import { dirname } from "node:path";

/** fsyncs a directory, so that a file created or renamed in it survives a crash. */
export async function syncDirectory(dir: string): Promise<void> {
  const fh = await open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Writes `bytes` to `file` so that after a crash the file holds either the old or the new content, whole. */
export async function writeFileAtomic(file: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${file}.tmp`;
  const fh = await open(tmp, "w");
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
  await syncDirectory(dirname(file));
}
