/**
 * @file `vidtok narrate <source>`: live narration of a file (`--realtime` plays it at real speed), an rtsp/http(s)
 * HLS/udp URL, or `-` (stdin). Prints one JSON event per line (scene-start, narration-delta, narration-end,
 * frame-dropped, source-reconnect); `--vtt` keeps a WebVTT file valid after every cue; `--serve [host:]port` streams
 * the same events as Server-Sent Events with a live page. Ctrl-C cuts the current narration, flushes it, closes the
 * VTT and exits with 130.
 */
import { ExitCode, UsageError } from '../../errors/index.js';
import type { NarrationEventServer } from '../../narration/index.js';
import {
  defaultNarrationFps,
  defaultNarrationMaxNewTokens,
  defaultNarrationModel,
  defaultSceneFramesPerSecond,
  type NarrateOptions,
} from '../../narration/narration-options.js';
import { defineCommand } from '../command.js';
import {
  defineOptions,
  definePositionals,
  generationOptions,
  liveSourceOptions,
  modelOptions,
  pipelineOptions,
  promptOptions,
  samplingOptions,
} from '../options/index.js';
import { inputArgument } from '../input-argument.js';

function finite(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new UsageError(`--${name} must be a number, got ${String(value)}`);
  return value;
}

const narratePositionals = definePositionals({
  source: {
    type: 'string',
    describe: 'A video file, - for stdin, or an rtsp://, http(s):// (HLS) or udp:// URL',
  },
});

const generation = generationOptions(defaultNarrationMaxNewTokens, 'scene');

