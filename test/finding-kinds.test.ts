// FINDING_KINDS and docs/contract.md list every kind of finding the code can emit; the registry's detectors declare
// the kinds they emit.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FINDING_KINDS } from '../src/stages/finding-kinds.js';
import { DETECTORS, DETECTOR_KINDS, kindsOf } from '../src/detect/registry.js';
import { CROSS_MODAL_KINDS } from '../src/detect/cross-modal.js';
import type { AnyDetector } from '../src/detect/detector.js';

const SRC = join(import.meta.dirname, '..', 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Kinds written into finding objects (a `kind:` next to a `severity:`) and passed to the per-class outlier helper. */
function emittedKinds(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(/\bkind:\s*([^\n]*)/g)) {
    if (!/\bseverity\b/.test(source.slice(m.index, m.index + 300))) continue;
    const expr = m[1]!.split(/,\s*(?:severity|score|title)\b/)[0]!;
    for (const q of expr.matchAll(/'([a-z][a-z-]*)'/g)) out.push(q[1]!);
  }
  for (const m of source.matchAll(/addClassOutliers\(\s*'([a-z-]+)'/g)) out.push(m[1]!);
  return out;
}

describe('finding kinds', () => {
  const emitted = new Set(['ingest', 'detect', 'provenance'].flatMap((d) => sources(join(SRC, d))).flatMap((f) => emittedKinds(readFileSync(f, 'utf8'))));

  it('reads the kinds of finding objects', () => {
    const src = "findings.push({\n  kind: conflict ? 'label-conflict' : 'near-duplicate',\n  severity: 'low',\n});\ninputs.push({ kind: 'position', pixels });\naddClassOutliers('spectral-signature', 'x');";
    expect(emittedKinds(src).sort()).toEqual(['label-conflict', 'near-duplicate', 'spectral-signature']);
  });

  it('lists every kind the code emits in FINDING_KINDS', () => {
    expect(emitted.size).toBeGreaterThan(10);
    expect([...emitted].filter((k) => !(FINDING_KINDS as readonly string[]).includes(k))).toEqual([]);
  });

  it('lists no kind that nothing emits', () => {
    expect(FINDING_KINDS.filter((k) => !emitted.has(k))).toEqual([]);
  });

  it('names every kind in the contract', () => {
    const contract = readFileSync(join(SRC, '..', 'docs', 'contract.md'), 'utf8');
    expect(FINDING_KINDS.filter((k) => !contract.includes(`\`${k}\``))).toEqual([]);
  });

  it('are the registry\'s: each detector declares what its file emits, and with the other steps\' kinds they are FINDING_KINDS', async () => {
    // Every registered entry, each variant of a name too, is checked against the file that exports it.
    const checked = new Set<AnyDetector>();
    for (const file of readdirSync(join(SRC, 'detect')).filter((f) => f.endsWith('.ts'))) {
      const exported = Object.values(await import(join(SRC, 'detect', file)) as Record<string, unknown>);
      for (const d of DETECTORS.filter((x) => exported.includes(x))) {
        const own = emittedKinds(readFileSync(join(SRC, 'detect', file), 'utf8'));
        expect(own.length, file).toBeGreaterThan(0);
        expect(own.filter((k) => !kindsOf(d).includes(k)), file).toEqual([]);
        checked.add(d);
      }
    }
    expect(DETECTORS.filter((d) => !checked.has(d)).map((d) => d.name)).toEqual([]);
    // The input's own findings and verify's are not detectors'.
    const steps = ['ingest/input-findings.ts', 'provenance/verify.ts'].flatMap((f) => emittedKinds(readFileSync(join(SRC, f), 'utf8')));
    expect([...new Set([...DETECTOR_KINDS, ...CROSS_MODAL_KINDS, ...steps])].sort()).toEqual([...FINDING_KINDS].sort());
  });
});
