import { describe, expect, it } from 'vitest';
import { parseDotenv } from './dotenv.ts';

describe('parseDotenv', () => {
  it('reads names and values, skipping comments and blank lines', () => {
    expect(parseDotenv('# secrets\nA=1\n\nexport B = two \nC=three # note\n')).toEqual({
      A: '1',
      B: 'two',
      C: 'three',
    });
  });

  it('keeps single-quoted values literal and unescapes double-quoted ones', () => {
    expect(parseDotenv(`A='x # y\\n'\nB="line1\\nline2"\nC=""`)).toEqual({
      A: 'x # y\\n',
      B: 'line1\nline2',
      C: '',
    });
  });

  it('joins a quoted value that spans lines', () => {
    expect(parseDotenv('KEY="-----BEGIN\nabc\n-----END"\nNEXT=1')).toEqual({
      KEY: '-----BEGIN\nabc\n-----END',
      NEXT: '1',
    });
  });

  it('ignores lines that are not assignments', () => {
    expect(parseDotenv('just text\n=novalue\nOK=yes')).toEqual({ OK: 'yes' });
  });
});
