/**
 * @file Paths the tests share: the repository root, ../shared (override with VIDTOK_SHARED), its clips and golden
 * cases, and a per-run scratch directory under test/.tmp.
 */
import { mkdtempSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const sharedDir = process.env.VIDTOK_SHARED ?? resolve(repoRoot, '..', 'shared');
export const goldenCasesDir = join(sharedDir, 'golden', 'cases');
export const sharedVideosDir = join(sharedDir, 'videos');
export const sharedVideo = (name: string): string => join(sharedVideosDir, name);

/** A fresh scratch directory for one test file. */
export function scratchDir(prefix: string): string {
  const base = join(repoRoot, 'test', '.tmp');
  mkdirSync(base, { recursive: true });
  return mkdtempSync(join(base, `${prefix}-`));
}
