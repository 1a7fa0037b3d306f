/**
 * @file pullModel against the local hub-layout server: file selection per dtype, verified contents, the manifest,
 * resume after a dropped connection (only the remaining bytes are requested), checksum rejection, the Bearer
 * token (sent to the hub, never to the CDN origin), missing repositories and revisions, unsafe listings, dtype
 * additions that keep earlier files, and cancellation.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DownloadError, ModelNotFoundError, UsageError, AbortedError, VidtokError } from '../../src/errors/index.js';
import { pullModel, type PullProgressEvent } from '../../src/hub/index.js';
import {
  fixtureVlmRepository,
  generatedBytes,
  startHubServer,
  type HubFixtureRepository,
  type HubServer,
} from '../helpers/hub-server.js';
import { scratchDir } from '../helpers/paths.js';

const smolRepository = 'HuggingFaceTB/SmolVLM2-256M-Video-Instruct';
const token = 'hf_fixtureTokenForTests';
const bigRepositoryId = 'fixture-owner/big-model';

function allFiles(root: string): string[] {
  if (!existsSync(root)) return [];
  return (readdirSync(root, { recursive: true }) as string[])
    .filter((path) => statSync(join(root, path)).isFile())
    .map((path) => path.split('\\').join('/'))
    .sort();
}

function fixtureContent(repository: HubFixtureRepository, path: string): Uint8Array {
  const file = repository.files.find((candidate) => candidate.path === path);
  assert.ok(file, `fixture has ${path}`);
  return file.content;
}

describe('pullModel against a hub-layout server', () => {
  const smol = fixtureVlmRepository(smolRepository, { suffixes: ['', '_fp16', '_q4', '_q4f16', '_quantized'] });
  const big = fixtureVlmRepository('fixture-owner/big-model', { suffixes: ['', '_q4'], graphBytes: 256 * 1024 });
  const corrupt = fixtureVlmRepository('fixture-owner/corrupt-model', { suffixes: ['_q4'] });
  const privateRepository = fixtureVlmRepository('fixture-owner/private-model', { suffixes: ['_q4'], private: true });
  const traversal: HubFixtureRepository = {
    ...fixtureVlmRepository('fixture-owner/evil-model', { suffixes: ['_q4'] }),
    extraTreeEntries: [{ type: 'file', oid: 'a'.repeat(40), size: 4, path: '../../escape.json' }],
  };
  const absolutePath: HubFixtureRepository = {
    ...fixtureVlmRepository('fixture-owner/absolute-model', { suffixes: ['_q4'] }),
    extraTreeEntries: [{ type: 'file', oid: 'b'.repeat(40), size: 4, path: '/etc/passwd' }],
  };
  const backslash: HubFixtureRepository = {
    ...fixtureVlmRepository('fixture-owner/backslash-model', { suffixes: ['_q4'] }),
    extraTreeEntries: [{ type: 'file', oid: 'c'.repeat(40), size: 4, path: 'onnx\\..\\..\\x.json' }],
  };
  const externalData = fixtureVlmRepository('fixture-owner/external-data-model', {
    suffixes: ['_fp16'],
    extraFiles: [
      { path: 'onnx/decoder_model_merged_fp16.onnx_data', content: generatedBytes(3000, 41) },
      { path: 'onnx/decoder_model_merged_fp16.onnx_data_1', content: generatedBytes(2000, 42) },
      { path: 'onnx/decoder_model_merged.onnx_data', content: generatedBytes(1000, 43) },
    ],
  });
  let server: HubServer;
  before(async () => {
    server = await startHubServer({
      repositories: [smol, big, corrupt, privateRepository, traversal, absolutePath, backslash, externalData],
      token,
      pageSize: 4,
    });
  });
  after(async () => server.close());

  it('downloads exactly the root config/tokenizer files and the three graphs of the alias defaults, verified', async () => {
    const cache = scratchDir('hub-pull');
    const events: PullProgressEvent[] = [];
    const result = await pullModel('smolvlm2-256m', {
      cacheDirectory: cache,
      endpoint: server.endpoint,
      environment: {},
      onProgress: (event) => events.push(event),
    });
    assert.equal(result.repositoryId, smolRepository);
    assert.equal(result.revision, 'main');
    assert.equal(result.commit, server.commitOf(smolRepository));
    assert.equal(result.directory, join(cache, 'HuggingFaceTB--SmolVLM2-256M-Video-Instruct', 'main'));
    assert.deepEqual(result.dtypes, { embed_tokens: 'fp16', vision_encoder: 'q4', decoder_model_merged: 'q4' });
    const expected = [
      '.vidtok-model.json',
      'chat_template.jinja',
      'config.json',
      'generation_config.json',
      'onnx/decoder_model_merged_q4.onnx',
      'onnx/embed_tokens_fp16.onnx',
      'onnx/vision_encoder_q4.onnx',
      'preprocessor_config.json',
      'tokenizer.json',
      'tokenizer_config.json',
    ];
    assert.deepEqual(allFiles(result.directory), expected);
    for (const path of expected.filter((path) => path !== '.vidtok-model.json')) {
      assert.deepEqual(new Uint8Array(readFileSync(join(result.directory, path))), fixtureContent(smol, path), path);
    }
    // Nothing but the snapshot is left in the repository folder (no staging, no lock, no partial files).
    assert.deepEqual(readdirSync(join(cache, 'HuggingFaceTB--SmolVLM2-256M-Video-Instruct')), ['main']);
    // Weights of other dtypes, README and safetensors were never requested.
    const requested = server.requests
      .filter((record) => record.url.includes('/resolve/'))
      .map((record) => record.filePath);
    assert.ok(
      !requested.includes('model.safetensors') &&
        !requested.includes('README.md') &&
        !requested.includes('onnx/embed_tokens.onnx'),
    );
    const manifest = JSON.parse(readFileSync(join(result.directory, '.vidtok-model.json'), 'utf8'));
    assert.equal(manifest.repositoryId, smolRepository);
    assert.match(manifest.files['onnx/vision_encoder_q4.onnx'].sha256, /^[0-9a-f]{64}$/);
    assert.match(manifest.files['config.json'].gitObjectId, /^[0-9a-f]{40}$/);
    const done = events.filter((event) => event.type === 'file-done');
    assert.equal(done.length, 9);
    assert.ok(done.every((event) => event.type === 'file-done' && event.verifiedWith !== 'size'));
    assert.equal(events.at(-1)?.type, 'done');
    const plan = events.find((event) => event.type === 'plan');
    assert.ok(
      plan?.type === 'plan' &&
        plan.downloadBytes === result.downloadedBytes &&
        plan.totalBytes === result.downloadedBytes,
    );

    // A second pull is a no-op: nothing is downloaded, and the snapshot is unchanged.
    const before = server.requests.length;
    const again = await pullModel('smolvlm2-256m', {
      cacheDirectory: cache,
      endpoint: server.endpoint,
      environment: {},
    });
    assert.equal(again.upToDate, true);
    assert.equal(again.downloadedBytes, 0);
    assert.ok(
      server.requests.slice(before).every((record) => record.url.startsWith('/api/models/')),
      'only the listing was fetched',
    );
  });

  it('resumes a dropped download on the next run, requesting only the remaining bytes', async () => {
    const cache = scratchDir('hub-resume');
    const path = 'onnx/decoder_model_merged_q4.onnx';
    const size = fixtureContent(big, path).byteLength;
    const dropAfter = 100_000;
    server.dropConnectionOnce('fixture-owner/big-model', path, dropAfter);
    const options = { cacheDirectory: cache, endpoint: server.endpoint, environment: {}, dtype: 'q4', retries: 0 };
    await assert.rejects(pullModel('fixture-owner/big-model', options), (error: unknown) => {
      assert.ok(error instanceof DownloadError, String(error));
      assert.equal(error.retryable, true);
      return true;
    });
    const snapshot = join(cache, 'fixture-owner--big-model', 'main');
    assert.equal(existsSync(snapshot), false, 'no snapshot after a failed pull');
    const partial = join(cache, 'fixture-owner--big-model', '.incomplete-main', `${path}.partial`);
    assert.equal(statSync(partial).size, dropAfter, 'the received bytes were kept');
    const firstDownloads = server.downloadsOf(bigRepositoryId, path).length;

    const result = await pullModel('fixture-owner/big-model', options);
    const resumed = server.downloadsOf(bigRepositoryId, path).slice(firstDownloads);
    assert.equal(resumed.length, 1);
    assert.equal(resumed[0]?.range, `bytes=${dropAfter}-`);
    assert.equal(resumed[0]?.status, 206);
    assert.equal(resumed[0]?.bytesSent, size - dropAfter);
    assert.deepEqual(new Uint8Array(readFileSync(join(result.directory, path))), fixtureContent(big, path));
    assert.equal(result.files.find((file) => file.path === path)?.source, 'resumed');
    // Files finished in the first run were not fetched again.
    assert.equal(server.downloadsOf(bigRepositoryId, 'onnx/embed_tokens_q4.onnx').length, 1);
  });

  it('retries a dropped connection within one call when retries allow it', async () => {
    const cache = scratchDir('hub-retry');
    const path = 'onnx/vision_encoder.onnx';
    server.dropConnectionOnce('fixture-owner/big-model', path, 5000);
    const before = server.downloadsOf(bigRepositoryId, path).length;
    const events: PullProgressEvent[] = [];
    const result = await pullModel('fixture-owner/big-model', {
      cacheDirectory: cache,
      endpoint: server.endpoint,
      environment: {},
      dtype: 'fp32',
      retries: 1,
      retryDelayMs: 10,
      onProgress: (event) => events.push(event),
    });
    const attempts = server.downloadsOf(bigRepositoryId, path).slice(before);
    assert.deepEqual(
      attempts.map((record) => record.range),
      [undefined, 'bytes=5000-'],
    );
    assert.ok(events.some((event) => event.type === 'retry' && event.path === path));
    assert.deepEqual(new Uint8Array(readFileSync(join(result.directory, path))), fixtureContent(big, path));
  });

  it('starts over when the server ignores the resume range, and still verifies the file', async () => {
    const cache = scratchDir('hub-no-range');
    const path = 'onnx/embed_tokens.onnx';
    server.dropConnectionOnce(bigRepositoryId, path, 7000);
    server.ignoreRangeOnce(bigRepositoryId, path);
    const before = server.downloadsOf(bigRepositoryId, path).length;
    const result = await pullModel(bigRepositoryId, {
      cacheDirectory: cache,
      endpoint: server.endpoint,
      environment: {},
      dtype: 'fp32',
      retries: 1,
      retryDelayMs: 10,
    });
    const attempts = server.downloadsOf(bigRepositoryId, path).slice(before);
    assert.deepEqual(
      attempts.map((record) => [record.range, record.status]),
      [
        [undefined, 200],
        ['bytes=7000-', 200],
      ],
    );
    assert.deepEqual(new Uint8Array(readFileSync(join(result.directory, path))), fixtureContent(big, path));
  });

  it('gives up on a stalled connection (retryable) and resumes after it', async () => {
    const cache = scratchDir('hub-stall');
    const path = 'onnx/vision_encoder_q4.onnx';
    server.stallOnce(bigRepositoryId, path, 3000);
    const options = {
      cacheDirectory: cache,
      endpoint: server.endpoint,
      environment: {},
      dtype: 'q4',
      stallTimeoutMs: 300,
      retries: 0,
    };
    await assert.rejects(pullModel(bigRepositoryId, options), (error: unknown) => {
      assert.ok(error instanceof DownloadError);
      assert.equal(error.retryable, true);
      assert.match(error.message, /no data for 0.3 s after 3000 of \d+ bytes; run again to resume$/);
      return true;
    });
    const before = server.downloadsOf(bigRepositoryId, path).length;
    await pullModel(bigRepositoryId, options);
    assert.deepEqual(
      server
        .downloadsOf(bigRepositoryId, path)
        .slice(before)
        .map((record) => record.range),
      ['bytes=3000-'],
    );
  });

  it('refuses a second concurrent pull of the same model and revision', async () => {
    const cache = scratchDir('hub-lock');
    const options = { cacheDirectory: cache, endpoint: server.endpoint, environment: {}, dtype: 'q4' };
    const results = await Promise.allSettled([
      pullModel(bigRepositoryId, options),
      pullModel(bigRepositoryId, options),
    ]);
    const rejected = results.filter((result) => result.status === 'rejected');
    assert.equal(rejected.length, 1);
    assert.match(
      String((rejected[0] as PromiseRejectedResult).reason),
      /another vidtok process \(pid \d+\) is pulling this model/,
    );
    assert.equal(results.filter((result) => result.status === 'fulfilled').length, 1);
  });

  it('rejects bytes that do not match the listed sha256 and lands nothing in the cache', async () => {
    const cache = scratchDir('hub-corrupt');
    const path = 'onnx/vision_encoder_q4.onnx';
    server.corrupt('fixture-owner/corrupt-model', path);
    await assert.rejects(
      pullModel('fixture-owner/corrupt-model', {
        cacheDirectory: cache,
        endpoint: server.endpoint,
        environment: {},
        dtype: 'q4',
        retries: 2,
      }),
      (error: unknown) => {
        assert.ok(error instanceof DownloadError);
        assert.equal(error.retryable, false);
        assert.match(error.message, /sha256 mismatch/);
        return true;
      },
    );
    assert.equal(existsSync(join(cache, 'fixture-owner--corrupt-model', 'main')), false);
    assert.ok(
      !allFiles(cache).some((file) => file.includes('vision_encoder_q4')),
      'neither the file nor its partial remains',
    );
    assert.equal(
      server.downloadsOf('fixture-owner/corrupt-model', path).length,
      1,
      'a checksum failure is not retried',
    );
  });

  it('sends HF_TOKEN as a Bearer header to the hub and never to the CDN origin', async () => {
    const cache = scratchDir('hub-token');
    const before = server.requests.length;
    const result = await pullModel('fixture-owner/private-model', {
      cacheDirectory: cache,
      dtype: 'q4',
      environment: { HF_ENDPOINT: server.endpoint, HF_TOKEN: token },
    });
    assert.ok(existsSync(join(result.directory, 'onnx', 'decoder_model_merged_q4.onnx')));
    const made = server.requests.slice(before);
    const hubRequests = made.filter((record) => record.origin === 'hub');
    const cdnRequests = made.filter((record) => record.origin === 'cdn');
    assert.ok(hubRequests.length > 0 && cdnRequests.length === 3);
    assert.ok(hubRequests.every((record) => record.authorization === `Bearer ${token}`));
    assert.ok(cdnRequests.every((record) => record.authorization === undefined));

    // Without the token the same repository reads as missing, and the message says what to do.
    await assert.rejects(
      pullModel('fixture-owner/private-model', {
        cacheDirectory: scratchDir('hub-token-missing'),
        dtype: 'q4',
        environment: { HF_ENDPOINT: server.endpoint },
      }),
      (error: unknown) =>
        error instanceof ModelNotFoundError && /HF_TOKEN/.test(error.message) && /401/.test(error.message),
    );
  });

  it('reports a repository the hub does not have as ModelNotFoundError naming it', async () => {
    const cache = scratchDir('hub-404');
    await assert.rejects(
      pullModel('nobody/no-such-model', { cacheDirectory: cache, endpoint: server.endpoint, environment: {} }),
      (error: unknown) => {
        assert.ok(error instanceof ModelNotFoundError);
        assert.match(
          error.message,
          /^nobody\/no-such-model: repository not found on http:\/\/127\.0\.0\.1:\d+ \(HTTP 404\)/,
        );
        return true;
      },
    );
    await assert.rejects(
      pullModel('smolvlm2-256m', { cacheDirectory: cache, endpoint: server.endpoint, environment: {}, revision: 'v9' }),
      (error: unknown) => error instanceof ModelNotFoundError && /revision 'v9' not found/.test(error.message),
    );
    assert.deepEqual(allFiles(cache), []);
  });

  it('rejects a listing with a path that escapes the snapshot folder, before downloading anything', async () => {
    for (const [repository, shown] of [
      ['fixture-owner/evil-model', '../../escape.json'],
      ['fixture-owner/absolute-model', '/etc/passwd'],
      ['fixture-owner/backslash-model', 'onnx\\\\..\\\\..\\\\x.json'],
    ] as const) {
      const cache = scratchDir('hub-traversal');
      const before = server.requests.length;
      await assert.rejects(
        pullModel(repository, { cacheDirectory: cache, endpoint: server.endpoint, environment: {}, dtype: 'q4' }),
        (error: unknown) => {
          assert.ok(error instanceof DownloadError, String(error));
          assert.ok(error.message.includes(`unsafe file path "${shown}"`), error.message);
          return true;
        },
      );
      assert.ok(server.requests.slice(before).every((record) => !record.url.includes('/resolve/')));
      assert.deepEqual(allFiles(cache), []);
    }
    assert.equal(existsSync(join(scratchDir('hub-traversal-check'), '..', '..', 'escape.json')), false);
  });

  it('honours per-graph dtypes, fetches external-data companions, and keeps earlier dtypes when adding one', async () => {
    const cache = scratchDir('hub-dtypes');
    const first = await pullModel('fixture-owner/external-data-model', {
      cacheDirectory: cache,
      endpoint: server.endpoint,
      environment: {},
      dtype: 'fp16',
    });
    const onnxFiles = allFiles(first.directory).filter((path) => path.startsWith('onnx/'));
    assert.deepEqual(onnxFiles, [
      'onnx/decoder_model_merged_fp16.onnx',
      'onnx/decoder_model_merged_fp16.onnx_data',
      'onnx/decoder_model_merged_fp16.onnx_data_1',
      'onnx/embed_tokens_fp16.onnx',
      'onnx/vision_encoder_fp16.onnx',
    ]);

    const mixedCache = scratchDir('hub-mixed');
    const q4 = await pullModel(smolRepository, {
      cacheDirectory: mixedCache,
      endpoint: server.endpoint,
      environment: {},
      dtype: 'q4',
    });
    const configBefore = statSync(join(q4.directory, 'config.json'));
    const before = server.requests.length;
    const mixed = await pullModel(smolRepository, {
      cacheDirectory: mixedCache,
      endpoint: server.endpoint,
      environment: {},
      dtype: 'embed_tokens=fp16,vision_encoder=q4f16,decoder_model_merged=q8',
    });
    assert.deepEqual(mixed.dtypes, { embed_tokens: 'fp16', vision_encoder: 'q4f16', decoder_model_merged: 'q8' });
    const fetched = server.requests
      .slice(before)
      .filter((record) => record.url.includes('/resolve/'))
      .map((record) => record.filePath)
      .sort();
    assert.deepEqual(fetched, [
      'onnx/decoder_model_merged_quantized.onnx',
      'onnx/embed_tokens_fp16.onnx',
      'onnx/vision_encoder_q4f16.onnx',
    ]);
    const onnx = allFiles(mixed.directory).filter((path) => path.startsWith('onnx/'));
    assert.deepEqual(onnx, [
      'onnx/decoder_model_merged_q4.onnx',
      'onnx/decoder_model_merged_quantized.onnx',
      'onnx/embed_tokens_fp16.onnx',
      'onnx/embed_tokens_q4.onnx',
      'onnx/vision_encoder_q4.onnx',
      'onnx/vision_encoder_q4f16.onnx',
    ]);
    // Unchanged files were linked, not copied or fetched: same inode.
    assert.equal(statSync(join(mixed.directory, 'config.json')).ino, configBefore.ino);
  });

  it('names every missing graph at once, with the dtypes the repository does have', async () => {
    const before = server.requests.length;
    await assert.rejects(
      pullModel(smolRepository, {
        cacheDirectory: scratchDir('hub-missing-dtype'),
        endpoint: server.endpoint,
        environment: {},
        dtype: 'bnb4',
      }),
      (error: unknown) => {
        assert.ok(error instanceof ModelNotFoundError);
        assert.ok(!error.message.includes('\n'));
        for (const graph of ['embed_tokens', 'vision_encoder', 'decoder_model_merged']) {
          assert.ok(
            error.message.includes(
              `no onnx/${graph}_bnb4.onnx (${graph}=bnb4); available for ${graph}: fp32, fp16, q4, q4f16, q8`,
            ),
            error.message,
          );
        }
        return true;
      },
    );
    await assert.rejects(
      pullModel(smolRepository, {
        cacheDirectory: scratchDir('hub-missing-two'),
        endpoint: server.endpoint,
        environment: {},
        dtype: 'embed_tokens=int8,vision_encoder=q4,decoder_model_merged=uint8',
      }),
      (error: unknown) =>
        error instanceof ModelNotFoundError &&
        /embed_tokens_int8\.onnx.*; no onnx\/decoder_model_merged_uint8\.onnx/.test(error.message) &&
        !error.message.includes('vision_encoder_q4'),
    );
    assert.ok(
      server.requests.slice(before).every((record) => !record.url.includes('/resolve/')),
      'nothing is downloaded',
    );
  });

  it('pins the commit: the revision is resolved once, then the listing and every download address that commit', async () => {
    const before = server.requests.length;
    const result = await pullModel(smolRepository, {
      cacheDirectory: scratchDir('hub-pinned'),
      endpoint: server.endpoint,
      environment: {},
      dtype: 'q4',
    });
    const commit = server.commitOf(smolRepository);
    assert.equal(result.commit, commit);
    const made = server.requests.slice(before).filter((record) => record.origin === 'hub');
    assert.deepEqual(
      made.filter((record) => record.url.includes('/revision/')).map((record) => record.url),
      [`/api/models/${smolRepository}/revision/main`],
    );
    const later = made.filter((record) => !record.url.includes('/revision/'));
    assert.ok(later.length > 4);
    for (const record of later) assert.ok(record.url.includes(commit) && !record.url.includes('/main'), record.url);
    assert.equal(JSON.parse(readFileSync(join(result.directory, '.vidtok-model.json'), 'utf8')).commit, commit);
  });

  it('retries the revision and the listing after 5xx answers and dropped connections', async () => {
    const events: PullProgressEvent[] = [];
    server.failApiRequests(smolRepository, 2, 503);
    const first = await pullModel(smolRepository, {
      cacheDirectory: scratchDir('hub-list-retry'),
      endpoint: server.endpoint,
      environment: {},
      dtype: 'q4',
      retryDelayMs: 5,
      onProgress: (event) => events.push(event),
    });
    assert.equal(first.commit, server.commitOf(smolRepository));
    assert.equal(events.filter((event) => event.type === 'retry').length, 2);
    server.failApiRequests(smolRepository, 2, 'drop');
    const second = await pullModel(smolRepository, {
      cacheDirectory: scratchDir('hub-list-drop'),
      endpoint: server.endpoint,
      environment: {},
      dtype: 'q4',
      retryDelayMs: 5,
    });
    assert.equal(second.upToDate, false);
    server.failApiRequests(smolRepository, 5, 500);
    await assert.rejects(
      pullModel(smolRepository, {
        cacheDirectory: scratchDir('hub-list-fail'),
        endpoint: server.endpoint,
        environment: {},
        dtype: 'q4',
        retries: 2,
        retryDelayMs: 5,
      }),
      (error: unknown) => error instanceof DownloadError && error.message.includes('HTTP 500'),
    );
    server.failApiRequests(smolRepository, 0, 500);
  });

  it('rejects bad names, revisions and dtypes before any request', async () => {
    const before = server.requests.length;
    const options = { cacheDirectory: scratchDir('hub-usage'), endpoint: server.endpoint, environment: {} };
    for (const [model, extra] of [
      ['../etc', {}],
      ['owner/name/extra', {}],
      ['owner/..', {}],
      [smolRepository, { revision: '../main' }],
      [smolRepository, { revision: 'main/../../x' }],
      [smolRepository, { dtype: 'q5' }],
      [smolRepository, { dtype: 'embed_tokens=fp16,embed_tokens=q4' }],
      [smolRepository, { endpoint: 'file:///etc' }],
    ] as const) {
      await assert.rejects(
        pullModel(model, { ...options, ...extra }),
        (error: unknown) => error instanceof UsageError,
        `${model} ${JSON.stringify(extra)}`,
      );
    }
    assert.equal(server.requests.length, before);
  });

  it('stops when the signal aborts and keeps what it has for the next run', async () => {
    const cache = scratchDir('hub-abort');
    const controller = new AbortController();
    await assert.rejects(
      pullModel('fixture-owner/big-model', {
        cacheDirectory: cache,
        endpoint: server.endpoint,
        environment: {},
        dtype: 'fp32',
        signal: controller.signal,
        onProgress: (event) => {
          if (event.type === 'file-done' && event.path.startsWith('onnx/')) controller.abort();
        },
      }),
      (error: unknown) => VidtokError.isInstance(error) && error instanceof AbortedError,
    );
    assert.equal(existsSync(join(cache, 'fixture-owner--big-model', 'main')), false);
    assert.equal(
      existsSync(join(cache, 'fixture-owner--big-model', '.incomplete-main.lock')),
      false,
      'the lock is released',
    );
    const result = await pullModel('fixture-owner/big-model', {
      cacheDirectory: cache,
      endpoint: server.endpoint,
      environment: {},
      dtype: 'fp32',
    });
    assert.ok(
      result.files.some((file) => file.source === 'resumed'),
      'the file finished before the abort is reused',
    );
  });
});
