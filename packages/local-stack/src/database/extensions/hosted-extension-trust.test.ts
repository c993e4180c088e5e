import { describe, expect, it } from 'vitest';
import { withTrust } from './hosted-extension-trust.ts';

describe('withTrust', () => {
  it('adds a trusted line to a control file that has none', () => {
    expect(withTrust("comment = 'x'\nrelocatable = true\n", true)).toBe(
      "comment = 'x'\nrelocatable = true\ntrusted = true\n",
    );
    expect(withTrust("comment = 'x'", true)).toBe("comment = 'x'\ntrusted = true\n");
  });

  it('rewrites an existing trusted line, whatever its spacing', () => {
    expect(withTrust("comment = 'x'\ntrusted=true\nrelocatable = true\n", false)).toBe(
      "comment = 'x'\ntrusted = false\nrelocatable = true\n",
    );
  });

  it('leaves a file that already says so unchanged, so nothing is rewritten at every start', () => {
    const control = "comment = 'x'\ntrusted = true\n";
    expect(withTrust(control, true)).toBe(control);
  });

  it('ignores a commented-out trusted line', () => {
    expect(withTrust('# trusted = true\n', true)).toBe('# trusted = true\ntrusted = true\n');
  });
});
