/**
 * @file `vidtok models pull|list|rm`: the real CLI in a child process against the hub-layout server (exit codes,
 * one-line errors, JSON progress lines when stderr is not a terminal), and the command in-process with an
 * interactive context to check the progress bar.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { CommandContext } from '../../src/cli/command.js';
import { modelsCommand } from '../../src/cli/commands/models.js';
import { fixtureVlmRepository, startHubServer, type HubServer } from '../helpers/hub-server.js';
import { repoRoot, scratchDir } from '../helpers/paths.js';

interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runCli(argv: readonly string[], environment: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src', 'cli', 'main.ts'), ...argv], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...environment },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const deadline = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(deadline);
      resolve({ code, stdout, stderr });
    });
  });
}

function collector(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream, text: () => text };
}

describe('vidtok models', () => {
  let server: HubServer;
  before(async () => {
    server = await startHubServer({
      repositories: [fixtureVlmRepository('HuggingFaceTB/SmolVLM2-256M-Video-Instruct', { graphBytes: 300_000 })],
    });
  });
  after(async () => server.close());

  it('pulls with JSON progress on a non-terminal stderr, lists, removes, and exits 8 with one line for a missing repo', async () => {
    const cache = scratchDir('hub-cli');
    const environment = { HF_ENDPOINT: server.endpoint, VIDTOK_CACHE_DIR: cache };
    const pulled = await runCli(['models', 'pull', 'smolvlm2-256m'], environment);
    assert.equal(pulled.code, 0, pulled.stderr);
    const snapshot = join(cache, 'HuggingFaceTB--SmolVLM2-256M-Video-Instruct', 'main');
    const [summary, directory, rest] = pulled.stdout.split('\n');
    assert.match(
      summary ?? '',
      /^HuggingFaceTB\/SmolVLM2-256M-Video-Instruct@main \(embed_tokens=fp16,vision_encoder=q4,decoder_model_merged=q4\): pulled \d+(\.\d)? kB$/,
    );
    assert.equal(directory, snapshot);
    assert.equal(rest, '');
    const events = pulled.stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string });
    assert.equal(events[0]?.type, 'listing');
    assert.equal(events.at(-1)?.type, 'done');
    assert.equal(events.filter((event) => event.type === 'file-done').length, 9);
    assert.ok(existsSync(join(snapshot, 'onnx', 'vision_encoder_q4.onnx')));

    const listed = await runCli(['models', 'list', '--json'], environment);
    assert.equal(listed.code, 0, listed.stderr);
    const listing = JSON.parse(listed.stdout) as { models: { alias: string; dtypes: Record<string, string[]> }[] };
    assert.equal(listing.models.length, 1);
    assert.equal(listing.models[0]?.alias, 'smolvlm2-256m');
    assert.deepEqual(listing.models[0]?.dtypes.vision_encoder, ['q4']);

    const text = await runCli(['models', 'list', '--cache-dir', cache], {});
    assert.match(
      text.stdout,
      /^smolvlm2-256m \(HuggingFaceTB\/SmolVLM2-256M-Video-Instruct\)@main {2}\d+(\.\d)? kB {2}embed_tokens=fp16 vision_encoder=q4 decoder_model_merged=q4$/m,
    );

    const missing = await runCli(['models', 'pull', 'nobody/nothing-here'], environment);
    assert.equal(missing.code, 8);
    const lastLine = missing.stderr.trim().split('\n').at(-1) ?? '';
    assert.match(
      lastLine,
      /^vidtok: nobody\/nothing-here: repository not found on http:\/\/127\.0\.0\.1:\d+ \(HTTP 404\); check the name, or set HF_TOKEN for a private or gated repository$/,
    );

    const removed = await runCli(['models', 'rm', 'smolvlm2-256m'], environment);
    assert.equal(removed.code, 0, removed.stderr);
    assert.match(removed.stdout, /^removed HuggingFaceTB\/SmolVLM2-256M-Video-Instruct \(\d/);
    assert.equal(existsSync(snapshot), false);

    const usage = await runCli(['models', 'pull'], environment);
    assert.equal(usage.code, 2);
    assert.equal(usage.stderr, 'vidtok: models pull: name a model (an alias or owner/name)\n');
    const badDtype = await runCli(['models', 'pull', 'smolvlm2-256m', '--dtype', 'q5'], environment);
    assert.equal(badDtype.code, 2);
    assert.match(badDtype.stderr, /^vidtok: --dtype 'q5': unknown dtype/);
  });

  it('draws a progress bar on an interactive stderr and writes the result to stdout', async () => {
    const cache = scratchDir('hub-cli-tty');
    const stdout = collector();
    const stderr = collector();
    const context: CommandContext = {
      signal: new AbortController().signal,
      verbose: false,
      stdout: stdout.stream,
      stderr: stderr.stream,
      interactive: true,
    };
    const previous = process.env.HF_ENDPOINT;
    process.env.HF_ENDPOINT = server.endpoint;
    try {
      const code = await modelsCommand.run(
        { action: 'pull', model: 'smolvlm2-256m', 'cache-dir': cache, json: true, aliases: false },
        context,
      );
      assert.equal(code, 0);
    } finally {
      if (previous === undefined) delete process.env.HF_ENDPOINT;
      else process.env.HF_ENDPOINT = previous;
    }
    const result = JSON.parse(stdout.text()) as { directory: string; dtypes: string; upToDate: boolean };
    assert.equal(result.dtypes, 'embed_tokens=fp16,vision_encoder=q4,decoder_model_merged=q4');
    assert.equal(result.upToDate, false);
    assert.match(stderr.text(), /\r\[#{30}\] 100% {2}\S+ kB\/\S+ kB/);
    assert.ok(stderr.text().endsWith('\n'), 'the bar line is closed');
    assert.ok(!stderr.text().includes('{'), 'no JSON lines on a terminal');
  });
});
