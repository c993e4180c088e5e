/** What every screen inside a workspace needs: the workspace, who you are, what you may do. */
import type { GroundworkClient, User, WorkspaceWithRole } from '@groundwork/sdk';
import { createContext, useContext } from 'react';

export interface WorkspaceContextValue {
  gw: GroundworkClient;
  user: User;
  workspace: WorkspaceWithRole;
  permissions: ReadonlySet<string>;
  /** Whether you hold a permission (`tasks.update`…); the database enforces it regardless. */
  can(permission: string): boolean;
}

export const WorkspaceContext = createContext<WorkspaceContextValue | null>(null);

export function useWorkspace(): WorkspaceContextValue {
  const value = useContext(WorkspaceContext);
  if (!value) throw new Error('useWorkspace outside a workspace screen');
  return value;
}

/** The sentence shown where a control is missing because of your role. */
export function roleReason(workspace: WorkspaceWithRole, needs: string): string {
  const role = workspace.role ?? 'custom';
  return `You’re a ${role} in ${workspace.name}, so you can’t ${needs}. Ask an admin for a role that allows it.`;
}
