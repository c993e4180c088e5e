import { Hono } from 'hono';
import type { ServiceEnv } from '../../caller.ts';
import { recordAudit } from '../audit-log.ts';
import { type AuthRuntime, inTransaction } from '../auth-runtime.ts';
import { validEmail } from '../email-address.ts';
import { EMAIL_VERIFY_TYPES, type EmailVerifyType, verifyEmailToken } from '../email-verification.ts';
import { AuthError, isAuthError, OAUTH_ERROR_FOR_STATUS } from '../error-codes.ts';
import { issueAuthCode } from '../flow-state.ts';
import { verifyPhoneCode } from '../phone/phone-flows.ts';
import { resolveRedirect } from '../redirect-urls.ts';
import { readJsonBody } from '../request-body.ts';
import { type AuthContext, clientInfo, clientIp } from '../request-context.ts';
import { startSession } from '../sessions.ts';

function verifyType(type: string | undefined): EmailVerifyType {
  if (!type) throw new AuthError('validation_failed', 'Verify requires a verification type');
  // Phone codes are typed into the app (POST /verify); no link carries them.
  if (type === 'sms' || type === 'phone_change') {
    throw new AuthError('validation_failed', 'Unsupported verification type');
  }
  if (!EMAIL_VERIFY_TYPES.includes(type))
    throw new AuthError('validation_failed', 'Unsupported verification type');
  return type as EmailVerifyType;
}

/** Puts parameters in the fragment, and for PKCE links also in the query, as GoTrue does. */
function redirectWith(base: string, params: Record<string, string>, alsoInQuery: boolean): string {
  const url = new URL(base);
  if (alsoInQuery) for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  url.hash = new URLSearchParams(params).toString();
  return url.toString();
}

async function verifyLink(c: AuthContext, runtime: AuthRuntime) {
  const redirectTo = resolveRedirect(runtime.settings, c.req.query('redirect_to'));
  const token = c.req.query('token') ?? '';
  const pkceLink = token.startsWith('pkce_');
  const fail = (error: AuthError) => {
    const params: Record<string, string> = {
      ...(OAUTH_ERROR_FOR_STATUS[error.status]
        ? { error: OAUTH_ERROR_FOR_STATUS[error.status] as string }
        : {}),
      error_code: error.code,
      error_description:
        error.code === 'otp_expired' ? 'Email link is invalid or has expired' : error.message,
    };
    return c.redirect(redirectWith(redirectTo, params, pkceLink), 303);
  };
  // GoTrue limits /verify in a middleware: a limited link gets the JSON 429, not a redirect.
  runtime.limits.check('verify', clientIp(c, runtime));
  try {
    const type = verifyType(c.req.query('type'));
    if (token === '') throw new AuthError('validation_failed', 'Verify requires a token or a token hash');
    const location = await inTransaction(runtime, async (client) => {
      const verified = await verifyEmailToken(runtime, client, type, { tokenHash: token });
      if (verified.pendingMessage) {
        return redirectWith(redirectTo, { message: verified.pendingMessage }, pkceLink);
      }
      await recordAudit(
        client,
        verified.user,
        type === 'signup' ? 'user_signedup' : 'login',
        clientInfo(c, runtime).ip,
        {
          provider: 'email',
        },
      );
      if (verified.pkce) {
        const code = await issueAuthCode(client, verified.user.id, verified.method);
        if (!code)
          throw new AuthError('flow_state_not_found', 'invalid flow state, no valid flow state found');
        const url = new URL(redirectTo);
        url.searchParams.set('code', code);
        return url.toString();
      }
      // GoTrue issues every session from a verified link or code as an `otp` sign-in.
      const session = await startSession(runtime, client, verified.user, 'otp', clientInfo(c, runtime));
      const url = new URL(redirectTo);
      url.hash = new URLSearchParams({
        access_token: session.access_token,
        expires_at: String(session.expires_at),
        expires_in: String(session.expires_in),
        refresh_token: session.refresh_token,
        token_type: 'bearer',
        type,
      }).toString();
      return url.toString();
    });
    return c.redirect(location, 303);
  } catch (error) {
    if (isAuthError(error)) return fail(error);
    throw error;
  }
}

/** POST /verify (verifyOtp) and GET /verify (the link in the mail). */
export function verifyRoutes(runtime: AuthRuntime): Hono<ServiceEnv> {
  const app = new Hono<ServiceEnv>();

  app.get('/verify', (c) => verifyLink(c, runtime));

  app.post('/verify', async (c) => {
    runtime.limits.check('verify', clientIp(c, runtime));
    const body = await readJsonBody(c);
    const info = clientInfo(c, runtime);
    const rawType = body.string('type');
    const phoneCode = body.string('token');
    if ((rawType === 'sms' || rawType === 'phone_change') && !phoneCode && !body.string('token_hash')) {
      throw new AuthError('validation_failed', 'Verify requires either a token or a token hash');
    }
    if ((rawType === 'sms' || rawType === 'phone_change') && phoneCode && !body.string('token_hash')) {
      // As GoTrue: a code with a phone is a phone verification, whatever else the body holds.
      const phone = body.string('phone');
      if (!phone) {
        throw new AuthError(
          'validation_failed',
          'Only an email address or phone number should be provided on verify',
        );
      }
      return c.json(await verifyPhoneCode(c, runtime, { type: rawType, phone, token: phoneCode }));
    }
    const type = verifyType(rawType);
    const tokenHash = body.string('token_hash');
    const otp = body.string('token');
    const email = body.string('email');
    const phone = body.string('phone');
    if ((!tokenHash && !otp) || (tokenHash && otp)) {
      throw new AuthError('validation_failed', 'Verify requires either a token or a token hash');
    }
    if (tokenHash && (email || phone || body.string('redirect_to'))) {
      throw new AuthError('validation_failed', 'Only the token_hash and type should be provided');
    }
    if (otp && phone) throw new AuthError('validation_failed', 'Unsupported verification type');
    if (otp && !email) {
      throw new AuthError(
        'validation_failed',
        'Only an email address or phone number should be provided on verify',
      );
    }
    let otpEmail = '';
    if (otp) {
      try {
        otpEmail = validEmail(email);
      } catch {
        throw new AuthError('validation_failed', 'Invalid email format', { status: 422 });
      }
    }
    const result = await inTransaction(runtime, async (client) => {
      const verified = await verifyEmailToken(runtime, client, type, {
        ...(tokenHash ? { tokenHash } : { otp: (otp ?? '').trim(), email: otpEmail }),
      });
      if (verified.pendingMessage) return { msg: verified.pendingMessage, code: '200' };
      await recordAudit(client, verified.user, type === 'signup' ? 'user_signedup' : 'login', info.ip, {
        provider: 'email',
      });
      return startSession(runtime, client, verified.user, 'otp', info);
    });
    return c.json(result);
  });

  return app;
}
