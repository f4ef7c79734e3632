import { readFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';

describe('the workflow bundle', () => {
  // The bundle the tests' workers run, built in the global setup with `workflowBundleOptions()` as Weft's are.
  const code = readFileSync(inject('workflowBundlePath'), 'utf8');

  it("compiles Weft's workflow code for ES2022: object spreads and class fields are the language's own, not helper calls", () => {
    // Asserted as booleans: a failure should name the helper, not print the bundle.
    expect(code.includes('class EventLog {')).toBe(true);
    for (const helper of ['function _define_property(', 'function _object_spread(', 'function _object_spread_props(']) expect(code.includes(helper), helper).toBe(false);
  });
});
