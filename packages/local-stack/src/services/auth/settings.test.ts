import { describe, expect, it } from 'vitest';
import { parseHookUri } from './settings.ts';

describe('hook URIs', () => {
  it('reads pg-functions://<db>/<schema>/<function>', () => {
    expect(parseHookUri('pg-functions://postgres/public/custom_access_token_hook')).toEqual({
      schema: 'public',
      name: 'custom_access_token_hook',
    });
    expect(parseHookUri('https://example.com/hook')).toBeUndefined();
    expect(parseHookUri('pg-functions://postgres/public')).toBeUndefined();
  });
});
