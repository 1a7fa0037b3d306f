/**
 * @file An editable view of an ONNX model's main graph, held in memory: its nodes (operator, domain, inputs,
 * outputs, attributes), the declared graph inputs and outputs (element type and dims), the initializers by name and
 * the default-domain opset. A rewrite changes the node list and adds initializers; `encodeModel` writes the model
 * back, copying every untouched byte (weights included) as it was. Built on protobuf-wire.ts; used by the
 * buffered-attention rewrite (buffered-attention.ts).
 */
import {
  type ByteSource,
  encodeVarint,
  fieldText,
  lengthDelimitedField,
  memorySource,
  readVarint,
  varintField,
  type WireField,
  wireFields,
} from './protobuf-wire.js';

/** One node attribute: its name, AttributeProto type, and the integer values of INT / INTS attributes. */
export interface NodeAttribute {
  readonly name: string;
  readonly type: number;
  readonly ints: readonly bigint[];
  /** A TENSOR attribute's TensorProto bytes (Constant nodes). */
  readonly tensor?: Uint8Array;
  /** The attribute holds a graph (If/Loop/Scan bodies). */
  readonly hasGraph: boolean;
}

export interface GraphNode {
  readonly name: string;
  readonly op: string;
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: readonly NodeAttribute[];
  /** The node's bytes as the file has them; absent for a new or changed node (then it is encoded). */
  readonly encoded?: Uint8Array;
}

/** A graph input or output as declared: element type (TensorProto.DataType) and dims (numbers or names). */
export interface GraphValue {
  readonly name: string;
  readonly elementType: number;
  readonly dims: readonly (number | string)[];
}

export interface EditableGraph {
  readonly nodes: GraphNode[];
  readonly inputs: readonly GraphValue[];
  readonly outputs: readonly GraphValue[];
  /** Initializer TensorProto bytes by name. */
  readonly initializers: ReadonlyMap<string, Uint8Array>;
  /** The default (ai.onnx) opset version the model imports. */
  readonly opset: number;
}

// AttributeProto types (onnx.proto).
export const attributeType = { int: 2, tensor: 4, graph: 5, ints: 7, graphs: 10 } as const;
// TensorProto data types.
export const elementType = { float: 1, int64: 7, float16: 10 } as const;

/** The two's-complement int64 varint at `[start, end)`. */
function readInt64(source: ByteSource, start: number, end: number): bigint {
  let value = 0n;
  let shift = 0n;
  for (let position = start; position < end; position++) {
    value |= BigInt(source.byte(position) & 0x7f) << shift;
    shift += 7n;
  }
  return BigInt.asIntN(64, value);
}

function parseAttribute(source: ByteSource, start: number, end: number): NodeAttribute {
  let name = '';
  let type = 0;
  const ints: bigint[] = [];
  let tensor: Uint8Array | undefined;
  let hasGraph = false;
  for (const field of wireFields(source, start, end)) {
    if (field.number === 1 && field.wireType === 2) name = fieldText(source, field);
    else if (field.number === 20 && field.wireType === 0) type = readVarint(source, field.start, field.end).value;
    else if ((field.number === 3 || field.number === 8) && field.wireType === 0)
      ints.push(readInt64(source, field.start, field.end));
    else if (field.number === 8 && field.wireType === 2) {
      for (let position = field.start; position < field.end; ) {
        const next = readVarint(source, position, field.end).next;
        ints.push(readInt64(source, position, next));
        position = next;
      }
    } else if (field.number === 5 && field.wireType === 2) tensor = source.bytes(field.start, field.end - field.start);
    else if ((field.number === 6 || field.number === 11) && field.wireType === 2) hasGraph = true;
  }
  return { name, type, ints, hasGraph, ...(tensor === undefined ? {} : { tensor }) };
}

function parseNode(source: ByteSource, field: WireField): GraphNode {
  let name = '';
  let op = '';
  let domain = '';
  const inputs: string[] = [];
  const outputs: string[] = [];
  const attributes: NodeAttribute[] = [];
  for (const inner of wireFields(source, field.start, field.end)) {
    if (inner.wireType !== 2) continue;
    if (inner.number === 1) inputs.push(fieldText(source, inner));
    else if (inner.number === 2) outputs.push(fieldText(source, inner));
    else if (inner.number === 3) name = fieldText(source, inner);
    else if (inner.number === 4) op = fieldText(source, inner);
    else if (inner.number === 7) domain = fieldText(source, inner);
    else if (inner.number === 5) attributes.push(parseAttribute(source, inner.start, inner.end));
  }
  const encoded = source.bytes(field.start, field.end - field.start);
  return { name, op, domain: domain === 'ai.onnx' ? '' : domain, inputs, outputs, attributes, encoded };
}

