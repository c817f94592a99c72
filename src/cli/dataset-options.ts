// scan()'s options from the parsed command line (after config defaults): every option of the schema the library
// takes, by its name; and the subset that says how to read a dataset, for scan's fingerprint stage.
import { join } from 'node:path';
import { FINGERPRINT_OPTIONS, LIBRARY_OPTIONS, type LibraryOptionName, type ScanSettings, type ScanValues } from '../config/options.js';

/** The options that say how the dataset is read and fingerprinted (`scan --stage fingerprint` takes these). */
const FINGERPRINT_STAGE_OPTIONS = [
  'out', ...FINGERPRINT_OPTIONS, 'embeddingColumn', 'embeddings', 'baseline', 'concurrency', 'resume', 'checkpointEvery',
] as const satisfies readonly LibraryOptionName[];
type ReadOptions = { dataset: string } & Pick<ScanSettings, (typeof FINGERPRINT_STAGE_OPTIONS)[number]>;

/** Every library option given (on the command line or by the config file), as scan() takes it. */
export function scanSettingsOf(o: ScanValues): ScanSettings {
  const s: Record<string, unknown> = {};
  for (const k of LIBRARY_OPTIONS) if (o[k] !== undefined) s[k] = o[k];
  return {
    ...(s as ScanSettings),
    // --input-format, or its earlier name --format (also a config key).
    format: o.inputFormat ?? o.format,
    // --write-manifest without a file: manifest.jsonl in --out.
    writeManifest: o.writeManifest === true ? join(o.out!, 'manifest.jsonl') : o.writeManifest,
    // --json prints report.json alone.
    quiet: Boolean(o.quiet) || Boolean(o.json),
  };
}

/** The options that say how the dataset is read and fingerprinted. */
export function readOptions(dataset: string, o: ScanValues): ReadOptions {
  const s = scanSettingsOf(o);
  const r: Record<string, unknown> = { dataset };
  for (const k of FINGERPRINT_STAGE_OPTIONS) r[k] = s[k];
  return r as ReadOptions;
}
