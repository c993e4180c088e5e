import {
  AuthApiError,
  AuthRetryableFetchError,
  AuthWeakPasswordError,
  FunctionsHttpError,
} from '@supabase/supabase-js';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import {
  fromAuthError,
  fromFunctionsError,
  fromPostgrestError,
  fromStorageError,
  fromZodError,
} from './error-mapping.ts';
import { GroundworkError, isGroundworkError } from './errors.ts';

describe('fromPostgrestError', () => {
  it.each([
    [{ message: 'not_authenticated', code: '42501' }, 401, 'unauthenticated', 'not_authenticated'],
    [{ message: 'forbidden', code: '42501' }, 403, 'forbidden', 'forbidden'],
    [
      { message: 'new row violates row-level security policy for table "tasks"', code: '42501' },
      403,
      'forbidden',
      '42501',
    ],
    [{ message: 'permission denied for table tasks', code: '42501' }, 401, 'unauthenticated', '42501'],
    [{ message: 'workspace_not_found', code: 'PT404' }, 404, 'not_found', 'workspace_not_found'],
    [{ message: 'invitation_expired', code: 'PT410' }, 410, 'not_found', 'invitation_expired'],
    [{ message: 'last_owner', code: 'PT409' }, 409, 'conflict', 'last_owner'],
    [{ message: 'slug_taken', code: '23505' }, 409, 'conflict', 'slug_taken'],
    [{ message: 'duplicate key value violates unique constraint', code: '23505' }, 409, 'conflict', '23505'],
    [{ message: 'invalid_move', code: '22023' }, 400, 'validation_failed', 'invalid_move'],
    [{ message: 'new row violates check constraint', code: '23514' }, 400, 'validation_failed', '23514'],
    [
      { message: 'JSON object requested, multiple (or no) rows returned', code: 'PGRST116' },
      406,
      'not_found',
      'PGRST116',
    ],
    [{ message: 'JWT expired', code: 'PGRST301' }, 401, 'unauthenticated', 'PGRST301'],
    [{ message: 'Too many requests', code: '' }, 429, 'rate_limited', undefined],
    [{ message: 'TypeError: fetch failed', code: '' }, 0, 'network', undefined],
    [{ message: 'something odd', code: 'XX000' }, 500, 'unknown', 'XX000'],
  ])('%j with status %i is %s', (error, status, code, reason) => {
    const mapped = fromPostgrestError(error, status);
    expect(mapped).toBeInstanceOf(GroundworkError);
    expect(mapped).toMatchObject({ code, reason });
    expect(mapped.cause).toBe(error);
  });

  it('keeps the HTTP status and reads plan limit details', () => {
    const mapped = fromPostgrestError(
      { message: 'plan_limit_reached', code: 'PT402', details: '{"limit":"members","max":5,"current":5}' },
      402,
    );
    expect(mapped).toMatchObject({
      code: 'plan_limit_reached',
      status: 402,
      details: { limit: 'members', max: 5, current: 5 },
    });
  });

  it('uses the human detail in the message of a coded database error', () => {
    const mapped = fromPostgrestError(
      { message: 'last_owner', code: 'PT409', details: 'A workspace must keep at least one owner.' },
      409,
    );
    expect(mapped.message).toBe('last_owner: A workspace must keep at least one owner.');
  });
});

describe('fromAuthError', () => {
  it.each([
    [new AuthApiError('Invalid login credentials', 400, 'invalid_credentials'), 'unauthenticated', 400],
    [new AuthApiError('User already registered', 422, 'user_already_exists'), 'conflict', 422],
    [new AuthApiError('Email not confirmed', 400, 'email_not_confirmed'), 'forbidden', 400],
    [new AuthApiError('Slow down', 429, 'over_request_rate_limit'), 'rate_limited', 429],
    [new AuthApiError('Signups not allowed', 422, 'signup_disabled'), 'forbidden', 422],
    [
      new AuthApiError('Unable to validate email address', 400, 'validation_failed'),
      'validation_failed',
      400,
    ],
    [new AuthApiError('No such user', 404, undefined), 'not_found', 404],
    [new AuthRetryableFetchError('fetch failed', 0), 'network', 0],
  ])('%s is %s', (error, code, status) => {
    expect(fromAuthError(error)).toMatchObject({ code, status, cause: error });
  });

  it('lists weak-password reasons under fields.password', () => {
    const error = new AuthWeakPasswordError('Password is too weak', 422, ['length', 'characters']);
    expect(fromAuthError(error)).toMatchObject({
      code: 'validation_failed',
      fields: { password: ['length', 'characters'] },
    });
  });
});

