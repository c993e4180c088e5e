/**
 * The permission catalogue and the built-in roles as docs/data-model.md states them. Tests
 * compare the database against this (so a change to either shows up) and derive from it what
 * each role may do.
 */
export const PERMISSIONS = [
  'activity.read',
  'api_keys.manage',
  'attachments.create',
  'attachments.delete',
  'attachments.read',
  'audit.read',
  'billing.manage',
  'comments.create',
  'comments.delete',
  'comments.read',
  'domains.manage',
  'labels.create',
  'labels.delete',
  'labels.read',
  'labels.update',
  'members.invite',
  'members.manage',
  'owners.manage',
  'projects.archive',
  'projects.create',
  'projects.delete',
  'projects.read',
  'projects.update',
  'roles.manage',
  'tasks.create',
  'tasks.delete',
  'tasks.read',
  'tasks.update',
  'trash.purge',
  'webhooks.manage',
  'workspace.delete',
  'workspace.update',
] as const;

export type Permission = (typeof PERMISSIONS)[number];
export type BuiltinRole = 'viewer' | 'member' | 'admin' | 'owner';

/** Only the owner role holds these; no custom role may. */
export const OWNER_ONLY: readonly Permission[] = ['owners.manage', 'workspace.delete'];

const RESOURCES_WITH_READ = ['projects', 'tasks', 'comments', 'labels', 'attachments'];

/** What holding a permission brings with it: writing a resource through the API needs reading it. */
export function impliedBy(permission: Permission): Permission[] {
  const [resource, action] = permission.split('.') as [string, string];
  return RESOURCES_WITH_READ.includes(resource) && action !== 'read'
    ? [`${resource}.read` as Permission]
    : [];
}

/** What a custom role may hold. */
export const GRANTABLE: readonly Permission[] = PERMISSIONS.filter((p) => !OWNER_ONLY.includes(p));

const VIEWER: Permission[] = [
  'activity.read',
  'attachments.read',
  'comments.read',
  'labels.read',
  'projects.read',
  'tasks.read',
];
const MEMBER: Permission[] = [
  ...VIEWER,
  'attachments.create',
  'comments.create',
  'labels.create',
  'labels.delete',
  'labels.update',
  'tasks.create',
  'tasks.delete',
  'tasks.update',
];
const ADMIN: Permission[] = [
  ...MEMBER,
  'api_keys.manage',
  'attachments.delete',
  'audit.read',
  'billing.manage',
  'comments.delete',
  'domains.manage',
  'members.invite',
  'members.manage',
  'projects.archive',
  'projects.create',
  'projects.delete',
  'projects.update',
  'roles.manage',
  'trash.purge',
  'webhooks.manage',
  'workspace.update',
];

export const BUILTIN_ROLES: Readonly<Record<BuiltinRole, readonly Permission[]>> = {
  viewer: [...VIEWER].sort(),
  member: [...MEMBER].sort(),
  admin: [...ADMIN].sort(),
  owner: [...PERMISSIONS],
};

/** The built-in roles' fixed ids (the same in every database). */
export const BUILTIN_ROLE_IDS: Readonly<Record<BuiltinRole, string>> = {
  viewer: '00000000-0000-4000-8000-0000000000a1',
  member: '00000000-0000-4000-8000-0000000000a2',
  admin: '00000000-0000-4000-8000-0000000000a3',
  owner: '00000000-0000-4000-8000-0000000000a4',
};
