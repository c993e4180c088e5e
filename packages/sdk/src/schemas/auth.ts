import { z } from 'zod';
import { email, requiredText } from './fields.ts';

/** Auth's own rules (length, strength) are checked by the server; bcrypt caps passwords at 72 bytes. */
const password = z
  .string()
  .min(1, { error: 'is required' })
  .max(72, { error: 'must be at most 72 characters' });
const redirectTo = z.url({ error: 'must be a URL' }).optional();
const displayName = requiredText(100);

export const signUpInput = z.object({
  email,
  password,
  display_name: displayName.optional(),
  redirect_to: redirectTo,
});
export const signInWithPasswordInput = z.object({ email, password });
export const signInWithOtpInput = z.object({
  email,
  create_user: z.boolean().optional(),
  redirect_to: redirectTo,
});
export const verifyOtpInput = z.object({
  email,
  token: z.string().trim().min(6).max(64),
  type: z.enum(['email', 'magiclink', 'signup', 'invite', 'recovery', 'email_change']).optional(),
});
export const updateProfileInput = z
  .object({
    display_name: displayName.optional(),
    avatar_path: z.string().min(1).max(512).nullable().optional(),
  })
  .refine((patch) => patch.display_name !== undefined || patch.avatar_path !== undefined, {
    error: 'nothing to update',
  });
export const updateUserInput = z
  .object({ email: email.optional(), password: password.optional() })
  .refine((patch) => patch.email !== undefined || patch.password !== undefined, {
    error: 'nothing to update',
  });
