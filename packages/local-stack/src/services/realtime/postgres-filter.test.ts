import { describe, expect, it } from 'vitest';
import { FilterSyntaxError, parseChangeFilters, rowMatchesFilters } from './postgres-filter.ts';

const types = { id: 'int4', name: 'text', done: 'bool', owner: 'uuid', at: 'timestamptz' };
const matches = (filter: string, row: Record<string, string | null>) =>
  rowMatchesFilters(parseChangeFilters(filter), row, types);

describe('postgres_changes filter grammar', () => {
  it('splits AND-ed conditions on top-level commas only, keeping dots and quoted commas in values', () => {
    const parsed = parseChangeFilters('name=eq.a.b,id=in.(1, 2,"x,y"),name=not.like."a,b%"');
    expect(
      parsed.map(({ column, operator, negate, values }) => ({ column, operator, negate, values })),
    ).toEqual([
      { column: 'name', operator: 'eq', negate: false, values: ['a.b'] },
      { column: 'id', operator: 'in', negate: false, values: ['1', '2', 'x,y'] },
      { column: 'name', operator: 'like', negate: true, values: ['a,b%'] },
    ]);
    expect(parseChangeFilters('   ')).toEqual([]);
  });

  it("refuses what hosted refuses, with hosted's reason", () => {
    const reason = (filter: string) => {
      try {
        parseChangeFilters(filter);
      } catch (error) {
        expect(error).toBeInstanceOf(FilterSyntaxError);
        return (error as Error).message;
      }
      throw new Error(`${filter} parsed`);
    };
    expect(reason('undefined')).toBe('["undefined"]');
    expect(reason('subject=foo.hey')).toBe('["foo", "hey"]');
    expect(reason('id=gte1')).toBe('["gte1"]');
    expect(reason('id=gt.0,,id=lt.9')).toBe(
      'filter must not contain empty segments (check for extra commas)',
    );
    expect(reason('id=in.1,2')).toBe('`in` filter value must be wrapped by parentheses');
    expect(reason('done=is.maybe')).toBe(
      'invalid value for is filter: must be null, true, false, or unknown',
    );
    expect(reason('name=match.(')).toMatch(/^invalid regular expression for match filter/);
    expect(reason(`id=in.(${Array.from({ length: 101 }, (_, i) => i).join(',')})`)).toBe(
      'too many values for `in` filter. Maximum 100',
    );
  });

  it('compares in the column type, and NULL passes only is/isdistinct', () => {
    expect(matches('id=gt.9', { id: '10' })).toBe(true);
    expect(matches('name=gt.9', { name: '10' })).toBe(false);
    expect(matches('at=gt.2024-01-01T00:00:00Z', { at: '2024-01-02 00:00:00+00' })).toBe(true);
    expect(
      matches('owner=eq.ABCDEF00-0000-0000-0000-000000000000', {
        owner: 'abcdef00-0000-0000-0000-000000000000',
      }),
    ).toBe(true);
    expect(matches('name=neq.x', { name: null })).toBe(false);
    expect(matches('name=not.eq.x', { name: null })).toBe(false);
    expect(matches('name=is.null', { name: null })).toBe(true);
    expect(matches('name=isdistinct.x', { name: null })).toBe(true);
    expect(matches('id=not.in.(1,NULL)', { id: '2' })).toBe(false);
    expect(matches('name=eq.x', { id: '1' })).toBe(false);
  });
});
