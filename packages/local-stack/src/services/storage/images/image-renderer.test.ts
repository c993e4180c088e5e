import { describe, expect, it } from 'vitest';
import { isStorageError } from '../errors.ts';
import { createImageRenderer } from './image-renderer.ts';

describe('createImageRenderer', () => {
  it('refuses with hosted InternalError naming why when sharp cannot load, never passing the source on', async () => {
    const renderer = createImageRenderer(() => Promise.reject(new Error('libvips is missing')));
    const failure = await renderer
      .render(Buffer.from('anything'), { width: 10 }, null)
      .catch((error) => error);
    expect(isStorageError(failure)).toBe(true);
    expect(failure.toBody()).toEqual({
      statusCode: '500',
      code: 'InternalError',
      error: 'InternalError',
      message: 'Image transformation is unavailable: libvips is missing',
    });
    expect(failure.httpStatus).toBe(500);
  });
});
