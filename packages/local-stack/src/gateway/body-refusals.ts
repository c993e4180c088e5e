import type { BodyRefusal } from '../http/guarded-body.ts';

/** The HTTP status of a refused body: 413 too large, 408 stalled (as nginx's client_body_timeout). */
export function refusalStatus(refusal: BodyRefusal): 413 | 408 {
  return refusal.reason === 'too_large' ? 413 : 408;
}

/** A stable code for each refusal, shared by the services that have no code of their own for it. */
export function refusalCode(refusal: BodyRefusal): 'request_too_large' | 'request_timeout' {
  return refusal.reason === 'too_large' ? 'request_too_large' : 'request_timeout';
}

/** One sentence naming the limit that was hit. */
export function refusalMessage(refusal: BodyRefusal): string {
  return refusal.reason === 'too_large'
    ? `The request body is larger than the ${refusal.limitBytes}-byte limit`
    : `The client sent no request body bytes for ${refusal.idleTimeoutMs / 1000} s`;
}

/** REST's answer, in PostgREST's error shape (`code`, `message`, `details`, `hint`), which postgrest-js reads. */
export function postgrestBodyRefusal(refusal: BodyRefusal): Response {
  return Response.json(
    {
      code: refusalCode(refusal),
      details: refusalMessage(refusal),
      hint: null,
      message: refusal.reason === 'too_large' ? 'Request body too large' : 'Request body timed out',
    },
    { status: refusalStatus(refusal) },
  );
}

/** Kong's own answers, for mounts whose service words none (Realtime's broadcast API, the mail catcher). */
export function kongBodyRefusal(refusal: BodyRefusal): Response {
  return Response.json(
    { message: refusal.reason === 'too_large' ? 'Request size limit exceeded' : 'Request timeout' },
    { status: refusalStatus(refusal) },
  );
}
