import { describe, expect, it } from 'vitest';
import { createProgress, eta, formatDuration } from '../src/util/progress.js';

function sink(isTTY: boolean) {
  const lines: string[] = [];
  const stream = { isTTY, write: (s: string) => (lines.push(s), true) } as unknown as NodeJS.WriteStream;
  return { lines, stream };
}

describe('progress', () => {
  it('writes a line per 25% with an ETA in logs, and nothing for a stage under a second', () => {
    let t = 0;
    const { lines, stream } = sink(false);
    const p = createProgress({ stream, now: () => t });
    p.stage('quick', 4);
    p.tick(4);
    p.done();
    expect(lines).toEqual([]);
    p.stage('decode', 100);
    for (let i = 0; i < 100; i++) {
      t += 100;
      p.tick();
    }
    p.done();
    expect(lines).toEqual([
      'decode: 25% (25/100, 3s, ETA 8s)\n',
      'decode: 50% (50/100, 5s, ETA 5s)\n',
      'decode: 75% (75/100, 8s, ETA 3s)\n',
      'decode: done (100/100, 10s)\n',
    ]);
  });

  it('redraws one line with the ETA on a terminal, and is silent when quiet', () => {
    let t = 0;
    const { lines, stream } = sink(true);
    const p = createProgress({ stream, now: () => t });
    p.stage('trigger-cluster', 5);
    t = 2000;
    p.tick();
    expect(lines.at(-1)).toMatch(/^\r\x1b\[2Ktrigger-cluster \[#+\.+\] 20% 1\/5 .* 2s ETA 8s$/);
    p.done();
    expect(lines.at(-1)!.endsWith('\n')).toBe(true);
    const q = sink(true);
    const quiet = createProgress({ quiet: true, stream: q.stream });
    quiet.stage('x', 2);
    quiet.tick(2);
    quiet.done();
    expect(q.lines).toEqual([]);
  });

  it('formats durations and estimates what is left', () => {
    expect(formatDuration(5)).toBe('5s');
    expect(formatDuration(185)).toBe('3m05s');
    expect(formatDuration(3720)).toBe('1h02m');
    expect(eta(25, 100, 10)).toBe(30);
    expect(eta(0, 100, 10)).toBeNull();
  });
});
