// Imports go down the stages: a module may import from its own stage or a lower one, never a higher one.
// The order is the one docs/architecture.md draws; a new file is placed by the first rule that matches its path.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', 'src');

/** Lowest first. Each stage lists path prefixes relative to src/ ('/'-separated); the longest matching prefix wins. */
const STAGES: { name: string; paths: string[] }[] = [
  { name: 'ground', paths: ['types.ts', 'version.ts', 'util/', 'model/'] },
  // The readers know nothing of the options; the options offer the formats the readers declare.
  { name: 'ingest', paths: ['ingest/'] },
  { name: 'config', paths: ['config/'] },
  { name: 'fingerprint', paths: ['fingerprint/'] },
  { name: 'text', paths: ['text/'] },
  { name: 'store', paths: ['store/'] },
  { name: 'embed', paths: ['embed/'] },
  // The first stages of a scan: read a dataset with its embeddings, decode it into columns.
  { name: 'columns', paths: ['stages/read.ts', 'stages/fingerprint.ts'] },
  { name: 'detect', paths: ['detect/'] },
  { name: 'report', paths: ['report/'] },
  { name: 'provenance', paths: ['provenance/'] },
  { name: 'clean', paths: ['clean/'] },
  // The later stages of a scan: embed, detect, enrich, report.
  { name: 'stages', paths: ['stages/'] },
  { name: 'scan', paths: ['scan.ts', 'scan-stages.ts'] },
  { name: 'attack', paths: ['attack/'] },
  { name: 'bench', paths: ['bench/'] },
  { name: 'entry', paths: ['cli/', 'index.ts'] },
];

function stageOf(file: string): number {
  let best = -1;
  let bestLen = -1;
  STAGES.forEach((s, i) => {
    for (const p of s.paths) {
      const hit = p.endsWith('/') ? file.startsWith(p) : file === p;
      if (hit && p.length > bestLen) {
        best = i;
        bestLen = p.length;
      }
    }
  });
  return best;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Relative module specifiers of every static import, re-export and dynamic import(), with their line numbers. */
function relativeImports(source: string): { spec: string; line: number }[] {
  const out: { spec: string; line: number }[] = [];
  const re = /\b(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;
  for (const m of source.matchAll(re)) out.push({ spec: m[1]!, line: source.slice(0, m.index).split('\n').length });
  return out;
}

const toSrc = (abs: string) => relative(SRC, abs).split(sep).join('/');

describe('layers', () => {
  const files = sourceFiles(SRC).map(toSrc);

  it('place every source file in a stage', () => {
    expect(files.filter((f) => stageOf(f) < 0)).toEqual([]);
  });

  it('find the imports of a module', () => {
    const src = "import { a } from './a.js';\nimport type { B } from \"../b/b.js\";\nexport * from '../c.js';\nawait import('./d.js');\nimport x from 'node:fs';";
    expect(relativeImports(src)).toEqual([
      { spec: './a.js', line: 1 },
      { spec: '../b/b.js', line: 2 },
      { spec: '../c.js', line: 3 },
      { spec: './d.js', line: 4 },
    ]);
  });

  it('have no import from a lower stage to a higher one', () => {
    const upward: string[] = [];
    for (const f of files) {
      const from = stageOf(f);
      if (from < 0) continue; // unplaced files are the other test's failure
      for (const { spec, line } of relativeImports(readFileSync(join(SRC, f), 'utf8'))) {
        const target = toSrc(resolve(dirname(join(SRC, f)), spec)).replace(/\.js$/, '.ts');
        const to = stageOf(target);
        if (to > from) upward.push(`src/${f}:${line} (${STAGES[from]!.name}) imports src/${target} (${STAGES[to]!.name})`);
      }
    }
    expect(upward, upward.join('\n')).toEqual([]);
  });
});
