/**
 * @file Rewrites the attention of an older-style decoder export (SmolVLM2 / LLaVA-OneVision as exported from
 * transformers: `present = Concat(past, new)`, then `repeat_kv` as Unsqueeze → Expand → Reshape, MatMul, scale,
 * additive mask, Softmax, MatMul) so that a decode step reads the KV cache once, where it lies, and returns only the
 * new rows.
 *
 * Why: such a graph concatenates the whole cache into a new tensor every step, expands its KV heads to the query
 * heads (3 → 9 on SmolVLM2: three more copies), and onnxruntime-node 1.30 copies every output, the whole new cache
 * included, into a fresh JavaScript buffer. On the 256M-sized bench decoder at 4,909 context tokens that makes a
 * step 3.6x (fp32) to 4.9x (q8) the memory limit; rewritten, it is within 1.2x (bench/decode-anatomy.ts).
 *
 * What the rewritten graph does, per layer: `past_key_values.N.*` is a buffer of `C >= 1` rows of which the first
 * `S = attention_mask length - new rows` are valid (the rest are masked out). The query heads are grouped by their
 * KV head (a reshape, no copy) and multiplied with the buffer and with the new rows separately; each score block is
 * scaled by the graph's own scale constant and masked (rows past `S` and future new rows get the lowest float); one
 * softmax spans both blocks through a shared maximum and sum, so no block is copied into a joined tensor (in a
 * prefill chunk the score blocks are the largest tensors of the step); the two weighted sums are added and divided
 * by the sum. `present.N.*` are the new rows only (`[1, kvHeads, new, headDim]`); the engine writes them into the
 * buffer (model-engine.ts, kv-buffers.ts). The arithmetic is the export's (same products, summed and normalised in
 * another order: logits move by about 1e-5); the mask is causal over an all-ones `attention_mask`, which is what the
 * engine feeds (padding masks are not supported by the rewritten graph).
 *
 * The rewrite applies only where every layer matches that pattern exactly and nothing else in the graph reads the
 * past inputs (for example their length); otherwise the model is left as exported and `skipped` says why.
 */
import {
  attributeType,
  type EditableGraph,
  elementType,
  encodeInitializer,
  encodeModel,
  type GraphNode,
  readGraph,
  tensorInt64s,
} from './onnx-graph-edit.js';

export interface BufferedAttentionRewrite {
  /** The rewritten model (the input itself when skipped). */
  readonly bytes: Uint8Array;
  /** Layers rewritten; 0 when skipped. */
  readonly layers: number;
  /** Why the model was left as exported. */
  readonly skipped?: string;
}

export interface AttentionHeads {
  /** Query heads (config num_attention_heads). */
  readonly heads: number;
  /** KV heads (config num_key_value_heads). */
  readonly kvHeads: number;
}

const prefix = 'vidtok_buffered_attention/';
const pastPrefix = 'past_key_values.';

class Skip extends Error {}

function skipUnless(condition: boolean, reason: string): asserts condition {
  if (!condition) throw new Skip(reason);
}

interface Index {
  readonly graph: EditableGraph;
  readonly producer: ReadonlyMap<string, GraphNode>;
  readonly consumers: ReadonlyMap<string, readonly GraphNode[]>;
}

function indexGraph(graph: EditableGraph): Index {
  const producer = new Map<string, GraphNode>();
  const consumers = new Map<string, GraphNode[]>();
  for (const node of graph.nodes) {
    for (const output of node.outputs) producer.set(output, node);
    for (const input of node.inputs) {
      const list = consumers.get(input) ?? [];
      list.push(node);
      consumers.set(input, list);
    }
  }
  return { graph, producer, consumers };
}

/** The int64 values of a constant tensor (a Constant node's output or an initializer); undefined if not constant. */
function constantInts(index: Index, name: string): bigint[] | undefined {
  const node = index.producer.get(name);
  if (node?.op === 'Constant') {
    const value = node.attributes.find((attribute) => attribute.name === 'value');
    return value?.tensor === undefined ? undefined : tensorInt64s(value.tensor);
  }
  const initializer = index.graph.initializers.get(name);
  return initializer === undefined ? undefined : tensorInt64s(initializer);
}

const intsOf = (node: GraphNode, name: string): readonly bigint[] | undefined =>
  node.attributes.find((attribute) => attribute.name === name)?.ints;

