import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { defineConfig } from 'tsdown';

// TypeScript 7 is the native compiler (no JS API): declarations come from its binary, which
// rolldown-plugin-dts runs in its `tsgo` mode and then bundles.
const typescriptPackage = pathToFileURL(createRequire(import.meta.url).resolve('typescript/package.json'));
const { default: typescriptBinary } = await import(new URL('lib/getExePath.js', typescriptPackage).href);

// The error vocabulary's `when` sentences (docs/data-model.md) and `underStorage` notes (tests)
// are never read by the SDK, so the built package leaves them out (≈0.7 KB min+gzip of an app).
const DOC_ONLY_PROPERTIES = /\n\s*(?:when:\s*(['"`])(?:\\.|(?!\1)[^\\])*\1|underStorage:\s*\{[^}]*\}),?/g;
const dropVocabularyDocs = {
  name: 'groundwork:drop-vocabulary-docs',
  transform(code: string, id: string) {
    return id.endsWith('/error-vocabulary.ts')
      ? { code: code.replace(DOC_ONLY_PROPERTIES, ''), map: null }
      : null;
  },
};

export default defineConfig({
  entry: ['src/index.ts', 'src/modules.ts', 'src/webhooks.ts'],
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
  plugins: [dropVocabularyDocs],
});
