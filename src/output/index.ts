/** @file Barrel of the caption output writers (JSON Lines, JSON, SRT, WebVTT) and the atomic file writer. */
export * from './atomic-write.js';
export * from './caption-document.js';
export * from './caption-format.js';
export * from './json.js';
export * from './jsonl.js';
export * from './srt.js';
export * from './timestamp.js';
export * from './vtt.js';
export * from './write-caption-outputs.js';