/** The consumers of `name` that are not Shape nodes (those only read sizes; they die with the rewrite). */
function realConsumers(index: Index, name: string): readonly GraphNode[] {
  return (index.consumers.get(name) ?? []).filter((node) => node.op !== 'Shape');
}

function only(nodes: readonly GraphNode[], what: string): GraphNode {
  skipUnless(nodes.length === 1, `${what} has ${nodes.length} consumers, expected 1`);
  return nodes[0]!;
}

/**
 * Follows a present tensor to the MatMul that reads it as its second input: through repeat_kv (Unsqueeze on axis 2,
 * Expand, Reshape) when KV heads are shared, and through a Transpose of the last two axes for keys.
 */
function attentionMatMul(index: Index, present: string, transposed: boolean): GraphNode {
  let tensor = present;
  let node = only(realConsumers(index, tensor), present);
  if (node.op === 'Unsqueeze') {
    const axes = node.inputs[1] === undefined ? intsOf(node, 'axes') : constantInts(index, node.inputs[1]);
    skipUnless(axes?.length === 1 && axes[0] === 2n, `${node.name}: repeat_kv unsqueezes axis ${String(axes)}`);
    const expand = only(realConsumers(index, node.outputs[0]!), node.name);
    skipUnless(expand.op === 'Expand', `${node.name} feeds ${expand.op}, expected Expand`);
    const reshape = only(realConsumers(index, expand.outputs[0]!), expand.name);
    skipUnless(
      reshape.op === 'Reshape' && reshape.inputs[0] === expand.outputs[0],
      `${expand.name} feeds ${reshape.op}`,
    );
    tensor = reshape.outputs[0]!;
    node = only(realConsumers(index, tensor), reshape.name);
  }
  if (transposed) {
    const perm = intsOf(node, 'perm')?.join(',');
    skipUnless(node.op === 'Transpose' && perm === '0,1,3,2', `keys of ${present} reach ${node.op} (perm ${perm})`);
    tensor = node.outputs[0]!;
    node = only(realConsumers(index, tensor), node.name);
  }
  skipUnless(node.op === 'MatMul' && node.inputs[1] === tensor, `${present} reaches ${node.op}, expected MatMul`);
  return node;
}

interface Layer {
  readonly layer: string;
  readonly pastKey: string;
  readonly pastValue: string;
  readonly newKey: string;
  readonly newValue: string;
  readonly keyConcat: GraphNode;
  readonly valueConcat: GraphNode;
  readonly scores: GraphNode;
  /** The scale node's operator (Div or Mul) and its constant operand (the scores are its first input). */
  readonly scaleOp: string;
  readonly scaleBy: string;
  readonly weighted: GraphNode;
}

function presentConcat(index: Index, present: string, past: string): GraphNode {
  const concat = index.producer.get(present);
  skipUnless(concat?.op === 'Concat', `${present} is not made by Concat`);
  const axis = intsOf(concat, 'axis')?.[0];
  skipUnless(axis === 2n || axis === -2n, `${concat.name} concatenates on axis ${String(axis)}`);
  skipUnless(concat.inputs.length === 2 && concat.inputs[0] === past, `${concat.name} does not append to ${past}`);
  return concat;
}

function matchLayer(index: Index, layer: string): Layer {
  const pastKey = `${pastPrefix}${layer}.key`;
  const pastValue = `${pastPrefix}${layer}.value`;
  const keyConcat = presentConcat(index, `present.${layer}.key`, pastKey);
  const valueConcat = presentConcat(index, `present.${layer}.value`, pastValue);
  skipUnless(
    realConsumers(index, pastKey).length === 1 && realConsumers(index, pastValue).length === 1,
    `layer ${layer}: the past is read by more than its Concat`,
  );
  const scores = attentionMatMul(index, keyConcat.outputs[0]!, true);
  const weighted = attentionMatMul(index, valueConcat.outputs[0]!, false);
  const scale = only(realConsumers(index, scores.outputs[0]!), scores.name);
  skipUnless(scale.op === 'Div' || scale.op === 'Mul', `${scores.name} feeds ${scale.op}, expected the scale`);
  const scaleBy = scale.inputs[1]!;
  skipUnless(
    scale.inputs[0] === scores.outputs[0] &&
      (index.producer.get(scaleBy)?.op === 'Constant' || index.graph.initializers.has(scaleBy)),
    `${scale.name} does not scale by a constant`,
  );
  const mask = only(realConsumers(index, scale.outputs[0]!), scale.name);
  skipUnless(mask.op === 'Add' && mask.inputs.length === 2, `${scale.name} feeds ${mask.op}, expected the mask Add`);
  const softmax = only(realConsumers(index, mask.outputs[0]!), mask.name);
  const axis = intsOf(softmax, 'axis')?.[0] ?? -1n;
  skipUnless(softmax.op === 'Softmax' && (axis === -1n || axis === 3n), `${mask.name} feeds ${softmax.op}`);
  skipUnless(
    only(realConsumers(index, softmax.outputs[0]!), softmax.name) === weighted &&
      weighted.inputs[0] === softmax.outputs[0],
    `${softmax.name} does not feed the value MatMul`,
  );
  return {
    layer,
    pastKey,
    pastValue,
    newKey: keyConcat.inputs[1]!,
    newValue: valueConcat.inputs[1]!,
    keyConcat,
    valueConcat,
    scores,
    scaleOp: scale.op,
    scaleBy,
    weighted,
  };
}

