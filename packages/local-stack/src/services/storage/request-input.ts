import { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { Context } from 'hono';
import { guardedBodyOf } from '../../http/guarded-body.ts';
import type { ServiceEnv } from '../caller.ts';
import { type CallerIdentity, identifyCaller } from './caller-identity.ts';
import { storageErrors } from './errors.ts';

export type StorageRequest = Context<ServiceEnv>;

export function callerOf(c: StorageRequest): CallerIdentity {
  return identifyCaller(c.get('caller'));
}

/** A JSON object body; anything else is a 400 in hosted's shape, never a crash. */
export async function jsonBody(c: StorageRequest): Promise<Record<string, unknown>> {
  let parsed: unknown;
  try {
    const text = await c.req.text();
    parsed = text === '' ? {} : JSON.parse(text);
  } catch {
    throw storageErrors.invalidRequest('Body is not valid JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw storageErrors.invalidRequest('body must be object');
  }
  return parsed as Record<string, unknown>;
}

export function requiredString(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (typeof value !== 'string' || value === '') throw storageErrors.missingParameter(name);
  return value;
}

export function optionalString(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw storageErrors.invalidParameter(name);
  return value;
}

export function positiveInteger(body: Record<string, unknown>, name: string): number {
  const value = body[name];
  if (value === undefined) throw storageErrors.missingParameter(name);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw storageErrors.invalidParameter(name, `body/${name} must be >= 1`);
  }
  return value;
}

/** Bucket and object key from `/…/:bucket/:key{.+}` routes (Hono has already percent-decoded them). */
export function objectAddress(c: StorageRequest): { bucketId: string; key: string } {
  return { bucketId: c.req.param('bucket') ?? '', key: c.req.param('key') ?? '' };
}

/** `?download` → attachment with the default name; `?download=name` → that name; absent → inline. */
export function downloadParam(c: StorageRequest): string | undefined {
  return c.req.query('download');
}

/**
 * An upload's body as a Node stream, without the web-stream layer: the gateway's guarded
 * body (its idle timeout applies, the mount's JSON limit does not: uploads are limited per
 * bucket, on the stream), else the Node request behind this one when served by
 * @hono/node-server (it passes `{ incoming, outgoing }` as the env).
 */
export function nodeRequestBody(c: StorageRequest): Readable | undefined {
  const guarded = guardedBodyOf(c.req.raw);
  if (guarded) return guarded.nodeStream(Number.POSITIVE_INFINITY);
  const incoming = (c.env as { incoming?: unknown } | undefined)?.incoming;
  return incoming instanceof IncomingMessage ? incoming : undefined;
}

export function isUpsert(c: StorageRequest): boolean {
  return c.req.header('x-upsert') === 'true';
}
