import { describe, expect, it } from 'vitest';
import { isValidBucketName, isValidObjectKey } from './object-key.ts';

describe('isValidObjectKey', () => {
  it.each(['a.txt', 'folder/sub/file name (1).png', "it's @home=;:+,?!$&*.txt", 'a/b/c/d/e'])(
    'accepts %j',
    (key) => {
      expect(isValidObjectKey(key)).toBe(true);
    },
  );

  it.each([
    ['empty', ''],
    ['parent segment', '../etc/passwd'],
    ['parent segment inside', 'a/../../b'],
    ['current segment', './a'],
    ['absolute path', '/etc/passwd'],
    ['empty segment', 'a//b'],
    ['trailing slash', 'a/'],
    ['NUL', 'a\u0000b'],
    ['newline', 'a\nb'],
    ['tab', 'a\tb'],
    ['backslash', 'a\\..\\b'],
    ['non-ASCII letter', 'über.txt'],
    ['right-to-left override', 'evil\u202etxt.exe'],
    ['zero-width space', 'a\u200bb'],
    ['percent', '100%.txt'],
    ['tilde (reserved for version files)', 'a~b'],
    ['a segment longer than a file name may be', `${'x'.repeat(256)}.txt`],
    ['a key over 1024 bytes', 'a/'.repeat(600)],
  ])('refuses %s', (_what, key) => {
    expect(isValidObjectKey(key)).toBe(false);
  });
});

describe('isValidBucketName', () => {
  it('accepts the names hosted accepts', () => {
    expect(isValidBucketName('avatars')).toBe(true);
    expect(isValidBucketName('my bucket-1.0')).toBe(true);
  });

  it.each(['', 'a/b', '..', '.', 'ü', 'x'.repeat(101)])('refuses %j', (name) => {
    expect(isValidBucketName(name)).toBe(false);
  });
});
