import { describe, expect, it } from 'vitest';
import { stackProcessFlags } from './stack-process.ts';

describe('the stack process’s node flags', () => {
  it('cap the young generation and keep the CLI’s own flags after it', () => {
    expect(stackProcessFlags([])).toEqual(['--max-semi-space-size=2']);
    expect(stackProcessFlags(['--inspect'])).toEqual(['--max-semi-space-size=2', '--inspect']);
  });

  it('leave a young generation size the user chose, on the command line or in NODE_OPTIONS', () => {
    expect(stackProcessFlags(['--max-semi-space-size=16'])).toEqual(['--max-semi-space-size=16']);
    expect(stackProcessFlags([], '--max-old-space-size=512 --max-semi-space-size=8')).toEqual([]);
  });
});
