import { expect } from 'vitest';

/** An error response's body: `application/problem+json` (RFC 9457), with the located problems when it has them. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  instance: string;
  errors?: Array<{ path: string; message: string; line?: number; column?: number }>;
}

/** The body of an error response, once it is checked to be problem+json. */
export async function problemOf<Extra extends object = object>(res: Response): Promise<ProblemBody & Extra> {
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  return (await res.json()) as ProblemBody & Extra;
}
