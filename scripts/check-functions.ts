/**
 * `npm run check:functions`: type-checks every edge function with the real `deno check`,
 * as `supabase functions deploy` resolves them. Exits non-zero naming the functions that fail.
 */
import { checkFunctions, loadConfig } from '@groundwork/local-stack';

const { checked, failed } = checkFunctions(loadConfig({ env: process.env }), (name) =>
  process.stdout.write(`deno check ${name}\n`),
);
if (failed.length > 0) {
  process.stderr.write(`deno check failed for: ${failed.join(', ')}\n`);
  process.exit(1);
}
process.stdout.write(`${checked.length} function(s) type-check\n`);
