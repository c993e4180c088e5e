/**
 * Moving a card with the keyboard, on dnd-kit's keyboard sensor: Space picks the card up by its
 * handle, ←/→ jump to the previous/next status column (in board order, whatever the layout),
 * ↑/↓ step over one card, Space drops, Escape cancels. What happens is announced to screen readers.
 */
import type { Announcements, KeyboardCoordinateGetter, UniqueIdentifier } from '@dnd-kit/core';
import type { TaskWithRelations } from '@groundwork/sdk';
import { STATUSES, statusLabel } from './statuses.ts';

const GAP = 8;
/** Below a column's heading, where its first card sits. */
const HEADING = 36;

function columnIndex(id: UniqueIdentifier): number {
  return STATUSES.findIndex((column) => `column:${column.status}` === String(id));
}

export const boardKeyboardCoordinates: KeyboardCoordinateGetter = (
  event,
  { context, currentCoordinates },
) => {
  const rect = context.collisionRect;
  if (!rect) return undefined;
  const columns = [...context.droppableRects.entries()]
    .filter(([id]) => columnIndex(id) >= 0)
    .sort(([a], [b]) => columnIndex(a) - columnIndex(b))
    .map(([, columnRect]) => columnRect);
  const x = rect.left + rect.width / 2;
  const y = rect.top + rect.height / 2;
  const here = columns.findIndex(
    (column) => x >= column.left && x <= column.right && y >= column.top && y <= column.bottom,
  );
  switch (event.code) {
    case 'ArrowRight':
    case 'ArrowLeft': {
      event.preventDefault();
      const target = columns[(here < 0 ? 0 : here) + (event.code === 'ArrowRight' ? 1 : -1)];
      if (!target) return currentCoordinates;
      return { x: target.left + (target.width - rect.width) / 2, y: target.top + HEADING };
    }
    case 'ArrowDown':
      event.preventDefault();
      return { x: currentCoordinates.x, y: currentCoordinates.y + rect.height + GAP };
    case 'ArrowUp':
      event.preventDefault();
      return { x: currentCoordinates.x, y: currentCoordinates.y - rect.height - GAP };
    default:
      return undefined;
  }
};

export const screenReaderInstructions = {
  draggable:
    'To move a task, press Space on its handle. Left and right arrows change its column, up and down its place. Press Space to drop it, or Escape to cancel.',
};

/** Announcements that name tasks by key and columns by name, not by internal ids. */
export function boardAnnouncements(
  taskOf: (id: UniqueIdentifier) => TaskWithRelations | undefined,
): Announcements {
  const key = (id: UniqueIdentifier) => taskOf(id)?.key ?? 'The task';
  const place = (activeId: UniqueIdentifier, id: UniqueIdentifier | undefined) => {
    if (id === undefined) return 'no column';
    const text = String(id);
    if (text.startsWith('column:')) return statusLabel(text.slice('column:'.length) as never);
    const other = taskOf(text.slice('card:'.length));
    if (!other) return 'a column';
    return other.id === String(activeId)
      ? `${statusLabel(other.status)}, where it was`
      : `${statusLabel(other.status)}, before ${other.key}`;
  };
  return {
    onDragStart: ({ active }) => `Picked up ${key(active.id)}.`,
    onDragOver: ({ active, over }) => `${key(active.id)} is over ${place(active.id, over?.id)}.`,
    onDragEnd: ({ active, over }) =>
      over ? `${key(active.id)} dropped in ${place(active.id, over.id)}.` : `${key(active.id)} put back.`,
    onDragCancel: ({ active }) => `Moving ${key(active.id)} cancelled; it stays where it was.`,
  };
}
