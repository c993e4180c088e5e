/**
 * Signing in three ways: password, a new account, or a magic link (the mail also carries a
 * six-digit code for when the link opens on another device).
 */
import type { GroundworkClient } from '@groundwork/sdk';
import { useEffect, useState } from 'react';
import { Alert, Field, FormEnd, Notice, text, useAction } from '../ui.tsx';
import { OAuthButtons } from './OAuthButtons.tsx';

type Mode = 'sign-in' | 'sign-up' | 'magic-link';

/**
 * Auth sends a browser back with `error_description` (in the query or the fragment) when a
 * provider sign-in or an emailed link didn't work: say so instead of a silent sign-in page.
 */
function returnedError(): string | null {
  const fragment = new URLSearchParams(window.location.hash.slice(1));
  const query = new URLSearchParams(window.location.search);
  return fragment.get('error_description') ?? query.get('error_description');
}

export function AuthScreen({ gw, intro }: { gw: GroundworkClient; intro?: string | undefined }) {
  const [mode, setMode] = useState<Mode>('sign-in');
  const [returned] = useState(returnedError);
  useEffect(() => {
    if (!returned) return;
    // Keep the address clean (and the message from showing again on reload).
    const url = new URL(window.location.href);
    url.hash = '';
    for (const name of ['error', 'error_code', 'error_description']) url.searchParams.delete(name);
    window.history.replaceState(null, '', url.pathname + url.search);
  }, [returned]);
  return (
    <main className="centered auth">
      <h1>Taskboard</h1>
      {intro ? <Notice>{intro}</Notice> : null}
      {returned ? (
        <p className="alert" role="alert">
          Signing in didn’t finish: {returned}
        </p>
      ) : null}
      <div className="tabs" role="tablist" aria-label="How to sign in">
        {(
          [
            ['sign-in', 'Sign in'],
            ['sign-up', 'Create account'],
            ['magic-link', 'Email me a link'],
          ] as const
        ).map(([value, label]) => (
          <button
            key={value}
            type="button"
            role="tab"
            aria-selected={mode === value}
            className={mode === value ? 'tab active' : 'tab'}
            onClick={() => setMode(value)}
          >
            {label}
          </button>
        ))}
      </div>
      {mode === 'sign-in' || mode === 'sign-up' ? <PasswordForm key={mode} gw={gw} purpose={mode} /> : null}
      {mode === 'magic-link' ? <MagicLink gw={gw} /> : null}
      <OAuthButtons gw={gw} />
    </main>
  );
}

/**
 * Email and password, for signing in or creating an account (which also asks for a name).
 * noValidate: the server's rules (e.g. password strength) come back per field and show beside it.
 */
function PasswordForm({ gw, purpose }: { gw: GroundworkClient; purpose: 'sign-in' | 'sign-up' }) {
  const [confirm, setConfirm] = useState(false);
  const signUp = purpose === 'sign-up';
  const action = useAction(async (email: string, password: string, display_name: string) => {
    if (!signUp) {
      await gw.auth.signInWithPassword({ email, password });
      return;
    }
    const { session } = await gw.auth.signUp({
      email,
      password,
      ...(display_name ? { display_name } : {}),
      redirect_to: window.location.href,
    });
    // With email confirmation on, the session comes from the emailed link.
    if (!session) setConfirm(true);
  });
  if (confirm) return <Notice>Check your email to confirm your address, then come back here.</Notice>;
  const label = signUp ? 'Create account' : 'Sign in';
  return (
    <form
      aria-label={label}
      noValidate
      onSubmit={action.onSubmit((form) => [
        text(form, 'email'),
        String(form.get('password') ?? ''),
        text(form, 'display_name'),
      ])}
    >
      {signUp ? (
        <Field label="Your name" name="display_name" autoComplete="name" error={action.fields.display_name} />
      ) : null}
      <Field
        label="Email"
        name="email"
        type="email"
        autoComplete="email"
        required
        error={action.fields.email}
      />
      <Field
        label="Password"
        name="password"
        type="password"
        autoComplete={signUp ? 'new-password' : 'current-password'}
        required
        error={action.fields.password}
      />
      <Alert problem={action.problem} />
      <button type="submit" disabled={action.busy}>
        {label}
      </button>
    </form>
  );
}

function MagicLink({ gw }: { gw: GroundworkClient }) {
  const [sentTo, setSentTo] = useState<string | null>(null);
  const send = useAction(async (email: string) => {
    // The link brings the browser back to this very address (an invitation's, say), signed in.
    await gw.auth.signInWithOtp({ email, redirect_to: window.location.href });
    setSentTo(email);
  });
  const verify = useAction(async (token: string) => {
    if (sentTo) await gw.auth.verifyOtp({ email: sentTo, token });
  });
  if (sentTo) {
    return (
      <form aria-label="Enter the code" onSubmit={verify.onSubmit((form) => [text(form, 'token')])}>
        <Notice>We emailed a sign-in link to {sentTo}. Open it here, or type the code from the email.</Notice>
        <Field
          label="Code from the email"
          name="token"
          inputMode="numeric"
          autoComplete="one-time-code"
          required
          error={verify.fields.token}
        />
        <FormEnd action={verify}>Sign in with the code</FormEnd>
      </form>
    );
  }
  return (
    <form aria-label="Sign in by email" onSubmit={send.onSubmit((form) => [text(form, 'email')])}>
      <Field
        label="Email"
        name="email"
        type="email"
        autoComplete="email"
        required
        error={send.fields.email}
      />
      <FormEnd action={send}>Email me a sign-in link</FormEnd>
    </form>
  );
}
