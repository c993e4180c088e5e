import type { TaskStatus } from '@groundwork/sdk';

/** The board's columns, in order, with the names people read. */
export const STATUSES: readonly { status: TaskStatus; label: string }[] = [
  { status: 'todo', label: 'To do' },
  { status: 'in_progress', label: 'In progress' },
  { status: 'done', label: 'Done' },
  { status: 'canceled', label: 'Canceled' },
];

export function statusLabel(status: TaskStatus): string {
  return STATUSES.find((column) => column.status === status)?.label ?? status;
}
