/**
 * @file Ingest benchmarks (`npm run bench -- ingest`), each against a baseline measured in the same run:
 * 1. overhead: vidtok 1 fps at 448x448 RGB from a 60 s 1080p H.264 clip vs the bare ffmpeg command into a null sink;
 * 2. sparse sampling: 16 frames from a 1-hour 720p clip vs 16 single-frame seeks by bare ffmpeg and vs a full decode;
 * 3. memory: peak RSS while streaming the 1-hour clip at 1 fps, at 10 and 60 minutes of source time;
 * 4. probe: the exact frame count from the packet list (edit-list discards left out) on the 1-hour clip vs ffprobe's
 *    header-only summary and vs `ffprobe -count_packets`.
 * Inputs are generated with lavfi into bench/.work (git-ignored) and reused by later runs.
 */
import { existsSync, promises as fs } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveBinaries } from '../src/ingest/binaries.js';
import { runToCompletion, stderrTail } from '../src/ingest/ffmpeg-adapter.js';
import { extractFrames, openFrames, probe } from '../src/ingest/index.js';

const workDirectory = join(dirname(fileURLToPath(import.meta.url)), '.work');

async function ffmpeg(args: readonly string[], deadlineMs = 30 * 60_000): Promise<void> {
  const { ffmpeg: binary } = await resolveBinaries();
  const result = await runToCompletion(binary.path, ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', ...args], {
    operation: 'bench ffmpeg',
    input: 'bench',
    deadlineMs,
  });
  if (result.exitCode !== 0) throw new Error(`ffmpeg ${args.join(' ')}: ${stderrTail(result.stderr)}`);
}

async function timed<T>(action: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const started = performance.now();
  const value = await action();
  return { seconds: (performance.now() - started) / 1000, value };
}

/** 60 s of 1080p30 testsrc2 with temporal noise, libx264 veryfast CRF 23 capped at 8 Mb/s, keyint 250 (as in spec d.1). */
async function clip1080p(): Promise<string> {
  const path = join(workDirectory, 'testsrc2-1080p30-60s.mp4');
  if (!existsSync(path)) {
    await ffmpeg([
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=1920x1080:rate=30:duration=60',
      '-vf',
      'noise=alls=12:allf=t',
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-crf',
      '23',
      '-maxrate',
      '8M',
      '-bufsize',
      '16M',
      '-pix_fmt',
      'yuv420p',
      `file:${path}.partial.mp4`,
    ]);
    await fs.rename(`${path}.partial.mp4`, path);
  }
  return path;
}

/** 1 hour of 720p at 10 fps (keyint 30 = 3 s): a 5-minute ultrafast testsrc2 segment stream-copied 12 times. */
async function clipOneHour(): Promise<{ hour: string; segment: string }> {
  const segment = join(workDirectory, 'testsrc2-720p10-5min.mp4');
  const hour = join(workDirectory, 'testsrc2-720p10-60min.mp4');
  if (!existsSync(segment)) {
    await ffmpeg([
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=1280x720:rate=10:duration=300',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-crf',
      '30',
      '-g',
      '30',
      '-pix_fmt',
      'yuv420p',
      `file:${segment}.partial.mp4`,
    ]);
    await fs.rename(`${segment}.partial.mp4`, segment);
  }
  if (!existsSync(hour)) {
    const list = join(workDirectory, 'concat-12.txt');
    await fs.writeFile(
      list,
      Array.from({ length: 12 }, () => `file '${segment.replace(/'/g, "'\\''")}'`).join('\n') + '\n',
    );
    await ffmpeg([
      '-f',
      'concat',
      '-safe',
      '0',
      '-protocol_whitelist',
      'file',
      '-i',
      `file:${list}`,
      '-c',
      'copy',
      `file:${hour}.partial.mp4`,
    ]);
    await fs.rename(`${hour}.partial.mp4`, hour);
  }
  return { hour, segment };
}

