/**
 * @file `vidtok serve` through the real CLI entry point: it binds 127.0.0.1 by default (here on a free port), says
 * where on stderr, answers an image_url part given as a data: PNG, and on SIGINT closes, exits 130 and leaves no
 * model process behind. Usage errors (an unset --api-key-env variable, a bad --port) exit 2 before anything starts.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runFfmpeg } from '../helpers/media.js';
import { repoRoot, scratchDir } from '../helpers/paths.js';
import { runVidtok, smolvlm2Fixture, yogaClip } from '../uses/use-fixtures.js';

const scratch = scratchDir('serve-cli');

function descendants(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === pid && fields[0] !== 'Z') found.push(Number(entry), ...descendants(Number(entry)));
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

test('serve: listens on 127.0.0.1, answers a data: image, exits 130 on SIGINT without orphans', async () => {
  const png = join(scratch, 'frame.png');
  await runFfmpeg([
    '-y',
    '-loglevel',
    'error',
    '-ss',
    '1',
    '-i',
    `file:${yogaClip}`,
    '-frames:v',
    '1',
    '-vf',
    'scale=64:36',
    `file:${png}`,
  ]);
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'serve', '-m', smolvlm2Fixture, '--port', '0'],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
  let stdout = '';
  child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const killer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  try {
    const deadline = Date.now() + 60_000;
    while (!/model \S+ loaded/.test(stderr)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`server did not load: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)?.[1];
    assert.ok(url, `the address on stderr: ${stderr}`);
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        model: 'smolvlm2-tiny',
        max_tokens: 2,
        messages: [
          {
            role: 'user',
            content: [
              {
                type: 'image_url',
                image_url: { url: `data:image/png;base64,${readFileSync(png).toString('base64')}` },
              },
              { type: 'text', text: 'What is shown?' },
            ],
          },
        ],
      }),
    });
    const body = (await response.json()) as {
      choices: Array<{ message: { content: string } }>;
      vidtok: { frames: unknown[] };
    };
    assert.equal(response.status, 200, JSON.stringify(body));
    assert.equal(body.vidtok.frames.length, 1, 'an image is one frame');
    assert.equal(typeof body.choices[0]!.message.content, 'string');
    // A local file without --media-dir is refused.
    const refused = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        model: 'smolvlm2-tiny',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'video_url', video_url: { url: `file://${yogaClip}` } },
              { type: 'text', text: 'What?' },
            ],
          },
        ],
      }),
    });
    assert.equal(refused.status, 403);
    const family = descendants(child.pid!);
    assert.ok(family.length >= 1, 'the model runs in a child process');
    child.kill('SIGINT');
    assert.equal(await exited, 130, stderr);
    assert.equal(stdout, '', 'nothing on stdout');
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (const pid of family)
      assert.equal(
        existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z '),
        false,
        `process ${pid} left behind`,
      );
  } finally {
    clearTimeout(killer);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('serve: usage errors exit 2 before anything starts', async () => {
  const unset = await runVidtok(
    ['serve', '-m', smolvlm2Fixture, '--api-key-env', 'VIDTOK_TEST_UNSET_KEY', '--port', '0'],
    { env: { VIDTOK_TEST_UNSET_KEY: '' } },
  );
  assert.equal(unset.code, 2, unset.stderr);
  assert.match(unset.stderr, /--api-key-env VIDTOK_TEST_UNSET_KEY: /);
  const port = await runVidtok(['serve', '-m', smolvlm2Fixture, '--port', '70000']);
  assert.equal(port.code, 2, port.stderr);
  const media = await runVidtok([
    'serve',
    '-m',
    smolvlm2Fixture,
    '--media-dir',
    join(scratch, 'missing'),
    '--port',
    '0',
  ]);
  assert.equal(media.code, 2, media.stderr);
});
