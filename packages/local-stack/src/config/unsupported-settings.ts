import { z } from 'zod';
import { configTomlSchema } from './config-schema.ts';

/** The flags by which config.toml switches a section on. */
const ENABLE_KEYS = ['enabled', 'enroll_enabled', 'verify_enabled'];

/**
 * Sections switched on in config.toml (`enabled = true`, or MFA's `enroll_enabled` /
 * `verify_enabled`) that the schema does not declare, reported once at start so nothing
 * is silently ignored. Whatever the schema declares is served, because the schema is
 * what services read; so the report can't disagree with what runs.
 */
export function findUnsupportedSettings(
  toml: Record<string, unknown>,
  schema: z.ZodType = configTomlSchema,
): string[] {
  return walk(toml, schema, '');
}

function walk(section: Record<string, unknown>, schema: z.ZodType | undefined, prefix: string): string[] {
  const found: string[] = [];
  for (const [key, value] of Object.entries(section)) {
    if (!isTable(value)) continue;
    const path = prefix ? `${prefix}.${key}` : key;
    const declared = schema && childSchema(schema, key);
    if (!declared && ENABLE_KEYS.some((flag) => value[flag] === true)) found.push(path);
    found.push(...walk(value, declared, path));
  }
  return found;
}

/** The schema `schema` declares for `key`, looking through defaults, optionals and transforms. */
function childSchema(schema: z.ZodType, key: string): z.ZodType | undefined {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodObject) {
    const shape = inner.shape as Record<string, z.ZodType>;
    return Object.hasOwn(shape, key) ? shape[key] : undefined;
  }
  if (inner instanceof z.ZodRecord) return inner.valueType as z.ZodType;
  return undefined;
}

function unwrap(schema: z.ZodType): z.ZodType {
  if (
    schema instanceof z.ZodDefault ||
    schema instanceof z.ZodPrefault ||
    schema instanceof z.ZodOptional ||
    schema instanceof z.ZodNullable
  ) {
    return unwrap(schema.unwrap() as z.ZodType);
  }
  if (schema instanceof z.ZodPipe) return unwrap(schema.in as z.ZodType);
  return schema;
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
