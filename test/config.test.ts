import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';

describe('configuration', () => {
  it('reads WEFT_WORKFLOW_STACK_TRACES as a flag, off unless set, and refuses a value it cannot read', () => {
    expect(loadConfig({}).workflowStackTraces).toBe(false);
    expect(loadConfig({ WEFT_WORKFLOW_STACK_TRACES: '1' }).workflowStackTraces).toBe(true);
    expect(loadConfig({ WEFT_WORKFLOW_STACK_TRACES: 'true' }).workflowStackTraces).toBe(true);
    expect(loadConfig({ WEFT_WORKFLOW_STACK_TRACES: '0' }).workflowStackTraces).toBe(false);
    expect(() => loadConfig({ WEFT_WORKFLOW_STACK_TRACES: 'yes' })).toThrow('WEFT_WORKFLOW_STACK_TRACES must be 1, true, 0 or false, got "yes"');
  });
});
