// Random ops: the stateful sampling kernels and TF1's compositions over them
// (random_uniform = RandomUniform * (max - min) + min, ...), with TF1's seeding rules.
import { unchangedShape } from '../framework/common_shapes.js';
import { constantValue, constantValueAsShape } from '../framework/constant_value.js';
import { FLOATING_DTYPES, isInteger, REAL_DTYPES, type DType } from '../framework/dtypes.js';
import { InvalidArgumentError } from '../framework/errors.js';
import { getDefaultGraph, type Graph } from '../framework/graph.js';
import { applyOp1, convertToTensor, graphOf, type TensorLike } from '../framework/op_builder.js';
import { registerOp } from '../framework/op_registry.js';
import type { Operation } from '../framework/operation.js';
import type { Tensor } from '../framework/tensor.js';
import { TensorShape, type ShapeLike } from '../framework/tensor_shape.js';

// ---------- seeds (TF1's random_seed.get_seed) ----------

const DEFAULT_GRAPH_SEED = 87654321;
const MAXINT32 = 2 ** 31 - 1;

/** Python's `seed % (2**31 - 1)` (non-negative for negative seeds). */
function truncateSeed(seed: number): number {
  return ((seed % MAXINT32) + MAXINT32) % MAXINT32;
}

/**
 * The (seed, seed2) pair an op gets from the graph-level seed (tf.setRandomSeed) and its
 * own `opSeed`, exactly as TF1: with a graph seed and no op seed the op seed is the graph's
 * last op id; with only an op seed the graph seed is 87654321; with neither both are
 * undefined (attrs 0, 0: nondeterministic); (0, 0) becomes (0, 2**31 - 1).
 */
export function getSeed(opSeed?: number | null, graph: Graph = getDefaultGraph()): [number | undefined, number | undefined] {
  const globalSeed = graph.seed;
  let seeds: [number | undefined, number | undefined];
  if (globalSeed !== undefined && globalSeed !== null) {
    // TF1's graph._last_id: the number of ops created so far.
    seeds = [truncateSeed(globalSeed), truncateSeed(opSeed ?? graph.version)];
  } else if (opSeed !== undefined && opSeed !== null) {
    seeds = [DEFAULT_GRAPH_SEED, truncateSeed(opSeed)];
  } else {
    seeds = [undefined, undefined];
  }
  return seeds[0] === 0 && seeds[1] === 0 ? [0, MAXINT32] : seeds;
}

// ---------- shape functions ----------

/** TF's MakeShapeFromShapeTensor: a rank-1 int tensor of dims (-1 = unknown). */
function shapeFromShapeTensor(t: Tensor): TensorShape {
  const rank = t.shape.rank;
  if (rank !== undefined && rank !== 1) {
    throw new InvalidArgumentError(undefined, undefined, `Shape must be rank 1 but is rank ${rank}`);
  }
  const v = constantValue(t);
  if (v) {
    for (let i = 0; i < v.size; i++) {
      const d = Number(v.flatGet(i));
      if (d < -1) throw new InvalidArgumentError(undefined, undefined, `Dimension ${d} must be >= -1`);
    }
  }
  return constantValueAsShape(t);
}

const randomShape = (op: Operation): ShapeLike[] => [shapeFromShapeTensor(op.inputs[0])];

function scalarInput(op: Operation, i: number): void {
  const r = op.inputs[i].shape.rank;
  if (r !== undefined && r !== 0) throw new InvalidArgumentError(undefined, undefined, `Shape must be rank 0 but is rank ${r}`);
}

// ---------- op registrations ----------

const SEED_ATTRS = { seed: { kind: 'int', default: 0 }, seed2: { kind: 'int', default: 0 } } as const;
const SHAPE_TYPES: DType[] = ['int32', 'int64'];

for (const type of ['RandomUniform', 'RandomStandardNormal', 'TruncatedNormal']) {
  registerOp({
    type,
    inputs: [{ name: 'shape', typeAttr: 'T' }],
    outputs: [{ name: 'output', typeAttr: 'dtype' }],
    attrs: { ...SEED_ATTRS, dtype: { kind: 'type', allowed: FLOATING_DTYPES }, T: { kind: 'type', allowed: SHAPE_TYPES } },
    stateful: true,
    shape: randomShape,
  });
}

