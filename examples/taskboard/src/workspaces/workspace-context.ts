/** What every screen inside a workspace needs: the workspace, who you are, what you may do. */
import type { GroundworkClient, User, WorkspaceWithRole } from '@groundwork/sdk';
import { createContext, useContext } from 'react';

export interface WorkspaceContextValue {
  gw: GroundworkClient;
  user: User;
  workspace: WorkspaceWithRole;
  permissions: ReadonlySet<string>;
  /** Your role's name: the built-in role (`viewer`…) or the workspace's custom role (`Triager`). */
  roleName: string;
  /** Whether you hold a permission (`tasks.update`…); the database enforces it regardless. */
  can(permission: string): boolean;
  /** The sentence shown where a control is missing because of your role. */
  roleReason(needs: string): string;
}

export const WorkspaceContext = createContext<WorkspaceContextValue | null>(null);

export function useWorkspace(): WorkspaceContextValue {
  const value = useContext(WorkspaceContext);
  if (!value) throw new Error('useWorkspace outside a workspace screen');
  return value;
}

export function roleReason(workspace: WorkspaceWithRole, roleName: string, needs: string): string {
  const article = /^[aeiou]/i.test(roleName) ? 'an' : 'a';
  return `You’re ${article} ${roleName} in ${workspace.name}, so you can’t ${needs}. Ask an admin for a role that allows it.`;
}
