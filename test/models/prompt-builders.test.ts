/**
 * @file Prompt formats per family, checked against the strings in the spec (SmolVLM2's Python video expansion and
 * LLaVA-OneVision's chat format), the segment-label rule, num2words spelling and timestamp formats.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TokenSegment, TokenStream, VisualSegment } from '../../src/core/token-stream.js';
import { llavaOnevisionFamily, smolvlm2Family } from '../../src/models/index.js';
import { numberToWords } from '../../src/models/number-words.js';
import { hoursMinutesSeconds, minutesSeconds } from '../../src/models/timestamp-text.js';
import { llavaOnevisionFixture, smolvlm2Fixture } from '../runtime/fixture-models.js';
import { locateModelFiles } from '../../src/runtime/model-files.js';
import { loadTextTokenizer } from '../../src/runtime/text-tokenizer.js';

function visual(count: number, timestamps: number[], extra: Partial<VisualSegment> = {}): VisualSegment {
  return {
    type: 'visual',
    role: 'frames',
    tokens: new Float32Array(count * 4),
    count,
    dim: 4,
    timestamps,
    frameIndices: timestamps.map((t) => t * 30),
    ...extra,
  };
}

function stream(segments: TokenSegment[]): TokenStream {
  return { dim: 4, segments, metadata: { pipeline: 'test', encoder: 'test', params: {} } };
}

const smolTokenizer = loadTextTokenizer(locateModelFiles(smolvlm2Fixture));
const llavaTokenizer = loadTextTokenizer(locateModelFiles(llavaOnevisionFixture));
const wrapped = (count: number): string =>
  `<fake_token_around_image><global-img>${'<image>'.repeat(count)}<fake_token_around_image>`;

describe('SmolVLM2 prompt', () => {
  it('matches the Python video expansion for per-frame segments', () => {
    const input = stream([visual(64, [0]), visual(64, [1.5])]);
    const text =
      smolvlm2Family.contextText(input, smolTokenizer, { videoDuration: 8.7 }) +
      smolvlm2Family.questionText('Describe this video.', smolTokenizer, { videoDuration: 8.7 });
    const expected =
      '<|im_start|>User: You are provided the following series of two frames from a 0:00:08 [H:MM:SS] video.\n' +
      `\nFrame from 00:00:${wrapped(64)}` +
      `\nFrame from 00:01:${wrapped(64)}` +
      '\n\nDescribe this video.<end_of_utterance>\nAssistant:';
    assert.equal(text, expected);
  });

  it('labels multi-frame segments with their span, composed images as images, and keeps text segments verbatim', () => {
    const input = stream([
      { type: 'text', text: 'Slow pathway:' },
      visual(16, [3, 4, 7.9], { role: 'slow' }),
      visual(9, [62, 75], { role: 'grid', isImage: true }),
      visual(5, [10, 10.5], { role: 'sampled' }),
    ]);
    const text = smolvlm2Family.contextText(input, smolTokenizer, {});
    assert.ok(
      text.endsWith(
        'Slow pathway:' +
          `\nFrames from 00:03 to 00:07:${wrapped(16)}` +
          `\nImage of frames from 01:02 to 01:15:${wrapped(9)}` +
          `\nFrames from 00:10:${wrapped(5)}`,
      ),
    );
    assert.ok(text.includes('series of seven frames from a 0:01:15 [H:MM:SS] video.'));
    const ids = smolTokenizer.encode(text);
    assert.equal(ids.filter((id) => id === 49190).length, 16 + 9 + 5);
    assert.equal(ids[0], 1);
    assert.equal(ids.filter((id) => id === 1).length, 1, 'no doubled <|im_start|>');
  });

  it('writes a tiled image exactly as get_image_prompt_string writes a split image', () => {
    const tiled = visual(2 * 3 * 2 + 3, [0, 1, 2, 3, 4, 5], {
      role: 'grid',
      isImage: true,
      tiles: { rows: 2, cols: 3, tokensPerTile: 2, globalTokens: 3 },
    });
    const text = smolvlm2Family.contextText(stream([tiled]), smolTokenizer, { videoDuration: 6 });
    const tile = (row: number, column: number): string =>
      `<fake_token_around_image><row_${row}_col_${column}><image><image>`;
    const expected =
      '\nImage of frames from 00:00 to 00:05:' +
      `${tile(1, 1)}${tile(1, 2)}${tile(1, 3)}\n` +
      `${tile(2, 1)}${tile(2, 2)}${tile(2, 3)}\n` +
      '\n<fake_token_around_image><global-img><image><image><image><fake_token_around_image>';
    assert.ok(text.endsWith(expected), text);
    assert.ok(text.includes('series of six frames from a 0:00:06 [H:MM:SS] video.'));
    const ids = smolTokenizer.encode(text);
    assert.equal(ids.filter((id) => id === 49190).length, tiled.count, 'one <image> position per token of the segment');
    for (let row = 1; row <= 2; row++) {
      for (let column = 1; column <= 3; column++) {
        assert.equal(
          ids.filter((id) => id === 49153 + (row - 1) * 6 + (column - 1)).length,
          1,
          `<row_${row}_col_${column}> is one special token`,
        );
      }
    }
    assert.equal(ids.filter((id) => id === 49152).length, 1, 'one <global-img>');
  });

  it('a 1x1 tiled image still writes its tile and the global image', () => {
    const tiled = visual(4 + 4, [2], { isImage: true, tiles: { rows: 1, cols: 1, tokensPerTile: 4, globalTokens: 4 } });
    const text = smolvlm2Family.contextText(stream([tiled]), smolTokenizer, {});
    assert.ok(
      text.endsWith(`\nImage from 00:02:<fake_token_around_image><row_1_col_1>${'<image>'.repeat(4)}\n\n${wrapped(4)}`),
    );
  });

  it('SmolVLM2 refuses a tiled image whose count disagrees with its tiles, or whose grid has no row/column tokens', () => {
    const wrong = visual(10, [0], { isImage: true, tiles: { rows: 2, cols: 2, tokensPerTile: 2, globalTokens: 3 } });
    assert.throws(
      () => smolvlm2Family.contextText(stream([wrong]), smolTokenizer, {}),
      /10 tokens but its 2x2 tiles of 2 plus 3 global make 11/,
    );
    // LLaVA-OneVision's anyres count is its packed, unpadded grid: it writes `count` whatever the tiles multiply to.
    assert.equal(
      llavaOnevisionFamily.contextText(stream([wrong]), llavaTokenizer, {}),
      `<|im_start|>user ${'<image>'.repeat(10)}`,
    );
    const wide = visual(7 * 1 + 1, [0], {
      isImage: true,
      tiles: { rows: 1, cols: 7, tokensPerTile: 1, globalTokens: 1 },
    });
    assert.throws(
      () => smolvlm2Family.contextText(stream([wide]), smolTokenizer, {}),
      /1x7 tiles; SmolVLM2 writes 1x1 to 6x6/,
    );
  });

  it('counts distinct source frames in the intro: pooled, sampled-plus-thumbnail and composed streams', () => {
    const fifty = Array.from({ length: 50 }, (_, index) => index * 0.5);
    const tsLlava = stream([
      visual(40, fifty, { role: 'sampled' }),
      visual(8, [0, 5, 10, 15, 20, 24.5], { role: 'thumbnail', isImage: true }),
    ]);
    assert.ok(
      smolvlm2Family
        .contextText(tsLlava, smolTokenizer, { videoDuration: 25.2 })
        .includes('series of fifty frames from a 0:00:25 [H:MM:SS] video.'),
    );
    const slowFast = stream([visual(20, [0, 5, 10], { role: 'slow' }), visual(30, fifty, { role: 'fast' })]);
    const slowFastText = smolvlm2Family.contextText(slowFast, smolTokenizer, {});
    assert.ok(
      slowFastText.includes('series of fifty frames from a 0:00:24 [H:MM:SS] video.'),
      'duration falls back to the last timestamp',
    );
    assert.ok(
      slowFastText.includes(`\nFrames from 00:00 to 00:10:${wrapped(20)}\nFrames from 00:00 to 00:24:${wrapped(30)}`),
    );
    // Frame indices, not timestamps, identify frames: two frames at the same whole second are two frames.
    const sameSecond = stream([
      { ...visual(1, [3.1]), frameIndices: [93] },
      { ...visual(1, [3.6]), frameIndices: [108] },
    ]);
    assert.ok(smolvlm2Family.contextText(sameSecond, smolTokenizer, {}).includes('series of two frames'));
  });

  it('a pooled span label costs one timestamp more than a per-frame label, once per segment', () => {
    const single = smolTokenizer.encode('\nFrame from 00:03:').length;
    const pooled = smolTokenizer.encode('\nFrames from 00:03 to 00:07:').length;
    const timestamp = smolTokenizer.encode(' to 00:07').length;
    assert.ok(
      pooled <= single + timestamp + 1,
      `pooled label ${pooled} tokens, per-frame ${single}, one more timestamp ${timestamp}`,
    );
    // A pooled segment of 16 frames carries one label, not sixteen.
    const text = smolvlm2Family.contextText(
      stream([
        visual(
          8,
          Array.from({ length: 16 }, (_, index) => index),
        ),
      ]),
      smolTokenizer,
      {},
    );
    assert.equal(text.split('Frame').length - 1, 1);
  });

  it('continues an assistant prefix after the generation prompt', () => {
    const options = { assistantPrefix: 'Answer: In the video,' };
    const question = smolvlm2Family.questionText('What happens?', smolTokenizer, options);
    assert.equal(question, '\n\nWhat happens?<end_of_utterance>\nAssistant: Answer: In the video,');
    // Exactly the text the template writes for an assistant message starting with the prefix, cut after it.
    const asMessage = smolTokenizer.applyChatTemplate([
      { role: 'user', content: [{ type: 'text', text: 'What happens?' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'Answer: In the video,' }] },
    ]);
    assert.ok(
      asMessage.startsWith(`<|im_start|>User: What happens?<end_of_utterance>\nAssistant: Answer: In the video,`),
    );
    assert.equal(
      smolvlm2Family.questionText('What happens?', smolTokenizer, {}),
      '\n\nWhat happens?<end_of_utterance>\nAssistant:',
    );
  });

  it('puts an optional system message first', () => {
    const text = smolvlm2Family.contextText(stream([visual(1, [0])]), smolTokenizer, { systemPrompt: 'Be brief.' });
    assert.ok(text.startsWith('<|im_start|>System: Be brief.<end_of_utterance>\nUser: You are provided'));
  });

  it('the fixture tokenizer has the real special token ids', () => {
    const expected: Record<string, number> = {
      '<|im_start|>': 1,
      '<global-img>': 49152,
      '<fake_token_around_image>': 49189,
      '<image>': 49190,
      '<end_of_utterance>': 49279,
      '<row_2_col_3>': 49153 + 6 + 2,
    };
    for (const [token, id] of Object.entries(expected)) assert.equal(smolTokenizer.tokenId(token), id, token);
  });
});

describe('LLaVA-OneVision prompt', () => {
  it('is <|im_start|>user <video>...\\n{question}<|im_end|><|im_start|>assistant\\n', () => {
    const input = stream([visual(196, [0]), visual(196, [1]), visual(4, [0, 1], { isImage: true, role: 'thumbnail' })]);
    const text =
      llavaOnevisionFamily.contextText(input, llavaTokenizer, {}) +
      llavaOnevisionFamily.questionText('What is shown?', llavaTokenizer, {});
    assert.equal(
      text,
      `<|im_start|>user ${'<video>'.repeat(392)}${'<image>'.repeat(4)}\nWhat is shown?<|im_end|><|im_start|>assistant\n`,
    );
    const ids = llavaTokenizer.encode(text);
    assert.equal(ids.filter((id) => id === 151647).length, 392);
    assert.equal(ids.filter((id) => id === 151646).length, 4);
    assert.equal(ids[0], 151644);
    const end = ids.indexOf(151645);
    assert.equal(ids[end + 1], 151644, '<|im_end|> directly followed by <|im_start|>');
    assert.equal(ids.at(-1), llavaTokenizer.encode('\n')[0]);
  });
});

describe('LLaVA-OneVision tiled images and assistant prefix', () => {
  it('writes count <image> placeholders for a tiled (anyres) image', () => {
    const tiled = visual(4 * 3 + 5, [0, 1], {
      isImage: true,
      role: 'grid',
      tiles: { rows: 2, cols: 2, tokensPerTile: 3, globalTokens: 5 },
    });
    const text = llavaOnevisionFamily.contextText(stream([visual(6, [0]), tiled]), llavaTokenizer, {});
    assert.equal(text, `<|im_start|>user ${'<video>'.repeat(6)}${'<image>'.repeat(17)}`);
    const ids = llavaTokenizer.encode(text);
    assert.equal(ids.filter((id) => id === 151646).length, tiled.count);
  });

  it('ends with <|im_start|>assistant\\n{prefix}', () => {
    const text = llavaOnevisionFamily.questionText('Which one?', llavaTokenizer, { assistantPrefix: 'Best option:(' });
    assert.equal(text, '\nWhich one?<|im_end|><|im_start|>assistant\nBest option:(');
  });
});

describe('number words and timestamps', () => {
  it('spells numbers like num2words', () => {
    const cases: [number, string][] = [
      [0, 'zero'],
      [8, 'eight'],
      [13, 'thirteen'],
      [21, 'twenty-one'],
      [40, 'forty'],
      [64, 'sixty-four'],
      [100, 'one hundred'],
      [105, 'one hundred and five'],
      [999, 'nine hundred and ninety-nine'],
      [1000, 'one thousand'],
      [1005, 'one thousand and five'],
      [1203, 'one thousand, two hundred and three'],
      [20000, 'twenty thousand'],
    ];
    for (const [value, words] of cases) assert.equal(numberToWords(value), words);
    assert.throws(() => numberToWords(-1), RangeError);
  });

  it('formats MM:SS and H:MM:SS with whole seconds', () => {
    assert.equal(minutesSeconds(0), '00:00');
    assert.equal(minutesSeconds(75.9), '01:15');
    assert.equal(minutesSeconds(3600 + 5), '60:05');
    assert.equal(hoursMinutesSeconds(8.99), '0:00:08');
    assert.equal(hoursMinutesSeconds(3725), '1:02:05');
  });
});
