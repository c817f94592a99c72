// One progress line for several jobs running at once. Each job reports to its own lane as it would to the line
// alone; the line follows one running job (the first to report), and when that job is done it takes up the
// earliest-started job still running, at the stage and count it has reached. Messages always pass.
import type { Progress } from './progress.js';

export interface ProgressLanes {
  /** A lane for one more job. */
  lane(): Progress;
}

interface Lane {
  name: string;
  total: number;
  count: number;
  active: boolean;
}

export function progressLanes(line: Progress): ProgressLanes {
  const lanes: Lane[] = [];
  let owner: Lane | null = null;
  const show = (l: Lane) => {
    owner = l;
    line.stage(l.name, l.total);
    if (l.count > 0) line.tick(l.count);
  };
  return {
    lane() {
      const l: Lane = { name: '', total: 0, count: 0, active: false };
      lanes.push(l);
      return {
        stage(name, total = 0) {
          l.name = name;
          l.total = total;
          l.count = 0;
          l.active = true;
          if (owner === null || owner === l) show(l);
        },
        tick(n = 1) {
          l.count += n;
          if (owner === l) line.tick(n);
        },
        done() {
          if (!l.active) return;
          l.active = false;
          if (owner !== l) return;
          line.done();
          owner = null;
          const next = lanes.find((o) => o.active);
          if (next) show(next);
        },
        info(message) {
          line.info(message);
        },
      };
    },
  };
}