function parseValue(source: ByteSource, start: number, end: number): GraphValue {
  let name = '';
  let elementTypeValue = 0;
  const dims: (number | string)[] = [];
  for (const field of wireFields(source, start, end)) {
    if (field.number === 1 && field.wireType === 2) name = fieldText(source, field);
    if (field.number !== 2 || field.wireType !== 2) continue; // TypeProto
    for (const typeField of wireFields(source, field.start, field.end)) {
      if (typeField.number !== 1 || typeField.wireType !== 2) continue; // tensor_type
      for (const tensorField of wireFields(source, typeField.start, typeField.end)) {
        if (tensorField.number === 1 && tensorField.wireType === 0)
          elementTypeValue = readVarint(source, tensorField.start, tensorField.end).value;
        if (tensorField.number !== 2 || tensorField.wireType !== 2) continue; // shape
        for (const dim of wireFields(source, tensorField.start, tensorField.end)) {
          if (dim.number !== 1 || dim.wireType !== 2) continue;
          let value: number | string = '?';
          for (const dimField of wireFields(source, dim.start, dim.end)) {
            if (dimField.number === 1 && dimField.wireType === 0)
              value = readVarint(source, dimField.start, dimField.end).value;
            else if (dimField.number === 2 && dimField.wireType === 2) value = fieldText(source, dimField);
          }
          dims.push(value);
        }
      }
    }
  }
  return { name, elementType: elementTypeValue, dims };
}

function tensorName(source: ByteSource, start: number, end: number): string {
  for (const field of wireFields(source, start, end))
    if (field.number === 8 && field.wireType === 2) return fieldText(source, field);
  return '';
}

/** Reads the model's main graph. Throws WireFormatError on malformed bytes. */
export function readGraph(model: Uint8Array): EditableGraph {
  const source = memorySource(model);
  const nodes: GraphNode[] = [];
  const inputs: GraphValue[] = [];
  const outputs: GraphValue[] = [];
  const initializers = new Map<string, Uint8Array>();
  let opset = 0;
  for (const field of wireFields(source, 0, model.length)) {
    if (field.number === 8 && field.wireType === 2) {
      let domain = '';
      let version = 0;
      for (const inner of wireFields(source, field.start, field.end)) {
        if (inner.number === 1 && inner.wireType === 2) domain = fieldText(source, inner);
        if (inner.number === 2 && inner.wireType === 0) version = readVarint(source, inner.start, inner.end).value;
      }
      if (domain === '' || domain === 'ai.onnx') opset = version;
    }
    if (field.number !== 7 || field.wireType !== 2) continue;
    for (const inner of wireFields(source, field.start, field.end)) {
      if (inner.wireType !== 2) continue;
      if (inner.number === 1) nodes.push(parseNode(source, inner));
      else if (inner.number === 5)
        initializers.set(
          tensorName(source, inner.start, inner.end),
          source.bytes(inner.start, inner.end - inner.start),
        );
      else if (inner.number === 11) inputs.push(parseValue(source, inner.start, inner.end));
      else if (inner.number === 12) outputs.push(parseValue(source, inner.start, inner.end));
    }
  }
  return { nodes, inputs, outputs, initializers, opset };
}

/** The int64 values of a TensorProto (raw_data or int64_data); undefined for another element type. */
export function tensorInt64s(tensor: Uint8Array): bigint[] | undefined {
  const source = memorySource(tensor);
  let dataType = 0;
  const values: bigint[] = [];
  let raw: Uint8Array | undefined;
  for (const field of wireFields(source, 0, tensor.length)) {
    if (field.number === 2 && field.wireType === 0) dataType = readVarint(source, field.start, field.end).value;
    else if (field.number === 9 && field.wireType === 2) raw = source.bytes(field.start, field.end - field.start);
    else if (field.number === 7 && field.wireType === 0) values.push(readInt64(source, field.start, field.end));
    else if (field.number === 7 && field.wireType === 2) {
      for (let position = field.start; position < field.end; ) {
        const next = readVarint(source, position, field.end).next;
        values.push(readInt64(source, position, next));
        position = next;
      }
    }
  }
  if (dataType !== elementType.int64) return undefined;
  if (raw === undefined) return values;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return Array.from({ length: raw.byteLength / 8 }, (_, index) => view.getBigInt64(index * 8, true));
}

