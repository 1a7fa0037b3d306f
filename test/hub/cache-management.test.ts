/**
 * @file The model cache after real pulls from the hub-layout server: `listCachedModels` (sizes, dtypes per graph,
 * unfinished pulls), `removeCachedModel`, and `resolveModelDirectory` (cache only, user directories, the pull hint).
 */
import assert from 'node:assert/strict';
import { mkdirSync, realpathSync, statSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DownloadError, ModelNotFoundError } from '../../src/errors/index.js';
import {
  listCachedModels,
  pullModel,
  removeCachedModel,
  resolveModelDirectory,
  resolveCacheDirectory,
} from '../../src/hub/index.js';
import { fixtureVlmRepository, startHubServer, type HubServer } from '../helpers/hub-server.js';
import { scratchDir } from '../helpers/paths.js';

const smolRepository = 'HuggingFaceTB/SmolVLM2-256M-Video-Instruct';
const otherRepository = 'fixture-owner/plain-model';

function bytesUnder(root: string): number {
  return (readdirSync(root, { recursive: true }) as string[])
    .map((path) => statSync(join(root, path)))
    .filter((info) => info.isFile())
    .reduce((total, info) => total + info.size, 0);
}

describe('model cache management', () => {
  let server: HubServer;
  let cache: string;
  before(async () => {
    server = await startHubServer({
      repositories: [
        fixtureVlmRepository(smolRepository),
        fixtureVlmRepository(otherRepository, { suffixes: ['', '_q4'], graphBytes: 200_000 }),
      ],
    });
    cache = scratchDir('hub-cache');
    const connection = { cacheDirectory: cache, endpoint: server.endpoint, environment: {} };
    await pullModel('smolvlm2-256m', connection);
    await pullModel('smolvlm2-256m', { ...connection, dtype: 'q8' });
    await pullModel(otherRepository, { ...connection, dtype: 'q4' });
    // An unfinished pull of another revision (a commit id): the connection drops and no retry is allowed.
    server.dropConnectionOnce(otherRepository, 'onnx/embed_tokens.onnx', 50_000);
    await assert.rejects(
      pullModel(otherRepository, {
        ...connection,
        dtype: 'fp32',
        revision: server.commitOf(otherRepository),
        retries: 0,
      }),
      DownloadError,
    );
  });
  after(async () => server.close());

  it('lists each cached model with its alias, size on disk and the dtypes present per graph', async () => {
    const listing = await listCachedModels({ cacheDirectory: cache, environment: {} });
    assert.equal(listing.cacheDirectory, cache);
    assert.deepEqual(
      listing.models.map((model) => `${model.repositoryId}@${model.revision}`),
      [`${smolRepository}@main`, `${otherRepository}@main`],
    );
    const smol = listing.models[0];
    assert.ok(smol);
    assert.equal(smol.alias, 'smolvlm2-256m');
    assert.equal(smol.commit, server.commitOf(smolRepository));
    assert.deepEqual(smol.dtypes, {
      embed_tokens: ['fp16', 'q8'],
      vision_encoder: ['q4', 'q8'],
      decoder_model_merged: ['q4', 'q8'],
    });
    assert.equal(smol.complete, true);
    assert.equal(smol.sizeBytes, bytesUnder(smol.directory));
    const other = listing.models[1];
    assert.equal(other?.alias, undefined);
    assert.deepEqual(other?.dtypes, { embed_tokens: ['q4'], vision_encoder: ['q4'], decoder_model_merged: ['q4'] });
    assert.deepEqual(listing.incomplete, [
      {
        repositoryId: otherRepository,
        revision: server.commitOf(otherRepository),
        sizeBytes: bytesUnder(
          join(cache, 'fixture-owner--plain-model', `.incomplete-${server.commitOf(otherRepository)}`),
        ),
      },
    ]);
    assert.ok((listing.incomplete[0]?.sizeBytes ?? 0) >= 50_000);
  });

  it('lists an empty or missing cache as empty', async () => {
    const listing = await listCachedModels({ cacheDirectory: join(scratchDir('hub-empty'), 'not-there') });
    assert.deepEqual(listing.models, []);
    assert.deepEqual(listing.incomplete, []);
  });

  it('resolves aliases and repository ids from the cache only, and says how to pull what is missing', async () => {
    const expected = realpathSync(join(cache, 'HuggingFaceTB--SmolVLM2-256M-Video-Instruct', 'main'));
    assert.equal(await resolveModelDirectory('smolvlm2-256m', { cacheDirectory: cache }), expected);
    assert.equal(await resolveModelDirectory(smolRepository, { cacheDirectory: cache }), expected);
    assert.equal(
      await resolveModelDirectory('SmolVLM2-256M', { cacheDirectory: cache }),
      expected,
      'aliases are case-insensitive',
    );
    const requestsBefore = server.requests.length;
    await assert.rejects(resolveModelDirectory('smolvlm2-500m', { cacheDirectory: cache }), (error: unknown) => {
      assert.ok(error instanceof ModelNotFoundError);
      assert.equal(
        error.message,
        `smolvlm2-500m: not in the model cache (${cache}); run: vidtok models pull smolvlm2-500m`,
      );
      return true;
    });
    await assert.rejects(
      resolveModelDirectory('someone/unknown', { cacheDirectory: cache, workingDirectory: scratchDir('hub-cwd') }),
      /someone\/unknown: not in the model cache .*; run: vidtok models pull someone\/unknown$/,
    );
    assert.equal(server.requests.length, requestsBefore, 'resolving never touches the network');
  });

  it('resolves a directory the user names, relative or absolute, only when it holds config.json', async () => {
    const work = scratchDir('hub-local');
    const model = join(work, 'my-model');
    mkdirSync(join(model, 'onnx'), { recursive: true });
    writeFileSync(join(model, 'config.json'), '{}');
    assert.equal(await resolveModelDirectory(model), realpathSync(model));
    assert.equal(await resolveModelDirectory('./my-model', { workingDirectory: work }), realpathSync(model));
    assert.equal(await resolveModelDirectory(relative(process.cwd(), model)), realpathSync(model));
    await assert.rejects(resolveModelDirectory(join(model, 'onnx')), /has no config\.json/);
    await assert.rejects(
      resolveModelDirectory('./missing', { workingDirectory: work }),
      (error: unknown) => error instanceof ModelNotFoundError && /no such directory/.test(error.message),
    );
    await assert.rejects(resolveModelDirectory(join(model, 'config.json')), /not a directory/);
  });

  it('removes one revision or a whole repository, and reports a model that is not cached', async () => {
    const local = scratchDir('hub-rm');
    const connection = { cacheDirectory: local, endpoint: server.endpoint, environment: {} };
    const pulled = await pullModel(otherRepository, { ...connection, dtype: 'q4' });
    const size = bytesUnder(pulled.directory);
    const removed = await removeCachedModel(otherRepository, { cacheDirectory: local, revision: 'main' });
    assert.equal(removed.freedBytes, size);
    assert.equal(existsSync(pulled.directory), false);
    await assert.rejects(resolveModelDirectory(otherRepository, { cacheDirectory: local }), ModelNotFoundError);

    await pullModel('smolvlm2-256m', connection);
    await removeCachedModel('smolvlm2-256m', { cacheDirectory: local });
    assert.equal(existsSync(join(local, 'HuggingFaceTB--SmolVLM2-256M-Video-Instruct')), false);
    assert.ok(
      readdirSync(local).every((name) => !name.startsWith('.removing-')),
      'nothing is left aside',
    );
    await assert.rejects(removeCachedModel('smolvlm2-256m', { cacheDirectory: local }), (error: unknown) => {
      assert.ok(error instanceof ModelNotFoundError);
      assert.match(error.message, /^smolvlm2-256m: not in the model cache/);
      return true;
    });
  });

  it('takes the cache root from the option, then VIDTOK_CACHE_DIR, then ~/.cache/vidtok/models', () => {
    assert.equal(
      resolveCacheDirectory({ cacheDirectory: '/tmp/a', environment: { VIDTOK_CACHE_DIR: '/tmp/b' } }),
      '/tmp/a',
    );
    assert.equal(resolveCacheDirectory({ environment: { VIDTOK_CACHE_DIR: '/tmp/b' } }), '/tmp/b');
    assert.match(resolveCacheDirectory({ environment: {} }), /[/\\]\.cache[/\\]vidtok[/\\]models$/);
  });
});
