import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { defineConfig } from 'tsdown';

// TypeScript 7 is the native compiler (no JS API): declarations come from its binary, which
// rolldown-plugin-dts runs in its `tsgo` mode and then bundles.
const typescriptPackage = pathToFileURL(createRequire(import.meta.url).resolve('typescript/package.json'));
const { default: typescriptBinary } = await import(new URL('lib/getExePath.js', typescriptPackage).href);

export default defineConfig({
  entry: ['src/index.ts', 'src/webhooks.ts'],
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  unbundle: true,
  sourcemap: true,
  dts: {
    tsgo: { path: typescriptBinary() },
    tsconfig: '../../tsconfig.sdk-declarations.json',
    sourcemap: true,
  },
  tsconfig: 'tsconfig.portable.json',
});
