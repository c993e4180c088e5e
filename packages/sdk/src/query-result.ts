/**
 * The one place that turns supabase-js' `{ data, error }` results into returned values or a
 * thrown GroundworkError, so every module follows the same convention: throw.
 */
import type * as z from 'zod/mini';
import { issueMessage } from '../../../supabase/functions/_shared/schemas/issue-messages.ts';
import {
  fromAuthError,
  fromFunctionsError,
  fromPostgrestError,
  fromStorageError,
  fromZodError,
} from './error-mapping.ts';
import { GroundworkError } from './errors.ts';

type PostgrestErrorLike = { message: string; code?: string; details?: string | null; hint?: string | null };
type PostgrestResultLike = { data: unknown; error: PostgrestErrorLike | null; status: number };
/** supabase-js results are unions of a success shape (`error: null`) and a failure shape. */
type SuccessData<R> = R extends { error: null; data: infer D } ? D : never;

/** The data of a PostgREST response, or the mapped error thrown. */
export async function rows<R extends PostgrestResultLike>(request: PromiseLike<R>): Promise<SuccessData<R>> {
  const { data, error, status } = await request;
  if (error) throw fromPostgrestError(error, status);
  return data as SuccessData<R>;
}

/** Like {@link rows}, but a missing row is `not_found` named after the thing looked for. */
export async function oneRow<R extends PostgrestResultLike>(
  request: PromiseLike<R>,
  what: string,
): Promise<NonNullable<SuccessData<R>>> {
  const data = await rows(request);
  if (data === null || data === undefined) {
    throw new GroundworkError('not_found', `${what} not found.`, {
      reason: `${what.toLowerCase()}_not_found`,
    });
  }
  return data;
}

type AuthErrorLike = {
  name: string;
  message: string;
  status?: number | undefined;
  code?: string | undefined;
};

/** The data of an auth-js call's success shape, or the mapped error thrown. */
export async function authData<R extends { data: unknown; error: AuthErrorLike | null }>(
  request: PromiseLike<R>,
): Promise<SuccessData<R>> {
  const { data, error } = await request;
  if (error) throw fromAuthError(error);
  return data as SuccessData<R>;
}

/** Awaits an auth-js call that returns only `{ error }`, throwing the mapped error. */
export async function authDone(request: PromiseLike<{ error: AuthErrorLike | null }>): Promise<void> {
  const { error } = await request;
  if (error) throw fromAuthError(error);
}

type StorageErrorLike = { name: string; message: string; status?: number; statusCode?: string };

/** The data of a storage-js call, or the mapped error thrown. */
export async function storageData<R extends { data: unknown; error: StorageErrorLike | null }>(
  request: PromiseLike<R>,
): Promise<SuccessData<R>> {
  const { data, error } = await request;
  if (error) throw fromStorageError(error);
  return data as SuccessData<R>;
}

interface FunctionsResult<T> {
  data: T | null;
  error: { name: string; message: string; context?: unknown } | null;
}

/** The body of an edge-function call, or the mapped error (read from the JSON body) thrown. */
export async function functionData<T>(request: PromiseLike<FunctionsResult<T>>): Promise<T> {
  const { data, error } = await request;
  if (error) throw await fromFunctionsError(error);
  return data as T;
}

/**
 * Parses an input with its schema before anything is sent; `validation_failed` lists the fields.
 * `fieldNames` renames fields in the error when a shared schema names them differently from
 * the SDK's signature (edge-function bodies are camelCase, SDK inputs are column names).
 */
export function parseInput<S extends z.ZodMiniType>(
  schema: S,
  input: unknown,
  fieldNames?: Record<string, string>,
): z.output<S> {
  const result = schema.safeParse(input, { error: issueMessage });
  if (!result.success) throw fromZodError(result.error, fieldNames);
  return result.data;
}
