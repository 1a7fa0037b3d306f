/**
 * @file Decode planning without ffmpeg: input classification and protocol whitelists, the select expressions, the
 * seek-versus-sequential choice on synthetic timelines, and request validation.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../src/errors/index.js';
import { buildDecodeArguments, classifyInput, planFile, planLive, type FrameTimeline, type ProbeResult } from '../../src/ingest/index.js';
import { ptsSetExpression } from '../../src/ingest/decode-plan.js';

function timeline(frames: number, fps: number, gop: number): FrameTimeline {
  const ptsUnits = Array.from({ length: frames }, (_, index) => index * 512);
  const timeBase: [number, number] = [1, 512 * fps];
  return { ptsUnits, pts: ptsUnits.map((units) => units * (timeBase[0] / timeBase[1])), keyframe: ptsUnits.map((_, index) => index % gop === 0), timeBase, packetsWithoutPts: 0 };
}

const probeResult = (frames: number, fps: number): ProbeResult => ({
  input: 'synthetic.mp4', container: 'mov', codec: 'h264', pixelFormat: 'yuv420p', duration: frames / fps, avgFrameRate: fps, realFrameRate: fps,
  width: 1280, height: 720, rotation: 0, frameCount: frames, frameCountExact: true, keyframeInterval: 2, hasAudio: false, isLive: false, startTime: 0,
});

/** Evaluates the subset of ffmpeg's expression language ptsSetExpression emits. */
function evaluate(expression: string, pts: number): number {
  const code = expression.replace(/if\(/g, 'iff(').replace(/eq\(pts,(\d+)\)/g, '(pts===$1?1:0)').replace(/lt\(pts,(\d+)\)/g, '(pts<$1)');
  return Function('pts', 'iff', `return ${code};`)(pts, (condition: boolean, a: number, b: number) => (condition ? a : b)) as number;
}

describe('decode plans', () => {
  it('classifies inputs with explicit whitelists', async () => {
    assert.deepEqual(await classifyInput('-'), { input: '-', kind: 'stdin', ffmpegInput: 'pipe:0', protocolWhitelist: 'pipe', isLive: true });
    // Public documentation addresses (TEST-NET-3): classifying checks the network policy but contacts nothing.
    assert.equal((await classifyInput('https://203.0.113.7/live.m3u8')).protocolWhitelist, 'http,https,tcp,tls,crypto,httpproxy');
    assert.equal((await classifyInput('rtsp://203.0.113.7/stream')).protocolWhitelist, 'rtsp,rtp,udp,tcp');
    assert.equal((await classifyInput('udp://239.0.0.1:1234')).protocolWhitelist, 'udp');
    const file = await classifyInput('package.json');
    assert.equal(file.protocolWhitelist, 'file');
    assert.match(file.ffmpegInput, /^file:\/.*\/package\.json$/);
  });

  it('builds exact pts-set expressions', () => {
    const wanted = [0, 512, 5120, 99840, 100352, 40960, 7168, 1024, 2048, 3072, 4096];
    const expression = ptsSetExpression(wanted);
    for (let pts = 0; pts <= 102400; pts += 512) assert.equal(evaluate(expression, pts) > 0, wanted.includes(pts), `pts ${pts}`);
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
    const { args } = buildDecodeArguments({ select: 'eq(pts,0)', frameLimit: 1, mediaSeconds: 1 }, { source, maxPixels: 100 });
    const inputAt = args.indexOf('-i');
    assert.equal(args[inputAt + 1], source.ffmpegInput);
    assert.ok(args.indexOf('-protocol_whitelist') < inputAt);
    assert.equal(args[args.indexOf('-protocol_whitelist') + 1], 'file');
    assert.equal(args[args.length - 1], 'pipe:1');
  });
});
