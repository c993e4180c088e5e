#!/usr/bin/env node
// The CLI runs the built JavaScript in dist/ (`npm run build`; done by `npm install` in this
// repo and before `npm pack`), so no TypeScript compiler is loaded at run time.
import module from 'node:module';

// Node 22.1+ caches compiled code between runs; older Nodes simply start without it.
module.enableCompileCache?.();
await import('../dist/cli.js');
