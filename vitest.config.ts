import { availableParallelism } from 'node:os';
import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // In-process suites import the workspace packages' TypeScript sources (the exports' "@groundwork/source"
  // condition), so they need no build; CLI and consumer tests run the built package as users do.
  ssr: { resolve: { conditions: ['@groundwork/source', ...defaultServerConditions] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'tests/**/*.test.ts'],
    // One shared stack for the repo's own supabase/ project; suites that need special
    // projects (broken migrations, fixtures) start their own isolated stacks.
    globalSetup: ['./tests/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Test files spend much of their time waiting on the processes they start (Postgres, PostgREST,
    // Deno, Chromium), so one worker per core leaves cores idle. On 2 cores, measured: 2 workers 286 s
    // (before the suite's CPU was cut), 3 workers 118 s, 4 workers 106 s, 5 workers 106 s. A number,
    // because vitest caps percentage strings at the core count.
    maxWorkers: availableParallelism() * 2,
    // Files share a worker's module graph instead of importing it anew each (import time 52 s →
    // 14 s of the suite's CPU). Safe because no test mocks modules or leaves globals or
    // process.env changed; each file's state lives in its own stacks and rows.
    isolate: false,
    // supabase-js' Realtime client needs a global WebSocket; Node 20 has one behind this flag.
    execArgv: ['--experimental-websocket'],
  },
});
