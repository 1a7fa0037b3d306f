/**
 * @file Benchmark of the temporal token strategies on realistic feature-grid shapes. For each shape it measures one
 * plain pass over the same Float32Array (a sum: the memory-bandwidth floor) and reports each strategy's median time
 * and its ratio to that floor, measured in the same run. Prints a markdown table. Ratios use process CPU time
 * (user + system), which a machine shared with other jobs disturbs far less than wall time; wall time is shown too.
 */
import { featureGrid, meanTokenDescriptors, type FeatureGrid } from '../src/core/feature-grid.js';
import { bvllmApproximate } from '../src/strategies/b-vllm/b-vllm-approximation.js';
import { pllavaPool } from '../src/strategies/pllava/pllava-pool.js';
import { sceneTilling } from '../src/strategies/scene-tilling/scene-tilling.js';
import { slowFast } from '../src/strategies/slowfast/slowfast-llava.js';
import { slowFastShi } from '../src/strategies/slowfast/slowfast-shi.js';
import { spatialPool } from '../src/strategies/spatial-pool.js';
import { tsLlavaSample } from '../src/strategies/ts-llava/ts-llava-tokens.js';

type Shape = readonly [number, number, number, number];

// CLIP's 24x24 (the papers' grid, LLaVA-7B's D), SmolVLM2-256M/500M (8x8, D 576 / 960), LLaVA-OneVision-0.5B video
// frames (14x14 after its 2x2 bilinear pooling, D 896) and its unpooled 27x27 image grid.
const shapes: readonly Shape[] = [
  [16, 24, 24, 4096],
  [50, 24, 24, 4096],
  [64, 8, 8, 576],
  [50, 8, 8, 960],
  [16, 14, 14, 896],
  [50, 14, 14, 896],
  [32, 27, 27, 896],
];

function makeGrid([T, h, w, D]: Shape): FeatureGrid {
  const data = new Float32Array(T * h * w * D);
  let state = 12345;
  for (let i = 0; i < data.length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    data[i] = state / 2147483648 - 1;
  }
  const times = Array.from({ length: T }, (_, t) => t);
  return featureGrid(T, h, w, D, data, times, times);
}

let sink = 0;

function plainPass(data: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum += data[i]!;
  return sum;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

interface Timing {
  readonly wall: number;
  readonly cpu: number;
}

function cpuMilliseconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

function measure(repetitions: number, body: () => unknown): Timing {
  body(); // warm-up (JIT, page faults of fresh outputs)
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < repetitions; i++) {
    const wallStart = performance.now();
    const cpuStart = cpuMilliseconds();
    const result = body();
    cpus.push(cpuMilliseconds() - cpuStart);
    walls.push(performance.now() - wallStart);
    if (typeof result === 'number') sink += result;
  }
  return { wall: median(walls), cpu: median(cpus) };
}

export async function run(): Promise<void> {
  const rows: string[] = [];
  rows.push(
    '| shape [T,h,w,D] | strategy | tokens out | median wall ms | median CPU ms | floor CPU ms (one sum pass) | ratio to floor (CPU) |',
  );
  rows.push('|---|---|---:|---:|---:|---:|---:|');
  for (const shape of shapes) {
    const [T, h, w, D] = shape;
    let grid: FeatureGrid | undefined = makeGrid(shape);
    const g = grid;
    const bytes = g.data.length * 4;
    const repetitions = bytes > 256 * 2 ** 20 ? 3 : bytes > 64 * 2 ** 20 ? 5 : 9;
    const floorBefore = measure(repetitions, () => plainPass(g.data));
    const question = g.data.slice(0, D);
    // Parameters as the built-in pipelines resolve them on this grid (pllava h/2, ts-llava 5P, slowfast fast h/6).
    const half: [number, number] = [Math.max(1, Math.floor(h / 2)), Math.max(1, Math.floor(w / 2))];
    const fast: [number, number] = [Math.max(1, Math.floor(h / 6)), Math.max(1, Math.floor(w / 6))];
    const cases: Array<[string, () => number]> = [
      ['pllava (16, h/2, w/2)', () => pllavaPool(g, [Math.min(16, T), ...half]).data.length / D],
      ['spatial-pool area h/2', () => spatialPool(g, half, 'area').data.length / D],
      ['spatial-pool bilinear h/2', () => spatialPool(g, half, 'bilinear').data.length / D],
      [
        `slowfast (S=10, fast ${fast[0]}x${fast[1]})`,
        () => {
          const r = slowFast(g, { slowFrames: Math.min(10, T), fastGrid: fast });
          return (r.slow.data.length + r.fast.data.length) / D;
        },
      ],
      ['slowfast-shi (2, 4, 16)', () => slowFastShi(g).fast.data.length / D],
      ['ts-llava sample 5P', () => tsLlavaSample(g, 5 * h * w).count],
      ['b-vllm approx (question, top-N, B=576)', () => bvllmApproximate(g, { question, budget: 576 }).count],
      [
        'scene-tilling (mean descriptors, k=3)',
        () => sceneTilling(meanTokenDescriptors(g), { k: 3 }).boundaries.length,
      ],
    ];
    if (h * w * D <= 64 * 576)
      cases.push(['b-vllm approx (no question, ToMe)', () => bvllmApproximate(g, { budget: 576 }).count]);
    const measured: Array<[string, number, Timing]> = [];
    for (const [name, body] of cases) {
      let tokens = 0;
      const timing = measure(repetitions, () => {
        tokens = body();
        return tokens;
      });
      measured.push([name, tokens, timing]);
    }
    // The floor is measured before and after the strategies; the smaller CPU time is the better estimate.
    const floorAfter = measure(repetitions, () => plainPass(g.data));
    const floor = Math.min(floorBefore.cpu, floorAfter.cpu);
    for (const [name, tokens, timing] of measured) {
      rows.push(
        `| [${shape.join(',')}] | ${name} | ${tokens} | ${timing.wall.toFixed(1)} | ${timing.cpu.toFixed(1)} | ${floor.toFixed(1)} | ${(timing.cpu / floor).toFixed(2)} |`,
      );
    }
    grid = undefined;
  }
  process.stdout.write(`${rows.join('\n')}\n`);
  if (sink === 0.5) process.stdout.write('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
