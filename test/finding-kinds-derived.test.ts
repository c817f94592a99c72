// FINDING_KINDS is derived from the declarations: the registry's detectors and the steps that are not detectors each
// declare the kinds they emit, beside the code that emits them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FINDING_KINDS } from '../src/stages/finding-kinds.js';
import * as library from '../src/index.js';
import { DETECTORS, kindsOf } from '../src/detect/registry.js';
import { CROSS_MODAL_KINDS } from '../src/detect/cross-modal.js';
import { INPUT_KINDS } from '../src/ingest/input-findings.js';
import { VERIFY_KINDS } from '../src/provenance/verify.js';

const SRC = join(import.meta.dirname, '..', 'src');
/** The quoted kinds a step's file writes into its findings (`kind: 'x', severity`). */
const written = (file: string) => [...new Set([...readFileSync(join(SRC, file), 'utf8').matchAll(/\bkind: '([a-z-]+)',\s*severity\b/g)].map((m) => m[1]!))].sort();

describe('FINDING_KINDS', () => {
  it('is every detector\'s declared kinds, then the other steps\', each once', () => {
    expect(new Set(FINDING_KINDS).size).toBe(FINDING_KINDS.length);
    expect(FINDING_KINDS).toEqual([...new Set([...DETECTORS.flatMap(kindsOf), ...CROSS_MODAL_KINDS, ...INPUT_KINDS, ...VERIFY_KINDS])]);
  });

  it('takes the steps\' kinds from the files that emit them', () => {
    expect(written('ingest/input-findings.ts')).toEqual([...INPUT_KINDS].sort());
    expect(written('provenance/verify.ts')).toEqual([...VERIFY_KINDS].sort());
    expect(written('detect/cross-modal.ts')).toEqual([...CROSS_MODAL_KINDS].sort());
  });

  it('is what the library exports, with the detectors\' parameter declarations', () => {
    expect(library.FINDING_KINDS).toBe(FINDING_KINDS);
    expect(library.PARAMETERS.outlier).toHaveProperty('zReport');
    expect(typeof library.parametersOf).toBe('function');
    expect(typeof library.isTyped).toBe('function');
  });
});
