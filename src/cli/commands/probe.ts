/**
 * @file `vidtok probe <input> [--json]`: container, codec, pixel format, duration, frame rates, display size after
 * rotation, frame count (exact or estimated), keyframe interval and audio presence, under a deadline.
 */
import { UsageError } from '../../errors/index.js';
import { probe } from '../../ingest/index.js';
import { defineCommand } from '../command.js';
import { inputArgument } from '../input-argument.js';
import { outputOptions } from '../options/index.js';

export const probeCommand = defineCommand({
  command: 'probe <input>',
  describe: 'Describe a video: codec, size after rotation, frame rates, exact frame count, keyframe interval',
  positionals: { input: { type: 'string', describe: 'A video file, or an rtsp/http(s)/udp URL' } },
  options: {
    json: outputOptions.json,
    timeout: { type: 'number', default: 15, describe: 'Probe deadline in seconds' },
  },
  examples: [
    ['$0 probe clip.mp4', 'Human-readable summary'],
    ['$0 probe clip.mp4 --json', 'Machine-readable summary'],
  ],
  run: async (args, context) => {
    if (!Number.isFinite(args.timeout) || args.timeout <= 0 || args.timeout > 3600)
      throw new UsageError(`--timeout must be a number of seconds in (0, 3600], got ${args.timeout}`);
    const input = inputArgument(args.input);
    if (input === '-') {
      throw new UsageError(
        'probe -: a stream on stdin can be read only once, so it cannot be probed separately; run `vidtok frames - --json`, whose report describes the stream',
      );
    }
    const result = await probe(input, {
      signal: context.signal,
      limits: { probeTimeoutMs: Math.round(args.timeout * 1000) },
    });
    if (args.json) {
      context.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    const rows: Array<[string, string]> = [
      ['input', result.input],
      ['container', result.container],
      ['codec', `${result.codec} (${result.pixelFormat})`],
      [
        'size',
        `${result.width}x${result.height}${result.rotation ? ` (display matrix rotation ${result.rotation} deg, coded ${result.codedWidth}x${result.codedHeight})` : ''}`,
      ],
      [
        'aspect',
        `SAR ${(result.sampleAspectRatio ?? [1, 1]).join(':')}, DAR ${(result.displayAspectRatio ?? [result.width, result.height]).join(':')}`,
      ],
      ['start', `${(result.startTime ?? 0).toFixed(6)} s (container ${(result.containerStartTime ?? 0).toFixed(6)} s)`],
      [
        'duration',
        `${result.duration.toFixed(3)} s (video stream${result.containerDuration !== undefined ? `; container ${result.containerDuration.toFixed(3)} s` : ''})`,
      ],
      ['frame rate', `${result.avgFrameRate.toFixed(3)} avg, ${result.realFrameRate.toFixed(3)} real`],
      ['frames', `${result.frameCount} (${result.frameCountExact ? 'exact' : 'estimated'})`],
      ['keyframe interval', result.keyframeInterval === null ? 'unknown' : `${result.keyframeInterval.toFixed(3)} s`],
      ['audio', result.hasAudio ? 'yes' : 'no'],
    ];
    context.stdout.write(rows.map(([key, value]) => `${key.padEnd(18)} ${value}`).join('\n') + '\n');
  },
});
