import { relative } from 'node:path';
import type { StackConfig } from '../../config/load-config.ts';
import type { Finding } from '../finding.ts';
import type { FunctionSources } from '../function-sources.ts';

/**
 * Calls that verify who is calling: a user's token, a webhook signature (Stripe, Standard
 * Webhooks), a key compared in constant time. A function with `verify_jwt = false` that
 * makes none of them answers anyone on the internet.
 */
const VERIFICATIONS: readonly RegExp[] = [
  /\bauth\.getUser\s*\(/,
  /\bauth\.getClaims\s*\(/,
  /\bjwtVerify\s*\(/,
  /\bconstructEvent(?:Async)?\s*\(/,
  /\bnew\s+Webhook\s*\([\s\S]*\.verify\s*\(/,
  /\bverifyWebhook\s*\(/,
  /\bcrypto\.subtle\.verify\s*\(/,
  /\btimingSafeEqual\s*\(/,
  /\bverify_api_key\b|\bverifyApiKey\s*\(/,
];

/** For a check doctor can't recognise: `// groundwork-doctor: verifies-caller <how>` in the function. */
const DECLARED = /\/\/\s*groundwork-doctor:\s*verifies-caller\s+\S/;

export function checkUnverifiedFunctions(config: StackConfig, functions: FunctionSources[]): Finding[] {
  return functions
    .filter((fn) => !fn.definition.verifyJwt)
    .filter(
      (fn) =>
        !fn.files.some(({ text }) => DECLARED.test(text) || VERIFICATIONS.some((check) => check.test(text))),
    )
    .map((fn) => ({
      kind: 'function-unverified' as const,
      severity: 'error' as const,
      file: relative(config.workdir, fn.definition.entrypoint),
      message: `function ${fn.definition.name} has verify_jwt = false and checks no caller (no token, signature or key verification found): anyone can call it on hosted`,
      fix: "verify a webhook signature or the caller's token in the function, or remove verify_jwt = false (a check doctor misses can be declared with // groundwork-doctor: verifies-caller <how>)",
    }));
}
