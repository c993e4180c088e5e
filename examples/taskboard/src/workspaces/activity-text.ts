/** Activity entries as sentences; the log stores what changed, the app says it in words. */
import type { Activity } from '@groundwork/sdk';
import { statusLabel } from '../board/statuses.ts';

type Payload = Record<string, unknown>;

function field(payload: Payload, name: string): string {
  const value = payload[name];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

export function describeActivity(entry: Activity, actor = 'Someone'): string {
  const payload = (entry.payload ?? {}) as Payload;
  const what = `${entry.entity_type}.${entry.action}`;
  switch (what) {
    case 'task.created':
      return `${actor} created task “${field(payload, 'title')}”`;
    case 'task.status_changed':
      return `${actor} moved a task from ${statusLabel(field(payload, 'from') as never)} to ${statusLabel(field(payload, 'to') as never)}`;
    case 'task.assigned':
      return `${actor} changed a task’s assignee`;
    case 'task.updated':
      return `${actor} edited a task`;
    case 'task.deleted':
      return `${actor} deleted a task`;
    case 'comment.created':
      return `${actor} commented on a task`;
    case 'comment.edited':
      return `${actor} edited a comment`;
    case 'project.created':
      return `${actor} created project ${field(payload, 'name') || field(payload, 'key')}`.trim();
    case 'member.joined':
      return `${actor} joined as ${field(payload, 'role') || 'a member'}`;
    case 'member.role_changed':
      return `${actor} changed a member’s role`;
    case 'invitation.created':
      return `${actor} invited someone`;
    case 'invitation.accepted':
      return `${actor} accepted an invitation`;
    case 'workspace.created':
      return `${actor} created the workspace`;
    default:
      return `${actor}: ${entry.entity_type} ${entry.action.replaceAll('_', ' ')}`;
  }
}
