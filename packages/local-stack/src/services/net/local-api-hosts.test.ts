import { describe, expect, it } from 'vitest';
import { localApiTarget } from './local-api-hosts.ts';

const api = { port: 43210, configuredPort: 54321 };
const target = (url: string) => localApiTarget(new URL(url), api);

describe('localApiTarget', () => {
  it('sends the names Supabase tells supabase start users to write to the stack gateway', () => {
    expect(target('http://kong:8000/functions/v1/hello')).toEqual({ host: '127.0.0.1', port: 43210 });
    expect(target('http://supabase_kong_my-app:8000/rest/v1/')).toEqual({ host: '127.0.0.1', port: 43210 });
    expect(target('http://host.docker.internal:54321/functions/v1/hello')).toEqual({
      host: '127.0.0.1',
      port: 43210,
    });
    expect(target('http://localhost:54321/rest/v1/')).toEqual({ host: '127.0.0.1', port: 43210 });
  });

  it('sends host.docker.internal to this machine and leaves every other URL alone', () => {
    expect(target('http://host.docker.internal:3000/hook')).toEqual({ host: '127.0.0.1', port: 3000 });
    expect(target('http://127.0.0.1:43210/rest/v1/')).toBeUndefined();
    expect(target('http://localhost:3000/hook')).toBeUndefined();
    expect(target('https://example.com/hook')).toBeUndefined();
    expect(target('http://kong:8443/')).toBeUndefined();
  });
});
