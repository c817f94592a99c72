import { readFileSync } from 'node:fs';

// package.json sits two levels above both src/version.ts and dist/version.js.
export const VERSION: string = (() => {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
})();
