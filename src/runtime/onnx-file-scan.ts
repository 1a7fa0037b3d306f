/**
 * @file A structural scan of an ONNX file (protobuf wire format) before any native code sees it: it checks that
 * the file is a well-formed ModelProto with a graph, and collects every external-data location that an initializer
 * (in the main graph or any subgraph) points to, so the loader can refuse locations outside the model directory.
 * Large tensor payloads are skipped by offset, never read, so scanning a 500 MB graph reads only a few kilobytes.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { ModelLoadError } from '../errors/index.js';
import { type ByteSource, fieldText, readVarint, WireFormatError, wireFields as fields } from './protobuf-wire.js';

/** What the scan found. */
export interface OnnxFileScan {
  /** External-data `location` values, as written in the file (relative to the file's directory). */
  readonly externalLocations: readonly string[];
  /** Number of initializers seen (all graphs). */
  readonly initializerCount: number;
  /** Every tensor stored as external data: its location, declared offset/length, dims and data type. */
  readonly externalTensors: readonly ExternalTensor[];
  /** Node count per operator, keyed `domain:op_type` for contrib domains and `op_type` for the default one. */
  readonly operators: Readonly<Record<string, number>>;
}

/** A tensor whose bytes live in an external-data file (TensorProto fields as written; see src/runtime/model-file-limits.ts). */
export interface ExternalTensor {
  readonly location: string;
  readonly offset?: number;
  readonly length?: number;
  readonly dims: readonly number[];
  /** TensorProto.DataType (1 float, 10 float16, ...). */
  readonly dataType: number;
}

const windowSize = 1 << 16;

/** Random access over a file through a small read window. */
class FileWindow implements ByteSource {
  private readonly buffer = Buffer.allocUnsafe(windowSize);
  private start = 0;
  private end = 0;

  constructor(
    private readonly descriptor: number,
    readonly size: number,
  ) {}

  byte(position: number): number {
    if (position < this.start || position >= this.end) this.fill(position);
    return this.buffer[position - this.start]!;
  }

  bytes(position: number, length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    readSync(this.descriptor, out, 0, length, position);
    return out;
  }

  private fill(position: number): void {
    const length = Math.min(windowSize, this.size - position);
    const read = readSync(this.descriptor, this.buffer, 0, length, position);
    this.start = position;
    this.end = position + read;
  }
}

interface Collected {
  locations: string[];
  externalTensors: ExternalTensor[];
  initializers: number;
  operators: Record<string, number>;
}

function scanTensor(file: ByteSource, start: number, end: number, out: Collected): void {
  out.initializers += 1;
  const dims: number[] = [];
  let dataType = 0;
  const external: Record<string, string> = {};
  for (const field of fields(file, start, end)) {
    if (field.number === 1 && field.wireType === 0)
      dims.push(readVarint(file, field.start, field.end).value); // dims
    else if (field.number === 1 && field.wireType === 2) {
      for (let position = field.start; position < field.end; ) {
        const dim = readVarint(file, position, field.end); // packed dims
        dims.push(dim.value);
        position = dim.next;
      }
    } else if (field.number === 2 && field.wireType === 0) dataType = readVarint(file, field.start, field.end).value;
    if (field.number !== 13 || field.wireType !== 2) continue; // external_data: StringStringEntryProto
    let key = '';
    let value = '';
    for (const entry of fields(file, field.start, field.end)) {
      if (entry.wireType !== 2) continue;
      const text = fieldText(file, entry);
      if (entry.number === 1) key = text;
      else if (entry.number === 2) value = text;
    }
    if (key === 'location') out.locations.push(value);
    external[key] = value;
  }
  if (external.location !== undefined) {
    const number = (text: string | undefined): number | undefined =>
      text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
    const offset = number(external.offset);
    const length = number(external.length);
    out.externalTensors.push({
      location: external.location,
      dims,
      dataType,
      ...(offset !== undefined ? { offset } : {}),
      ...(length !== undefined ? { length } : {}),
    });
  }
}

function scanAttribute(file: ByteSource, start: number, end: number, out: Collected): void {
  for (const field of fields(file, start, end)) {
    if (field.wireType !== 2) continue;
    if (field.number === 5 || field.number === 10)
      scanTensor(file, field.start, field.end, out); // t, tensors
    else if (field.number === 6 || field.number === 11) scanGraph(file, field.start, field.end, out); // g, graphs
  }
}

function scanGraph(file: ByteSource, start: number, end: number, out: Collected): void {
  for (const field of fields(file, start, end)) {
    if (field.wireType !== 2) continue;
    if (field.number === 5)
      scanTensor(file, field.start, field.end, out); // initializer
    else if (field.number === 1) {
      let operator = '';
      let domain = '';
      for (const nodeField of fields(file, field.start, field.end)) {
        if (nodeField.wireType !== 2) continue;
        if (nodeField.number === 5) scanAttribute(file, nodeField.start, nodeField.end, out);
        else if (nodeField.number === 4) operator = fieldText(file, nodeField);
        else if (nodeField.number === 7) domain = fieldText(file, nodeField);
      }
      const key = domain === '' || domain === 'ai.onnx' ? operator : `${domain}:${operator}`;
      out.operators[key] = (out.operators[key] ?? 0) + 1;
    }
  }
}

/** Scans `path`; a file that is not a well-formed ONNX ModelProto with a graph throws ModelLoadError naming it. */
export function scanOnnxFile(path: string): OnnxFileScan {
  const descriptor = openSync(path, 'r');
  try {
    const size = fstatSync(descriptor).size;
    if (size === 0) throw new ModelLoadError(path, 'empty file (not an ONNX model)');
    const file = new FileWindow(descriptor, size);
    const out: Collected = { locations: [], externalTensors: [], initializers: 0, operators: {} };
    let graphs = 0;
    try {
      for (const field of fields(file, 0, size)) {
        if (field.number === 7 && field.wireType === 2) {
          graphs += 1;
          scanGraph(file, field.start, field.end, out);
        }
      }
    } catch (error) {
      if (error instanceof WireFormatError) throw new ModelLoadError(path, `not a valid ONNX file (${error.message})`);
      throw error;
    }
    if (graphs !== 1) throw new ModelLoadError(path, `not a valid ONNX file (${graphs} graphs, expected 1)`);
    return {
      externalLocations: out.locations,
      initializerCount: out.initializers,
      operators: out.operators,
      externalTensors: out.externalTensors,
    };
  } finally {
    closeSync(descriptor);
  }
}
