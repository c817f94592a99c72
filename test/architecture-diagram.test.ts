// docs/architecture.md draws the stages that test/layers.test.ts enforces: the same stages, in the same order, each
// naming the paths the test places in it. A stage moved, added or renamed in one and not the other fails here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

/** The diagram's stages, lowest first, each with the text of its rows (its line and the indented lines under it). */
function diagramStages(): { name: string; text: string }[] {
  const doc = readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Stages'));
  const block = section.slice(section.indexOf('```') + 3, section.indexOf('```', section.indexOf('```') + 3));
  const stages: { name: string; text: string }[] = [];
  for (const line of block.split('\n')) {
    const m = /^ ([a-z]+) {2,}(.*)$/.exec(line);
    if (m) stages.push({ name: m[1]!, text: m[2]! });
    else if (stages.length && /^ {3,}/.test(line)) stages[stages.length - 1]!.text += ' ' + line.trim();
  }
  return stages.reverse();
}

/** The stages test/layers.test.ts checks imports against, lowest first, with their paths. */
function testedStages(): { name: string; paths: string[] }[] {
  const source = readFileSync(join(ROOT, 'test', 'layers.test.ts'), 'utf8');
  return [...source.matchAll(/\{ name: '([a-z]+)', paths: \[([^\]]*)\] \}/g)].map((m) => ({ name: m[1]!, paths: [...m[2]!.matchAll(/'([^']+)'/g)].map((p) => p[1]!) }));
}

describe('the stage diagram in docs/architecture.md', () => {
  it('reads a stage per row, from the ground floor up', () => {
    const names = diagramStages().map((s) => s.name);
    expect(names[0]).toBe('ground');
    expect(names.at(-1)).toBe('entry');
  });

  it('has the stages the layer test enforces, in its order, each naming its paths', () => {
    const drawn = diagramStages();
    const tested = testedStages();
    expect(tested.length).toBeGreaterThan(10);
    expect(drawn.map((s) => s.name)).toEqual(tested.map((s) => s.name));
    for (const [i, s] of tested.entries()) for (const p of s.paths) expect(drawn[i]!.text, `${s.name}: ${p}`).toContain(p);
  });
});
