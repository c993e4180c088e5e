import type { AuthChangeEvent, Session, User } from '@supabase/supabase-js';
import type { SdkContext } from '../context.ts';
import { authData, authDone, oneRow, parseInput, rows } from '../query-result.ts';
import { PROFILE_COLUMNS, requireRow } from '../row-access.ts';
import {
  signInWithOtpInput,
  signInWithPasswordInput,
  signUpInput,
  updateProfileInput,
  updateUserInput,
  verifyOtpInput,
} from '../schemas/auth.ts';
import type { Profile } from '../types.ts';

export type { AuthChangeEvent, Session, User };

/** A signed-in (or just signed-up) user and their session; `session` is null until email confirmation. */
export interface AuthResult {
  user: User | null;
  session: Session | null;
}

export type AuthApi = ReturnType<typeof createAuthApi>;

/**
 * Sign-up, sign-in and the signed-in user, on Supabase Auth. supabase-js keeps the session
 * (storage, refresh); every other module then acts as that user.
 */
export function createAuthApi(ctx: SdkContext) {
  const { supabase } = ctx;
  return {
    /**
     * Creates an account with email and password. With email confirmation on, `session` is null
     * until the emailed link is followed. An address in use is a `conflict`; a weak password is
     * `validation_failed` with `fields.password`.
     *
     * @example
     * ```ts
     * const { user, session } = await gw.auth.signUp({ email, password, display_name: 'Ada' });
     * ```
     */
    async signUp(input: {
      email: string;
      password: string;
      display_name?: string;
      redirect_to?: string;
    }): Promise<AuthResult> {
      const { email, password, display_name, redirect_to } = parseInput(signUpInput, input);
      const { user, session } = await authData(
        supabase.auth.signUp({
          email,
          password,
          options: {
            ...(display_name ? { data: { display_name } } : {}),
            ...(redirect_to ? { emailRedirectTo: redirect_to } : {}),
          },
        }),
      );
      return { user, session };
    },

    /**
     * Signs in with email and password. Wrong credentials throw `unauthenticated`
     * (reason `invalid_credentials`).
     *
     * @example
     * ```ts
     * await gw.auth.signInWithPassword({ email: 'alice@example.com', password: 'password123' });
     * ```
     */
    async signInWithPassword(input: { email: string; password: string }): Promise<AuthResult> {
      const credentials = parseInput(signInWithPasswordInput, input);
      const { user, session } = await authData(supabase.auth.signInWithPassword(credentials));
      return { user, session };
    },

    /**
     * Emails a magic link and a one-time code. Finish with the link, or with {@link verifyOtp}.
     *
     * @example
     * ```ts
     * await gw.auth.signInWithOtp({ email: 'alice@example.com', redirect_to: 'https://app.example.com/welcome' });
     * ```
     */
    async signInWithOtp(input: {
      email: string;
      create_user?: boolean;
      redirect_to?: string;
    }): Promise<void> {
      const { email, create_user, redirect_to } = parseInput(signInWithOtpInput, input);
      await authData(
        supabase.auth.signInWithOtp({
          email,
          options: {
            ...(create_user === undefined ? {} : { shouldCreateUser: create_user }),
            ...(redirect_to ? { emailRedirectTo: redirect_to } : {}),
          },
        }),
      );
    },

    /**
     * Signs in with the one-time code from an email (default type `email`). A wrong or expired
     * code throws `unauthenticated`.
     *
     * @example
     * ```ts
     * await gw.auth.verifyOtp({ email: 'alice@example.com', token: '123456' });
     * ```
     */
    async verifyOtp(input: {
      email: string;
      token: string;
      type?: 'email' | 'magiclink' | 'signup' | 'invite' | 'recovery' | 'email_change';
    }): Promise<AuthResult> {
      const { email, token, type = 'email' } = parseInput(verifyOtpInput, input);
      const { user, session } = await authData(supabase.auth.verifyOtp({ email, token, type }));
      return { user, session };
    },

    /**
     * Signs in as a new anonymous user (when the project allows it).
     *
     * @example
     * ```ts
     * const { user } = await gw.auth.signInAnonymously();
     * user?.is_anonymous; // true
     * ```
     */
    async signInAnonymously(): Promise<AuthResult> {
      const { user, session } = await authData(supabase.auth.signInAnonymously());
      return { user, session };
    },

    /**
     * Signs out and forgets the session locally.
     *
     * @example
     * ```ts
     * await gw.auth.signOut();
     * ```
     */
    async signOut(): Promise<void> {
      await authDone(supabase.auth.signOut());
    },

    /**
     * The signed-in user as Auth knows them right now (asks the server), or null when signed out.
     *
     * @example
     * ```ts
     * const me = await gw.auth.getUser();
     * if (!me) redirectToLogin();
     * ```
     */
    async getUser(): Promise<User | null> {
      const { data } = await supabase.auth.getSession();
      if (!data.session) return null;
      const { user } = await authData(supabase.auth.getUser());
      return user;
    },

    /**
     * The current session from local storage (no request), or null.
     *
     * @example
     * ```ts
     * const session = await gw.auth.getSession();
     * ```
     */
    async getSession(): Promise<Session | null> {
      const { session } = await authData(supabase.auth.getSession());
      return session;
    },

    /**
     * Calls back on every auth event (`SIGNED_IN`, `SIGNED_OUT`, `TOKEN_REFRESHED`, `USER_UPDATED`…).
     * Returns a function that stops listening.
     *
     * @example
     * ```ts
     * const stop = gw.auth.onAuthStateChange((event, session) => setUser(session?.user ?? null));
     * // later
     * stop();
     * ```
     */
    onAuthStateChange(callback: (event: AuthChangeEvent, session: Session | null) => void): () => void {
      const { data } = supabase.auth.onAuthStateChange(callback);
      return () => data.subscription.unsubscribe();
    },

    /**
     * Changes the signed-in user's email (confirmation mail follows) or password.
     *
     * @example
     * ```ts
     * await gw.auth.updateUser({ password: 'a-better-passphrase' });
     * ```
     */
    async updateUser(input: { email?: string; password?: string }): Promise<User> {
      const attributes = parseInput(updateUserInput, input);
      const { user } = await authData(supabase.auth.updateUser(attributes));
      return user;
    },

    /**
     * The signed-in user's profile (display name, avatar), as coworkers see it.
     *
     * @example
     * ```ts
     * const profile = await gw.auth.getProfile();
     * ```
     */
    async getProfile(): Promise<Profile> {
      const id = await ctx.currentUserId();
      return oneRow(supabase.from('profiles').select(PROFILE_COLUMNS).eq('id', id).maybeSingle(), 'Profile');
    },

    /**
     * Updates the signed-in user's profile.
     *
     * @example
     * ```ts
     * await gw.auth.updateProfile({ display_name: 'Ada Lovelace' });
     * ```
     */
    async updateProfile(patch: { display_name?: string; avatar_path?: string | null }): Promise<Profile> {
      const values = parseInput(updateProfileInput, patch);
      const id = await ctx.currentUserId();
      const updated = await rows(
        supabase.from('profiles').update(values).eq('id', id).select(PROFILE_COLUMNS).maybeSingle(),
      );
      return requireRow(ctx, updated, 'profiles', { id }, 'profile');
    },
  };
}