registerOp({
  type: 'RandomUniformInt',
  inputs: [{ name: 'shape', typeAttr: 'T' }, { name: 'minval', typeAttr: 'Tout' }, { name: 'maxval', typeAttr: 'Tout' }],
  outputs: [{ name: 'output', typeAttr: 'Tout' }],
  attrs: { ...SEED_ATTRS, Tout: { kind: 'type', allowed: ['int32', 'int64'] }, T: { kind: 'type', allowed: SHAPE_TYPES } },
  stateful: true,
  shape: (op) => {
    scalarInput(op, 1);
    scalarInput(op, 2);
    return randomShape(op);
  },
});

registerOp({
  type: 'RandomShuffle',
  inputs: [{ name: 'value', typeAttr: 'T' }],
  outputs: [{ name: 'output', typeAttr: 'T' }],
  attrs: { ...SEED_ATTRS, T: { kind: 'type' } },
  stateful: true,
  shape: unchangedShape,
});

registerOp({
  type: 'Multinomial',
  inputs: [{ name: 'logits', typeAttr: 'T' }, { name: 'num_samples', type: 'int32' }],
  outputs: [{ name: 'output', typeAttr: 'output_dtype' }],
  attrs: {
    ...SEED_ATTRS,
    T: { kind: 'type', allowed: REAL_DTYPES },
    output_dtype: { kind: 'type', default: 'int64', allowed: ['int32', 'int64'] },
  },
  stateful: true,
  shape: (op) => {
    const logits = op.inputs[0].shape;
    if (logits.rank !== undefined && logits.rank !== 2) {
      throw new InvalidArgumentError(undefined, undefined, `Shape must be rank 2 but is rank ${logits.rank}`);
    }
    scalarInput(op, 1);
    const n = constantValue(op.inputs[1]);
    let samples: number | null = null;
    if (n) {
      samples = Number(n.flatGet(0));
      if (samples < 0) throw new InvalidArgumentError(undefined, undefined, `Dimension size, given by scalar input 1, must be non-negative but is ${samples}`);
    }
    return [[logits.dim(0), samples]];
  },
});


// ---------- public API ----------

const UNIFORM_DTYPES: DType[] = ['float16', 'bfloat16', 'float32', 'float64', 'int32', 'int64'];

/** TF1's name_scope(name, defaultName, values): the values' graph becomes the default. */
function withScope<T>(name: string | undefined, defaultName: string, values: unknown[], fn: (scope: string) => T): T {
  const graph = graphOf(values);
  return graph.asDefault(() => graph.nameScope(name || defaultName, fn));
}

/** TF1's tensor_util.shape_tensor: a shape as an int tensor named "shape" (int32 when empty). */
function shapeTensor(shape: TensorLike | TensorShape): Tensor {
  if (shape instanceof TensorShape) {
    if (!shape.isFullyDefined()) {
      throw new InvalidArgumentError(undefined, undefined, `Cannot convert a partially known TensorShape ${shape.toString()} to a Tensor.`);
    }
    shape = shape.asList() as number[];
  }
  const empty = Array.isArray(shape) && shape.length === 0;
  return convertToTensor(shape, { dtype: empty ? 'int32' : undefined, name: 'shape' });
}

function checkDtype(dtype: DType, allowed: readonly DType[], fn: string): void {
  if (!allowed.includes(dtype)) throw new InvalidArgumentError(undefined, undefined, `Invalid dtype ${dtype} for ${fn}`);
}

export interface RandomOptions {
  dtype?: DType;
  seed?: number;
  name?: string;
}

/**
 * tf.randomUniform(shape, {minval, maxval, dtype, seed, name}): values in [minval, maxval).
 * Float dtypes build RandomUniform * (max - min) + min; integer dtypes use RandomUniformInt
 * and require maxval.
 */
