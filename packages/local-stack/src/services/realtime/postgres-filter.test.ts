import { describe, expect, it } from 'vitest';
import { FilterSyntaxError, parseChangeFilter, rowMatchesFilter } from './postgres-filter.ts';

const types = { id: 'int4', name: 'text', done: 'bool', owner: 'uuid' };
const matches = (filter: string, row: Record<string, string | null>) =>
  rowMatchesFilter(parseChangeFilter(filter), row, types);

describe('postgres_changes filters', () => {
  it('parses column=operator.value, keeping dots in values', () => {
    expect(parseChangeFilter('name=eq.a.b')).toEqual({ column: 'name', operator: 'eq', values: ['a.b'] });
    expect(parseChangeFilter('id=in.(1, 2,"x,y")')).toEqual({
      column: 'id',
      operator: 'in',
      values: ['1', '2', 'x,y'],
    });
  });

  it('refuses what hosted refuses', () => {
    for (const bad of ['id', 'id=1', 'id=like.1', '=eq.1', 'id=in.1,2']) {
      expect(() => parseChangeFilter(bad), bad).toThrow(FilterSyntaxError);
    }
  });

  it('compares numbers numerically and text as text', () => {
    expect(matches('id=gt.9', { id: '10' })).toBe(true);
    expect(matches('name=gt.9', { name: '10' })).toBe(false);
    expect(matches('id=lte.10', { id: '10' })).toBe(true);
    expect(matches('id=neq.10', { id: '10' })).toBe(false);
    expect(matches('done=eq.true', { done: 't' })).toBe(true);
    expect(
      matches('owner=eq.ABCDEF00-0000-0000-0000-000000000000', {
        owner: 'abcdef00-0000-0000-0000-000000000000',
      }),
    ).toBe(true);
    expect(matches('id=in.(1,3)', { id: '3' })).toBe(true);
  });

  it('never matches NULL or a column the row does not carry', () => {
    expect(matches('name=neq.x', { name: null })).toBe(false);
    expect(matches('name=eq.x', { id: '1' })).toBe(false);
  });
});
