// The repository speaks of the product only: no record of how the work was organised (work periods, roles,
// issue numbers, commit hashes: history lives in git) and no absolute paths of one machine. Scans every tracked text file and names each hit.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
/** Generated, holding this test's own examples, or rewritten elsewhere: not read. */
const SKIPPED = new Set(['package-lock.json', 'test/repo-hygiene.test.ts']);
const SKIPPED_DIRS = new Set(['.git', 'node_modules', 'dist', '.bench', '.scratch', 'poisonscan-report']);

const ORDINAL = '(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|\\d+(?:st|nd|rd|th))';
const RULES: { what: string; re: RegExp }[] = [
  { what: 'work period', re: /\bsessions?\b/i },
  { what: 'work period', re: new RegExp(`\\b${ORDINAL} (?:round|work period|pass of work)\\b`, 'i') },
  { what: 'role', re: /\b(?:the|a|our|another|each|other) (?:lead|helper|engineer)s?\b(?! (?:to|in|of)\b)/i },
  { what: 'role', re: /\b(?:lead|helper|engineer)'s\b/i },
  { what: 'issue number', re: /\bissues? #?\d+\b/i },
  { what: 'issue number', re: /(?:^|[\s([,])#\d{1,5}\b(?![\w;-])/ },
  { what: 'machine path', re: /(?<![\w.~:/-])\/(?:(?:tmp|work|root)\/[\w.-]|(?:work|root)\b(?![\w.-])|home\/[a-z_])/ },
  { what: 'file outside the repository', re: /STACK-NOTES|CONTRACT\.md/ },
  { what: 'commit hash', re: /\b(?:commits?|builds?|merge|at) (?=[0-9a-f]*[a-f])[0-9a-f]{7,40}\b/i },
];

/** The lines of `text` that break a rule, as "line: what: text". */
export function hygieneHits(text: string): string[] {
  const hits: string[] = [];
  text.split('\n').forEach((line, i) => {
    for (const r of RULES) if (r.re.test(line)) hits.push(`${i + 1}: ${r.what}: ${line.trim().slice(0, 160)}`);
  });
  return hits;
}

function trackedFiles(): string[] {
  try {
    const out = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const files = out.split('\0').filter((f) => f !== '');
    if (files.length) return files;
  } catch {
    // No git, or not a checkout: walk the folder instead.
  }
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      if (e.isDirectory()) return SKIPPED_DIRS.has(e.name) ? [] : walk(join(dir, e.name));
      return e.isFile() ? [relative(ROOT, join(dir, e.name)).split(sep).join('/')] : [];
    });
  return walk(ROOT);
}

const isBinary = (b: Buffer) => b.subarray(0, 8000).includes(0);

describe('repository hygiene', () => {
  it('finds work periods, roles, issue numbers and machine paths, and leaves product words alone', () => {
    const bad = [
      `measured in the fourteenth ${'session'}`,
      `re-run by the ${'lead'} on the final tree`,
      "the image helper's files",
      `as ${'issue'} 3 asks`,
      'see #12 for the discussion',
      `extracted to /${'tmp'}/ds (tar xf)`,
      `cd /${'work'}/main && npm test`,
      `cat /${'root'}/notes`,
      'in /home/alice/data',
      'see STACK-NOTES',
      'figures from commit 613b8b7',
    ];
    for (const line of bad) expect(hygieneHits(line), line).toHaveLength(1);
    const good = [
      'small helpers over prompts',
      'which may lead to a miss; voteCount is a lower bound on its lead',
      'color:#222;border:1px solid #ddd',
      "'&#39;' is escaped",
      'Math.round(x * 10) / 10',
      'for (let round = 0; round < REFINE; round++)',
      `https://github.com/org/${'work'}/tree/main`,
      'an ML engineer reads the report',
      'the working dir: tmp/',
      '/tmp/',
      'at 1000000 images',
      'the fingerprint 3f9c2a71d04be8c5',
    ];
    for (const line of good) expect(hygieneHits(line), line).toEqual([]);
  });

  it('has none in any tracked file', () => {
    const hits: string[] = [];
    for (const f of trackedFiles()) {
      if (SKIPPED.has(f)) continue;
      let bytes: Buffer;
      try {
        bytes = readFileSync(join(ROOT, f));
      } catch {
        continue; // listed by git but deleted in the work tree
      }
      if (isBinary(bytes)) continue;
      for (const h of hygieneHits(bytes.toString('utf8'))) hits.push(`${f}:${h}`);
    }
    expect(hits, hits.join('\n')).toEqual([]);
  });
});
