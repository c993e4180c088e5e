#!/usr/bin/env node
// The CLI is TypeScript run in place (no build step to go stale); tsx compiles on load.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
