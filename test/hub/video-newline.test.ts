/**
 * @file LLaVA-OneVision's image_newline at pull time: read from model.safetensors with range requests (never the whole
 * file), stored as image_newline.npy with its provenance in the manifest, reused by the next pull while the listing
 * is unchanged; an inconsistent header or a tensor of the wrong shape fails the pull with DownloadError; a
 * safetensors file without the tensor pulls without it.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DownloadError } from '../../src/errors/index.js';
import { parseNpy } from '../../src/golden/npy.js';
import { pullModel, type PullProgressEvent } from '../../src/hub/index.js';
import {
  fixtureVlmRepository,
  generatedBytes,
  startHubServer,
  type HubFixtureRepository,
  type HubServer,
} from '../helpers/hub-server.js';
import { scratchDir } from '../helpers/paths.js';

const hidden = 16;

/** A safetensors file: 8-byte header length, JSON header, then the tensors' bytes (BF16 newline among others). */
function safetensors(
  entries: Record<string, { dtype: string; shape: number[]; bytes: Uint8Array }>,
  headerPatch: (header: Record<string, unknown>) => void = () => undefined,
): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const [name, entry] of Object.entries(entries)) {
    header[name] = { dtype: entry.dtype, shape: entry.shape, data_offsets: [offset, offset + entry.bytes.byteLength] };
    offset += entry.bytes.byteLength;
  }
  headerPatch(header);
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.byteLength), true);
  out.set(json, 8);
  let at = 8 + json.byteLength;
  for (const entry of Object.values(entries)) {
    out.set(entry.bytes, at);
    at += entry.bytes.byteLength;
  }
  return out;
}

/** bf16 bytes of `values` (truncated float32, exact for the values used here) and the floats they decode to. */
function bf16(values: readonly number[]): { bytes: Uint8Array; decoded: number[] } {
  const bytes = new Uint8Array(values.length * 2);
  const scratch = new DataView(new ArrayBuffer(4));
  const decoded: number[] = [];
  values.forEach((value, index) => {
    scratch.setFloat32(0, value);
    const high = scratch.getUint16(0);
    new DataView(bytes.buffer).setUint16(index * 2, high, true);
    scratch.setUint32(0, high << 16);
    decoded.push(scratch.getFloat32(0));
  });
  return { bytes, decoded };
}

function llavaRepository(id: string, weights: Uint8Array, configHidden = hidden): HubFixtureRepository {
  const base = fixtureVlmRepository(id, { suffixes: [''] });
  const config = new TextEncoder().encode(
    JSON.stringify({ model_type: 'llava_onevision', text_config: { model_type: 'qwen2', hidden_size: configHidden } }),
  );
  return {
    ...base,
    files: [
      ...base.files.filter((file) => file.path !== 'config.json' && file.path !== 'model.safetensors'),
      { path: 'config.json', content: config },
      { path: 'model.safetensors', content: weights, lfs: true },
    ],
  };
}

