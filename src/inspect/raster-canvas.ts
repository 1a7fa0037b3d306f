/**
 * @file A tiny RGB raster canvas for the PNG figures: filled rectangles, straight lines (optionally dashed) and image
 * blits, clipped to the canvas. No text: the PNG figures are the pictures and the chart shapes; the HTML carries the
 * labels.
 */
import type { RgbImage } from '../core/frame.js';

export type Color = readonly [number, number, number];

export class RasterCanvas implements RgbImage {
  readonly data: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
    background: Color = [255, 255, 255],
  ) {
    if (!(Number.isInteger(width) && Number.isInteger(height) && width >= 1 && height >= 1))
      throw new RangeError(`RasterCanvas: invalid size ${width}x${height}`);
    this.data = new Uint8Array(width * height * 3);
    for (let i = 0; i < width * height; i++) this.data.set(background, i * 3);
  }

  setPixel(x: number, y: number, color: Color): void {
    const px = Math.round(x);
    const py = Math.round(y);
    if (px < 0 || py < 0 || px >= this.width || py >= this.height) return;
    this.data.set(color, (py * this.width + px) * 3);
  }

  fillRect(x: number, y: number, width: number, height: number, color: Color): void {
    const left = Math.max(0, Math.round(x));
    const top = Math.max(0, Math.round(y));
    const right = Math.min(this.width, Math.round(x + width));
    const bottom = Math.min(this.height, Math.round(y + height));
    for (let py = top; py < bottom; py++)
      for (let px = left; px < right; px++) this.data.set(color, (py * this.width + px) * 3);
  }

  /** Outline of a rectangle, one pixel wide. */
  strokeRect(x: number, y: number, width: number, height: number, color: Color): void {
    this.line(x, y, x + width, y, color);
    this.line(x, y + height, x + width, y + height, color);
    this.line(x, y, x, y + height, color);
    this.line(x + width, y, x + width, y + height, color);
  }

  /** A line of `thickness` pixels; `dash` draws `dash` pixels on, `dash` off. */
  line(
    x1: number,
    y1: number,
    x2: number,
    y2: number,
    color: Color,
    options: { readonly thickness?: number; readonly dash?: number } = {},
  ): void {
    const thickness = options.thickness ?? 1;
    const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x2 - x1), Math.abs(y2 - y1))));
    const half = (thickness - 1) / 2;
    for (let step = 0; step <= steps; step++) {
      if (options.dash !== undefined && Math.floor(step / options.dash) % 2 === 1) continue;
      const x = x1 + ((x2 - x1) * step) / steps;
      const y = y1 + ((y2 - y1) * step) / steps;
      if (thickness <= 1) this.setPixel(x, y, color);
      else this.fillRect(x - half, y - half, thickness, thickness, color);
    }
  }

  /** Copies `image` with its top-left corner at (x, y). */
  drawImage(image: RgbImage, x: number, y: number): void {
    const left = Math.round(x);
    const top = Math.round(y);
    for (let row = 0; row < image.height; row++) {
      const py = top + row;
      if (py < 0 || py >= this.height) continue;
      const from = Math.max(0, -left);
      const to = Math.min(image.width, this.width - left);
      if (to <= from) continue;
      this.data.set(
        image.data.subarray((row * image.width + from) * 3, (row * image.width + to) * 3),
        (py * this.width + left + from) * 3,
      );
    }
  }
}
