import { STATUSES } from './statuses.ts';

/** The board's columns as a status menu's options, in board order. */
export function StatusOptions() {
  return (
    <>
      {STATUSES.map((column) => (
        <option key={column.status} value={column.status}>
          {column.label}
        </option>
      ))}
    </>
  );
}
