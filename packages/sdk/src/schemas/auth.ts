import * as z from 'zod/mini';
import { email, requiredText, somethingToUpdate, trimmedText } from './fields.ts';

/** Auth's own rules (length, strength) are checked by the server; bcrypt caps passwords at 72 bytes. */
const password = z
  .string()
  .check(
    z.minLength(1, { error: 'is required' }),
    z.maxLength(72, { error: 'must be at most 72 characters' }),
  );
const redirectTo = z.optional(z.url({ error: 'must be a URL' }));
const displayName = requiredText(100);

export const signUpInput = z.object({
  email,
  password,
  display_name: z.optional(displayName),
  redirect_to: redirectTo,
});
export const signInWithPasswordInput = z.object({ email, password });
export const signInWithOtpInput = z.object({
  email,
  create_user: z.optional(z.boolean()),
  redirect_to: redirectTo,
});
export const verifyOtpInput = z.object({
  email,
  token: trimmedText(6, 64),
  type: z.optional(z.enum(['email', 'magiclink', 'signup', 'invite', 'recovery', 'email_change'])),
});
export const updateProfileInput = z
  .object({
    display_name: z.optional(displayName),
    avatar_path: z.optional(z.nullable(z.string().check(z.minLength(1), z.maxLength(512)))),
  })
  .check(somethingToUpdate);
export const updateUserInput = z
  .object({ email: z.optional(email), password: z.optional(password) })
  .check(somethingToUpdate);