function row(cells: readonly (string | number)[]): string {
  return `| ${cells.join(' | ')} |`;
}

export async function run(): Promise<void> {
  await fs.mkdir(workDirectory, { recursive: true });
  const { ffmpeg: binary } = await resolveBinaries();
  const out = (text: string): boolean => process.stdout.write(`${text}\n`);
  out(
    `Machine: ${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} cores; ffmpeg ${binary.version} (${binary.source})\n`,
  );

  // 1. Overhead.
  const full = await clip1080p();
  const bareArgs = ['-i', `file:${full}`, '-vf', 'fps=1,scale=448:448,format=rgb24', '-f', 'null', '-'];
  const bare: number[] = [];
  const ours: number[] = [];
  let vidtokFrames = 0;
  for (let round = 0; round < 3; round += 1) {
    bare.push((await timed(() => ffmpeg(bareArgs))).seconds);
    const measured = await timed(async () => {
      let count = 0;
      for await (const frame of openFrames(full, { fps: 1, size: { width: 448, height: 448 } }))
        count += frame.data.length > 0 ? 1 : 0;
      return count;
    });
    ours.push(measured.seconds);
    vidtokFrames = measured.value;
  }
  const bareBest = Math.min(...bare);
  const oursBest = Math.min(...ours);
  out('### 1. Overhead: 1 fps at 448x448 RGB from 60 s of 1080p30 H.264 (best of 3, alternating)\n');
  out(row(['run', 'frames', 'seconds', 'throughput (source s / s)']));
  out(row(['---', '---', '---', '---']));
  out(
    row([
      'bare ffmpeg `-vf fps=1,scale=448:448,format=rgb24 -f null`',
      60,
      bareBest.toFixed(2),
      (60 / bareBest).toFixed(1),
    ]),
  );
  out(
    row([
      'vidtok openFrames({fps: 1, size: 448x448}) (probe + timeline + RGB pipe)',
      vidtokFrames,
      oursBest.toFixed(2),
      (60 / oursBest).toFixed(1),
    ]),
  );
  out(`\nvidtok / ffmpeg throughput ratio: **${(bareBest / oursBest).toFixed(3)}** (target >= 0.95)\n`);

  // 2. Sparse sampling.
  const { hour, segment } = await clipOneHour();
  const hourInfo = await probe(hour);
  let sparse = await timed(() => extractFrames(hour, { count: 16, size: { width: 448, height: 448 } }));
  const times = sparse.value.frames.map((frame) => frame.pts);
  const seekAll = (): Promise<{ seconds: number; value: void }> =>
    timed(async () => {
      for (const time of times) {
        await ffmpeg([
          '-ss',
          time.toFixed(3),
          '-i',
          `file:${hour}`,
          '-frames:v',
          '1',
          '-vf',
          'scale=448:448,format=rgb24',
          '-f',
          'null',
          '-',
        ]);
      }
    });
  let seeks = await seekAll();
  // Best of 2, alternating.
  const sparseAgain = await timed(() => extractFrames(hour, { count: 16, size: { width: 448, height: 448 } }));
  if (sparseAgain.seconds < sparse.seconds) sparse = sparseAgain;
  const seeksAgain = await seekAll();
  if (seeksAgain.seconds < seeks.seconds) seeks = seeksAgain;
  const segmentDecode = await timed(() => ffmpeg(['-i', `file:${segment}`, '-f', 'null', '-']));
  const fullDecodeEstimate = segmentDecode.seconds * (hourInfo.duration / 300);
  out(
    `### 2. Sparse: 16 frames (np_linspace_int, best of 2) from a ${(hourInfo.duration / 60).toFixed(0)}-minute 720p10 clip (${hourInfo.frameCount} frames, keyframe every ${hourInfo.keyframeInterval?.toFixed(1)} s)\n`,
  );
  out(row(['run', 'seconds', 'vs vidtok']));
  out(row(['---', '---', '---']));
  out(
    row([
      `vidtok extractFrames({count: 16}) incl. probe + frame timeline; plan=${sparse.value.plan.mode}, ${sparse.value.plan.jobs} jobs, ~${sparse.value.plan.decodedFrames} frames decoded`,
      sparse.seconds.toFixed(2),
      '1.00x',
    ]),
  );
  out(
    row([
      'bare ffmpeg: 16 single-frame `-ss t -frames:v 1` processes',
      seeks.seconds.toFixed(2),
      `${(sparse.seconds / seeks.seconds).toFixed(2)}x of its time (target <= 2x)`,
    ]),
  );
  out(
    row([
      `full decode of the hour (estimated: measured 5-minute decode ${segmentDecode.seconds.toFixed(2)} s x ${(hourInfo.duration / 300).toFixed(0)})`,
      fullDecodeEstimate.toFixed(1),
      `vidtok is ${(fullDecodeEstimate / sparse.seconds).toFixed(0)}x faster (target >= 20x)`,
    ]),
  );
  out('');

  // 3. Memory while streaming the hour at 1 fps.
  const baselineRss = process.memoryUsage().rss;
  let peakRss = baselineRss;
  let rssAtTenMinutes = 0;
  let frames = 0;
  const streamed = await timed(async () => {
    for await (const frame of openFrames(hour, { fps: 1, size: { width: 448, height: 448 } })) {
      frames += 1;
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      if (rssAtTenMinutes === 0 && frame.pts >= 600) rssAtTenMinutes = peakRss;
    }
  });
  const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);
  out('### 3. Memory: streaming the 1-hour clip at 1 fps, 448x448 RGB (peak RSS of this Node process so far)\n');
  out(row(['source time', 'peak RSS (MiB)']));
  out(row(['---', '---']));
  out(row(['before streaming (baseline)', mib(baselineRss)]));
  out(row(['10 min', mib(rssAtTenMinutes)]));
  out(
    row([
      `${(hourInfo.duration / 60).toFixed(0)} min (${frames} frames, ${streamed.seconds.toFixed(1)} s)`,
      mib(peakRss),
    ]),
  );

  out('');

  // 4. Probe cost: exact counting reads the packet list (demux only).
  const { ffprobe } = await resolveBinaries();
  const ffprobeRun = async (args: readonly string[]): Promise<number> =>
    (
      await timed(() =>
        runToCompletion(ffprobe.path, ['-v', 'error', ...args, `file:${hour}`], {
          operation: 'bench ffprobe',
          input: hour,
          deadlineMs: 600_000,
        }),
      )
    ).seconds;
  const best = async (action: () => Promise<number>): Promise<number> =>
    Math.min(await action(), await action(), await action());
  const header = await best(() => ffprobeRun(['-show_format', '-show_streams', '-of', 'json']));
  const counted = await best(() =>
    ffprobeRun([
      '-select_streams',
      'v:0',
      '-count_packets',
      '-show_entries',
      'stream=nb_read_packets',
      '-of',
      'csv=p=0',
    ]),
  );
  const probed = await best(async () => (await timed(() => probe(hour))).seconds);
  out(
    `### 4. Probe: the ${(hourInfo.duration / 60).toFixed(0)}-minute clip (${hourInfo.frameCount} frames), best of 3\n`,
  );
  out(row(['run', 'seconds', 'vs header-only ffprobe']));
  out(row(['---', '---', '---']));
  out(row(['ffprobe -show_format -show_streams (header only, baseline)', header.toFixed(3), '1.00x']));
  out(row(['ffprobe -count_packets (an exact packet count)', counted.toFixed(3), `${(counted / header).toFixed(2)}x`]));
  out(
    row([
      'vidtok probe (header + packet list: exact decoder frame count, keyframes)',
      probed.toFixed(3),
      `${(probed / header).toFixed(2)}x (${(probed / counted).toFixed(2)}x of -count_packets)`,
    ]),
  );
}
