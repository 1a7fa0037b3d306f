/**
 * @file Raises the `accuracy_level` of `com.microsoft:MatMulNBits` nodes in an ONNX model held in memory, so that
 * onnxruntime's CPU provider runs them with int8 activations (level 4: the activation rows are quantized per block
 * to int8 and multiplied with integer dot products).
 *
 * Why: for 8-bit weights, onnxruntime's CPU kernels (MLAS) have an optimized path only at level 4; an export
 * without the attribute (level 0) runs the fallback that dequantizes every weight matrix to float32 on every call
 * (microsoft/onnxruntime PR 24959). On the SmolVLM2-256M-sized bench model that makes a q8 decode step about 17x
 * slower than at level 4 and slower than the float32 file (bench/results.md, "runtime"). This is a deviation from
 * the file as exported: the activations are rounded to int8 per block of 32 values, so logits move (measured on the
 * fixtures in test/runtime/quantized-compute.test.ts) and near-tie greedy tokens can change
 * (microsoft/onnxruntime issue 29849). `quantizedCompute: 'exported'` keeps the file's own levels.
 *
 * Only the path from the model down to each changed node is re-encoded; every other byte (weights included) is
 * copied as it is. Subgraphs (If/Loop branches) are rewritten too.
 */
import {
  type ByteSource,
  fieldText,
  lengthDelimitedField,
  memorySource,
  readVarint,
  varintField,
  type WireField,
  wireFields,
} from './protobuf-wire.js';

/** The level onnxruntime reads as "int8 compute". */
export const int8AccuracyLevel = 4;

/** One MatMulNBits node as the file has it. */
export interface MatMulNBitsNode {
  readonly bits: number;
  readonly accuracyLevel: number;
}

export interface AccuracyRewrite {
  /** The model with the nodes raised (the input itself when nothing changed). */
  readonly bytes: Uint8Array;
  /** MatMulNBits nodes raised to the level. */
  readonly raisedNodes: number;
}

interface Rewriter {
  readonly source: ByteSource;
  readonly level: number;
  readonly bits: ReadonlySet<number>;
  raised: number;
}

// ONNX field numbers (onnx.proto): ModelProto.graph 7; GraphProto.node 1; NodeProto.op_type 4, attribute 5,
// domain 7; AttributeProto.name 1, i 3, g 6, graphs 11, type 20 (INT = 2).
const modelGraph = 7;
const graphNode = 1;
const nodeOperator = 4;
const nodeAttribute = 5;
const nodeDomain = 7;
const attributeName = 1;
const attributeInt = 3;
const attributeGraph = 6;
const attributeGraphs = 11;
const attributeType = 20;
const attributeTypeInt = 2;

/**
 * Copies the message `[start, end)` with the fields `rewrite` returns new bytes for replaced (undefined keeps a
 * field, an empty list drops it), plus `appended` at its end; undefined when nothing changed.
 */
function rebuildMessage(
  rewriter: Rewriter,
  start: number,
  end: number,
  rewrite: (field: WireField) => Uint8Array[] | undefined,
  appended: readonly Uint8Array[] = [],
): Uint8Array[] | undefined {
  const parts: Uint8Array[] = [];
  let copiedUpTo = start;
  let changed = appended.length > 0;
  for (const field of wireFields(rewriter.source, start, end)) {
    const replacement = rewrite(field);
    if (replacement === undefined) continue;
    changed = true;
    if (field.tagStart > copiedUpTo) parts.push(rewriter.source.bytes(copiedUpTo, field.tagStart - copiedUpTo));
    parts.push(...replacement);
    copiedUpTo = field.end;
  }
  if (!changed) return undefined;
  if (end > copiedUpTo) parts.push(rewriter.source.bytes(copiedUpTo, end - copiedUpTo));
  parts.push(...appended);
  return parts;
}

function rewriteGraph(rewriter: Rewriter, start: number, end: number): Uint8Array[] | undefined {
  return rebuildMessage(rewriter, start, end, (field) => {
    if (field.number !== graphNode || field.wireType !== 2) return undefined;
    const node = rewriteNode(rewriter, field.start, field.end);
    return node === undefined ? undefined : lengthDelimitedField(graphNode, node);
  });
}

function intAttribute(source: ByteSource, start: number, end: number): { name: string; value?: number } {
  let name = '';
  let value: number | undefined;
  for (const field of wireFields(source, start, end)) {
    if (field.number === attributeName && field.wireType === 2) name = fieldText(source, field);
    else if (field.number === attributeInt && field.wireType === 0)
      value = readVarint(source, field.start, field.end).value;
  }
  return value === undefined ? { name } : { name, value };
}

