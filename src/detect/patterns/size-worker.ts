// Worker-thread entry: runs one window size of the trigger-cluster analysis.
import { parentPort } from 'node:worker_threads';
import { analyseSize, type SizeInput } from './size-analysis.js';

parentPort!.on('message', (inp: SizeInput) => {
  const r = analyseSize(inp);
  parentPort!.postMessage(r);
});
