// Image file names: which extensions are images. The sample type itself lives in src/model/image-sample.ts.

export type { ImageListing, ImageSample } from '../model/image-sample.js';

export const IMAGE_EXTENSIONS = new Set(['jpg', 'jpeg', 'png', 'webp', 'gif', 'tiff', 'tif', 'bmp', 'avif']);

export function hasImageExtension(name: string): boolean {
  const dot = name.lastIndexOf('.');
  return dot >= 0 && IMAGE_EXTENSIONS.has(name.slice(dot + 1).toLowerCase());
}
