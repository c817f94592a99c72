// Worker-thread entry of the blend search: one job (a range of images' spectra, or a class's tail) per message.
import { parentPort } from 'node:worker_threads';
import { runSearchJob, type SearchJob } from './search.js';

parentPort!.on('message', (job: SearchJob) => {
  parentPort!.postMessage(runSearchJob(job) ?? null);
});
