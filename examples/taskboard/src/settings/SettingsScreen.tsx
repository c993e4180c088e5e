/** Workspace settings: one page per area, each shown only with its permission (and saying so). */
import { Notice } from '../ui.tsx';
import { follow } from '../workspaces/Home.tsx';
import { useWorkspace } from '../workspaces/workspace-context.ts';
import { ApiKeysSettings } from './ApiKeysSettings.tsx';
import { AuditSettings } from './AuditSettings.tsx';
import { BillingSettings } from './BillingSettings.tsx';
import { RolesSettings } from './RolesSettings.tsx';
import { SecuritySettings } from './SecuritySettings.tsx';
import { WebhooksSettings } from './WebhooksSettings.tsx';

const SECTIONS = [
  { id: 'roles', label: 'Roles', permission: 'roles.manage', needs: 'manage roles', Page: RolesSettings },
  {
    id: 'audit',
    label: 'Audit log',
    permission: 'audit.read',
    needs: 'read the audit log',
    Page: AuditSettings,
  },
  {
    id: 'webhooks',
    label: 'Webhooks',
    permission: 'webhooks.manage',
    needs: 'manage webhooks',
    Page: WebhooksSettings,
  },
  {
    id: 'api-keys',
    label: 'API keys',
    permission: 'api_keys.manage',
    needs: 'manage API keys',
    Page: ApiKeysSettings,
  },
  {
    id: 'security',
    label: 'Security',
    permission: 'workspace.update',
    needs: 'change the workspace’s security settings',
    Page: SecuritySettings,
  },
  {
    id: 'billing',
    label: 'Billing',
    permission: 'billing.manage',
    needs: 'manage billing',
    Page: BillingSettings,
  },
] as const;

export function SettingsScreen({ section }: { section: string }) {
  const { workspace, can, roleReason } = useWorkspace();
  const current = SECTIONS.find((candidate) => candidate.id === section) ?? SECTIONS[0];
  const { Page } = current;
  return (
    <section aria-labelledby="settings-heading">
      <h1 id="settings-heading">Settings: {current.label}</h1>
      <nav aria-label="Settings" className="subnav">
        {SECTIONS.map((candidate) => (
          <a
            key={candidate.id}
            href={`/w/${workspace.slug}/settings/${candidate.id}`}
            onClick={follow}
            aria-current={candidate.id === current.id ? 'page' : undefined}
          >
            {candidate.label}
          </a>
        ))}
      </nav>
      {can(current.permission) ? <Page /> : <Notice>{roleReason(current.needs)}</Notice>}
    </section>
  );
}
