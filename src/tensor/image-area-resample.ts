/**
 * @file Area (adaptive average) resampling of images in planar (`[C, H, W]`) or interleaved (`[H, W, C]`) layout,
 * float or 8-bit, written straight into a region of a target image. This is `F.interpolate(mode='area')` (TS-LLaVA's
 * thumbnail cells); the same kernel serves float planar golden inputs and interleaved RGB frames through strides.
 */
import { adaptiveWindows } from './pooling-windows.js';

/** Writable numeric storage of an image. Uint8ClampedArray rounds half to even and clamps to 0..255 on write. */
export type ImageStorage = Float32Array | Float64Array | Uint8Array | Uint8ClampedArray;

/** A strided view of an image region: element `(c, y, x)` is at `offset + c*channelStride + y*rowStride + x*columnStride`. */
export interface ImageView<Storage extends ImageStorage = ImageStorage> {
  readonly data: Storage;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly offset: number;
  readonly rowStride: number;
  readonly columnStride: number;
  readonly channelStride: number;
}

/** A view over a whole interleaved (HWC) image. */
export function interleavedView<Storage extends ImageStorage>(
  data: Storage,
  width: number,
  height: number,
  channels = 3,
): ImageView<Storage> {
  return {
    data,
    width,
    height,
    channels,
    offset: 0,
    rowStride: width * channels,
    columnStride: channels,
    channelStride: 1,
  };
}

/** A view over a whole planar (CHW) image starting at `offset` in `data`. */
export function planarView<Storage extends ImageStorage>(
  data: Storage,
  width: number,
  height: number,
  channels = 3,
  offset = 0,
): ImageView<Storage> {
  return { data, width, height, channels, offset, rowStride: width, columnStride: 1, channelStride: width * height };
}

/** A sub-rectangle of a view (same storage, shifted offset). */
export function regionView<Storage extends ImageStorage>(
  view: ImageView<Storage>,
  left: number,
  top: number,
  width: number,
  height: number,
): ImageView<Storage> {
  if (left < 0 || top < 0 || left + width > view.width || top + height > view.height) {
    throw new RangeError(`region ${width}x${height}+${left}+${top} does not fit a ${view.width}x${view.height} image`);
  }
  return { ...view, width, height, offset: view.offset + top * view.rowStride + left * view.columnStride };
}

/**
 * Resamples `source` into `target` (their own sizes) by adaptive averaging on both axes. Writing to a Uint8Array
 * target rounds half to even and clamps (through a Uint8ClampedArray view).
 */
export function areaResampleImage(source: ImageView, target: ImageView): void {
  if (source.channels !== target.channels)
    throw new RangeError(`channel counts differ: ${source.channels} vs ${target.channels}`);
  const rows = adaptiveWindows(source.height, target.height);
  const columns = adaptiveWindows(source.width, target.width);
  const out =
    target.data instanceof Uint8Array && !(target.data instanceof Uint8ClampedArray)
      ? new Uint8ClampedArray(target.data.buffer, target.data.byteOffset, target.data.length)
      : target.data;
  const input = source.data;
  for (let c = 0; c < source.channels; c++) {
    const sourcePlane = source.offset + c * source.channelStride;
    const targetPlane = target.offset + c * target.channelStride;
    for (let oy = 0; oy < target.height; oy++) {
      const y0 = rows.start[oy]!;
      const y1 = rows.end[oy]!;
      for (let ox = 0; ox < target.width; ox++) {
        const x0 = columns.start[ox]!;
        const x1 = columns.end[ox]!;
        let sum = 0;
        for (let y = y0; y < y1; y++) {
          let index = sourcePlane + y * source.rowStride + x0 * source.columnStride;
          for (let x = x0; x < x1; x++) {
            sum += input[index]!;
            index += source.columnStride;
          }
        }
        out[targetPlane + oy * target.rowStride + ox * target.columnStride] = sum / ((y1 - y0) * (x1 - x0));
      }
    }
  }
}

/** Copies `source` into `target` of the same size (any layouts). */
export function copyImage(source: ImageView, target: ImageView): void {
  if (source.width !== target.width || source.height !== target.height || source.channels !== target.channels) {
    throw new RangeError(
      `copy needs equal sizes: ${source.width}x${source.height} vs ${target.width}x${target.height}`,
    );
  }
  for (let c = 0; c < source.channels; c++) {
    for (let y = 0; y < source.height; y++) {
      let from = source.offset + c * source.channelStride + y * source.rowStride;
      let to = target.offset + c * target.channelStride + y * target.rowStride;
      for (let x = 0; x < source.width; x++) {
        target.data[to] = source.data[from]!;
        from += source.columnStride;
        to += target.columnStride;
      }
    }
  }
}

/** Sets every element of a view to `value`. */
export function fillImage(target: ImageView, value: number): void {
  for (let c = 0; c < target.channels; c++) {
    for (let y = 0; y < target.height; y++) {
      let to = target.offset + c * target.channelStride + y * target.rowStride;
      for (let x = 0; x < target.width; x++) {
        target.data[to] = value;
        to += target.columnStride;
      }
    }
  }
}
