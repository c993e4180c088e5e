import { describe, expect, it } from 'vitest';
import { changeOf } from './watch-function-files.ts';

describe('changeOf', () => {
  it('names the function whose folder changed', () => {
    expect(changeOf('invite-member/index.ts')).toEqual({ name: 'invite-member' });
    expect(changeOf('hello/lib/deep.ts')).toEqual({ name: 'hello' });
  });

  it('reloads every function when shared code, .env or the shared import map changes', () => {
    expect(changeOf('_shared/cors.ts')).toEqual({ all: true });
    expect(changeOf('.env')).toEqual({ all: true });
    expect(changeOf('import_map.json')).toEqual({ all: true });
    expect(changeOf('')).toEqual({ all: true });
  });
});
