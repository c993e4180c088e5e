import type { SdkContext } from '../context.ts';
import { oneRow, parseInput, rows, storageData } from '../query-result.ts';
import { PROFILE_COLUMNS, requireRow } from '../row-access.ts';
import { id as idSchema } from '../schemas/fields.ts';
import { uploadAvatarInput } from '../schemas/files.ts';
import type { Profile } from '../types.ts';

const AVATARS = 'avatars';
const EXTENSIONS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

export type ProfilesApi = ReturnType<typeof createProfilesApi>;

/** People's public face: display name and avatar (the public `avatars` bucket, `<user_id>/…`). */
export function createProfilesApi(ctx: SdkContext) {
  const { supabase } = ctx;
  return {
    /**
     * Your own profile or a coworker's (someone sharing a workspace with you).
     *
     * @example
     * ```ts
     * const profile = await gw.profiles.get(userId);
     * ```
     */
    async get(userId: string): Promise<Profile> {
      const id = parseInput(idSchema, userId);
      return oneRow(supabase.from('profiles').select(PROFILE_COLUMNS).eq('id', id).maybeSingle(), 'Profile');
    },

    /**
     * The public URL of an avatar path (no request is made); `null` without one.
     *
     * @example
     * ```ts
     * <img src={gw.profiles.avatarUrl(profile.avatar_path) ?? placeholder} />
     * ```
     */
    avatarUrl(avatarPath: string | null): string | null {
      if (!avatarPath) return null;
      return supabase.storage.from(AVATARS).getPublicUrl(avatarPath).data.publicUrl;
    },

    /**
     * Uploads a new avatar for the signed-in user, points their profile at it and removes the
     * previous image. PNG, JPEG, GIF or WebP, at most 5 MB.
     *
     * @example
     * ```ts
     * const profile = await gw.profiles.uploadAvatar({ file, content_type: 'image/png' });
     * ```
     */
    async uploadAvatar(input: {
      file: Blob | ArrayBuffer | ArrayBufferView;
      content_type: string;
    }): Promise<Profile> {
      const { file, content_type } = parseInput(uploadAvatarInput, input);
      const userId = await ctx.currentUserId();
      const previous = await rows(
        supabase.from('profiles').select('avatar_path').eq('id', userId).maybeSingle(),
      );
      // A new name per upload, so CDNs and browsers never serve the old image under the new path.
      const path = `${userId}/avatar-${Date.now().toString(36)}.${EXTENSIONS[content_type]}`;
      await storageData(supabase.storage.from(AVATARS).upload(path, file, { contentType: content_type }));
      const updated = await rows(
        supabase
          .from('profiles')
          .update({ avatar_path: path })
          .eq('id', userId)
          .select(PROFILE_COLUMNS)
          .maybeSingle(),
      );
      const profile = await requireRow(ctx, updated, 'profiles', { id: userId }, 'profile');
      if (previous?.avatar_path && previous.avatar_path !== path) {
        // Best effort: a leftover old image is harmless, a failed profile update is not.
        await supabase.storage.from(AVATARS).remove([previous.avatar_path]);
      }
      return profile;
    },
  };
}