const int64s = (values: readonly number[]): Uint8Array => {
  const out = new Uint8Array(values.length * 8);
  const view = new DataView(out.buffer);
  values.forEach((value, position) => view.setBigInt64(position * 8, BigInt(value), true));
  return out;
};

/** Lowest finite value of the element type, little-endian (float32 -3.4028235e38, float16 -65504). */
function lowestFloat(type: number): Uint8Array {
  if (type === elementType.float16) return Uint8Array.of(0xff, 0xfb);
  const out = new Uint8Array(4);
  new DataView(out.buffer).setFloat32(0, -3.4028234663852886e38, true);
  return out;
}

function node(op: string, inputs: readonly string[], outputs: readonly string[], ints: Record<string, number[]> = {}) {
  const attributes = Object.entries(ints).map(([name, values]) => ({
    name,
    type: name === 'perm' || name === 'axes' ? attributeType.ints : attributeType.int,
    ints: values.map(BigInt),
    hasGraph: false,
  }));
  return { name: `${prefix}${outputs[0]}`, op, domain: '', inputs, outputs, attributes } satisfies GraphNode;
}

const shared = (name: string) => `${prefix}${name}`;

/**
 * The masks shared by all layers, in the grouped layout (rows = query head within its group x new row): for the
 * buffer, `[C]`, 0 below the past length and the lowest float above; for the new rows, `[rep * T, T]`, causal.
 */
