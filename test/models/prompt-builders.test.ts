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
  return { type: 'visual', role: 'frames', tokens: new Float32Array(count * 4), count, dim: 4, timestamps, frameIndices: timestamps.map((t) => t * 30), ...extra };
}

function stream(segments: TokenSegment[]): TokenStream {
  return { dim: 4, segments, metadata: { pipeline: 'test', encoder: 'test', params: {} } };
}

const smolTokenizer = loadTextTokenizer(locateModelFiles(smolvlm2Fixture));
const llavaTokenizer = loadTextTokenizer(locateModelFiles(llavaOnevisionFixture));
const wrapped = (count: number): string => `<fake_token_around_image><global-img>${'<image>'.repeat(count)}<fake_token_around_image>`;

describe('SmolVLM2 prompt', () => {
  it('matches the Python video expansion for per-frame segments', () => {
    const input = stream([visual(64, [0]), visual(64, [1.5])]);
    const text = smolvlm2Family.contextText(input, smolTokenizer, { videoDuration: 8.7 }) + smolvlm2Family.questionText('Describe this video.', smolTokenizer, { videoDuration: 8.7 });
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
    assert.ok(text.endsWith(
      'Slow pathway:' +
        `\nFrames from 00:03 to 00:07:${wrapped(16)}` +
        `\nImage of frames from 01:02 to 01:15:${wrapped(9)}` +
        `\nFrames from 00:10:${wrapped(5)}`,
    ));
    assert.ok(text.includes('series of seven frames from a 0:01:15 [H:MM:SS] video.'));
    const ids = smolTokenizer.encode(text);
    assert.equal(ids.filter((id) => id === 49190).length, 16 + 9 + 5);
    assert.equal(ids[0], 1);
    assert.equal(ids.filter((id) => id === 1).length, 1, 'no doubled <|im_start|>');
  });

  it('puts an optional system message first', () => {
    const text = smolvlm2Family.contextText(stream([visual(1, [0])]), smolTokenizer, { systemPrompt: 'Be brief.' });
    assert.ok(text.startsWith('<|im_start|>System: Be brief.<end_of_utterance>\nUser: You are provided'));
  });

  it('the fixture tokenizer has the real special token ids', () => {
    const expected: Record<string, number> = { '<|im_start|>': 1, '<global-img>': 49152, '<fake_token_around_image>': 49189, '<image>': 49190, '<end_of_utterance>': 49279, '<row_2_col_3>': 49153 + 6 + 2 };
    for (const [token, id] of Object.entries(expected)) assert.equal(smolTokenizer.tokenId(token), id, token);
  });
});

describe('LLaVA-OneVision prompt', () => {
  it('is <|im_start|>user <video>...\\n{question}<|im_end|><|im_start|>assistant\\n', () => {
    const input = stream([visual(196, [0]), visual(196, [1]), visual(4, [0, 1], { isImage: true, role: 'thumbnail' })]);
    const text = llavaOnevisionFamily.contextText(input, llavaTokenizer, {}) + llavaOnevisionFamily.questionText('What is shown?', llavaTokenizer, {});
    assert.equal(text, `<|im_start|>user ${'<video>'.repeat(392)}${'<image>'.repeat(4)}\nWhat is shown?<|im_end|><|im_start|>assistant\n`);
    const ids = llavaTokenizer.encode(text);
    assert.equal(ids.filter((id) => id === 151647).length, 392);
    assert.equal(ids.filter((id) => id === 151646).length, 4);
    assert.equal(ids[0], 151644);
    const end = ids.indexOf(151645);
    assert.equal(ids[end + 1], 151644, '<|im_end|> directly followed by <|im_start|>');
    assert.equal(ids.at(-1), llavaTokenizer.encode('\n')[0]);
  });
});

describe('number words and timestamps', () => {
  it('spells numbers like num2words', () => {
    const cases: [number, string][] = [
      [0, 'zero'], [8, 'eight'], [13, 'thirteen'], [21, 'twenty-one'], [40, 'forty'], [64, 'sixty-four'], [100, 'one hundred'],
      [105, 'one hundred and five'], [999, 'nine hundred and ninety-nine'], [1000, 'one thousand'], [1005, 'one thousand and five'],
      [1203, 'one thousand, two hundred and three'], [20000, 'twenty thousand'],
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