export function randomUniform(shape: TensorLike | TensorShape,
                              options: RandomOptions & { minval?: TensorLike; maxval?: TensorLike } = {}): Tensor {
  const dtype = options.dtype ?? 'float32';
  checkDtype(dtype, UNIFORM_DTYPES, 'randomUniform');
  let maxval = options.maxval;
  if (maxval === undefined || maxval === null) {
    if (isInteger(dtype)) throw new InvalidArgumentError(undefined, undefined, `Must specify maxval for integer dtype ${dtype}`);
    maxval = 1;
  }
  const minval = options.minval ?? 0;
  return withScope(options.name, 'random_uniform', [shape, minval, maxval], (scope) => {
    const shapeT = shapeTensor(shape);
    const minT = convertToTensor(minval, { dtype, name: 'min' });
    const maxT = convertToTensor(maxval!, { dtype, name: 'max' });
    const [seed, seed2] = getSeed(options.seed);
    if (isInteger(dtype)) return applyOp1('RandomUniformInt', [shapeT, minT, maxT], { seed, seed2 }, scope);
    const rnd = applyOp1('RandomUniform', [shapeT], { dtype, seed, seed2 });
    const range = applyOp1('Sub', [maxT, minT], {}, 'sub');
    return applyOp1('AddV2', [applyOp1('Mul', [rnd, range], {}, 'mul'), minT], {}, scope);
  });
}

/** rnd * stddev + mean in a name scope, as TF1's random_normal and truncated_normal. */
function normalLike(kernel: string, defaultName: string, shape: TensorLike | TensorShape,
                    options: RandomOptions & { mean?: TensorLike; stddev?: TensorLike }): Tensor {
  const dtype = options.dtype ?? 'float32';
  const mean = options.mean ?? 0;
  const stddev = options.stddev ?? 1;
  return withScope(options.name, defaultName, [shape, mean, stddev], (scope) => {
    const shapeT = shapeTensor(shape);
    const meanT = convertToTensor(mean, { dtype, name: 'mean' });
    const stddevT = convertToTensor(stddev, { dtype, name: 'stddev' });
    const [seed, seed2] = getSeed(options.seed);
    const rnd = applyOp1(kernel, [shapeT], { dtype, seed, seed2 });
    return applyOp1('AddV2', [applyOp1('Mul', [rnd, stddevT], {}, 'mul'), meanT], {}, scope);
  });
}

/** tf.randomNormal(shape, {mean, stddev, dtype, seed, name}). */
export function randomNormal(shape: TensorLike | TensorShape,
                             options: RandomOptions & { mean?: TensorLike; stddev?: TensorLike } = {}): Tensor {
  return normalLike('RandomStandardNormal', 'random_normal', shape, options);
}

/** tf.truncatedNormal(shape, {mean, stddev, dtype, seed, name}): normal values within 2 stddevs. */
export function truncatedNormal(shape: TensorLike | TensorShape,
                                options: RandomOptions & { mean?: TensorLike; stddev?: TensorLike } = {}): Tensor {
  return normalLike('TruncatedNormal', 'truncated_normal', shape, options);
}

/** tf.randomShuffle(value, {seed, name}): shuffles along the first dimension. */
export function randomShuffle(value: TensorLike, options: { seed?: number; name?: string } = {}): Tensor {
  const graph = graphOf([value]);
  const [seed, seed2] = getSeed(options.seed, graph);
  return applyOp1('RandomShuffle', [value], { seed, seed2 }, options.name);
}

/** tf.multinomial(logits, numSamples, {seed, outputDtype, name}): [batch, numSamples] class draws. */
export function multinomial(logits: TensorLike, numSamples: TensorLike,
                            options: { seed?: number; outputDtype?: DType; name?: string } = {}): Tensor {
  return withScope(options.name, 'multinomial', [logits], () => {
    const logitsT = convertToTensor(logits, { name: 'logits' });
    const [seed, seed2] = getSeed(options.seed);
    return applyOp1('Multinomial', [logitsT, numSamples], { seed, seed2, output_dtype: options.outputDtype });
  });
}
