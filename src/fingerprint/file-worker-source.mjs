// Worker entry of the file pool when it runs from the TypeScript sources (vitest, `node --import tsx`): a worker
// thread does not inherit its parent's TypeScript loader, so this loads file-worker.ts through tsx, a development
// dependency present wherever the sources run. The built package starts dist/fingerprint/file-worker.js instead
// and never reads this file.
import { tsImport } from 'tsx/esm/api';

await tsImport('./file-worker.ts', import.meta.url);