function maskNodes(
  floatType: number,
  heads: AttentionHeads,
  headDim: number,
): { nodes: GraphNode[]; initializers: Uint8Array[] } {
  const rep = heads.heads / heads.kvHeads;
  const n = shared;
  const initializers = [
    encodeInitializer(n('one'), elementType.int64, [1], int64s([1])),
    encodeInitializer(n('two'), elementType.int64, [1], int64s([2])),
    encodeInitializer(n('three'), elementType.int64, [1], int64s([3])),
    encodeInitializer(n('zero_scalar'), elementType.int64, [], int64s([0])),
    encodeInitializer(n('one_scalar'), elementType.int64, [], int64s([1])),
    encodeInitializer(n('axis0'), elementType.int64, [1], int64s([0])),
    encodeInitializer(n('repeat'), elementType.int64, [2], int64s([rep, 1])),
    encodeInitializer(n('group_size'), elementType.int64, [1], int64s([rep])),
    encodeInitializer(n('leading_axes'), elementType.int64, [2], int64s([0, 1])),
    encodeInitializer(n('repeat_shape'), elementType.int64, [5], int64s([1, 1, rep, 1, 1])),
    encodeInitializer(n('repeated_shape'), elementType.int64, [4], int64s([0, heads.heads, -1, headDim])),
    encodeInitializer(
      n('attend'),
      floatType,
      [],
      floatType === elementType.float16 ? new Uint8Array(2) : new Uint8Array(4),
    ),
    encodeInitializer(n('blocked'), floatType, [], lowestFloat(floatType)),
  ];
  const nodes = [
    node('Shape', ['inputs_embeds'], [n('embeds_shape')]),
    node('Slice', [n('embeds_shape'), n('one'), n('two')], [n('new_rows')]),
    node('Shape', ['attention_mask'], [n('mask_shape')]),
    node('Slice', [n('mask_shape'), n('one'), n('two')], [n('total_rows')]),
    node('Sub', [n('total_rows'), n('new_rows')], [n('past_rows')]),
    node('Shape', [`${pastPrefix}0.key`], [n('buffer_shape')]),
    node('Slice', [n('buffer_shape'), n('two'), n('three')], [n('buffer_rows')]),
    node('Squeeze', [n('new_rows')], [n('new_count')]),
    node('Squeeze', [n('past_rows')], [n('past_count')]),
    node('Squeeze', [n('buffer_rows')], [n('buffer_count')]),
    // Buffer rows: valid below the past length.
    node('Range', [n('zero_scalar'), n('buffer_count'), n('one_scalar')], [n('buffer_index')]),
    node('Less', [n('buffer_index'), n('past_count')], [n('buffer_valid')]),
    node('Where', [n('buffer_valid'), n('attend'), n('blocked')], [n('buffer_mask')]),
    // New rows: causal among themselves, repeated for each query head of a group.
    node('Range', [n('zero_scalar'), n('new_count'), n('one_scalar')], [n('new_index')]),
    node('Unsqueeze', [n('new_index'), n('axis0')], [n('key_index')]),
    node('Unsqueeze', [n('new_index'), n('one')], [n('query_index')]),
    node('LessOrEqual', [n('key_index'), n('query_index')], [n('causal')]),
    node('Where', [n('causal'), n('attend'), n('blocked')], [n('causal_mask')]),
    node('Tile', [n('causal_mask'), n('repeat')], [n('new_mask')]),
    // Which path runs (see layerNodes): a call of several new rows is a prefill chunk.
    node('Greater', [n('new_rows'), n('one')], [n('prefilling')]),
    node('Cast', [n('prefilling')], [n('prefill_flag')], { to: [elementType.int64] }),
    node('Mul', [n('new_rows'), n('group_size')], [n('grouped_rows')]),
    node('Mul', [n('grouped_rows'), n('prefill_flag')], [n('prefill_rows')]),
    node('Mul', [n('new_rows'), n('prefill_flag')], [n('prefill_new_rows')]),
    node('Mul', [n('past_rows'), n('prefill_flag')], [n('prefill_buffer_rows')]),
    node('Slice', [n('new_mask'), n('prefill_rows'), n('grouped_rows'), n('axis0')], [n('step_new_mask')]),
    // The prefill path's mask in the export's layout, `[1, 1, T, S + T]` (broadcast over the query heads; the path
    // reads only the valid buffer rows).
    node('Slice', [n('buffer_mask'), n('axis0'), n('prefill_buffer_rows'), n('axis0')], [n('prefill_buffer_row')]),
    node('Concat', [n('new_rows'), n('prefill_buffer_rows')], [n('prefill_buffer_shape')], { axis: [0] }),
    node('Expand', [n('prefill_buffer_row'), n('prefill_buffer_shape')], [n('prefill_buffer_mask')]),
    node('Concat', [n('prefill_buffer_mask'), n('causal_mask')], [n('prefill_mask_rows')], { axis: [1] }),
    node('Unsqueeze', [n('prefill_mask_rows'), n('leading_axes')], [n('prefill_mask')]),
  ];
  return { nodes, initializers };
}

/** A reduction over the last axis (of 4), keeping it: axes as an input from opset 18 (ReduceSum: 13), else attribute. */
function reduceLast(op: 'ReduceMax' | 'ReduceSum', input: string, output: string, opset: number): GraphNode {
  const axesAsInput = op === 'ReduceSum' ? opset >= 13 : opset >= 18;
  return axesAsInput
    ? node(op, [input, shared('three')], [output], { keepdims: [1] })
    : node(op, [input], [output], { axes: [3], keepdims: [1] });
}

/**
 * The nodes that replace one layer's attention (see the file header). Two paths, of which each call runs one on all
 * its rows and the other on none (zero-size tensors, nearly free), chosen by the number of new rows:
 * - a decode step (one new row): scores against the buffer and against the new rows as two blocks, each scaled by
 *   the graph's own scale and masked, one softmax over both through a shared maximum and sum, so the cache is read
 *   once, where it lies, and nothing of its size is copied;
 * - a prefill chunk: the export's own computation (repeat_kv, one score tensor, its softmax) on the valid buffer
 *   rows joined with the new rows (`Concat`: small next to the scores, the largest tensors of a chunk), so prefill
 *   passes over the scores no more often than the export does.
 */
