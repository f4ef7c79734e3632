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

  it('reads TEMPORAL_TLS as the same kind of flag, and turns TLS on for a client certificate or an API key', () => {
    const tls = (env: Record<string, string>) => loadConfig({ TEMPORAL_ADDRESS: 'temporal.example:7233', ...env }).temporal.tls;
    expect(tls({})).toBeUndefined();
    expect(tls({ TEMPORAL_TLS: '1' })).toBeDefined();
    expect(tls({ TEMPORAL_TLS: 'true' })).toBeDefined();
    expect(tls({ TEMPORAL_TLS: '0' })).toBeUndefined();
    expect(tls({ TEMPORAL_TLS: 'false', TEMPORAL_API_KEY: 'key' })).toBeDefined();
    expect(tls({ TEMPORAL_TLS_CERT: '/etc/weft/client.pem' })).toMatchObject({ certPath: '/etc/weft/client.pem' });
    expect(() => loadConfig({ TEMPORAL_TLS: 'yes' })).toThrow('TEMPORAL_TLS must be 1, true, 0 or false, got "yes"');
  });
});
