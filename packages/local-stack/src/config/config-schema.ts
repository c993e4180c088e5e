import { z } from 'zod';

/**
 * The parts of the Supabase CLI's config.toml the local stack reads. Field names
 * follow config.toml (snake_case); unknown keys pass through so that a project's
 * file never fails to load because it has settings we don't use.
 */
const byteSize = z.union([z.string(), z.number()]);
const duration = z.union([z.string(), z.number()]);

const hookSchema = z.looseObject({
  enabled: z.boolean().default(false),
  uri: z.string().default(''),
  secrets: z.string().optional(),
});

export const configTomlSchema = z.looseObject({
  project_id: z.string().default('local'),
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
      file_size_limit: byteSize.default('50MiB'),
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
        })
        .prefault({}),
      email: z
        .looseObject({
          enable_signup: z.boolean().default(true),
          double_confirm_changes: z.boolean().default(true),
          enable_confirmations: z.boolean().default(false),
          secure_password_change: z.boolean().default(false),
          max_frequency: duration.default('1s'),
          otp_length: z.number().int().default(6),
          otp_expiry: z.number().int().default(3600),
        })
        .prefault({}),
      hook: z
        .looseObject({
          custom_access_token: hookSchema.optional(),
        })
        .prefault({}),
    })
    .prefault({}),
  edge_runtime: z.looseObject({ enabled: z.boolean().default(true) }).prefault({}),
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
