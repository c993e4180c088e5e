import { describe, expect, inject, it } from 'vitest';
// Brings in the `inject('stack')` typing the shared test stack provides.
import type {} from '../../../../tests/global-setup.ts';
import { createLogger } from '../../src/logger.ts';
import { realtimeService } from '../../src/services/realtime/index.ts';
import { startTestDatabase } from '../../src/testing/index.ts';

// Realtime warns as it starts, whatever database it serves: a copy of the shared stack's
// (startTestDatabase) starts Realtime with these settings without a Postgres of its own.
const workdir = new URL('../../../../', import.meta.url).pathname;

describe('Realtime at start-up', () => {
  it('warns once, naming the Realtime features and [realtime] settings the stack does not serve', async () => {
    const lines: string[] = [];
    await using _stack = await startTestDatabase({
      dbUrl: inject('stack').dbUrl,
      workdir,
      services: [realtimeService],
      log: createLogger('stack', (line) => lines.push(line)),
      configOverrides: { realtime: { ip_version: 'IPv6', max_header_length: 8192 } },
    });
    const warnings = lines.filter((line) => line.includes('Realtime features groundwork does not serve'));
    expect(warnings).toHaveLength(1);
    const [warning] = warnings;
    expect(warning).toMatch(/^\[stack:[a-z:]*realtime\] warn: Realtime features/);
    for (const feature of [
      'per-project limits',
      '"private channels only" project setting',
      'Error 413: Payload Too Large',
      'realtime.ip_version = "IPv6"',
      'realtime.max_header_length = 8192',
    ]) {
      expect(warning).toContain(feature);
    }
  });
});
