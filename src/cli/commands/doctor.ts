/**
 * @file `vidtok doctor [--json]`: which ffmpeg/ffprobe binaries vidtok found (every candidate: path, source,
 * version, libavcodec, working or not), which it chose and why (newest ffmpeg; the ffprobe with the same libraries),
 * the network policy in force, the onnxruntime-node version and the Node version. Exits 6 when ffmpeg or ffprobe is
 * missing.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ExitCode, VidtokError } from '../../errors/index.js';
import { listCandidates, resolveBinaries, type CandidateReport, type ResolvedBinaries } from '../../ingest/binaries.js';
import { currentNetworkPolicy } from '../../net/network-policy.js';
import { defineCommand } from '../command.js';
import { outputOptions } from '../options/index.js';

function packageVersion(name: string): string | null {
  try {
    const require = createRequire(import.meta.url);
    const manifest = JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version?: string };
    return manifest.version ?? null;
  } catch {
    return null;
  }
}

export const doctorCommand = defineCommand({
  command: 'doctor',
  describe: 'Show the ffmpeg/ffprobe binaries found and chosen, the network policy, onnxruntime-node and Node versions',
  positionals: {},
  options: { json: outputOptions.json },
  examples: [
    ['$0 doctor', 'Which ffmpeg is used and where it came from'],
    ['VIDTOK_FFMPEG=/usr/bin/ffmpeg $0 doctor --json', 'Check an explicit binary'],
  ],
  run: async (args, context) => {
    const [ffmpegCandidates, ffprobeCandidates] = await Promise.all([
      listCandidates('ffmpeg'),
      listCandidates('ffprobe'),
    ]);
    let chosen: ResolvedBinaries | { error: string };
    try {
      chosen = await resolveBinaries();
    } catch (error) {
      chosen = { error: VidtokError.isInstance(error) ? error.message : String(error) };
    }
    const policy = currentNetworkPolicy();
    const result = {
      ffmpeg: 'error' in chosen ? chosen : chosen.ffmpeg,
      ffprobe: 'error' in chosen ? chosen : chosen.ffprobe,
      ffprobeMatchesFfmpeg: 'error' in chosen ? null : chosen.ffprobeMatchesFfmpeg,
      candidates: { ffmpeg: ffmpegCandidates, ffprobe: ffprobeCandidates },
      networkPolicy: policy,
      onnxruntimeNode: packageVersion('onnxruntime-node'),
      node: process.versions.node,
      platform: `${process.platform}-${process.arch}`,
    };
    if (args.json) context.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else {
      const lines: string[] = [];
      const candidateLines = (name: string, list: readonly CandidateReport[], chosenPath: string | undefined): void => {
        for (const candidate of list) {
          const mark = candidate.path === chosenPath ? '*' : ' ';
          const detail = candidate.info
            ? `${candidate.info.version} (libavcodec ${candidate.info.libavcodec ?? '?'})`
            : 'does not run (skipped)';
          lines.push(`  ${mark} ${name.padEnd(8)} ${candidate.source.padEnd(18)} ${detail} ${candidate.path}`);
        }
      };
      if ('error' in chosen) lines.push(`ffmpeg/ffprobe    MISSING: ${chosen.error}`);
      else {
        lines.push(`${'ffmpeg'.padEnd(17)} ${chosen.ffmpeg.version} (${chosen.ffmpeg.source}) ${chosen.ffmpeg.path}`);
        lines.push(
          `${'ffprobe'.padEnd(17)} ${chosen.ffprobe.version} (${chosen.ffprobe.source}) ${chosen.ffprobe.path}`,
        );
        lines.push(
          chosen.ffprobeMatchesFfmpeg
            ? `${''.padEnd(17)} ffprobe has the same libraries as ffmpeg`
            : `${''.padEnd(17)} ffprobe is another build than ffmpeg (libavcodec ${chosen.ffprobe.libavcodec ?? '?'} vs ${chosen.ffmpeg.libavcodec ?? '?'}); probing falls back to ffmpeg when it crashes`,
        );
      }
      lines.push('candidates (* = chosen; newest ffmpeg wins, VIDTOK_FFMPEG/VIDTOK_FFPROBE override):');
      candidateLines('ffmpeg', ffmpegCandidates, 'error' in chosen ? undefined : chosen.ffmpeg.path);
      candidateLines('ffprobe', ffprobeCandidates, 'error' in chosen ? undefined : chosen.ffprobe.path);
      lines.push(
        `${'network'.padEnd(17)} ${policy.allowPrivateNetwork ? 'private networks allowed' : 'public addresses only'}${policy.allowedHosts.length ? `; allowed: ${policy.allowedHosts.join(', ')}` : ''}`,
      );
      lines.push(
        `${'onnxruntime-node'.padEnd(17)} ${result.onnxruntimeNode ?? 'not installed'}`,
        `${'node'.padEnd(17)} ${result.node} (${result.platform})`,
      );
      context.stdout.write(`${lines.join('\n')}\n`);
    }
    return 'error' in chosen ? ExitCode.decodeFailed : ExitCode.ok;
  },
});
