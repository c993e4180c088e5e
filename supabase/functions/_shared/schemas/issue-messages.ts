/**
 * Short messages for zod issues whose schema gave none, shared by the edge functions and the
 * SDK so both word a bad field alike ("must be at most 100 characters").
 *
 * `zod/mini` loads no locale (that keeps it small), so without this map every issue reads
 * "Invalid input". It is passed per parse (`schema.safeParse(value, { error: issueMessage })`)
 * rather than set globally with `z.config`, which would change the messages of the app's own zod.
 */
import type * as z from 'zod/mini';

const NOUNS: Readonly<Record<string, string>> = {
  int: 'an integer',
  array: 'a list',
  object: 'an object',
  boolean: 'true or false',
  function: 'a function',
};

function bound(
  issue: { origin: string; inclusive?: boolean },
  limit: number | bigint,
  side: 'least' | 'most',
) {
  const unit = issue.origin === 'string' ? ' characters' : issue.origin === 'array' ? ' items' : '';
  if (issue.inclusive === false) return `must be ${side === 'least' ? 'more' : 'less'} than ${limit}${unit}`;
  return `must be at ${side} ${limit}${unit}`;
}

/** A zod error map (see `ParseContext.error`): one phrase per issue code. */
export function issueMessage(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined
        ? 'is required'
        : `must be ${NOUNS[issue.expected] ?? `a ${issue.expected}`}`;
    case 'too_small':
      return bound(issue, issue.minimum, 'least');
    case 'too_big':
      return bound(issue, issue.maximum, 'most');
    case 'invalid_format':
      return issue.format === 'regex' ? 'has the wrong format' : `must be a valid ${issue.format}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}`;
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}`;
    default:
      return 'is invalid';
  }
}
