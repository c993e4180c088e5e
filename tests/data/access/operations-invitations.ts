import { newInvitationToken, uniqueSuffix } from '../support/fixtures.ts';
import { BUILTIN_ROLES } from '../support/permission-catalogue.ts';
import {
  type Cell,
  needs,
  needsToGive,
  notForServiceRole,
  type Operation,
  one,
  only,
  succeeded,
  touchedRows,
} from './matrix.ts';

async function openInvitation({ db, tenant }: Cell): Promise<string> {
  const { id } = await one<{ id: string }>(
    db,
    `insert into public.invitations (workspace_id, email, token_hash) values ($1, $2, $3) returning id`,
    [tenant.workspaceId, `invited-${uniqueSuffix()}@example.test`, newInvitationToken().tokenHash],
  );
  return id;
}

export const invitationOperations: Operation[] = [
  {
    subject: 'invitations',
    op: 'select',
    rule: needs('members.invite'),
    run: async (cell) =>
      touchedRows(
        await cell.client
          .from('invitations')
          .select('id')
          .eq('id', await openInvitation(cell)),
      ),
  },
  {
    subject: 'invitations',
    op: 'insert as viewer (a role within your permissions)',
    rule: needsToGive(['members.invite'], BUILTIN_ROLES.viewer),
    run: async ({ client, tenant }) =>
      succeeded(
        await client.from('invitations').insert({
          workspace_id: tenant.workspaceId,
          email: `invited-${uniqueSuffix()}@example.test`,
          role: 'viewer',
          token_hash: newInvitationToken().tokenHash,
        }),
      ),
  },
  {
    subject: 'invitations',
    op: 'insert as admin (a role within your permissions)',
    rule: needsToGive(['members.invite'], BUILTIN_ROLES.admin),
    run: async ({ client, tenant }) =>
      succeeded(
        await client.from('invitations').insert({
          workspace_id: tenant.workspaceId,
          email: `invited-${uniqueSuffix()}@example.test`,
          role: 'admin',
          token_hash: newInvitationToken().tokenHash,
        }),
      ),
  },
  {
    subject: 'invitations',
    op: 'update (revoke)',
    rule: needs('members.invite'),
    run: async (cell) =>
      touchedRows(
        await cell.client
          .from('invitations')
          .update({ revoked_at: new Date().toISOString() })
          .eq('id', await openInvitation(cell))
          .select('id'),
      ),
  },
  {
    subject: 'invitations',
    op: 'delete',
    rule: needs('members.invite'),
    run: async (cell) =>
      touchedRows(
        await cell.client
          .from('invitations')
          .delete()
          .eq('id', await openInvitation(cell))
          .select('id'),
      ),
  },
  {
    subject: 'rpc',
    op: "accept_invitation (sent to the caller's address)",
    // Anyone signed in redeems an invitation sent to them; the outsider is the invitee here.
    rule: notForServiceRole(only(['outsider'])),
    fresh: true,
    run: async ({ client, tenant, db }) => {
      const { token, tokenHash } = newInvitationToken();
      await db.query(`insert into public.invitations (workspace_id, email, token_hash) values ($1, $2, $3)`, [
        tenant.workspaceId,
        tenant.users.outsider.email,
        tokenHash,
      ]);
      return succeeded(await client.rpc('accept_invitation', { token }));
    },
  },
];
