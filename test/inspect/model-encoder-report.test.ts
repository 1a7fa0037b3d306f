/**
 * @file The model-encoder path of `inspectVideo`, without ffmpeg or a model: a small deterministic VisualEncoder (4x4
 * tokens of 8 values computed from patch colours, with a text embedding) and synthetic frames. Checks heat maps
 * instead of decoded pixels, SceneTilling curves recomputed independently from the encoder's own output, B-VLLM
 * question scores checked by hand for one frame, a failing pipeline reported without stopping the others, and that
 * the recording wrappers do not change what the pipelines produce.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { VisualEncoder } from '../../src/core/encoder.js';
import { featureGrid, type FeatureGrid } from '../../src/core/feature-grid.js';
import type { RgbImage, VideoFrame } from '../../src/core/frame.js';
import { visualTokenCount } from '../../src/core/token-stream.js';
import { resizeImageArea } from '../../src/encoders/resize-image.js';
import { inspectVideo } from '../../src/inspect/inspect-video.js';
import type { FrameProvider } from '../../src/pipeline/frame-provider.js';
import { runPipeline } from '../../src/pipeline/run-pipeline.js';
import { syntheticFrame } from '../graph/synthetic-frames.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from '../helpers/paths.js';

const side = 4;
const dim = 8;

/** Token of one 16x16 patch: colour means and products, so norms and similarities vary with the picture. */
function patchToken(image: RgbImage, gy: number, gx: number, out: Float32Array, offset: number): void {
  const mean = [0, 0, 0];
  for (let y = 0; y < 16; y++)
    for (let x = 0; x < 16; x++)
      for (let c = 0; c < 3; c++)
        mean[c]! += image.data[((gy * 16 + y) * image.width + gx * 16 + x) * 3 + c]! / (256 * 255);
  const [r, g, b] = mean as [number, number, number];
  out.set([r, g, b, r * g, g * b, r - b, 0.1 * (gx + 1), 0.1 * (gy + 1)], offset);
}

function encodeImages(
  images: readonly RgbImage[],
  timestamps: readonly number[],
  indices: readonly number[],
): FeatureGrid {
  const data = new Float32Array(images.length * side * side * dim);
  images.forEach((source, t) => {
    const image = source.width === 64 && source.height === 64 ? source : resizeImageArea(source, 64, 64);
    for (let gy = 0; gy < side; gy++)
      for (let gx = 0; gx < side; gx++) patchToken(image, gy, gx, data, ((t * side + gy) * side + gx) * dim);
  });
  return featureGrid(images.length, side, side, dim, data, timestamps, indices);
}

function deterministicEncoder(): VisualEncoder & { disposed: number } {
  const encoder = {
    name: 'test-model',
    dim,
    inputSize: { width: 64, height: 64 },
    grid: { h: side, w: side },
    disposed: 0,
    async encodeFrames(frames: readonly VideoFrame[]) {
      return encodeImages(
        frames,
        frames.map((frame) => frame.pts),
        frames.map((frame) => frame.index),
      );
    },
    async encodeImage(image: RgbImage) {
      return encodeImages([image], [0], [0]);
    },
    async embedText(text: string) {
      return Float32Array.from(
        { length: dim },
        (_, d) => ((text.charCodeAt(d % text.length) * (d + 3)) % 17) / 17 - 0.3,
      );
    },
    async dispose() {
      encoder.disposed += 1;
    },
  };
  return encoder;
}

/** 40 synthetic frames (a scene change every 10) at 4 fps; delivers the count or maximum the pipeline asks for. */
const provider: FrameProvider = {
  async probe(input) {
    return { input, duration: 10, frameCount: 40, width: 64, height: 48 };
  },
  openFrames(_input, request) {
    const wanted = Math.min(40, request.count ?? request.maxFrames ?? 40);
    // Exact times (`at`) give the frame shown at each time, as ingest does; otherwise evenly spread frames.
    const positions =
      request.at !== undefined
        ? [...new Set(request.at.map((time) => Math.min(39, Math.floor(time * 4))))]
        : Array.from({ length: wanted }, (_, i) => Math.round((i * 39) / Math.max(1, wanted - 1)));
    return (async function* () {
      for (const n of positions) {
        // Delivered at the requested size, as ingest does.
        const frame = resizeImageArea(syntheticFrame(n, 64, 10), request.size.width, request.size.height);
        yield { ...frame, pts: n / 4, index: n };
      }
    })();
  },
};

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}

