// Worker-thread entry: runs one job of the trigger-cluster analysis (a window size, or per-position bands).
import { parentPort } from 'node:worker_threads';
import { analysePositions, type PositionInput } from './position-pass.js';
import { analyseSize, type SizeInput } from './size-analysis.js';

parentPort!.on('message', (inp: SizeInput | PositionInput) => {
  const r = inp.kind === 'position' ? analysePositions(inp) : analyseSize(inp);
  parentPort!.postMessage(r);
});
