import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config.ts';
import { encodeDaemonConfig } from './daemon-config.ts';

// The repository's own project: config.toml with most sections set.
const repository = new URL('../../../../', import.meta.url).pathname;

describe('the config the CLI hands the stack process', () => {
  it('arrives as the same StackConfig (nothing JSON cannot carry), without the environment', () => {
    const config = loadConfig({ workdir: repository, env: { ...process.env, SECRET_FOR_TEST: 'x' } });
    const sent = JSON.parse(encodeDaemonConfig(config));
    const { env: _inherited, ...rest } = config;
    expect(sent).toEqual(rest);
    expect(sent.env).toBeUndefined();
    expect(JSON.stringify(sent)).not.toContain('SECRET_FOR_TEST');
  });
});
