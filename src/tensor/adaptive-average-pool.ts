/**
 * @file Adaptive average pooling of channels-last `[T, h, w, D]` volumes over one, two or three axes, with PyTorch's
 * window rule (see pooling-windows.ts): `adaptive_avg_pool3d` on `[D, T, h, w]`, `adaptive_avg_pool2d` per frame,
 * `adaptive_avg_pool1d` over time.
 */
import { adaptiveWindows, identityWindows } from './pooling-windows.js';
import { averagePoolWindows, type VolumeShape } from './window-average-pool.js';

/** 3-D adaptive average pool `[T,h,w,D] -> [outT,outH,outW,D]`. */
export function adaptiveAveragePool3d(
  source: Float32Array,
  shape: VolumeShape,
  output: readonly [outT: number, outH: number, outW: number],
  target?: Float32Array,
): Float32Array {
  const [T, h, w] = shape;
  return averagePoolWindows(
    source,
    shape,
    {
      time: adaptiveWindows(T, output[0]),
      rows: adaptiveWindows(h, output[1]),
      columns: adaptiveWindows(w, output[2]),
    },
    target,
  );
}

/** 2-D adaptive average pool of every frame `[T,h,w,D] -> [T,outH,outW,D]`. */
export function adaptiveAveragePool2d(
  source: Float32Array,
  shape: VolumeShape,
  output: readonly [outH: number, outW: number],
  target?: Float32Array,
): Float32Array {
  const [T, h, w] = shape;
  return averagePoolWindows(
    source,
    shape,
    { time: identityWindows(T), rows: adaptiveWindows(h, output[0]), columns: adaptiveWindows(w, output[1]) },
    target,
  );
}

/** 1-D adaptive average pool over time `[T,h,w,D] -> [outT,h,w,D]`. */
export function adaptiveAveragePool1d(
  source: Float32Array,
  shape: VolumeShape,
  outT: number,
  target?: Float32Array,
): Float32Array {
  const [T, h, w] = shape;
  return averagePoolWindows(
    source,
    shape,
    { time: adaptiveWindows(T, outT), rows: identityWindows(h), columns: identityWindows(w) },
    target,
  );
}
