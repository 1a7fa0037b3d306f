/**
 * @file `vidtok models check <dir>`: the tiny fixtures (SmolVLM2 in every dtype style, the GroupQueryAttention
 * export, LLaVA-OneVision) pass it, the report lists every graph's I/O and operators, the chunked-prefill and greedy
 * checks ran, and an export whose chat template drops the user's text fails with exit code 8. The CLI child is
 * exercised once (exit code and output on stdout).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, describe, it } from 'node:test';
import type { CommandContext } from '../../src/cli/command.js';
import { modelsCommand } from '../../src/cli/commands/models.js';
import { checkModel } from '../../src/runtime/index.js';
import { repoRoot } from '../helpers/paths.js';
import { cloneFixture, removeClones } from './clone-fixture.js';
import { llavaOnevisionFixture, smolvlm2Fixture, smolvlm2GqaFixture } from './fixture-models.js';

async function runCheck(model: string, dtype?: string): Promise<{ code: number; stdout: string }> {
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const context: CommandContext = {
    signal: new AbortController().signal,
    verbose: false,
    stdout,
    stderr: new PassThrough(),
    interactive: false,
  };
  const code = await modelsCommand.run(
    { action: 'check', model, json: false, aliases: false, ...(dtype ? { dtype } : {}) },
    context,
  );
  return { code: code ?? 0, stdout: text };
}

describe('vidtok models check', () => {
  after(removeClones);

  for (const [name, directory, dtype] of [
    ['SmolVLM2 fp32', smolvlm2Fixture, undefined],
    [
      'SmolVLM2 q4f16 decoder, q4 embed, q8 vision',
      smolvlm2Fixture,
      'embed_tokens=q4,vision_encoder=q8,decoder_model_merged=q4f16',
    ],
    ['SmolVLM2 int8 decoder', smolvlm2Fixture, 'decoder_model_merged=int8'],
    ['GroupQueryAttention export', smolvlm2GqaFixture, undefined],
    ['LLaVA-OneVision', llavaOnevisionFixture, undefined],
  ] as const) {
    it(`passes on the ${name} fixture and reports graphs, checks and stage times`, async () => {
      const { code, stdout } = await runCheck(directory, dtype);
      assert.equal(code, 0, stdout);
      assert.match(stdout, /all checks passed\n$/);
      for (const graph of ['embed_tokens', 'vision_encoder', 'decoder_model_merged'])
        assert.match(stdout, new RegExp(`^  ${graph}: .*\\.onnx$`, 'm'));
      assert.match(stdout, /^ {4}in {2}attention_mask int64 \[/m);
      assert.match(stdout, /^ {4}out logits float(16|32) \[/m);
      assert.match(stdout, /^ {2}ok {3}chunked prefill: \d+ tokens in one call vs chunks of 7/m);
      assert.match(stdout, /^ {2}ok {3}greedy answer: 12 tokens/m);
      assert.match(
        stdout,
        /^stages: load \d+ ms, encode frames \d+ ms, prefill \(one call\) \d+ ms, prefill \(chunks\) \d+ ms, decode \d+ ms$/m,
      );
      if (dtype?.includes('q4f16')) assert.match(stdout, /com\.microsoft:MatMulNBits×15/);
      if (directory === smolvlm2GqaFixture) assert.match(stdout, /com\.microsoft:GroupQueryAttention×2/);
    });
  }

  it('the JSON report carries the same checks', async () => {
    const report = await checkModel(smolvlm2GqaFixture);
    assert.equal(report.passed, true);
    assert.deepEqual(
      report.checks.map((check) => check.name),
      ['tokenizer round trip', 'chunked prefill', 'greedy answer'],
    );
    const decoder = report.graphs.find((graph) => graph.graph === 'decoder_model_merged')!;
    assert.ok(!decoder.inputs.some((port) => port.name === 'position_ids'));
  });

  it('fails with exit code 8 when the chat template loses the user text', async () => {
    const directory = cloneFixture(smolvlm2Fixture, 'check-template');
    const broken =
      "<|im_start|>{% for message in messages %}{{message['role'] | capitalize}}: <end_of_utterance>\n{% endfor %}{% if add_generation_prompt %}{{ 'Assistant:' }}{% endif %}";
    const config = JSON.parse(readFileSync(join(directory, 'tokenizer_config.json'), 'utf8'));
    config.chat_template = broken;
    writeFileSync(join(directory, 'tokenizer_config.json'), JSON.stringify(config));
    writeFileSync(join(directory, 'chat_template.json'), JSON.stringify({ chat_template: broken }));
    const { code, stdout } = await runCheck(directory);
    assert.equal(code, 8);
    assert.match(stdout, /^ {2}FAIL tokenizer round trip: the question does not survive the template/m);
    assert.match(stdout, /some checks FAILED\n$/);
  });

  it('runs as a CLI command: report on stdout, exit 0', () => {
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(repoRoot, 'src', 'cli', 'main.ts'), 'models', 'check', smolvlm2GqaFixture, '--json'],
      {
        cwd: repoRoot,
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    assert.equal(result.status, 0, result.stderr);
    const report = JSON.parse(result.stdout) as { passed: boolean; family: string };
    assert.equal(report.passed, true);
    assert.equal(report.family, 'smolvlm2');
  });

  it('--quantized-compute: the default reports the 8-bit nodes it runs with int8 activations, exported none', () => {
    const check = (...extra: string[]) =>
      spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          join(repoRoot, 'src', 'cli', 'main.ts'),
          'models',
          'check',
          smolvlm2Fixture,
          '--dtype',
          'decoder_model_merged=q8',
          ...extra,
        ],
        { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 },
      );
    const auto = check();
    assert.equal(auto.status, 0, auto.stderr);
    assert.match(auto.stdout, /^ {4}15 MatMulNBits nodes run with int8 activations/m);
    const exported = check('--quantized-compute', 'exported');
    assert.equal(exported.status, 0, exported.stderr);
    assert.doesNotMatch(exported.stdout, /int8 activations/);
    const bogus = check('--quantized-compute', 'fast');
    assert.equal(bogus.status, 2);
    assert.match(bogus.stderr, /quantized-compute/);
  });
});
