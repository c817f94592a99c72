// Progress on stderr: a redrawn line with an ETA on a TTY, a line per 25% (with an ETA) in logs, nothing when
// quiet. A stage that reports no counts still shows it is alive: its elapsed time on a TTY, a line every
// HEARTBEAT seconds in logs. Stages shorter than a second say nothing in logs.

export interface Progress {
  stage(name: string, total?: number): void;
  tick(n?: number): void;
  done(): void;
  info(message: string): void;
}

export const silentProgress: Progress = { stage() {}, tick() {}, done() {}, info() {} };

/** Seconds of silence after which a log line says a stage without counts is still running. */
const HEARTBEAT = 30;
/** Stages shorter than this say nothing in logs. */
const QUIET_SECONDS = 1;

/** "45s", "3m05s", "1h02m". */
export function formatDuration(secs: number): string {
  const s = Math.max(0, Math.round(secs));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Seconds left at the rate so far, or null before there is a rate. */
export function eta(count: number, total: number, secs: number): number | null {
  if (total <= 0 || count <= 0 || count >= total || secs <= 0) return null;
  return (secs * (total - count)) / count;
}

export function createProgress(opts: { quiet?: boolean; stream?: NodeJS.WriteStream; now?: () => number } = {}): Progress {
  if (opts.quiet) return silentProgress;
  const out = opts.stream ?? process.stderr;
  const now = opts.now ?? Date.now;
  const tty = Boolean(out.isTTY);
  let name = '';
  let total = 0;
  let count = 0;
  let started = 0;
  let lastDraw = 0;
  let lastPct = -1;
  let lastLine = 0;
  let active = false;
  let timer: NodeJS.Timeout | undefined;
  const stopTimer = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
  };
  const draw = (final: boolean) => {
    const t = now();
    const secs = (t - started) / 1000;
    const left = eta(count, total, secs);
    const etaText = left !== null && secs >= 1 ? `, ETA ${formatDuration(left)}` : '';
    if (tty) {
      if (!final && t - lastDraw < 100) return;
      lastDraw = t;
      const pct = total > 0 ? Math.min(100, Math.floor((100 * count) / total)) : 0;
      const width = 24;
      const filled = Math.round((pct / 100) * width);
      const bar = total > 0 ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct}% ${count}/${total}` : count > 0 ? `${count}` : '…';
      const rate = total > 0 && secs > 0 ? ` ${(count / secs).toFixed(0)}/s` : '';
      out.write(`\r\x1b[2K${name} ${bar}${rate} ${formatDuration(secs)}${final ? '' : etaText.replace(', ', ' ')}${final ? '\n' : ''}`);
      return;
    }
    // Logs (scheduled jobs, CI): short stages say nothing, so a quick run leaves a short log.
    if (secs < QUIET_SECONDS) return;
    if (final) {
      out.write(`${name}: done (${total > 0 ? `${count}/${total}, ` : ''}${formatDuration(secs)})\n`);
      return;
    }
    if (total > 0) {
      const pct = Math.floor((100 * count) / total);
      const step = Math.floor(pct / 25) * 25;
      if (step > lastPct && step > 0 && step < 100) {
        lastPct = step;
        lastLine = t;
        out.write(`${name}: ${step}% (${count}/${total}, ${formatDuration(secs)}${etaText})\n`);
        return;
      }
    }
    if ((t - Math.max(lastLine, started)) / 1000 >= HEARTBEAT) {
      lastLine = t;
      out.write(`${name}: running (${formatDuration(secs)}${total > 0 ? `, ${count}/${total}` : ''}${etaText})\n`);
    }
  };
  return {
    stage(n, t = 0) {
      stopTimer();
      name = n;
      total = t;
      count = 0;
      lastPct = -1;
      started = now();
      lastDraw = 0;
      lastLine = 0;
      active = true;
      // Redraws while nothing ticks (work on worker threads, or between ticks); never keeps the process alive.
      timer = setInterval(() => active && draw(false), tty ? 1000 : 5000);
      timer.unref();
    },
    tick(n = 1) {
      count += n;
      draw(false);
    },
    done() {
      stopTimer();
      if (!active) return;
      active = false;
      draw(true);
    },
    info(message) {
      out.write(`${tty ? '\r\x1b[2K' : ''}${message}\n`);
    },
  };
}
