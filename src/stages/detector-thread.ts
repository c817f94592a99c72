// Worker-thread entry of the detect stage's threads (detector-threads.ts): holds one copy of the scan's columns and
// runs the registered detectors it is asked for on them (or one part of a detector that splits), one at a time,
// reporting progress as messages.
import { parentPort } from 'node:worker_threads';
import { DETECTORS, IN_PARTS } from '../detect/registry.js';
import type { ScanContext } from '../detect/detector.js';
import type { Progress } from '../util/progress.js';
import { describeError } from '../util/thread-errors.js';
import type { ThreadReply, ThreadRequest } from './detector-threads.js';

const port = parentPort!;
const post = (r: ThreadReply, transfer: ArrayBuffer[] = []) => port.postMessage(r, transfer);
const progress: Progress = {
  stage: (name, total) => post({ kind: 'progress', call: 'stage', name, total }),
  tick: (n) => post({ kind: 'progress', call: 'tick', n }),
  done: () => post({ kind: 'progress', call: 'done' }),
  info: (message) => post({ kind: 'progress', call: 'info', message }),
};
let ctx: ScanContext | undefined;

port.on('message', async (m: ThreadRequest) => {
  if (m.kind === 'context') {
    ctx = { ...m.ctx, progress };
    return;
  }
  const t = performance.now();
  try {
    if (m.part !== undefined) {
      const result = await IN_PARTS.get(DETECTORS[m.detector]!)!.run(ctx!, m.part);
      post({ kind: 'part', result, seconds: (performance.now() - t) / 1000 });
      return;
    }
    const output = await DETECTORS[m.detector]!.run(ctx!);
    const seconds = (performance.now() - t) / 1000;
    const b = output.scores.buffer;
    // The scores' own buffer moves to the other thread; a view into a larger or shared one is copied.
    const movable = b instanceof ArrayBuffer && output.scores.byteOffset === 0 && output.scores.byteLength === b.byteLength;
    post({ kind: 'output', output, seconds }, movable ? [b] : []);
  } catch (e) {
    post({ kind: 'error', error: describeError(e) });
  }
});
