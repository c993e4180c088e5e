import { recordAudit } from '../audit-log.ts';
import { type AuthRuntime, inTransaction } from '../auth-runtime.ts';
import { AuthError } from '../error-codes.ts';
import { type AuthenticatedUser, isUuid } from '../request-context.ts';
import { identitiesOf, updateUser } from '../users.ts';

/**
 * DELETE /user/identities/:id (unlinkIdentity), as GoTrue's DeleteIdentity: only with manual
 * linking on, never the last identity, only one of the caller's own. app_metadata's providers
 * follow, and an address that came from the unlinked identity gives way to another one's.
 */
export async function unlinkIdentity(
  runtime: AuthRuntime,
  { user }: AuthenticatedUser,
  identityId: string,
  ip: string | undefined,
): Promise<void> {
  if (!runtime.settings.manualLinkingEnabled) {
    throw new AuthError('manual_linking_disabled', 'Manual linking is disabled');
  }
  if (!isUuid(identityId)) {
    throw new AuthError('validation_failed', 'identity_id must be an UUID', { status: 404 });
  }
  await inTransaction(runtime, async (client) => {
    const identities = await identitiesOf(client, user.id);
    if (identities.length <= 1) {
      throw new AuthError(
        'single_identity_not_deletable',
        'User must have at least 1 identity after unlinking',
      );
    }
    const doomed = identities.find((identity) => identity.id === identityId);
    if (!doomed) throw new AuthError('identity_not_found', "Identity doesn't exist", { status: 422 });
    await client.query('delete from auth.identities where id = $1', [doomed.id]);
    const remaining = identities.filter((identity) => identity.id !== doomed.id);
    const providers = [...new Set(remaining.map((identity) => identity.provider))];
    const app = user.raw_app_meta_data ?? {};
    const patch: Record<string, unknown> = {
      raw_app_meta_data: {
        ...app,
        provider: providers.includes(String(app.provider)) ? app.provider : providers[0],
        providers,
      },
    };
    if (doomed.provider === 'phone') {
      // Unlinking the phone identity takes the number off the user, as GoTrue does.
      patch.phone = null;
      patch.phone_confirmed_at = null;
    } else if (doomed.email && user.email && doomed.email.toLowerCase() === user.email.toLowerCase()) {
      const other = remaining.find((identity) => identity.email);
      if (other?.email) patch.email = other.email;
    }
    const updated = await updateUser(client, user.id, patch);
    await recordAudit(client, updated, 'identity_unlinked', ip, { provider: doomed.provider });
  });
}
