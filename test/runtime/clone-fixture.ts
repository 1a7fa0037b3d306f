/**
 * @file Builds broken or altered copies of a fixture model under test/.tmp: small files are copied, graphs are
 * symlinked (replace one by writing a file at its path after `unlinkSync`). Also a minimal ONNX protobuf writer for
 * hand-made graphs (unknown operators, external data locations).
 */
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { scratchDir } from '../helpers/paths.js';

const clones: string[] = [];

/** A copy of `fixture` in a fresh scratch directory (removed by `removeClones`). */
export function cloneFixture(fixture: string, prefix: string): string {
  const target = join(scratchDir(prefix), 'model');
  clones.push(dirname(target));
  mkdirSync(join(target, 'onnx'), { recursive: true });
  for (const entry of readdirSync(fixture)) {
    if (statSync(join(fixture, entry)).isFile()) copyFileSync(join(fixture, entry), join(target, entry));
  }
  for (const entry of readdirSync(join(fixture, 'onnx')))
    symlinkSync(join(fixture, 'onnx', entry), join(target, 'onnx', entry));
  return target;
}

/** Removes every clone made so far. */
export function removeClones(): void {
  for (const directory of clones.splice(0)) rmSync(directory, { recursive: true, force: true });
}

function varint(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
  return out;
}

/** A protobuf field: varint (number) or length-delimited (string / nested bytes). */
export function field(number: number, value: number | string | Uint8Array): Uint8Array {
  if (typeof value === 'number') return Uint8Array.from([...varint(number * 8), ...varint(value)]);
  const payload = typeof value === 'string' ? new TextEncoder().encode(value) : value;
  return Uint8Array.from([...varint(number * 8 + 2), ...varint(payload.length), ...payload]);
}

export function message(...fields: Uint8Array[]): Uint8Array {
  return Uint8Array.from(fields.flatMap((part) => [...part]));
}

/** ModelProto { ir_version 8, graph, opset_import { version 14 } }. */
export function onnxModel(graph: Uint8Array): Uint8Array {
  return message(field(1, 8), field(7, graph), field(8, message(field(2, 14))));
}
