/**
 * @file Decode planning without ffmpeg: input classification and protocol whitelists, the select expressions, the
 * seek-versus-sequential choice on synthetic timelines, request validation and bounds, and time comparisons in
 * integer pts units (an MPEG-TS timeline starting at 1.44 s).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LimitExceededError, UsageError } from '../../src/errors/index.js';
import {
  buildDecodeArguments,
  classifyInput,
  planFile,
  planLive,
  resolveLimits,
  type FrameTimeline,
  type ProbeResult,
} from '../../src/ingest/index.js';
import { ptsSetExpression, validateSelection } from '../../src/ingest/decode-plan.js';
import { decodeDeadlineMs, maxDecodeDeadlineMs } from '../../src/ingest/limits.js';

function timeline(frames: number, fps: number, gop: number): FrameTimeline {
  const ptsUnits = Array.from({ length: frames }, (_, index) => index * 512);
  const timeBase: [number, number] = [1, 512 * fps];
  return {
    ptsUnits,
    pts: ptsUnits.map((units) => units * (timeBase[0] / timeBase[1])),
    keyframe: ptsUnits.map((_, index) => index % gop === 0),
    timeBase,
    packetsWithoutPts: 0,
  };
}

const probeResult = (frames: number, fps: number): ProbeResult => ({
  input: 'synthetic.mp4',
  container: 'mov',
  codec: 'h264',
  pixelFormat: 'yuv420p',
  duration: frames / fps,
  avgFrameRate: fps,
  realFrameRate: fps,
  width: 1280,
  height: 720,
  rotation: 0,
  frameCount: frames,
  frameCountExact: true,
  keyframeInterval: 2,
  hasAudio: false,
  isLive: false,
  startTime: 0,
});

/** Evaluates the subset of ffmpeg's expression language ptsSetExpression emits. */
function evaluate(expression: string, pts: number): number {
  const code = expression
    .replace(/if\(/g, 'iff(')
    .replace(/eq\(pts,(\d+)\)/g, '(pts===$1?1:0)')
    .replace(/lt\(pts,(\d+)\)/g, '(pts<$1)');
  return Function(
    'pts',
    'iff',
    `return ${code};`,
  )(pts, (condition: boolean, a: number, b: number) => (condition ? a : b)) as number;
}

describe('decode plans', () => {
  it('classifies inputs with explicit whitelists', async () => {
    assert.deepEqual(await classifyInput('-'), {
      input: '-',
      kind: 'stdin',
      ffmpegInput: 'pipe:0',
      protocolWhitelist: 'pipe',
      isLive: true,
    });
    // Public documentation addresses (TEST-NET-3): classifying checks the network policy but contacts nothing.
    assert.equal(
      (await classifyInput('https://203.0.113.7/live.m3u8')).protocolWhitelist,
      'http,https,tcp,tls,crypto,httpproxy',
    );
    assert.equal((await classifyInput('rtsp://203.0.113.7/stream')).protocolWhitelist, 'rtsp,rtp,udp,tcp');
    assert.equal((await classifyInput('udp://239.0.0.1:1234')).protocolWhitelist, 'udp');
    const file = await classifyInput('package.json');
    assert.equal(file.protocolWhitelist, 'file');
    assert.match(file.ffmpegInput, /^file:\/.*\/package\.json$/);
  });

  it('builds exact pts-set expressions', () => {
    const wanted = [0, 512, 5120, 99840, 100352, 40960, 7168, 1024, 2048, 3072, 4096];
    const expression = ptsSetExpression(wanted);
    for (let pts = 0; pts <= 102400; pts += 512)
      assert.equal(evaluate(expression, pts) > 0, wanted.includes(pts), `pts ${pts}`);
  });

  it('seeks for sparse picks in a long file and decodes sequentially for dense ones', () => {
    const long = timeline(36_000, 10, 20); // 1 hour at 10 fps, a keyframe every 2 s
    const sparse = planFile('long.mp4', { count: 16 }, probeResult(36_000, 10), long);
    assert.equal(sparse.plan.mode, 'seek');
    assert.equal(sparse.jobs.length, 16);
    assert.ok((sparse.plan.decodedFrames ?? Infinity) < 16 * 21);
    for (const job of sparse.jobs.slice(1)) assert.ok(job.seekSeconds !== undefined && job.seekSeconds > 0);
    const dense = planFile('short.mp4', { count: 100 }, probeResult(300, 10), timeline(300, 10, 250));
    assert.equal(dense.plan.mode, 'sequential');
    assert.equal(dense.jobs.length, 1);
    const fps = planFile('long.mp4', { fps: 1 }, probeResult(36_000, 10), long);
    assert.equal(fps.plan.mode, 'sequential');
    assert.equal(fps.plan.frames, 3600);
    const keyframes = planFile('long.mp4', { keyframes: true, start: 60, end: 120 }, probeResult(36_000, 10), long);
    assert.equal(keyframes.plan.mode, 'keyframes');
    assert.equal(keyframes.plan.frames, 30);
  });

  it('rejects contradictory or invalid requests', () => {
    const small = timeline(100, 10, 10);
    assert.throws(() => planFile('a.mp4', { count: 4, fps: 1 }, probeResult(100, 10), small), UsageError);
    assert.throws(() => planFile('a.mp4', { count: 0 }, probeResult(100, 10), small), UsageError);
    assert.throws(() => planFile('a.mp4', { fps: Number.NaN }, probeResult(100, 10), small), UsageError);
    assert.throws(() => planFile('a.mp4', { at: [99] }, probeResult(100, 10), small), UsageError);
    assert.throws(() => planFile('a.mp4', { start: 5, end: 4 }, probeResult(100, 10), small), UsageError);
    assert.throws(() => planLive('-', { count: 4 }), UsageError);
  });

  it('passes files as file: URLs after an explicit whitelist, never through a shell', async () => {
    const source = await classifyInput('package.json');
    const { args } = buildDecodeArguments(
      { select: 'eq(pts,0)', frameLimit: 1, mediaSeconds: 1 },
      { source, maxPixels: 100 },
    );
    const inputAt = args.indexOf('-i');
    assert.equal(args[inputAt + 1], source.ffmpegInput);
    assert.ok(args.indexOf('-protocol_whitelist') < inputAt);
    assert.equal(args[args.indexOf('-protocol_whitelist') + 1], 'file');
    assert.equal(args[args.length - 1], 'pipe:1');
  });
});

describe('time comparisons in integer pts units', () => {
  /** An MPEG-TS-like timeline: 90 kHz, 25 fps, starting at 1.44 s. */
  const transportStream = (frames: number): FrameTimeline => {
    const ptsUnits = Array.from({ length: frames }, (_, index) => 129_600 + index * 3600);
    const timeBase: [number, number] = [1, 90_000];
    return {
      ptsUnits,
      pts: ptsUnits.map((units) => units * (1 / 90_000)),
      keyframe: ptsUnits.map((_, index) => index % 12 === 0),
      timeBase,
      packetsWithoutPts: 0,
    };
  };
  const transportProbe: ProbeResult = {
    ...probeResult(100, 25),
    container: 'mpegts',
    startTime: 1.44,
    containerStartTime: 1.44,
    duration: 4,
  };

  /** Evaluates an fps select expression the way ffmpeg's evaluator does (doubles, same operators). */
  function selects(expression: string, pts: number, previous: number): boolean {
    const run = Function('pts', 'prev_pts', 'gte', 'lt', 'gt', 'isnan', 'floor', `return ${expression};`) as (
      ...values: unknown[]
    ) => number;
    const flag = (value: boolean): number => (value ? 1 : 0);
    return (
      run(
        pts,
        previous,
        (a: number, b: number) => flag(a >= b),
        (a: number, b: number) => flag(a < b),
        (a: number, b: number) => flag(a > b),
        (a: number) => flag(Number.isNaN(a)),
        Math.floor,
      ) > 0
    );
  }

  it('picks the first frame of every second at 1 fps although 2.44 - 1.44 < 1 in doubles', () => {
    const timeline = transportStream(100);
    assert.ok(Math.floor(timeline.pts[25]! - timeline.pts[0]!) === 0, 'the float comparison would miss frame 25');
    const plan = planFile('offset.ts', { fps: 1 }, transportProbe, timeline);
    assert.deepEqual(plan.jobs[0]!.expected, [0, 25, 50, 75]);
    // ffmpeg's select expression picks the same frames.
    const expression = plan.jobs[0]!.select!;
    const picked = timeline.ptsUnits.flatMap((units, index) =>
      selects(expression, units, index === 0 ? Number.NaN : timeline.ptsUnits[index - 1]!) ? [index] : [],
    );
    assert.deepEqual(picked, [0, 25, 50, 75]);
    // A window given in decimal seconds lands on the frame at exactly that pts.
    const window = planFile('offset.ts', { start: 2.44, end: 3.44 }, transportProbe, timeline);
    assert.deepEqual([window.jobs[0]!.expected![0], window.jobs[0]!.expected!.at(-1)], [25, 49]);
  });

  it('deduplicates --at, finds a frame from its printed pts, and notes times before the first frame', () => {
    const timeline = transportStream(100);
    const repeated = planFile('offset.ts', { at: [2, 2, 2] }, transportProbe, timeline);
    assert.equal(repeated.plan.frames, 1);
    assert.deepEqual(
      repeated.jobs.flatMap((job) => job.expected ?? []),
      [14],
    );
    const printed = planFile('offset.ts', { at: [Number(timeline.pts[37]!.toFixed(6))] }, transportProbe, timeline);
    assert.deepEqual(printed.jobs[0]!.expected, [37]);
    const early = planFile('offset.ts', { at: [0.5, 1.44] }, transportProbe, timeline);
    assert.deepEqual(
      early.jobs.flatMap((job) => job.expected ?? []),
      [0],
    );
    assert.match(early.notes?.[0] ?? '', /0\.5 s is before the first frame/);
  });

  it('bounds option values before any work and clamps deadlines', () => {
    assert.throws(() => validateSelection('a.mp4', { count: 1e9 }), LimitExceededError);
    assert.throws(() => validateSelection('a.mp4', { fps: 1, minFrames: 10, maxFrames: 2 }), UsageError);
    assert.throws(() => validateSelection('a.mp4', { scenes: true, maxFrames: 1e6 }), LimitExceededError);
    assert.throws(() => validateSelection('a.mp4', { at: [] }), UsageError);
    assert.throws(() => validateSelection('a.mp4', { at: [Number.NaN] }), UsageError);
    assert.throws(() => validateSelection('a.mp4', { fps: 1e-9 }), UsageError);
    assert.doesNotThrow(() => validateSelection('a.mp4', { count: 100_000 }));
    const limits = resolveLimits(undefined);
    const huge = decodeDeadlineMs(limits, 204_963_823_044_273.3, false)!;
    assert.ok(huge > 60_000 && huge <= maxDecodeDeadlineMs && huge < 2 ** 31 - 1, `deadline ${huge}`);
    assert.equal(decodeDeadlineMs(limits, 10, false), 80_000);
    assert.equal(decodeDeadlineMs({ ...limits, decodeTimeoutMs: 1e15 }, 10, false), maxDecodeDeadlineMs);
  });
});

describe('large index selections', () => {
  it('splits thousands of picked frames into decode jobs that each fit on a command line', () => {
    const long = timeline(36_000, 10, 20);
    const plan = planFile('long.mp4', { count: 9000, rule: 'np_linspace_int' }, probeResult(36_000, 10), long);
    const expected = plan.jobs.flatMap((job) => job.expected ?? []);
    assert.equal(expected.length, 9000);
    assert.deepEqual(
      expected,
      [...expected].sort((a, b) => a - b),
    );
    assert.ok(plan.jobs.length >= 5, `${plan.jobs.length} jobs`);
    for (const job of plan.jobs) assert.ok((job.select?.length ?? 0) < 120_000 && (job.expected?.length ?? 0) <= 2000);
    for (const job of plan.jobs.slice(1)) assert.ok(job.seekSeconds !== undefined);
  });
});
