// Writes an Arrow IPC file from a sequence of tables of one schema, batch by batch: each table's buffers go to
// the file as they are produced, so memory holds one table at a time, not the whole file as one buffer.
import { open } from 'node:fs/promises';
import { RecordBatchFileWriter, type Table } from 'apache-arrow';

export async function writeTablesToFile(path: string, tables: Iterable<Table>): Promise<void> {
  const fh = await open(path, 'w');
  try {
    const writer = new RecordBatchFileWriter();
    const pump = (async () => {
      for await (const chunk of writer) await fh.write(chunk);
    })();
    let wrote = false;
    for (const t of tables) {
      // The file's schema (and its metadata) is the first table's; later tables must have the same fields.
      wrote = true;
      for (const b of t.batches) writer.write(b);
      // Let the pump write this table's buffers before the next one is built.
      await new Promise<void>((r) => setImmediate(r));
    }
    if (!wrote) throw new Error(`no table to write to ${path}`);
    writer.finish();
    await pump;
  } finally {
    await fh.close();
  }
}
