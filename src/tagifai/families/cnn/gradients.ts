/**
 * Gradients for the kernels that training the CNN (and its sigmoid cross-entropy loss) runs through.
 *
 * The Node build of tfjs-core (`dist/tf-core.node.js`) ships no gradient registrations, and its ESM
 * `register_all_gradients` cannot be loaded by Node (extensionless imports); so tfjs's autodiff fails
 * with "gradient function not found" unless gradients are registered. These are written from the
 * derivatives; a kernel that already has a gradient (e.g. registered by the full tfjs package) keeps it.
 */
import * as tf from "@tensorflow/tfjs-core";

type GradFunc = (
  dy: tf.Tensor,
  saved: tf.Tensor[],
  attrs: tf.NamedAttrMap,
) => Record<string, () => tf.Tensor>;
type Config = { kernel: string; inputsToSave?: string[]; saveAllInputs?: boolean; grad: GradFunc };

/** Sum a broadcast gradient back down to an input's shape. */
function unbroadcast(grad: tf.Tensor, shape: number[]): tf.Tensor {
  const axes = tf.backend_util.getReductionAxes(shape, grad.shape);
  return tf.reshape(axes.length > 0 ? tf.sum(grad, axes) : grad, shape);
}

/** `dy` reshaped so that it broadcasts against `x` over the reduced axes. */
function expandReduced(dy: tf.Tensor, x: tf.Tensor, axisAttr: unknown): tf.Tensor {
  const axes = tf.util.parseAxisParam(axisAttr as number | number[], x.shape);
  const kept = x.shape.map((size, axis) => (axes.includes(axis) ? 1 : size));
  return tf.mul(tf.reshape(dy, kept), tf.ones(x.shape));
}

function reducedCount(x: tf.Tensor, axisAttr: unknown): number {
  const axes = tf.util.parseAxisParam(axisAttr as number | number[], x.shape);
  return axes.reduce((count, axis) => count * x.shape[axis], 1);
}

const unary = (kernel: string, derivative: (x: tf.Tensor) => tf.Tensor): Config => ({
  kernel,
  inputsToSave: ["x"],
  grad: (dy, [x]) => ({ x: () => tf.mul(dy, derivative(x)) }),
});

