// Writes that are either complete or absent: a kill (Ctrl-C, OOM, preemption) mid-write leaves a temporary file,
// never a truncated output that a later --resume or detect would trust.
import { rename, writeFile } from 'node:fs/promises';

export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}