/** A MatMulNBits node's weight bits and accuracy level (the op's defaults when absent); undefined for other ops. */
function matMulNBitsNode(source: ByteSource, start: number, end: number): MatMulNBitsNode | undefined {
  let operator = '';
  let domain = '';
  let bits = 4; // the MatMulNBits default
  let accuracyLevel = 0; // the MatMulNBits default
  for (const field of wireFields(source, start, end)) {
    if (field.wireType !== 2) continue;
    if (field.number === nodeOperator) operator = fieldText(source, field);
    else if (field.number === nodeDomain) domain = fieldText(source, field);
    else if (field.number === nodeAttribute) {
      const attribute = intAttribute(source, field.start, field.end);
      if (attribute.name === 'bits' && attribute.value !== undefined) bits = attribute.value;
      if (attribute.name === 'accuracy_level' && attribute.value !== undefined) accuracyLevel = attribute.value;
    }
  }
  return operator === 'MatMulNBits' && domain === 'com.microsoft' ? { bits, accuracyLevel } : undefined;
}

function rewriteNode(rewriter: Rewriter, start: number, end: number): Uint8Array[] | undefined {
  const { source } = rewriter;
  const node = matMulNBitsNode(source, start, end);
  const raise = node !== undefined && rewriter.bits.has(node.bits) && node.accuracyLevel < rewriter.level;
  if (raise) rewriter.raised += 1;
  const appended = raise
    ? lengthDelimitedField(nodeAttribute, [
        ...lengthDelimitedField(attributeName, [Buffer.from('accuracy_level', 'utf8')]),
        ...varintField(attributeInt, rewriter.level),
        ...varintField(attributeType, attributeTypeInt),
      ])
    : [];
  return rebuildMessage(
    rewriter,
    start,
    end,
    (field) => {
      if (field.number !== nodeAttribute || field.wireType !== 2) return undefined;
      if (raise && intAttribute(source, field.start, field.end).name === 'accuracy_level') return [];
      const attribute = rewriteAttribute(rewriter, field.start, field.end);
      return attribute === undefined ? undefined : lengthDelimitedField(nodeAttribute, attribute);
    },
    appended,
  );
}

function rewriteAttribute(rewriter: Rewriter, start: number, end: number): Uint8Array[] | undefined {
  return rebuildMessage(rewriter, start, end, (field) => {
    if (field.wireType !== 2 || (field.number !== attributeGraph && field.number !== attributeGraphs)) return undefined;
    const graph = rewriteGraph(rewriter, field.start, field.end);
    return graph === undefined ? undefined : lengthDelimitedField(field.number, graph);
  });
}

/**
 * Raises every MatMulNBits node whose weights have one of `bits` and whose level is below `level` to `level`.
 * Throws WireFormatError on malformed bytes (the loader has scanned the file before, so that is not expected).
 */
export function raiseMatMulNBitsAccuracy(
  model: Uint8Array,
  options: { readonly bits: readonly number[]; readonly level?: number },
): AccuracyRewrite {
  const rewriter: Rewriter = {
    source: memorySource(model),
    level: options.level ?? int8AccuracyLevel,
    bits: new Set(options.bits),
    raised: 0,
  };
  const parts = rebuildMessage(rewriter, 0, model.length, (field) => {
    if (field.number !== modelGraph || field.wireType !== 2) return undefined;
    const graph = rewriteGraph(rewriter, field.start, field.end);
    return graph === undefined ? undefined : lengthDelimitedField(modelGraph, graph);
  });
  if (parts === undefined) return { bytes: model, raisedNodes: 0 };
  return { bytes: Buffer.concat(parts), raisedNodes: rewriter.raised };
}

/** Every MatMulNBits node of the model (subgraphs included), in file order. */
export function listMatMulNBitsNodes(model: Uint8Array): MatMulNBitsNode[] {
  const source = memorySource(model);
  const found: MatMulNBitsNode[] = [];
  const visitGraph = (start: number, end: number): void => {
    for (const field of wireFields(source, start, end)) {
      if (field.number !== graphNode || field.wireType !== 2) continue;
      const node = matMulNBitsNode(source, field.start, field.end);
      if (node !== undefined) found.push(node);
      for (const attribute of wireFields(source, field.start, field.end)) {
        if (attribute.number !== nodeAttribute || attribute.wireType !== 2) continue;
        for (const inner of wireFields(source, attribute.start, attribute.end))
          if (inner.wireType === 2 && (inner.number === attributeGraph || inner.number === attributeGraphs))
            visitGraph(inner.start, inner.end);
      }
    }
  };
  for (const field of wireFields(source, 0, model.length))
    if (field.number === modelGraph && field.wireType === 2) visitGraph(field.start, field.end);
  return found;
}
