// Reads an Arrow IPC file batch by batch through a file handle: one readFile() buffer cannot exceed 2 GiB, and
// the fingerprints of a million 32x32 images are 3.3 GB.
import { open } from 'node:fs/promises';
import { RecordBatchReader, Table, type RecordBatch } from 'apache-arrow';

export async function readTableFile(path: string): Promise<Table> {
  const fh = await open(path, 'r');
  try {
    const reader = await RecordBatchReader.from(fh);
    const batches: RecordBatch[] = [];
    for await (const b of reader) batches.push(b);
    // An empty file still has a schema (and its metadata).
    return batches.length ? new Table(batches) : new Table(reader.schema);
  } finally {
    await fh.close();
  }
}