const text = (value: string): Uint8Array => Buffer.from(value, 'utf8');

function encodeAttribute(attribute: NodeAttribute): Uint8Array[] {
  const parts: Uint8Array[] = [...lengthDelimitedField(1, [text(attribute.name)])];
  const unsigned = (value: bigint): Uint8Array => {
    if (value < 0n) throw new RangeError(`attribute ${attribute.name}: negative values are not encoded here`);
    return encodeVarint(Number(value));
  };
  if (attribute.type === attributeType.int) parts.push(encodeVarint(3 * 8), unsigned(attribute.ints[0] ?? 0n));
  else if (attribute.type === attributeType.ints)
    for (const value of attribute.ints) parts.push(encodeVarint(8 * 8), unsigned(value));
  else throw new RangeError(`attribute ${attribute.name}: only INT and INTS attributes are encoded here`);
  parts.push(...varintField(20, attribute.type));
  return parts;
}

function encodeNode(node: GraphNode): Uint8Array[] {
  if (node.encoded !== undefined) return [node.encoded];
  const parts: Uint8Array[] = [];
  for (const input of node.inputs) parts.push(...lengthDelimitedField(1, [text(input)]));
  for (const output of node.outputs) parts.push(...lengthDelimitedField(2, [text(output)]));
  if (node.name !== '') parts.push(...lengthDelimitedField(3, [text(node.name)]));
  parts.push(...lengthDelimitedField(4, [text(node.op)]));
  for (const attribute of node.attributes) parts.push(...lengthDelimitedField(5, encodeAttribute(attribute)));
  if (node.domain !== '') parts.push(...lengthDelimitedField(7, [text(node.domain)]));
  return parts;
}

/** A TensorProto initializer: name, dims, element type and little-endian raw data. */
export function encodeInitializer(name: string, type: number, dims: readonly number[], raw: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const dim of dims) parts.push(...varintField(1, dim));
  parts.push(...varintField(2, type), ...lengthDelimitedField(8, [text(name)]), ...lengthDelimitedField(9, [raw]));
  return Buffer.concat(parts);
}

/**
 * The model (`graph` is its `readGraph`) with its main graph's nodes replaced by `nodes` (in that order) and `added` initializers appended;
 * initializers that no node, graph input or graph output names any more are dropped (onnxruntime would log a
 * warning for each); every other field of the model and the graph is copied as it is. Main graph only: a model
 * with subgraphs (which may name outer initializers) is not for this function.
 */
export function encodeModel(
  model: Uint8Array,
  graph: EditableGraph,
  nodes: readonly GraphNode[],
  added: readonly Uint8Array[],
): Uint8Array {
  const used = new Set([
    ...nodes.flatMap((node) => node.inputs),
    ...graph.inputs.map((value) => value.name),
    ...graph.outputs.map((value) => value.name),
  ]);
  const source = memorySource(model);
  const parts: Uint8Array[] = [];
  for (const field of wireFields(source, 0, model.length)) {
    const whole = source.bytes(field.tagStart, field.end - field.tagStart);
    if (field.number !== 7 || field.wireType !== 2) {
      parts.push(whole);
      continue;
    }
    const graph: Uint8Array[] = [];
    for (const node of nodes) graph.push(...lengthDelimitedField(1, encodeNode(node)));
    for (const inner of wireFields(source, field.start, field.end)) {
      if (inner.number === 1 && inner.wireType === 2) continue; // nodes: written above
      if (inner.number === 5 && inner.wireType === 2 && !used.has(tensorName(source, inner.start, inner.end))) continue;
      graph.push(source.bytes(inner.tagStart, inner.end - inner.tagStart));
    }
    for (const initializer of added) graph.push(...lengthDelimitedField(5, [initializer]));
    parts.push(...lengthDelimitedField(7, graph));
  }
  return Buffer.concat(parts);
}