const CONFIGS: Config[] = [
  {
    kernel: tf.Add,
    inputsToSave: ["a", "b"],
    grad: (dy, [a, b]) => ({ a: () => unbroadcast(dy, a.shape), b: () => unbroadcast(dy, b.shape) }),
  },
  {
    kernel: tf.Sub,
    inputsToSave: ["a", "b"],
    grad: (dy, [a, b]) => ({ a: () => unbroadcast(dy, a.shape), b: () => unbroadcast(tf.neg(dy), b.shape) }),
  },
  {
    kernel: tf.Multiply,
    inputsToSave: ["a", "b"],
    grad: (dy, [a, b]) => ({
      a: () => unbroadcast(tf.mul(dy, b), a.shape),
      b: () => unbroadcast(tf.mul(dy, a), b.shape),
    }),
  },
  {
    kernel: tf.RealDiv,
    inputsToSave: ["a", "b"],
    grad: (dy, [a, b]) => ({
      a: () => unbroadcast(tf.div(dy, b), a.shape),
      b: () => unbroadcast(tf.neg(tf.div(tf.mul(dy, a), tf.square(b))), b.shape),
    }),
  },
  {
    kernel: tf.AddN,
    saveAllInputs: true,
    grad: (dy, saved) => Object.fromEntries(saved.map((_, i) => [String(i), () => tf.clone(dy)])),
  },
  {
    // C = op(A)·op(B), op = optional transpose of the last two axes (equal batch dims).
    kernel: tf.BatchMatMul,
    inputsToSave: ["a", "b"],
    // The wasm backend multiplies with a transposed operand 7–10× slower than it transposes and then
    // multiplies plainly (measured: dy·wᵀ for fc1, 745 ms with the flag against 112 ms), so the
    // gradients transpose explicitly and only ever call plain products.
    grad: (dy, [a, b], attrs) => {
      const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
      if (!transposeA && !transposeB)
        return { a: () => tf.matMul(dy, swapLast(b)), b: () => tf.matMul(swapLast(a), dy) };
      if (!transposeA) return { a: () => tf.matMul(dy, b), b: () => tf.matMul(swapLast(dy), a) };
      if (!transposeB) return { a: () => tf.matMul(b, swapLast(dy)), b: () => tf.matMul(a, dy) };
      return {
        a: () => tf.matMul(swapLast(b), swapLast(dy)),
        b: () => tf.matMul(swapLast(dy), swapLast(a)),
      };
    },
  },
  { kernel: tf.Reshape, inputsToSave: ["x"], grad: (dy, [x]) => ({ x: () => tf.reshape(dy, x.shape) }) },
  {
    kernel: tf.ExpandDims,
    inputsToSave: ["input"],
    grad: (dy, [input]) => ({ input: () => tf.reshape(dy, input.shape) }),
  },
  {
    // dy has shape [r0·s0, r1·s1, ...]: view it as [r0, s0, r1, s1, ...] and sum the repeat axes.
    kernel: tf.Tile,
    inputsToSave: ["x"],
    grad: (dy, [x]) => ({
      x: () => {
        const reps = dy.shape.map((size, axis) => size / x.shape[axis]);
        const interleaved = x.shape.flatMap((size, axis) => [reps[axis], size]);
        const repeatAxes = x.shape.map((_, axis) => 2 * axis);
        return tf.reshape(tf.sum(tf.reshape(dy, interleaved), repeatAxes), x.shape);
      },
    }),
  },
  {
    kernel: tf.Concat,
    saveAllInputs: true,
    grad: (dy, saved, attrs) => {
      const axis = tf.util.parseAxisParam(attrs.axis as number, saved[0].shape)[0];
      const parts = tf.split(
        dy,
        saved.map((input) => input.shape[axis]),
        axis,
      );
      return Object.fromEntries(parts.map((part, i) => [String(i), () => part]));
    },
  },
  {
    kernel: tf.Slice,
    inputsToSave: ["x"],
    grad: (dy, [x], attrs) => {
      const [begin, size] = tf.slice_util.parseSliceParams(
        x,
        attrs.begin as number[],
        attrs.size as number[],
      );
      const paddings = x.shape.map((dim, axis): [number, number] => [
        begin[axis],
        dim - begin[axis] - size[axis],
      ]);
      return { x: () => tf.pad(dy, paddings) };
    },
  },
  {
    kernel: tf.PadV2,
    inputsToSave: ["x"],
    grad: (dy, [x], attrs) => {
      const begin = (attrs.paddings as [number, number][]).map(([before]) => before);
      return { x: () => tf.slice(dy, begin, x.shape) };
    },
  },
  {
    kernel: tf.Sum,
    inputsToSave: ["x"],
    grad: (dy, [x], attrs) => ({ x: () => expandReduced(dy, x, attrs.axis) }),
  },
  {
    kernel: tf.Mean,
    inputsToSave: ["x"],
    grad: (dy, [x], attrs) => ({
      x: () => tf.div(expandReduced(dy, x, attrs.axis), reducedCount(x, attrs.axis)),
    }),
  },
  { kernel: tf.Neg, grad: (dy) => ({ x: () => tf.neg(dy) }) },
  unary(tf.Relu, (x) => tf.cast(tf.greater(x, 0), "float32")),
  unary(tf.Abs, (x) => tf.sign(x)),
  unary(tf.Exp, (x) => tf.exp(x)),
  unary(tf.Log1p, (x) => tf.reciprocal(tf.add(x, 1))),
  unary(tf.Sigmoid, (x) => {
    const y = tf.sigmoid(x);
    return tf.mul(y, tf.sub(1, y));
  }),
];

let registered = false;

/** Register the gradients above for every kernel that has none yet (idempotent). */
export function ensureGradients(): void {
  if (registered) return;
  for (const { kernel, inputsToSave, saveAllInputs, grad } of CONFIGS)
    if (!tf.getGradient(kernel))
      tf.registerGradient({ kernelName: kernel, inputsToSave, saveAllInputs, gradFunc: grad as tf.GradFunc });
  registered = true;
}

/** Swap a tensor's last two axes (the transpose of each matrix in a batch of matrices). */
function swapLast(x: tf.Tensor): tf.Tensor {
  const perm = x.shape.map((_, axis) => axis);
  [perm[perm.length - 2], perm[perm.length - 1]] = [perm[perm.length - 1], perm[perm.length - 2]];
  return tf.transpose(x, perm);
}
