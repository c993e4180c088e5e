import type { Context } from 'hono';
import { AuthError } from './error-codes.ts';

const BAD_JSON = 'Could not parse request body as JSON';

export type JsonObject = Record<string, unknown>;

/**
 * The request's JSON object. GoTrue decodes into typed Go structs, so both malformed
 * JSON and a field of the wrong type are `bad_json`; an empty body reads as `{}`.
 */
export async function readJsonBody(c: Context): Promise<JsonBody> {
  const text = await c.req.text();
  if (text.trim() === '') return new JsonBody({});
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new AuthError('bad_json', `${BAD_JSON}: ${(error as Error).message}`);
  }
  if (parsed === null) return new JsonBody({});
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new AuthError('bad_json', `${BAD_JSON}: expected a JSON object`);
  }
  return new JsonBody(parsed as JsonObject);
}

function wrongType(field: string, expected: string): AuthError {
  return new AuthError('bad_json', `${BAD_JSON}: field "${field}" must be ${expected}`);
}

/** Typed reads of optional fields; `null` counts as absent, like Go's zero values. */
export class JsonBody {
  constructor(readonly raw: JsonObject) {}

  has(field: string): boolean {
    return this.raw[field] !== undefined && this.raw[field] !== null;
  }

  string(field: string): string | undefined {
    const value = this.raw[field];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw wrongType(field, 'a string');
    return value;
  }

  boolean(field: string): boolean | undefined {
    const value = this.raw[field];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') throw wrongType(field, 'a boolean');
    return value;
  }

  object(field: string): JsonObject | undefined {
    const value = this.raw[field];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) throw wrongType(field, 'an object');
    return value as JsonObject;
  }

  nested(field: string): JsonBody {
    return new JsonBody(this.object(field) ?? {});
  }
}
