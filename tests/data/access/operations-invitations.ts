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

const VIEWER_ROLE = '00000000-0000-4000-8000-0000000000a1';
const SIGNED_IN = ['outsider', 'viewer', 'member', 'admin', 'owner'] as const;

async function openLink({ db, tenant }: Cell): Promise<string> {
  const { id } = await one<{ id: string }>(
    db,
    `insert into public.invite_links (workspace_id, role_id, token_hash, created_by, max_uses, expires_at)
     values ($1, '00000000-0000-4000-8000-0000000000a2', $2, $3, 5, now() + interval '1 day') returning id`,
    [tenant.workspaceId, newInvitationToken().tokenHash, tenant.users.owner.id],
  );
  return id;
}

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
    // Revoking or changing an invitation, like sending it, is for roles you could give.
    rule: needsToGive(['members.invite'], BUILTIN_ROLES.member),
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
  {
    subject: 'invitations',
    op: 'update role (member → viewer)',
    rule: needsToGive(['members.invite'], BUILTIN_ROLES.member),
    run: async (cell) =>
      touchedRows(
        await cell.client
          .from('invitations')
          .update({ role: 'viewer' })
          .eq('id', await openInvitation(cell))
          .select('id'),
      ),
  },
  {
    subject: 'rpc',
    op: 'resend_invitation (of a member invitation, its wait over)',
    rule: notForServiceRole(needsToGive(['members.invite'], BUILTIN_ROLES.member)),
    run: async (cell) => {
      const id = await openInvitation(cell);
      await cell.db.query(
        `update public.invitations set last_sent_at = now() - interval '1 hour' where id = $1`,
        [id],
      );
      return succeeded(
        await cell.client.rpc('resend_invitation', {
          invitation_id: id,
          token_hash: newInvitationToken().tokenHash,
        }),
      );
    },
  },
  {
    subject: 'invite_links',
    op: 'select',
    rule: needs('members.invite'),
    run: async (cell) =>
      touchedRows(
        await cell.client
          .from('invite_links')
          .select('id')
          .eq('id', await openLink(cell)),
      ),
  },
  {
    subject: 'invite_links',
    op: 'update (revoke a member link)',
    rule: needsToGive(['members.invite'], BUILTIN_ROLES.member),
    run: async (cell) =>
      touchedRows(
        await cell.client
          .from('invite_links')
          .update({ revoked_at: new Date().toISOString() })
          .eq('id', await openLink(cell))
          .select('id'),
      ),
  },
  {
    subject: 'rpc',
    op: 'create_invite_link (as viewer, a role within your permissions)',
    rule: notForServiceRole(needsToGive(['members.invite'], BUILTIN_ROLES.viewer)),
    run: async ({ client, tenant }) =>
      succeeded(
        await client.rpc('create_invite_link', { workspace_id: tenant.workspaceId, role_id: VIEWER_ROLE }),
      ),
  },
  {
    subject: 'rpc',
    op: 'join_invite_link (anyone signed in; members get the workspace back)',
    rule: notForServiceRole(only(SIGNED_IN, true)),
    fresh: true,
    run: async (cell) => {
      const { token, tokenHash } = newInvitationToken();
      await cell.db.query(
        `insert into public.invite_links (workspace_id, role_id, token_hash, created_by, max_uses, expires_at)
         values ($1, $2, $3, $4, 5, now() + interval '1 day')`,
        [cell.tenant.workspaceId, VIEWER_ROLE, tokenHash, cell.tenant.users.owner.id],
      );
      return succeeded(await cell.client.rpc('join_invite_link', { token }));
    },
  },
  {
    subject: 'workspace_domains',
    op: 'select',
    rule: needs('domains.manage'),
    run: async (cell) =>
      touchedRows(
        await cell.client
          .from('workspace_domains')
          .select('id')
          .eq('id', await verifiedDomain(cell, null)),
      ),
  },
  {
    subject: 'workspace_domains',
    op: 'delete',
    rule: needs('domains.manage'),
    run: async (cell) =>
      touchedRows(
        await cell.client
          .from('workspace_domains')
          .delete()
          .eq('id', await verifiedDomain(cell, null))
          .select('id'),
      ),
  },
  {
    subject: 'rpc',
    op: "verify_workspace_domain (the caller's own confirmed domain)",
    rule: notForServiceRole(needs('domains.manage')),
    run: async ({ client, tenant, self, db }) => {
      const outcome = succeeded(
        await client.rpc('verify_workspace_domain', {
          workspace_id: tenant.workspaceId,
          domain: self?.email.split('@')[1] ?? 'example.test',
        }),
      );
      // Verified example.test domains would show this workspace to every test user as suggested.
      await db.query('delete from public.workspace_domains where workspace_id = $1', [tenant.workspaceId]);
      return outcome;
    },
  },
  {
    subject: 'rpc',
    op: 'suggested_workspaces (anyone signed in)',
    rule: notForServiceRole(only(SIGNED_IN, true)),
    run: async ({ client }) => succeeded(await client.rpc('suggested_workspaces')),
  },
  {
    subject: 'rpc',
    op: "join_workspace_by_domain (at the caller's verified domain; members get the workspace back)",
    rule: notForServiceRole(only(SIGNED_IN, true)),
    fresh: true,
    run: async (cell) => {
      await verifiedDomain(cell, VIEWER_ROLE);
      const outcome = succeeded(
        await cell.client.rpc('join_workspace_by_domain', { workspace_id: cell.tenant.workspaceId }),
      );
      await cell.db.query('delete from public.workspace_domains where workspace_id = $1', [
        cell.tenant.workspaceId,
      ]);
      return outcome;
    },
  },
];

/**
 * A domain verified for the tenant by its owner: with a join role, the caller's own email domain
 * (so they may join by it; the operation removes it again, or every test user at example.test
 * would see the workspace suggested), else a domain of its own.
 */
async function verifiedDomain({ db, tenant, self }: Cell, joinRoleId: string | null): Promise<string> {
  const domain = joinRoleId && self ? (self.email.split('@')[1] as string) : `matrix-${uniqueSuffix()}.test`;
  const { id } = await one<{ id: string }>(
    db,
    `insert into public.workspace_domains (workspace_id, domain, join_role_id, verified_by)
     values ($1, $2, $3, $4) returning id`,
    [tenant.workspaceId, domain, joinRoleId, tenant.users.owner.id],
  );
  return id;
}
