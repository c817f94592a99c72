// An error thrown on a worker thread, carried to the thread that waits for it as the same kind of error: its
// class (the built-in ones and UsageError, which sets the exit code), message and stack.
import { UsageError } from '../types.js';

export interface ThreadError {
  name: string;
  message: string;
  stack?: string;
}

const KINDS: Record<string, new (message: string) => Error> = { Error, RangeError, TypeError, SyntaxError, ReferenceError, EvalError, URIError, UsageError };

export function describeError(e: unknown): ThreadError {
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack };
  return { name: 'Error', message: String(e) };
}

export function rebuildError(d: ThreadError): Error {
  const Kind = Object.hasOwn(KINDS, d.name) ? KINDS[d.name]! : Error;
  const e = new Kind(d.message);
  if (e.name !== d.name) e.name = d.name;
  if (d.stack !== undefined) e.stack = d.stack;
  return e;
}
