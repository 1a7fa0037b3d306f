/**
 * @file Thumbnails of the frames a narration saw: each frame scaled (area resampling) to `width` pixels wide and
 * encoded as a PNG `data:` URI, so the JSON events, the live page and the WebVTT thumbnail track carry them without
 * extra files or requests (the page's Content-Security-Policy allows `img-src data:` only).
 */
import type { RgbImage } from '../core/frame.js';
import { resizeImageArea } from '../encoders/resize-image.js';
import { encodePng } from '../inspect/png-encode.js';

/** Default thumbnail width in pixels. */
export const defaultThumbnailWidth = 96;

export function thumbnailDataUri(image: RgbImage, width: number = defaultThumbnailWidth): string {
  const height = Math.max(1, Math.round((image.height * width) / image.width));
  const small = resizeImageArea(image, width, height);
  return `data:image/png;base64,${Buffer.from(encodePng(small)).toString('base64')}`;
}

/** One thumbnail per frame, in order. */
export function sceneThumbnails(frames: readonly RgbImage[], width: number = defaultThumbnailWidth): string[] {
  return frames.map((frame) => thumbnailDataUri(frame, width));
}
