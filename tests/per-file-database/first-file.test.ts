/**
 * One of two test files (see second-file.test.ts) that write the same ids, each in its own
 * copy of the database; vitest runs the two side by side in its workers.
 */
import { describeSameIds } from './same-ids.ts';

describeSameIds('first file');
