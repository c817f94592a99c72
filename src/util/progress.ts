// Progress on stderr: a redrawn line on a TTY, a few plain lines otherwise, nothing when quiet.

export interface Progress {
  stage(name: string, total?: number): void;
  tick(n?: number): void;
  done(): void;
  info(message: string): void;
}

export const silentProgress: Progress = { stage() {}, tick() {}, done() {}, info() {} };

export function createProgress(opts: { quiet?: boolean; stream?: NodeJS.WriteStream } = {}): Progress {
  if (opts.quiet) return silentProgress;
  const out = opts.stream ?? process.stderr;
  const tty = Boolean(out.isTTY);
  let name = '';
  let total = 0;
  let count = 0;
  let started = 0;
  let lastDraw = 0;
  let lastPct = -1;
  const draw = (final: boolean) => {
    const now = Date.now();
    const secs = (now - started) / 1000;
    if (tty) {
      if (!final && now - lastDraw < 100) return;
      lastDraw = now;
      const pct = total > 0 ? Math.min(100, Math.floor((100 * count) / total)) : 0;
      const width = 24;
      const filled = Math.round((pct / 100) * width);
      const bar = total > 0 ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct}% ${count}/${total}` : `${count}`;
      const rate = secs > 0 ? ` ${(count / secs).toFixed(0)}/s` : '';
      out.write(`\r\x1b[2K${name} ${bar}${rate} ${secs.toFixed(1)}s${final ? '\n' : ''}`);
    } else if (secs < 5) {
      // Non-TTY (logs, scheduled jobs): short stages say nothing, so a quick failure leaves one line.
      return;
    } else if (total > 0) {
      // One line per 25% so logs stay short.
      const pct = Math.floor((100 * count) / total);
      const step = Math.floor(pct / 25) * 25;
      if (final || (step > lastPct && step < 100)) {
        lastPct = step;
        out.write(`${name}: ${final ? 'done' : step + '%'} (${count}/${total}, ${secs.toFixed(1)}s)\n`);
      }
    } else if (final) {
      out.write(`${name}: done (${secs.toFixed(1)}s)\n`);
    }
  };
  return {
    stage(n, t = 0) {
      name = n;
      total = t;
      count = 0;
      lastPct = -1;
      started = Date.now();
      lastDraw = 0;
    },
    tick(n = 1) {
      count += n;
      draw(false);
    },
    done() {
      draw(true);
    },
    info(message) {
      out.write(`${tty ? '\r\x1b[2K' : ''}${message}\n`);
    },
  };
}
