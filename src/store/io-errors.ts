// File-system errors as the one line a user reads (no stack): what went wrong, in words.

const WORDS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'is a folder',
  EEXIST: 'already exists',
  ENOENT: 'no such file or folder',
  EPIPE: 'the reader closed the pipe',
  EBADF: 'the stream is closed',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
};

export function ioReason(e: unknown): string {
  const code = e && typeof e === 'object' && 'code' in e ? String((e as { code: unknown }).code) : '';
  if (WORDS[code]) return WORDS[code]!;
  return e instanceof Error ? e.message.split('\n')[0]! : String(e);
}

/** Node's system errors (ENOSPC, EACCES, ...) carry a code and a syscall. */
export function isSystemError(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && typeof (e as NodeJS.ErrnoException).syscall === 'string';
}