describe('image_newline from model.safetensors at pull time', () => {
  const newline = bf16(Array.from({ length: hidden }, (_, index) => (index - 7.5) / 4));
  const big = { dtype: 'F32', shape: [1024, 64], bytes: generatedBytes(1024 * 64 * 4, 5) }; // 256 KiB the pull must not read
  const good = safetensors({
    'language_model.lm_head.weight': big,
    'model.image_newline': { dtype: 'BF16', shape: [hidden], bytes: newline.bytes },
  });
  const repositories = {
    good: llavaRepository('llava-fixture/good', good),
    wrongShape: llavaRepository('llava-fixture/wrong-shape', good, 32),
    badOffsets: llavaRepository(
      'llava-fixture/bad-offsets',
      safetensors({ 'model.image_newline': { dtype: 'BF16', shape: [hidden], bytes: newline.bytes } }, (header) => {
        (header['model.image_newline'] as { data_offsets: number[] }).data_offsets = [0, 64];
      }),
    ),
    hugeHeader: llavaRepository(
      'llava-fixture/huge-header',
      Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, ...generatedBytes(100, 3)]),
    ),
    without: llavaRepository('llava-fixture/without', safetensors({ 'language_model.lm_head.weight': big })),
    gated: {
      ...llavaRepository(
        'llava-fixture/gated',
        safetensors({
          'model.image_newline': {
            dtype: 'F32',
            shape: [hidden],
            bytes: new Uint8Array(new Float32Array(hidden).fill(0.5).buffer),
          },
        }),
      ),
      private: true,
    },
  };
  const token = 'hf_newlineFixtureToken';
  let server: HubServer;
  before(async () => {
    server = await startHubServer({ repositories: Object.values(repositories), token });
  });
  after(async () => server.close());

  const pull = (id: string, cache: string, events: PullProgressEvent[] = []) =>
    pullModel(id, {
      cacheDirectory: cache,
      endpoint: server.endpoint,
      environment: {},
      dtype: 'fp32',
      onProgress: (event) => events.push(event),
    });

  it('reads only the header and the tensor with range requests and stores the decoded vector', async () => {
    const cache = scratchDir('newline-pull');
    const events: PullProgressEvent[] = [];
    const first = server.requests.length;
    const result = await pull(repositories.good.id, cache, events);
    const stored = parseNpy(readFileSync(join(result.directory, 'image_newline.npy')));
    assert.equal(stored.dtype, 'float32');
    assert.deepEqual(stored.shape, [hidden]);
    assert.deepEqual([...stored.data], newline.decoded);
    assert.ok(!existsSync(join(result.directory, 'model.safetensors')), 'the weights file itself is not downloaded');
    // (The CDN serves by sha256, which two fixture repositories here share, so requests are matched by path only.)
    const reads = server.requests
      .slice(first)
      .filter((record) => record.filePath === 'model.safetensors' && record.status === 206);
    assert.equal(reads.length, 2, 'one read for the header, one for the tensor');
    assert.ok(reads.every((record) => record.range !== undefined));
    const bytesRead = reads.reduce((total, record) => total + record.bytesSent, 0);
    const fileSize = good.byteLength;
    assert.ok(bytesRead < 70 * 1024 && bytesRead < fileSize / 3, `${bytesRead} of ${fileSize} bytes read`);
    const manifest = JSON.parse(readFileSync(join(result.directory, '.vidtok-model.json'), 'utf8'));
    const entry = manifest.derived['image_newline.npy'];
    assert.equal(entry.source.path, 'model.safetensors');
    assert.equal(entry.source.tensor, 'model.image_newline');
    assert.equal(entry.source.dtype, 'BF16');
    assert.equal(entry.source.byteRange[1] - entry.source.byteRange[0], hidden * 2);
    assert.match(entry.source.headerSha256, /^[0-9a-f]{64}$/);
    assert.deepEqual(
      events.filter((event) => event.type === 'derived').map((event) => (event as { outcome: string }).outcome),
      ['fetched'],
    );

    // A second pull reuses it without touching model.safetensors.
    const before = server.requests.length;
    const again = await pull(repositories.good.id, cache);
    assert.equal(again.upToDate, true);
    assert.ok(!server.requests.slice(before).some((record) => record.filePath === 'model.safetensors'));
    assert.deepEqual([...parseNpy(readFileSync(join(again.directory, 'image_newline.npy'))).data], newline.decoded);
  });

  it('a tensor whose shape is not [hidden], offsets that disagree with the shape, or an oversized header fail with DownloadError', async () => {
    await assert.rejects(
      pull(repositories.wrongShape.id, scratchDir('newline-shape')),
      (error) => error instanceof DownloadError && /shape \[16\], expected \[32\]/.test(error.message),
    );
    await assert.rejects(
      pull(repositories.badOffsets.id, scratchDir('newline-offsets')),
      (error) => error instanceof DownloadError && /data_offsets span 64 bytes/.test(error.message),
    );
    await assert.rejects(
      pull(repositories.hugeHeader.id, scratchDir('newline-header')),
      (error) => error instanceof DownloadError && /header length/.test(error.message),
    );
  });

  it('the range requests send the token to the hub only, never to the CDN they are redirected to', async () => {
    const first = server.requests.length;
    const result = await pullModel(repositories.gated.id, {
      cacheDirectory: scratchDir('newline-gated'),
      endpoint: server.endpoint,
      environment: { HF_TOKEN: token },
      dtype: 'fp32',
    });
    assert.deepEqual(
      [...parseNpy(readFileSync(join(result.directory, 'image_newline.npy'))).data],
      new Array(hidden).fill(0.5),
    );
    const reads = server.requests.slice(first).filter((record) => record.filePath === 'model.safetensors');
    assert.ok(reads.some((record) => record.origin === 'hub' && record.authorization === `Bearer ${token}`));
    const cdn = reads.filter((record) => record.origin === 'cdn');
    assert.equal(cdn.length, 2);
    assert.ok(cdn.every((record) => record.authorization === undefined && record.range !== undefined));
  });

  it('a model.safetensors without image_newline pulls without the vector and says so', async () => {
    const events: PullProgressEvent[] = [];
    const result = await pull(repositories.without.id, scratchDir('newline-without'), events);
    assert.ok(!existsSync(join(result.directory, 'image_newline.npy')));
    assert.deepEqual(
      events.filter((event) => event.type === 'derived').map((event) => (event as { outcome: string }).outcome),
      ['missing'],
    );
  });
});
