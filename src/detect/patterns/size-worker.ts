// Worker-thread entry: runs one job of the trigger-cluster analysis (a window size, per-position bands, or colour rows).
import { parentPort } from 'node:worker_threads';
import { analyseColour, type ColourInput } from './colour-pass.js';
import { analysePositions, type PositionInput } from './position-pass.js';
import { analyseSize, type SizeInput } from './size-analysis.js';

parentPort!.on('message', (inp: SizeInput | PositionInput | ColourInput) => {
  const r = inp.kind === 'position' ? analysePositions(inp) : inp.kind === 'colour' ? analyseColour(inp) : analyseSize(inp);
  parentPort!.postMessage(r);
});
