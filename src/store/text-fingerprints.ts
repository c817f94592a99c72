// Text samples as an Arrow table: what the text detectors read (id, label and the text columns), so that a
// fingerprint shard of a text dataset can be merged and scanned without the source file.
import { Table, vectorFromArray, Utf8, type Vector } from 'apache-arrow';
import type { TextColumns } from '../model/text-columns.js';

const TEXT_FIELDS = ['text', 'prompt', 'response'] as const;

export function textFingerprintTable(ids: string[], labels: (string | null)[], texts: TextColumns): Table {
  const cols: Record<string, Vector> = {
    id: vectorFromArray(ids, new Utf8()),
    label: vectorFromArray(labels, new Utf8()),
  };
  for (const k of TEXT_FIELDS) if (texts[k]) cols[k] = vectorFromArray(texts[k]!, new Utf8());
  const t = new Table(cols);
  t.schema.metadata.set('poisonscan.schema', 'poisonscan/text-fingerprints@1');
  return t;
}

export function textFingerprintsFromTable(t: Table): { ids: string[]; labels: (string | null)[]; texts: TextColumns } {
  const strings = (name: string) => Array.from(t.getChild(name)!, (v) => (v === null ? null : String(v)));
  const texts: TextColumns = {};
  for (const k of TEXT_FIELDS) if (t.getChild(k)) texts[k] = strings(k);
  return { ids: strings('id') as string[], labels: strings('label'), texts };
}
