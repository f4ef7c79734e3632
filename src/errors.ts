import type { TemplateProblem } from './template/source.js';

/** One located problem: the path of what is wrong, why, and where in the source text when known. */
export type Problem = TemplateProblem;

/** The kinds of failure Weft reports; the API maps each to one HTTP status, and clients can branch on them. */
export type WeftErrorType = 'bad-request' | 'forbidden' | 'not-found' | 'conflict' | 'validation-failed' | 'payload-too-large' | 'unsupported-media-type' | 'unavailable';

/** A failure a caller can act on, with every located problem when there are several. */
export class WeftError extends Error {
  override readonly name = 'WeftError';
  constructor(readonly type: WeftErrorType, message: string, readonly errors?: Problem[]) {
    super(message);
  }
}

/** The named resource does not exist. */
export const notFound = (what: string) => new WeftError('not-found', `${what} does not exist`);

/** The caller may not do this (its role, or the assignment of an approval, says no). */
export const forbidden = (message: string) => new WeftError('forbidden', message);

/** The request makes no sense in the resource's current state. */
export const conflict = (message: string) => new WeftError('conflict', message);

/** The request is well-formed but invalid; every problem is listed. */
export const invalid = (message: string, errors: Problem[]) => new WeftError('validation-failed', message, errors);