const narrateOptions = defineOptions({
  model: {
    ...modelOptions.model,
    default: defaultNarrationModel,
    describe: 'Model alias or directory (see `vidtok models`)',
  },
  dtype: {
    ...modelOptions.dtype,
    describe: "dtype for every graph (q4, fp16, fp32...) or graph=dtype pairs; default the alias's",
  },
  threads: { ...modelOptions.threads, describe: 'onnxruntime intra-op threads of the model runner' },
  device: {
    ...modelOptions.device,
    describe:
      'Where the model runs: cpu (default), cuda, or auto (CUDA when it opens, else the CPU with a notice); see docs/runtime.md',
  },
  'quantized-compute': modelOptions['quantized-compute'],
  fps: {
    ...samplingOptions.fps,
    default: defaultNarrationFps,
    describe: 'Frames per second decoded for scene detection (the frames shown to the model are chosen among them)',
  },
  realtime: {
    ...liveSourceOptions.realtime,
    default: false,
    describe: 'Play a file at real speed like a live source (frames may be dropped)',
  },
  buffer: {
    ...liveSourceOptions.buffer,
    default: 8,
    describe: 'Live/realtime: frames buffered before the oldest is dropped',
  },
  'max-scene-seconds': {
    type: 'number',
    default: 30,
    describe: 'Close a scene still open after this many seconds',
  },
  'min-scene-seconds': {
    type: 'number',
    default: 1,
    describe: 'Ignore a cut that would close a shorter scene',
  },
  pipeline: {
    ...pipelineOptions.pipeline,
    describe: 'Pipeline that drives narration: built-in name or file (default scenetilling)',
  },
  budget: {
    ...pipelineOptions.budget,
    describe: "Visual-token budget of one narration prompt (default the pipeline's)",
  },
  'scene-rule': {
    type: 'string',
    choices: ['threshold', 'depth'],
    default: 'threshold',
    describe: 'Cut rule: descriptor distance threshold, or SceneTilling depth score',
  },
  'scene-threshold': {
    ...samplingOptions['scene-threshold'],
    default: 0.3,
    describe: 'Threshold rule: smallest descriptor distance (1 - Bhattacharyya for HSV) of a cut',
  },
  'scene-ratio': {
    type: 'number',
    default: 3,
    describe: "Threshold rule: a cut also needs this many times the open scene's recent mean distance",
  },
  'scene-descriptor': {
    type: 'string',
    choices: ['hsv+model', 'hsv', 'model'],
    describe:
      "What scenes are cut on: HSV histograms (default), the model's features, or both (these two encode every frame)",
  },
  thumbnails: {
    type: 'boolean',
    default: false,
    describe: 'Add PNG thumbnails of the frames each narration saw to narration-end (implied by --serve and --vtt)',
  },
  'scene-alpha': {
    type: 'number',
    default: 0.5,
    describe: 'Depth rule: mean + alpha * std of the depth scores',
  },
  'scene-min-depth': {
    type: 'number',
    default: 0.05,
    describe: 'Depth rule: a cut also needs at least this depth score',
  },
  'scene-frames': {
    type: 'number',
    describe: "Frames of a scene shown to the model at most (default the pipeline's, else 8)",
  },
  'scene-fps': {
    type: 'number',
    default: defaultSceneFramesPerSecond,
    describe:
      'Frames shown to the model per second of a scene, at most (each is a vision encode; see docs/narrate.md, "Keeping up on a CPU")',
  },
  'max-scene-frames': {
    type: 'number',
    default: 64,
    describe: 'Frames of the open scene held at most (every other one dropped beyond)',
  },
  'memory-scenes': {
    type: 'number',
    describe: "Earlier scenes remembered as memory tokens in each prompt (default the pipeline's, else 4)",
  },
  'memory-tokens': {
    type: 'number',
    describe: "Memory tokens per remembered scene (default the pipeline's, else 32)",
  },
  'max-pending-scenes': {
    type: 'number',
    default: 2,
    describe: 'Scenes waiting for the narrator at most (more are merged)',
  },
  prompt: { ...promptOptions.prompt, describe: 'Instruction for each scene (default: narrate in one short sentence)' },
  'max-new-tokens': {
    ...generation['max-new-tokens'],
    default: defaultNarrationMaxNewTokens,
    describe: 'Tokens generated per scene at most',
  },
  temperature: { ...generation.temperature, default: 0, describe: 'Sampling temperature (0 = greedy)' },
  vtt: { type: 'string', describe: 'Write the narration to this WebVTT file, valid after every cue' },
  serve: {
    type: 'string',
    describe: 'Serve the events (SSE at /events) and a live page at [host:]port (host 127.0.0.1 by default)',
  },
  'reconnect-attempts': {
    type: 'number',
    default: 8,
    describe: 'Live URLs: failed reconnects in a row before giving up',
  },
  'reconnect-delay': {
    type: 'number',
    default: 500,
    describe: 'Live URLs: first reconnect delay in ms, doubled each failure',
  },
  'reconnect-max-delay': {
    type: 'number',
    default: 15000,
    describe: 'Live URLs: longest reconnect delay in ms',
  },
  'stall-timeout': {
    type: 'number',
    default: 20,
    describe: 'Live URLs: reconnect when no frame arrived for this many seconds',
  },
  'step-delay': {
    type: 'number',
    default: 0,
    hidden: true,
    describe: 'Testing: extra ms of inference per generated token (simulates a slow model)',
  },
});

