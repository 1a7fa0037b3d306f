/**
 * @file `vidtok doctor [--json]`: which ffmpeg/ffprobe binaries vidtok uses (path, source, version), the
 * onnxruntime-node version and the Node version. Exits 6 when ffmpeg or ffprobe is missing.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Argv } from 'yargs';
import { ExitCode, VidtokError } from '../../errors/index.js';
import { findBinary, type BinaryInfo } from '../../ingest/index.js';
import { defineCommand } from '../command.js';

interface DoctorArguments {
  readonly json: boolean;
}

type BinaryReport = BinaryInfo | { error: string };

function packageVersion(name: string): string | null {
  try {
    const require = createRequire(import.meta.url);
    const manifest = JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version?: string };
    return manifest.version ?? null;
  } catch {
    return null;
  }
}

async function report(binary: 'ffmpeg' | 'ffprobe'): Promise<BinaryReport> {
  try {
    return await findBinary(binary);
  } catch (error) {
    return { error: VidtokError.isInstance(error) ? error.message : String(error) };
  }
}

export const doctorCommand = defineCommand<DoctorArguments>({
  command: 'doctor',
  describe: 'Show the ffmpeg/ffprobe binaries, onnxruntime-node and Node versions vidtok uses',
  builder: (yargs: Argv) =>
    yargs
      .option('json', { type: 'boolean', default: false, describe: 'Print JSON on stdout' })
      .example('$0 doctor', 'Which ffmpeg is used and where it came from')
      .example('VIDTOK_FFMPEG=/usr/bin/ffmpeg $0 doctor --json', 'Check an explicit binary') as unknown as Argv<DoctorArguments>,
  run: async (args, context) => {
    const [ffmpeg, ffprobe] = await Promise.all([report('ffmpeg'), report('ffprobe')]);
    const result = { ffmpeg, ffprobe, onnxruntimeNode: packageVersion('onnxruntime-node'), node: process.versions.node, platform: `${process.platform}-${process.arch}` };
    if (args.json) context.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else {
      const line = (name: string, entry: BinaryReport): string =>
        'error' in entry ? `${name.padEnd(17)} MISSING: ${entry.error}` : `${name.padEnd(17)} ${entry.version} (${entry.source}) ${entry.path}`;
      context.stdout.write(
        [line('ffmpeg', ffmpeg), line('ffprobe', ffprobe), `${'onnxruntime-node'.padEnd(17)} ${result.onnxruntimeNode ?? 'not installed'}`, `${'node'.padEnd(17)} ${result.node} (${result.platform})`].join('\n') + '\n',
      );
    }
    return 'error' in ffmpeg || 'error' in ffprobe ? ExitCode.decodeFailed : ExitCode.ok;
  },
});
