// A file's digest as hex: Node's one-shot hash where it exists (Node 20.12 and later), else a Hash object.
import * as crypto from 'node:crypto';

type OneShot = (algorithm: string, data: Uint8Array, encoding: 'hex') => string;
const oneShot = (crypto as unknown as { hash?: OneShot }).hash;

export function hexDigest(algorithm: 'sha256' | 'md5', data: Uint8Array): string {
  return oneShot ? oneShot(algorithm, data, 'hex') : crypto.createHash(algorithm).update(data).digest('hex');
}