test('a model encoder gives heat maps, scene curves and question scores; a failing pipeline is reported', async () => {
  const encoder = deterministicEncoder();
  const question = 'what is on the table?';
  // A user pipeline with PLLaVA's absolute 24x24-grid shape cannot run on this 4x4 grid: it fails at negotiation.
  const tooLarge = join(scratchDir('inspect-model'), 'pllava-absolute.yaml');
  writeFileSync(
    tooLarge,
    'name: pllava-absolute\ndescription: absolute shape\nversion: 1\nbudget: 5000\nframes: {count: 16, rule: np_linspace_int}\nstages:\n  - {id: encode, use: encode}\n  - {id: pool, use: pllava, params: {shape: [16, 12, 12]}}\noutput: pool\n',
  );
  const result = await inspectVideo('synthetic.mp4', {
    encoder,
    frameProvider: provider,
    question,
    pipelines: ['uniform', 'scenetilling', 'b-vllm', 'ts-llava', 'ig-vlm', tooLarge],
  });
  const byName = new Map(result.summary.pipelines.map((pipeline) => [pipeline.name, pipeline]));
  assert.equal(encoder.disposed, 0, 'an encoder passed in is not disposed by inspectVideo');

  // The recording wrappers change nothing: the same run without them gives the same counts.
  const plain = await runPipeline('synthetic.mp4', { pipeline: 'uniform', encoder, frameProvider: provider });
  assert.equal(byName.get('uniform')!.totalTokens, visualTokenCount(plain));
  assert.equal(byName.get('uniform')!.totalTokens, 8 * side * side);
  assert.deepEqual(byName.get('uniform')!.frames, plain.frames);

  // The absolute-shape pipeline fails at negotiation naming the numbers, the others still run; TS-LLaVA's 5 x P
  // samples fit any grid.
  assert.match(byName.get('pllava-absolute')!.error ?? '', /12x12 is larger than the encoder's 4x4/);
  assert.equal(byName.get('ts-llava')!.error, undefined);
  assert.equal(byName.get('ts-llava')!.totalTokens, 5 * side * side + side * side);
  assert.equal(byName.get('ig-vlm')!.error, undefined);
  assert.ok(result.html.includes('This pipeline failed on this input'));

  // SceneTilling curves, recomputed here from the encoder's mean tokens of the scenetilling frames.
  const curves = result.summary.sceneCurves!;
  assert.equal(curves.pipeline, 'scenetilling');
  const frames = byName.get('scenetilling')!.frames;
  assert.equal(curves.similarity.length, frames.length - 1);
  const means = await Promise.all(
    frames.slice(0, 2).map(async (frame) => {
      const grid = await encoder.encodeFrames([
        { ...syntheticFrame(frame.index, 64, 10), pts: frame.pts, index: frame.index },
      ]);
      const mean = new Float32Array(dim);
      for (let p = 0; p < side * side; p++)
        for (let d = 0; d < dim; d++) mean[d]! += grid.data[p * dim + d]! / (side * side);
      return mean;
    }),
  );
  assert.ok(Math.abs(curves.similarity[0]! - cosine(means[0]!, means[1]!)) < 1e-5);
  assert.equal(curves.cutTimes.length, 3);
  const notedScenes = byName.get('scenetilling')!.notes['scenes.scenes'] as { start: number; end: number }[];
  // Each cut lies between the end of a scene the stage noted and the start of the next one.
  curves.cutTimes.forEach((time, at) =>
    assert.ok(notedScenes[at]!.end < time && time < notedScenes[at + 1]!.start, `cut ${at} at ${time}`),
  );

  // Question scores: frame 0's score is the mean of its 8 best token-to-question cosines.
  const scores = result.summary.questionScores!;
  assert.equal(scores.pipeline, 'b-vllm');
  const questionEmbedding = await encoder.embedText!(question);
  const firstFrame = byName.get('b-vllm')!.frames[0]!;
  const grid = await encoder.encodeFrames([
    { ...syntheticFrame(firstFrame.index, 64, 10), pts: firstFrame.pts, index: firstFrame.index },
  ]);
  const similarities = Array.from({ length: side * side }, (_, p) =>
    cosine(grid.data.subarray(p * dim, (p + 1) * dim), questionEmbedding),
  ).sort((a, b) => b - a);
  assert.ok(Math.abs(scores.scores[0]! - similarities.slice(0, 8).reduce((sum, value) => sum + value, 0) / 8) < 1e-5);
  assert.ok(scores.keptTimes.length >= 1);

  // Heat maps, not decoded pixels; no script anywhere; the question is shown escaped.
  assert.ok(result.html.includes('per-token L2 norm'));
  assert.ok(!result.html.includes('decoded back to pixels'));
  assert.ok(!/<script/i.test(result.html));
  assert.ok(result.html.includes('what is on the table?'));
  assert.ok(result.html.includes('id="question-scores"'));
});

test('question text and file names are escaped in the report', async () => {
  const encoder = deterministicEncoder();
  const result = await inspectVideo('<img src=x onerror=alert(1)>.mp4', {
    encoder,
    frameProvider: provider,
    question: '"><script>alert(1)</script>',
    pipelines: ['uniform'],
  });
  assert.ok(!/<script/i.test(result.html));
  assert.ok(!result.html.includes('<img src=x'));
  assert.ok(result.html.includes('&lt;script&gt;'));
});
