/**
 * Opaque keyset cursors: the sort value and id of the last row of a page, so the next page
 * starts after it even while rows are added (offsets would skip or repeat rows).
 */
import { GroundworkError } from './errors.ts';

export interface KeysetPosition {
  value: string | number;
  id: string | number;
}

export function encodeCursor(position: KeysetPosition): string {
  return btoa(JSON.stringify([position.value, position.id]))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

export function decodeCursor(cursor: string): KeysetPosition {
  try {
    const base64 = cursor.replace(/-/g, '+').replace(/_/g, '/');
    const decoded: unknown = JSON.parse(atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '=')));
    if (Array.isArray(decoded) && decoded.length === 2) {
      const [value, id] = decoded as unknown[];
      if (isKeyPart(value) && isKeyPart(id)) return { value, id };
    }
  } catch {
    // fall through to the typed error
  }
  throw new GroundworkError('validation_failed', 'Invalid cursor: pass back a nextCursor you were given.', {
    reason: 'invalid_cursor',
    fields: { cursor: ['is not a cursor this SDK made'] },
  });
}

/**
 * A PostgREST `or` filter selecting rows strictly after `position` in (column, id) order.
 * Values are double-quoted because timestamps contain PostgREST's reserved characters.
 */
export function afterFilter(column: string, direction: 'asc' | 'desc', position: KeysetPosition): string {
  const op = direction === 'asc' ? 'gt' : 'lt';
  const value = `"${String(position.value)}"`;
  const id = `"${String(position.id)}"`;
  return `${column}.${op}.${value},and(${column}.eq.${value},id.${op}.${id})`;
}

function isKeyPart(value: unknown): value is string | number {
  return (
    (typeof value === 'string' && !value.includes('"')) ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}
