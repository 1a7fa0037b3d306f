/**
 * @file Benchmark of model pulls against the local hub-layout server (loopback, no network): the cost of vidtok's
 * verified, resumable pull compared with a plain fetch-and-write of the same bytes (the baseline, measured in the
 * same run), plus the up-to-date check and resuming half-downloaded files.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pullModel } from '../src/hub/index.js';
import { fixtureVlmRepository, startHubServer } from '../test/helpers/hub-server.js';
import { scratchDir } from '../test/helpers/paths.js';

const repositoryId = 'bench-owner/bench-model';
const graphBytes = 24 * 1024 * 1024;

export async function run(): Promise<void> {
  const repository = fixtureVlmRepository(repositoryId, { suffixes: ['_q4'], graphBytes });
  const server = await startHubServer({ repositories: [repository] });
  const totalBytes = repository.files
    .filter((file) => /^[^/]+\.(json|txt|jinja)$/.test(file.path) || file.path.startsWith('onnx/'))
    .reduce((sum, file) => sum + file.content.byteLength, 0);
  const rows: [string, number, number][] = [];
  try {
    const work = scratchDir('bench-hub');
    // Baseline: fetch every selected file (following the CDN redirect) and write it, no listing, no checksum.
    const baselineDirectory = join(work, 'baseline');
    await mkdir(baselineDirectory, { recursive: true });
    const paths = repository.files
      .map((file) => file.path)
      .filter((path) => /^[^/]+\.(json|txt|jinja)$/.test(path) || path.startsWith('onnx/'));
    await (await fetch(`${server.endpoint}/${repositoryId}/resolve/main/config.json`)).arrayBuffer(); // warm-up
    let started = performance.now();
    for (const path of paths) {
      const response = await fetch(`${server.endpoint}/${repositoryId}/resolve/main/${path}`);
      if (!response.body) throw new Error(`no body for ${path}`);
      await pipeline(
        response.body as unknown as NodeJS.ReadableStream,
        createWriteStream(join(baselineDirectory, path.replaceAll('/', '_'))) as Writable,
      );
    }
    rows.push(['baseline: fetch + write, no verification', performance.now() - started, totalBytes]);

    const cache = join(work, 'cache');
    const options = { cacheDirectory: cache, endpoint: server.endpoint, environment: {}, dtype: 'q4' };
    started = performance.now();
    await pullModel(repositoryId, options);
    rows.push([
      'pullModel: list + fetch + sha256/git-sha1 verify + atomic rename',
      performance.now() - started,
      totalBytes,
    ]);

    started = performance.now();
    await pullModel(repositoryId, options);
    rows.push(['pullModel again (up to date: listing only)', performance.now() - started, 0]);

    // Resume: the decoder's connection drops at half; the timed second run re-hashes what is on disk (two finished
    // graphs and the half file) and fetches only the missing half.
    const resumeOptions = { ...options, cacheDirectory: join(work, 'resume-cache'), retries: 0 };
    const decoder = repository.files.find((file) => file.path === 'onnx/decoder_model_merged_q4.onnx');
    const remaining = (decoder?.content.byteLength ?? 0) - graphBytes / 2;
    server.dropConnectionOnce(repositoryId, 'onnx/decoder_model_merged_q4.onnx', graphBytes / 2);
    await pullModel(repositoryId, resumeOptions).then(
      () => {
        throw new Error('the dropped connection did not fail the first run');
      },
      () => undefined,
    );
    started = performance.now();
    await pullModel(repositoryId, resumeOptions);
    rows.push([
      'pullModel resuming (re-hash on-disk bytes, fetch the missing half)',
      performance.now() - started,
      remaining,
    ]);
    await rm(work, { recursive: true, force: true });
  } finally {
    await server.close();
  }
  process.stdout.write('| case | time (ms) | MB | MB/s |\n|---|---:|---:|---:|\n');
  for (const [name, milliseconds, bytes] of rows) {
    const megabytes = bytes / 1e6;
    process.stdout.write(
      `| ${name} | ${milliseconds.toFixed(0)} | ${megabytes.toFixed(1)} | ${bytes > 0 ? (megabytes / (milliseconds / 1000)).toFixed(0) : '-'} |\n`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
