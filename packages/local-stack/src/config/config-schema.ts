import { z } from 'zod';
import { parseByteSize } from './byte-size.ts';
import { parseDurationMs } from './durations.ts';
import { DEFAULT_PROJECT_ID } from './project-location.ts';

/**
 * Everything the local stack reads from the Supabase CLI's config.toml, and nothing else:
 * a section declared here is one groundwork serves (the start-up warning about ignored
 * settings is derived from this schema, see `unsupported-settings.ts`). Values leave the
 * schema typed and checked: sizes in bytes, durations in milliseconds, hook URIs resolved
 * to the function they name, so no service parses config.toml text itself.
 *
 * Field names follow config.toml (snake_case). Objects are loose so that settings we don't
 * read never stop a project's file from loading.
 */

/**
 * A value written as text in config.toml (a size, a duration) or as a bare TOML number,
 * turned into a number; what `read` throws becomes an issue on the value's key.
 */
function numberFrom(
  read: { text: (text: string) => number; number: (value: number) => number },
  expected: string,
) {
  return z.unknown().transform((value, ctx): number => {
    try {
      if (typeof value === 'string') return read.text(value);
      if (typeof value === 'number') return read.number(value);
      throw new Error(`expected ${expected}, got ${JSON.stringify(value)}`);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });
}

/** Bytes: a string is read as the CLI reads it ("5MB" = 5 MiB); a TOML integer is a byte count. */
const byteSize = numberFrom(
  {
    text: parseByteSize,
    number: (bytes) => {
      if (!Number.isSafeInteger(bytes) || bytes < 0)
        throw new Error(`invalid size ${bytes} (not a whole number of bytes)`);
      return bytes;
    },
  },
  'a size such as "50MiB" or a number of bytes',
);

/**
 * Milliseconds: a string is a Go duration ("1s", "1h30m"). A TOML integer is nanoseconds,
 * because that is what the CLI's decoder makes of a bare number in a `time.Duration` field.
 */
const duration = numberFrom(
  { text: parseDurationMs, number: (nanoseconds) => nanoseconds / 1e6 },
  'a duration such as "1s"',
);

/** The Postgres function a `pg-functions://<database>/<schema>/<function>` hook URI names. */
export interface HookFunction {
  schema: string;
  name: string;
}

const PG_FUNCTIONS_URI = /^pg-functions:\/\/[^/]+\/([^/]+)\/([^/]+)$/;

/**
 * An Auth hook. Only Postgres-function hooks are served locally, so an enabled hook must
 * name one; `function` is that function, or undefined while the hook is off.
 */
const pgFunctionHook = z
  .looseObject({
    enabled: z.boolean().default(false),
    uri: z.string().default(''),
    secrets: z.string().optional(),
  })
  .transform((hook, ctx) => {
    if (!hook.enabled) return { ...hook, function: undefined as HookFunction | undefined };
    const match = PG_FUNCTIONS_URI.exec(hook.uri.trim());
    if (!match) {
      ctx.addIssue({
        code: 'custom',
        path: ['uri'],
        message: `must look like pg-functions://postgres/<schema>/<function> (HTTP hooks are not served locally), got "${hook.uri}"`,
      });
      return z.NEVER;
    }
    const target: HookFunction = { schema: match[1] as string, name: match[2] as string };
    return { ...hook, function: target as HookFunction | undefined };
  });

/** `[auth.mfa.totp]`, `[auth.mfa.web_authn]`: each factor type is off unless switched on, as in the CLI. */
const mfaFactorSwitches = z.looseObject({
  enroll_enabled: z.boolean().default(false),
  verify_enabled: z.boolean().default(false),
});

/** `[auth.email.smtp]`: when enabled, Auth sends through this server instead of the mail catcher. */
const smtpSchema = z
  .looseObject({
    enabled: z.boolean().default(false),
    host: z.string().default(''),
    port: z.number().int().min(1).max(65_535).default(587),
    user: z.string().optional(),
    pass: z.string().optional(),
    admin_email: z.string().default('admin@email.com'),
    sender_name: z.string().default('Admin'),
  })
  .superRefine((smtp, ctx) => {
    if (smtp.enabled && smtp.host.trim() === '') {
      ctx.addIssue({ code: 'custom', path: ['host'], message: 'is required when the section is enabled' });
    }
  });

const emailTemplateSchema = z.looseObject({
  subject: z.string().optional(),
  content_path: z.string().optional(),
});

/** An SMS provider section (`[auth.sms.twilio]` …): locally the SMS catcher stands in for whichever is on. */
const smsProviderSchema = z.looseObject({ enabled: z.boolean().default(false) });

/** `[auth.sms]`: the phone provider, as the CLI hands it to GoTrue (GOTRUE_EXTERNAL_PHONE_*, GOTRUE_SMS_*). */
const smsSchema = z.looseObject({
  /** CLI v2+ switches the phone provider with `enabled`; older files said `enable_signup`. */
  enabled: z.boolean().optional(),
  enable_signup: z.boolean().default(false),
  enable_confirmations: z.boolean().default(false),
  template: z.string().default('Your code is {{ .Code }}'),
  max_frequency: duration.default(5000),
  /** Phone number (digits, no `+`) → the code that signs it in; no message is sent to it. */
  test_otp: z.record(z.string(), z.string()).default({}),
  twilio: smsProviderSchema.optional(),
  twilio_verify: smsProviderSchema.optional(),
  messagebird: smsProviderSchema.optional(),
  textlocal: smsProviderSchema.optional(),
  vonage: smsProviderSchema.optional(),
});

/**
 * `[auth.external.<provider>]`: an OAuth / OIDC provider. Locally the built-in test identity
 * provider stands in for every enabled one (services/auth/oauth), so none is ignored.
 */
const externalProviderSchema = z.looseObject({
  enabled: z.boolean().default(false),
  client_id: z.string().default(''),
  secret: z.string().default(''),
  redirect_uri: z.string().default(''),
  url: z.string().default(''),
  skip_nonce_check: z.boolean().default(false),
  email_optional: z.boolean().default(false),
});

export const configTomlSchema = z.looseObject({
  project_id: z.string().default(DEFAULT_PROJECT_ID),
  api: z
    .looseObject({
      enabled: z.boolean().default(true),
      port: z.number().int().default(54321),
      schemas: z.array(z.string()).default(['public', 'graphql_public']),
      extra_search_path: z.array(z.string()).default(['public', 'extensions']),
      max_rows: z.number().int().default(1000),
    })
    .prefault({}),
  db: z
    .looseObject({
      port: z.number().int().default(54322),
      major_version: z.number().int().default(17),
      migrations: z.looseObject({ enabled: z.boolean().default(true) }).prefault({}),
      seed: z
        .looseObject({
          enabled: z.boolean().default(true),
          sql_paths: z.array(z.string()).default(['./seed.sql']),
        })
        .prefault({}),
    })
    .prefault({}),
  realtime: z.looseObject({ enabled: z.boolean().default(true) }).prefault({}),
  storage: z
    .looseObject({
      enabled: z.boolean().default(true),
      file_size_limit: byteSize.default(50 * 1024 ** 2),
      // The CLI serves image transformations unless this says otherwise.
      image_transformation: z.looseObject({ enabled: z.boolean().default(true) }).prefault({}),
      buckets: z
        .record(
          z.string(),
          z.looseObject({
            public: z.boolean().default(false),
            file_size_limit: byteSize.optional(),
            allowed_mime_types: z.array(z.string()).optional(),
            objects_path: z.string().optional(),
          }),
        )
        .default({}),
    })
    .prefault({}),
  inbucket: z
    .looseObject({ enabled: z.boolean().default(true), port: z.number().int().default(54324) })
    .optional(),
  local_smtp: z
    .looseObject({ enabled: z.boolean().default(true), port: z.number().int().default(54324) })
    .optional(),
  auth: z
    .looseObject({
      enabled: z.boolean().default(true),
      site_url: z.string().default('http://127.0.0.1:3000'),
      additional_redirect_urls: z.array(z.string()).default([]),
      jwt_expiry: z.number().int().positive().default(3600),
      jwt_secret: z.string().optional(),
      signing_keys_path: z.string().optional(),
      enable_refresh_token_rotation: z.boolean().default(true),
      refresh_token_reuse_interval: z.number().int().default(10),
      enable_signup: z.boolean().default(true),
      enable_anonymous_sign_ins: z.boolean().default(false),
      enable_manual_linking: z.boolean().default(false),
      minimum_password_length: z.number().int().default(6),
      password_requirements: z.string().default(''),
      rate_limit: z
        .looseObject({
          email_sent: z.number().int().default(2),
          sms_sent: z.number().int().default(30),
          anonymous_users: z.number().int().default(30),
          token_refresh: z.number().int().default(150),
          sign_in_sign_ups: z.number().int().default(30),
          token_verifications: z.number().int().default(30),
          web3: z.number().int().default(30),
        })
        .prefault({}),
      email: z
        .looseObject({
          /** CLI v2+ switches the email provider with `enabled`; older files said `enable_signup`. */
          enabled: z.boolean().optional(),
          enable_signup: z.boolean().default(true),
          double_confirm_changes: z.boolean().default(true),
          enable_confirmations: z.boolean().default(false),
          secure_password_change: z.boolean().default(false),
          max_frequency: duration.default(1000),
          otp_length: z.number().int().default(6),
          otp_expiry: z.number().int().default(3600),
          smtp: smtpSchema.optional(),
          template: z.record(z.string(), emailTemplateSchema).default({}),
        })
        .prefault({}),
      sms: smsSchema.prefault({}),
      external: z.record(z.string(), externalProviderSchema).default({}),
      hook: z
        .looseObject({
          custom_access_token: pgFunctionHook.optional(),
          /** Sends phone codes instead of the SMS provider (locally: instead of the SMS catcher). */
          send_sms: pgFunctionHook.optional(),
        })
        .prefault({}),
      /** `[auth.webauthn]`: the relying party WebAuthn factors and passkeys are registered for. */
      webauthn: z
        .looseObject({
          rp_display_name: z.string().optional(),
          rp_id: z.string().optional(),
          rp_origins: z.array(z.string()).optional(),
        })
        .prefault({}),
      /** `[auth.passkey]`: passkey sign-in (GOTRUE_PASSKEY_ENABLED), off unless switched on, as in the CLI. */
      passkey: z.looseObject({ enabled: z.boolean().default(false) }).prefault({}),
      /** `[auth.mfa]`: TOTP and WebAuthn factors (phone factors are not declared, so they are warned about). */
      mfa: z
        .looseObject({
          max_enrolled_factors: z.number().int().positive().default(10),
          totp: mfaFactorSwitches.prefault({}),
          web_authn: mfaFactorSwitches.prefault({}),
        })
        .prefault({}),
    })
    .prefault({}),
  edge_runtime: z
    .looseObject({
      enabled: z.boolean().default(true),
      secrets: z.record(z.string(), z.string()).default({}),
    })
    .prefault({}),
  functions: z
    .record(
      z.string(),
      z.looseObject({
        enabled: z.boolean().default(true),
        verify_jwt: z.boolean().default(true),
        entrypoint: z.string().optional(),
        import_map: z.string().optional(),
      }),
    )
    .default({}),
});

export type ConfigToml = z.infer<typeof configTomlSchema>;

/**
 * A setting groundwork reads from the environment instead of config.toml: which
 * gateway the stack runs. config.toml belongs to the Supabase CLI, which warns about keys
 * it does not know, and the choice is about how code is tested, not about the project.
 * `hosted` (default): Supabase's platform, an API key required on REST, Auth and Realtime,
 * function preflights answered by the function. `supabase-start`: the Kong that `supabase
 * start` runs, which checks no keys (a key-less call runs as anon) and answers CORS for
 * every route, functions included.
 */
export const GATEWAY_MODE_VARIABLE = 'GROUNDWORK_GATEWAY';

/**
 * Read from the environment for the same reason: the addresses (or CIDR ranges) of reverse
 * proxies in front of the stack, comma-separated (`127.0.0.1,10.0.0.0/8,::1`). Only a request
 * arriving from one of them has its X-Forwarded-For believed; by default none is, so a
 * client cannot pick the address that Auth's per-IP rate limits count it under.
 */
export const TRUSTED_PROXIES_VARIABLE = 'GROUNDWORK_TRUSTED_PROXIES';

export const gatewayModeSchema = z
  .enum(['hosted', 'supabase-start'], {
    error: (issue) => `must be "hosted" or "supabase-start", got ${JSON.stringify(issue.input)}`,
  })
  .default('hosted');

export type GatewayMode = z.infer<typeof gatewayModeSchema>;
