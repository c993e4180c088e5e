import type { FitEnum, FormatEnum, Sharp, SharpOptions } from 'sharp';
import { storageErrors } from '../errors.ts';
import { type ResizeMode, type TransformOptions, targetSize } from './transform-options.ts';

/** Hosted's documented source limits: larger files or pictures are not transformed. */
export const SOURCE_LIMITS = { bytes: 25 * 1024 * 1024, pixels: 50_000_000 } as const;

/** imgproxy's default quality, which hosted documents as the default. */
export const DEFAULT_QUALITY = 80;

export interface RenderedImage {
  bytes: Buffer;
  contentType: string;
}

export interface ImageRenderer {
  /**
   * Resizes and re-encodes `source`. `accept` is the client's Accept header: without an
   * explicit format, a client that accepts WebP gets WebP (imgproxy's WebP detection,
   * which hosted enables); everyone else gets the source's format.
   */
  render(source: Buffer, options: TransformOptions, accept: string | null): Promise<RenderedImage>;
}

type SharpFactory = (input: Buffer, options: SharpOptions) => Sharp;
type OutputFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'tiff' | 'avif';

/** imgproxy's `fill` crops to cover, `fit` fits inside without padding, `force` stretches. */
const FIT: Record<ResizeMode, keyof FitEnum> = { cover: 'cover', contain: 'inside', fill: 'fill' };
const LOSSY: ReadonlySet<OutputFormat> = new Set(['jpeg', 'webp', 'avif']);

async function loadSharp(): Promise<SharpFactory> {
  const { default: sharp } = await import('sharp');
  return sharp;
}

/**
 * Image transformations with sharp (libvips, the library imgproxy is built on), loaded on
 * first use so a stack that never renders never pays for it. If sharp cannot load on this
 * machine every render fails with hosted's InternalError naming why; the original is never
 * served in its place.
 */
export function createImageRenderer(load: () => Promise<SharpFactory> = loadSharp): ImageRenderer {
  let factory: Promise<SharpFactory> | undefined;
  const sharpFactory = () => {
    factory ??= load();
    return factory.catch((error: unknown) => {
      throw storageErrors.imageTransformationUnavailable(error);
    });
  };

  return {
    async render(source, options, accept) {
      const sharp = await sharpFactory();
      try {
        // Like imgproxy: lenient decoding, only the first frame, EXIF orientation applied,
        // metadata dropped, never enlarged.
        const image = sharp(source, { limitInputPixels: SOURCE_LIMITS.pixels, failOn: 'error' });
        const metadata = await image.metadata();
        const format = outputFormat(
          options,
          metadata.format,
          metadata.compression,
          metadata.hasAlpha,
          accept,
        );
        const { width, height } = targetSize(options);
        let pipeline = image.rotate();
        if (width || height) {
          pipeline = pipeline.resize({
            ...(width ? { width } : {}),
            ...(height ? { height } : {}),
            fit: FIT[options.resize ?? 'cover'],
            withoutEnlargement: true,
          });
        }
        const quality = options.quality ?? DEFAULT_QUALITY;
        const bytes = await pipeline
          .toFormat(format as keyof FormatEnum, LOSSY.has(format) ? { quality } : {})
          .toBuffer();
        return { bytes, contentType: `image/${format}` };
      } catch (error) {
        // Whatever libvips cannot decode (not an image, a broken one, too many pixels) is
        // imgproxy's 422 "Invalid source image".
        throw storageErrors.invalidSourceImage(error);
      }
    },
  };
}

function outputFormat(
  options: TransformOptions,
  source: string | undefined,
  compression: string | undefined,
  hasAlpha: boolean | undefined,
  accept: string | null,
): OutputFormat {
  if (options.format === 'avif' || options.format === 'webp') return options.format;
  if (options.format !== 'origin' && accept?.includes('image/webp')) return 'webp';
  switch (source) {
    case 'jpeg':
    case 'png':
    case 'webp':
    case 'gif':
    case 'tiff':
      return source;
    case 'heif':
      if (compression === 'av1') return 'avif';
      break;
  }
  // Sources that cannot be written back (SVG, HEIC, …) become imgproxy's preferred formats.
  return hasAlpha ? 'png' : 'jpeg';
}
