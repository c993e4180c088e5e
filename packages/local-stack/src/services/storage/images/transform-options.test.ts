import { describe, expect, it } from 'vitest';
import {
  appliedTransformations,
  parseTokenTransformations,
  readTransformOptions,
  tokenTransformations,
} from './transform-options.ts';

const fromRecord = (record: Record<string, unknown>) =>
  readTransformOptions((name) => record[name], 'body/transform');

describe('transform options', () => {
  it('writes the token claim as hosted does and reads it back', () => {
    const options = fromRecord({ width: 200, height: '100', resize: 'contain', quality: 60, format: 'webp' });
    const claim = tokenTransformations(options);
    expect(claim).toBe('height:100,width:200,resize:contain,quality:60,format:webp');
    expect(parseTokenTransformations(claim, 'webp')).toEqual(options);
  });

  it('carries format=origin beside the claim, and reads hosted tokens without a resize mode', () => {
    expect(tokenTransformations({ format: 'origin' })).toBe('');
    expect(parseTokenTransformations('width:50', 'origin')).toEqual({ width: 50, format: 'origin' });
    expect(parseTokenTransformations('width:50,resize:undefined', undefined)).toEqual({ width: 50 });
    expect(() => parseTokenTransformations('width:50,resize:stretch', undefined)).toThrow(
      'token/transformations/resize must be equal to one of the allowed values',
    );
  });

  it('reports imgproxy options, clamped to 1–2500 px, and treats 0 as not given', () => {
    expect(appliedTransformations({ width: 0, height: 4000, resize: 'fill' })).toEqual([
      'height:2500',
      'resizing_type:force',
    ]);
    expect(appliedTransformations({})).toEqual([]);
  });
});