export const narrateCommand = defineCommand({
  command: 'narrate <source>',
  describe: 'Narrate a live or recorded video scene by scene as JSON lines (optionally WebVTT and a live page)',
  positionals: narratePositionals,
  options: narrateOptions,
  examples: [
    ['$0 narrate clip.mp4 --realtime --vtt narration.vtt', 'Narrate a file as if it were live, keeping a WebVTT file'],
    ['$0 narrate rtsp://camera.local/stream --serve 8080', 'Narrate a camera and watch it at http://127.0.0.1:8080/'],
    ['ffmpeg -i in.mp4 -f mpegts - | $0 narrate -', 'Narrate a stream piped on stdin'],
  ],
  run: async (args, context) => {
    const source = inputArgument(args.source);
    const options: NarrateOptions = {
      model: args.model,
      ...(args.dtype !== undefined ? { dtype: args.dtype } : {}),
      ...(args.threads !== undefined ? { threads: finite('threads', args.threads) } : {}),
      ...(args.device !== undefined ? { device: args.device } : {}),
      ...(args['quantized-compute'] !== undefined ? { quantizedCompute: args['quantized-compute'] } : {}),
      onNotice: (message: string) => context.stderr.write(`${message}\n`),
      fps: finite('fps', args.fps),
      realtime: args.realtime,
      bufferFrames: finite('buffer', args.buffer),
      maxSceneSeconds: finite('max-scene-seconds', args['max-scene-seconds']),
      minSceneSeconds: finite('min-scene-seconds', args['min-scene-seconds']),
      ...(args.pipeline !== undefined ? { pipeline: args.pipeline } : {}),
      ...(args.budget !== undefined ? { budget: args.budget } : {}),
      sceneRule: args['scene-rule'],
      sceneThreshold: finite('scene-threshold', args['scene-threshold']),
      sceneRatio: finite('scene-ratio', args['scene-ratio']),
      ...(args['scene-descriptor'] !== undefined ? { sceneDescriptor: args['scene-descriptor'] } : {}),
      thumbnails: args.thumbnails || args.serve !== undefined || args.vtt !== undefined,
      sceneAlpha: finite('scene-alpha', args['scene-alpha']),
      sceneMinDepth: finite('scene-min-depth', args['scene-min-depth']),
      ...(args['scene-frames'] !== undefined ? { sceneFrames: finite('scene-frames', args['scene-frames']) } : {}),
      sceneFramesPerSecond: finite('scene-fps', args['scene-fps']),
      maxSceneFrames: finite('max-scene-frames', args['max-scene-frames']),
      ...(args['memory-scenes'] !== undefined ? { memoryScenes: finite('memory-scenes', args['memory-scenes']) } : {}),
      ...(args['memory-tokens'] !== undefined ? { memoryTokens: finite('memory-tokens', args['memory-tokens']) } : {}),
      maxPendingScenes: finite('max-pending-scenes', args['max-pending-scenes']),
      ...(args.prompt !== undefined ? { prompt: args.prompt } : {}),
      maxNewTokens: finite('max-new-tokens', args['max-new-tokens']),
      temperature: finite('temperature', args.temperature),
      reconnect: {
        attempts: finite('reconnect-attempts', args['reconnect-attempts']),
        initialDelayMilliseconds: finite('reconnect-delay', args['reconnect-delay']),
        maxDelayMilliseconds: finite('reconnect-max-delay', args['reconnect-max-delay']),
        stallMilliseconds: finite('stall-timeout', args['stall-timeout']) * 1000,
      },
      stepDelayMilliseconds: finite('step-delay', args['step-delay']),
      signal: context.signal,
    };
    // Loaded here, not at the top: the command registry must not load the runtime for every command.
    const { narrateStream, NarrationEventServer, parseListenAddress, VttAppender } = await import(
      '../../narration/index.js'
    );
    const listen = args.serve !== undefined ? parseListenAddress(args.serve) : undefined;
    const stream = narrateStream(source, options);
    const vtt = args.vtt !== undefined ? await VttAppender.create(args.vtt, { signal: context.signal }) : undefined;
    let server: NarrationEventServer | undefined;
    let stdoutClosed = false;
    const onStdoutError = (): void => {
      stdoutClosed = true;
    };
    context.stdout.on('error', onStdoutError);
    try {
      if (listen) {
        server = await NarrationEventServer.start({ ...listen, title: `vidtok narrate ${source}` });
        context.stderr.write(`vidtok: serving narration events at ${server.url} (SSE: ${server.url}events)\n`);
      }
      for await (const event of stream) {
        // Thumbnails feed the page and the VTT thumbnail track; stdout carries them only with --thumbnails.
        const line =
          event.type === 'narration-end' && !args.thumbnails && event.thumbnails
            ? { ...event, thumbnails: undefined }
            : event;
        if (!stdoutClosed) context.stdout.write(`${JSON.stringify(line)}\n`);
        server?.publish(event);
        if (event.type === 'narration-end' && vtt) await vtt.appendScene(event);
        if (stdoutClosed && !server && !vtt) break;
      }
    } finally {
      context.stdout.off('error', onStdoutError);
      await vtt?.close();
      await server?.close();
    }
    if (context.signal.aborted) {
      context.stderr.write(
        `vidtok: interrupted; ${stream.stats.narrations} narration(s) flushed${vtt ? `, ${vtt.path} closed` : ''}\n`,
      );
      return ExitCode.interrupted;
    }
    return ExitCode.ok;
  },
});