describe('fromStorageError', () => {
  it.each([
    [
      {
        name: 'StorageApiError',
        message: 'new row violates row-level security policy',
        status: 403,
        statusCode: '403',
      },
      'forbidden',
      403,
    ],
    [
      { name: 'StorageApiError', message: 'plan_limit_reached', status: 403, statusCode: '403' },
      'plan_limit_reached',
      403,
    ],
    [
      { name: 'StorageApiError', message: 'The resource already exists', status: 409, statusCode: '409' },
      'conflict',
      409,
    ],
    [
      { name: 'StorageApiError', message: 'Object not found', status: 400, statusCode: '404' },
      'not_found',
      404,
    ],
    [
      { name: 'StorageApiError', message: 'Payload too large', status: 413, statusCode: '413' },
      'validation_failed',
      413,
    ],
    [{ name: 'StorageUnknownError', message: 'fetch failed' }, 'network', 0],
  ])('%j is %s', (error, code, status) => {
    expect(fromStorageError(error)).toMatchObject({ code, status });
  });
});

describe('fromFunctionsError', () => {
  const httpError = (status: number, body: unknown) =>
    new FunctionsHttpError(
      new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }),
    );

  it('reads code, message, fields and details from the JSON body', async () => {
    const mapped = await fromFunctionsError(
      httpError(400, {
        code: 'validation_failed',
        message: 'Invalid input',
        fields: { email: ['must be an email address'] },
      }),
    );
    expect(mapped).toMatchObject({
      code: 'validation_failed',
      status: 400,
      message: 'Invalid input',
      fields: { email: ['must be an email address'] },
    });
  });

  it.each([
    [403, 'forbidden', 'forbidden'],
    [404, 'workspace_not_found', 'not_found'],
    [409, 'already_member', 'conflict'],
    [402, 'plan_limit_reached', 'plan_limit_reached'],
    [401, 'not_authenticated', 'unauthenticated'],
    [502, 'email_not_sent', 'unknown'],
  ])('status %i with code %s is %s', async (status, wireCode, code) => {
    expect(await fromFunctionsError(httpError(status, { code: wireCode, message: 'x' }))).toMatchObject({
      code,
      status,
      reason: wireCode,
    });
  });

  it('falls back on the status when the body is not ours', async () => {
    const error = new FunctionsHttpError(new Response('<html>oops</html>', { status: 503 }));
    expect(await fromFunctionsError(error)).toMatchObject({ code: 'unknown', status: 503 });
    expect(await fromFunctionsError(httpError(429, {}))).toMatchObject({ code: 'rate_limited' });
  });
});

describe('fromZodError', () => {
  it('lists every bad field under its path', () => {
    const schema = z.object({ name: z.string().check(z.minLength(1)), tags: z.array(z.string()) });
    const result = schema.safeParse({ name: '', tags: [1] });
    if (result.success) throw new Error('expected a failure');
    const mapped = fromZodError(result.error, { name: 'display_name' });
    expect(mapped).toMatchObject({ code: 'validation_failed', status: 400, reason: 'invalid_input' });
    expect(Object.keys(mapped.fields ?? {}).sort()).toEqual(['display_name', 'tags.0']);
  });
});

describe('isGroundworkError', () => {
  it('recognises instances and look-alikes from another copy of the SDK, nothing else', () => {
    expect(isGroundworkError(new GroundworkError('conflict', 'x'))).toBe(true);
    expect(isGroundworkError({ name: 'GroundworkError', code: 'conflict', message: 'x' })).toBe(true);
    expect(isGroundworkError(new Error('x'))).toBe(false);
    expect(isGroundworkError(null)).toBe(false);
  });

  it('serialises without its cause', () => {
    const error = new GroundworkError('forbidden', 'no', { cause: new Error('secret') });
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'GroundworkError',
      code: 'forbidden',
      status: 403,
      message: 'no',
    });
  });
});
