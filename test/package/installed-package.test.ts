/**
 * @file vidtok installed as a dependency: `npm pack` (which builds dist/ through `prepare`), then `npm install
 * --offline <tarball>` (`--prefer-offline` when npm's cache lacks some package metadata) into a fresh folder under
 * test/.tmp with ONNXRUNTIME_NODE_INSTALL=skip (the project's .npmrc does not apply there), then `npx vidtok probe`, `npx vidtok tokens` and `import('vidtok')` run in that folder; the
 * installed light entry loads no heavy package. Skipped, with the reason, only when npm cannot install: its cache
 * lacks a package and the registry is unreachable.
 */
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { heavyPackagesLoaded, loadedModules } from '../helpers/loaded-modules.js';
import { repoRoot, scratchDir, sharedVideo } from '../helpers/paths.js';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

function run(command: string, args: readonly string[], cwd: string, timeout: number): SpawnSyncReturns<string> {
  return spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    timeout,
    env: {
      ...process.env,
      ONNXRUNTIME_NODE_INSTALL: 'skip',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
    },
  });
}

function describeRun(result: SpawnSyncReturns<string>): string {
  return `status ${result.status} signal ${result.signal}\n${(result.stderr ?? '').slice(-2500)}\n${(result.stdout ?? '').slice(-1000)}`;
}

test('the packed tarball installs offline into a fresh folder and its CLI and API work there', {
  timeout: 180_000,
}, (context) => {
  const started = performance.now();
  const consumer = scratchDir('installed-package');
  const pack = run(npm, ['pack', '--json', '--pack-destination', consumer], repoRoot, 120_000);
  assert.equal(pack.status, 0, `npm pack failed: ${describeRun(pack)}`);
  const jsonStart = pack.stdout.indexOf('[');
  const packed = JSON.parse(pack.stdout.slice(jsonStart)) as { filename: string; files: { path: string }[] }[];
  const tarball = join(consumer, packed[0]!.filename);
  const packedFiles = packed[0]!.files.map((file) => file.path);
  for (const entry of [
    'dist/index.js',
    'dist/index.d.ts',
    'dist/runtime/index.js',
    'dist/jobs/index.d.ts',
    'bin/vidtok.js',
  ])
    assert.ok(packedFiles.includes(entry), `the tarball holds ${entry}`);
  assert.ok(
    !packedFiles.some((path) => path.startsWith('test/') || path.startsWith('src/')),
    'no tests or sources in the tarball',
  );

  writeFileSync(
    join(consumer, 'package.json'),
    JSON.stringify({ name: 'vidtok-consumer', private: true, type: 'module' }),
  );
  // `npm ci` caches the tarballs but not every package's metadata, so a strictly offline install can miss some:
  // then prefer the cache and fetch only the missing metadata; skip only when that cannot reach the registry either.
  let install = run(npm, ['install', '--offline', '--no-audit', '--no-fund', tarball], consumer, 150_000);
  if (install.status !== 0 && /ENOTCACHED/.test(install.stderr)) {
    const missing = /request to (\S+)/.exec(install.stderr)?.[1] ?? 'a package';
    install = run(
      npm,
      ['install', '--prefer-offline', '--offline=false', '--no-audit', '--no-fund', tarball],
      consumer,
      150_000,
    );
    if (install.status !== 0 && /ENOTCACHED|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|network/i.test(install.stderr)) {
      context.skip(
        `npm cannot install offline: its cache lacks the metadata of ${missing} and the registry is unreachable`,
      );
      return;
    }
  }
  assert.equal(install.status, 0, `npm install of the tarball failed: ${describeRun(install)}`);

  const clip = sharedVideo('boat.mp4');
  const probe = run(npx, ['vidtok', 'probe', clip, '--json'], consumer, 60_000);
  assert.equal(probe.status, 0, `npx vidtok probe failed: ${describeRun(probe)}`);
  const probed = JSON.parse(probe.stdout) as { duration: number; width?: number; video?: { width: number } };
  assert.ok(probed.duration > 0, 'probe reports a duration');

  const tokens = run(npx, ['vidtok', 'tokens', clip, '-p', 'pllava', '--json'], consumer, 90_000);
  assert.equal(tokens.status, 0, `npx vidtok tokens failed: ${describeRun(tokens)}`);
  const counted = JSON.parse(tokens.stdout) as { totalTokens?: number; total?: number };
  assert.ok(
    (counted.totalTokens ?? counted.total ?? 0) > 0,
    `tokens reports a positive count: ${tokens.stdout.slice(0, 300)}`,
  );

  const api = run(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { probe } = await import('vidtok'); const info = await probe(${JSON.stringify(clip)}); process.stdout.write(JSON.stringify({ duration: info.duration }));`,
    ],
    consumer,
    60_000,
  );
  assert.equal(api.status, 0, `import('vidtok') failed: ${describeRun(api)}`);
  assert.equal(
    (JSON.parse(api.stdout) as { duration: number }).duration,
    probed.duration,
    'the API and the CLI probe agree',
  );

  const subpath = run(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      "const runtime = await import('vidtok/runtime'); const jobs = await import('vidtok/jobs'); process.stdout.write(String(typeof runtime.loadModel === 'function' && typeof jobs.runLocalBatch === 'function'));",
    ],
    consumer,
    60_000,
  );
  assert.equal(subpath.stdout, 'true', `subpath imports failed: ${describeRun(subpath)}`);

  const { loaded, importMilliseconds } = loadedModules('vidtok', { cwd: consumer });
  assert.ok(
    loaded.some((entry) => entry.includes('/node_modules/vidtok/dist/index.js')),
    'the installed dist entry was loaded',
  );
  assert.deepEqual(heavyPackagesLoaded(loaded), []);
  process.stderr.write(
    `installed import('vidtok'): ${importMilliseconds.toFixed(0)} ms; whole test ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
});
