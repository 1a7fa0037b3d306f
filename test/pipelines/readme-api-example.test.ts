/**
 * @file The README's programmatic API example runs as written: the ```ts block under "Programmatic API" is taken
 * from README.md, only its inputs are pointed at a real clip and the SmolVLM2 fixture model (and `vidtok` at
 * src/index.ts, `vidtok/<subpath>` at the source entry that package.json's `exports` maps it to), and it is run in a
 * child Node process; it must exit 0 and print the streamed answer text.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { repoRoot, scratchDir, sharedVideo } from '../helpers/paths.js';

test('the README API example runs against the fixtures', () => {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Programmatic API'));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(code, 'README has a ts example under Programmatic API');
  assert.match(code, /from 'vidtok'/);
  assert.match(
    code,
    /runPipeline\('clip\.mp4', \{ pipeline: 'pllava'/,
    'the example runs the PLLaVA pipeline on a model encoder',
  );
  const exportsMap = (
    JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { exports: Record<string, unknown> }
  ).exports;
  const runnable = code
    .replaceAll(/from 'vidtok(\/[a-z-]+)?'/g, (_match, subpath: string | undefined) => {
      const key = subpath === undefined ? '.' : `.${subpath}`;
      assert.ok(key in exportsMap, `package.json exports has no '${key}' for the README's import`);
      const source =
        subpath === undefined ? join(repoRoot, 'src', 'index.ts') : join(repoRoot, 'src', subpath, 'index.ts');
      return `from ${JSON.stringify(pathToFileURL(source).href)}`;
    })
    .replaceAll("'clip.mp4'", JSON.stringify(sharedVideo('boat.mp4')))
    .replaceAll("'smolvlm2-256m'", JSON.stringify(join(repoRoot, 'test', 'fixtures', 'models', 'smolvlm2-tiny')));
  const file = join(scratchDir('readme-example'), 'example.ts');
  writeFileSync(file, `${runnable}\nprocess.stdout.write('\\n[example done]\\n');\n`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', file], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 240_000,
  });
  assert.equal(run.status, 0, `example failed:\n${run.stderr.slice(-2000)}`);
  assert.match(run.stdout, /\[example done\]/);
  assert.ok(run.stdout.replace('[example done]', '').trim().length > 0, 'the answer was streamed to stdout');
});