function layerNodes(layer: Layer, opset: number): Map<GraphNode, GraphNode[]> {
  const n = (name: string) => `${prefix}layer${layer.layer}/${name}`;
  const { scaleOp, scaleBy } = layer;
  const transposeKeys = (keys: string, name: string) => node('Transpose', [keys], [n(name)], { perm: [0, 1, 3, 2] });
  const block = (part: 'buffer' | 'new', keys: string, mask: string): GraphNode[] => [
    transposeKeys(keys, `${part}_keys`),
    node('MatMul', [n('step_query'), n(`${part}_keys`)], [n(`${part}_scores`)]),
    node(scaleOp, [n(`${part}_scores`), scaleBy], [n(`${part}_scaled`)]),
    node('Add', [n(`${part}_scaled`), mask], [n(`${part}_masked`)]),
    reduceLast('ReduceMax', n(`${part}_masked`), n(`${part}_max`), opset),
  ];
  const weigh = (part: 'buffer' | 'new', values: string): GraphNode[] => [
    node('Sub', [n(`${part}_masked`), n('max')], [n(`${part}_shifted`)]),
    node('Exp', [n(`${part}_shifted`)], [n(`${part}_weights`)]),
    reduceLast('ReduceSum', n(`${part}_weights`), n(`${part}_sum`), opset),
    node('MatMul', [n(`${part}_weights`), values], [n(`${part}_part`)]),
  ];
  const joined = (kind: 'keys' | 'values', past: string, fresh: string): GraphNode[] => [
    node('Slice', [past, shared('axis0'), shared('prefill_buffer_rows'), shared('two')], [n(`prefill_past_${kind}`)]),
    node('Concat', [n(`prefill_past_${kind}`), fresh], [n(`prefill_${kind}`)], { axis: [2] }),
  ];
  // repeat_kv as the export has it: [1, kv, N, D] -> [1, kv, rep, N, D] -> [1, heads, N, D].
  const repeatKv = (input: string, output: string): GraphNode[] => [
    node('Unsqueeze', [input, shared('two')], [`${output}_unsqueezed`]),
    node('Expand', [`${output}_unsqueezed`, shared('repeat_shape')], [`${output}_expanded`]),
    node('Reshape', [`${output}_expanded`, shared('repeated_shape')], [output]),
  ];
  return new Map([
    [
      layer.weighted,
      [
        node('Reshape', [layer.scores.inputs[0]!, shared('grouped_shape')], [n('query')]),
        // Decode path.
        node('Slice', [n('query'), shared('prefill_rows'), shared('grouped_rows'), shared('two')], [n('step_query')]),
        ...block('buffer', layer.pastKey, shared('buffer_mask')),
        ...block('new', layer.newKey, shared('step_new_mask')),
        node('Max', [n('buffer_max'), n('new_max')], [n('max')]),
        ...weigh('buffer', layer.pastValue),
        ...weigh('new', layer.newValue),
        node('Add', [n('buffer_sum'), n('new_sum')], [n('sum')]),
        node('Add', [n('buffer_part'), n('new_part')], [n('step_weighted')]),
        node('Div', [n('step_weighted'), n('sum')], [n('step_attended')]),
        // Prefill path: the export's own computation (repeat_kv included), on the joined keys and values.
        node(
          'Slice',
          [layer.scores.inputs[0]!, shared('axis0'), shared('prefill_new_rows'), shared('two')],
          [n('prefill_query')],
        ),
        ...joined('keys', layer.pastKey, layer.newKey),
        ...joined('values', layer.pastValue, layer.newValue),
        ...repeatKv(n('prefill_keys'), n('prefill_head_keys')),
        ...repeatKv(n('prefill_values'), n('prefill_head_values')),
        transposeKeys(n('prefill_head_keys'), 'prefill_keys_t'),
        node('MatMul', [n('prefill_query'), n('prefill_keys_t')], [n('prefill_scores')]),
        node(scaleOp, [n('prefill_scores'), scaleBy], [n('prefill_scaled')]),
        node('Add', [n('prefill_scaled'), shared('prefill_mask')], [n('prefill_masked')]),
        node('Softmax', [n('prefill_masked')], [n('prefill_weights')], { axis: [3] }),
        node('MatMul', [n('prefill_weights'), n('prefill_head_values')], [n('prefill_attended')]),
        node('Reshape', [n('step_attended'), shared('heads_shape')], [n('step_head_attended')]),
        node('Concat', [n('prefill_attended'), n('step_head_attended')], [layer.weighted.outputs[0]!], { axis: [2] }),
      ],
    ],
    [layer.keyConcat, [node('Identity', [layer.newKey], [layer.keyConcat.outputs[0]!])]],
    [layer.valueConcat, [node('Identity', [layer.newValue], [layer.valueConcat.outputs[0]!])]],
  ]);
}

