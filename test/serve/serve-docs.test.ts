/**
 * @file docs/serve.md's examples run as written against a live server on an ephemeral port: every `sh` block that
 * starts with `curl` (run by bash, the documented address replaced by the server's) and every `js` block (the
 * `openai` client, run by node). A block ending in `# prints X` must print X; the others must exit 0 and print
 * something. The server serves the fixture model under the documented name, with clip.mp4 in its --media-dir.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startServer, type VidtokServer } from '../../src/serve/index.js';
import { repoRoot, scratchDir } from '../helpers/paths.js';
import { smolvlm2Fixture, yogaClip } from '../uses/use-fixtures.js';

const scratch = scratchDir('serve-docs');
copyFileSync(yogaClip, join(scratch, 'clip.mp4'));
const documented = 'http://127.0.0.1:8080';
let server: VidtokServer;

before(async () => {
  server = await startServer({
    model: smolvlm2Fixture,
    modelName: 'smolvlm2-256m',
    port: 0,
    mediaDirectories: [scratch],
  });
  await server.ready;
});
after(async () => {
  await server?.close();
});

interface Block {
  readonly language: string;
  readonly code: string;
}

function codeBlocks(markdown: string): Block[] {
  return [...markdown.matchAll(/^```(\w+)\n([\s\S]*?)^```$/gm)].map((match) => ({
    language: match[1]!,
    code: match[2]!,
  }));
}

function run(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: scratch,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const blocks = codeBlocks(readFileSync(join(repoRoot, 'docs', 'serve.md'), 'utf8'));
const runnable = blocks.filter(
  (block) => (block.language === 'sh' && block.code.startsWith('curl ')) || block.language === 'js',
);

test('docs/serve.md has curl and openai-client examples', () => {
  assert.ok(runnable.filter((block) => block.language === 'sh').length >= 5, 'curl examples');
  assert.ok(
    runnable.some((block) => block.language === 'js' && block.code.includes("from 'openai'")),
    'an openai client example',
  );
});

for (const [index, block] of runnable.entries()) {
  const firstLine = block.code
    .split('\n')
    .find((line) => line.trim().length > 0)!
    .trim();
  test(`docs/serve.md example ${index + 1} (${block.language}): ${firstLine.slice(0, 60)}`, async () => {
    const code = block.code.replaceAll(documented, server.url);
    assert.notEqual(code, block.code, 'the example talks to the documented address');
    const env = { VIDTOK_API_KEY: 'unused-without-api-key-env' };
    const result =
      block.language === 'sh'
        ? await run('bash', ['-e', '-o', 'pipefail', '-c', code], env)
        : await (async () => {
            const file = join(repoRoot, 'test', '.tmp', `serve-docs-example-${process.pid}-${index}.mjs`);
            writeFileSync(file, code);
            return run(process.execPath, [file], env);
          })();
    assert.equal(result.code, 0, `exit 0 (stderr: ${result.stderr}, stdout: ${result.stdout.slice(0, 400)})`);
    const expected = /# prints (.+)\n?$/.exec(block.code)?.[1];
    if (expected !== undefined) assert.equal(result.stdout.trim(), expected.trim());
    else assert.ok(result.stdout.trim().length > 0, 'prints something');
    if (block.code.includes('"stream": true'))
      assert.ok(result.stdout.trimEnd().endsWith('data: [DONE]'), 'the stream ends with [DONE]');
    else if (expected === undefined && block.language === 'sh' && block.code.includes('/v1/')) {
      const parsed = JSON.parse(result.stdout) as {
        object: string;
        vidtok?: { pipeline: string; assistant_prefix?: string };
      };
      assert.ok(['chat.completion', 'list'].includes(parsed.object), parsed.object);
      // The vidtok options reach the model: PLLaVA's multiple-choice wording ends in its assistant prefix.
      if (block.code.includes('"pipeline": "pllava"'))
        assert.deepEqual([parsed.vidtok?.pipeline, parsed.vidtok?.assistant_prefix], ['pllava', 'Best option:(']);
    }
  });
}