/** Drops nodes whose outputs nothing live reads (walking back from the graph outputs). */
function liveNodes(nodes: readonly GraphNode[], outputs: readonly string[]): GraphNode[] {
  const needed = new Set(outputs);
  const kept: GraphNode[] = [];
  for (let position = nodes.length - 1; position >= 0; position--) {
    const candidate = nodes[position]!;
    if (!candidate.outputs.some((output) => needed.has(output))) continue;
    kept.push(candidate);
    for (const input of candidate.inputs) needed.add(input);
  }
  return kept.reverse();
}

function rewrite(model: Uint8Array, heads: AttentionHeads): BufferedAttentionRewrite {
  const graph = readGraph(model);
  skipUnless(graph.opset >= 13, `opset ${graph.opset} (the rewrite needs 13 or later)`);
  skipUnless(
    graph.nodes.every((candidate) => candidate.attributes.every((attribute) => !attribute.hasGraph)),
    'the graph has subgraphs (If/Loop)',
  );
  skipUnless(
    graph.nodes.every((candidate) => candidate.outputs.every((output) => !output.startsWith(prefix))),
    'the graph already has rewritten nodes',
  );
  const inputNames = new Set(graph.inputs.map((value) => value.name));
  skipUnless(inputNames.has('inputs_embeds') && inputNames.has('attention_mask'), 'no inputs_embeds/attention_mask');
  const layers = graph.inputs
    .filter((value) => value.name.startsWith(pastPrefix) && value.name.endsWith('.key'))
    .map((value) => value.name.slice(pastPrefix.length, -'.key'.length));
  skipUnless(layers.length > 0 && layers.includes('0'), 'no past_key_values inputs');
  const firstPast = graph.inputs.find((value) => value.name === `${pastPrefix}0.key`)!;
  const floatType = firstPast.elementType;
  skipUnless(
    floatType === elementType.float || floatType === elementType.float16,
    `past element type ${floatType} (expected float32 or float16)`,
  );
  skipUnless(
    Number.isInteger(heads.heads / heads.kvHeads) && heads.kvHeads > 0,
    `${heads.heads} query heads cannot be grouped over ${heads.kvHeads} KV heads`,
  );
  const declaredKvHeads = firstPast.dims[1];
  skipUnless(
    typeof declaredKvHeads !== 'number' || declaredKvHeads === heads.kvHeads,
    `the graph has ${String(declaredKvHeads)} KV heads, the config ${heads.kvHeads}`,
  );
  const index = indexGraph(graph);
  const replacements = new Map<GraphNode, GraphNode[]>();
  const headDim = firstPast.dims[3];
  skipUnless(typeof headDim === 'number' && headDim > 0, `the past's head dim is ${String(headDim)}, not a number`);
  const masks = maskNodes(floatType, heads, headDim);
  for (const layer of layers) {
    const matched = matchLayer(index, layer);
    for (const [original, nodes] of layerNodes(matched, graph.opset)) replacements.set(original, nodes);
  }
  const nodes = [...masks.nodes, ...graph.nodes.flatMap((original) => replacements.get(original) ?? [original])];
  const kept = liveNodes(
    nodes,
    graph.outputs.map((value) => value.name),
  );
  const ours = new Set(kept.filter((candidate) => candidate.name.startsWith(prefix)));
  const strayReader = kept.find(
    (candidate) => !ours.has(candidate) && candidate.inputs.some((input) => input.startsWith(pastPrefix)),
  );
  skipUnless(strayReader === undefined, `${strayReader?.name} still reads the past (for example its length)`);
  const initializers = [
    ...masks.initializers,
    encodeInitializer(shared('grouped_shape'), elementType.int64, [4], int64s([0, heads.kvHeads, -1, 0])),
    encodeInitializer(shared('heads_shape'), elementType.int64, [4], int64s([0, heads.heads, -1, 0])),
  ];
  return { bytes: encodeModel(model, graph, kept, initializers), layers: layers.length };
}

/**
 * Rewrites the decoder's attention to read KV buffers in place and return only new rows (see the file header), or
 * leaves the model as it is and says why. Throws WireFormatError on malformed bytes.
 */
export function rewriteBufferedAttention(model: Uint8Array, heads: AttentionHeads): BufferedAttentionRewrite {
  try {
    return rewrite(model, heads);
  } catch (error) {
    if (error instanceof Skip) return { bytes: model, layers: 0, skipped: error.message };
    throw error;
  }
}
