/**
 * The lookup tables of the character CNN, P_{f,j} = E·W_f[j] for every filter size f and offset j,
 * as one `[V, Σ_f f·F]` matrix: one matMul of the embeddings with the kernels laid side by side
 * (W_cat = [W_1[0] | W_2[0] | W_2[1] | …], `[D, Σ_f f·F]`). The gradient is written out so that every
 * product stays a plain, untransposed matMul (the fast case of the wasm backend):
 * dE = (W_cat · dPᵀ)ᵀ and, per filter size, dW_f = Eᵀ · dP_f reshaped back to `[f, D, F]`.
 */
import * as tf from "@tensorflow/tfjs-core";

/** The conv kernels (`[f, D, F]`, f = 1..maxF) side by side: `[D, Σ_f f·F]`. */
function sideBySide(kernels: tf.Tensor3D[]): tf.Tensor2D {
  const [, dim] = kernels[0].shape;
  return tf.concat(
    kernels.map((kernel) =>
      tf.reshape(tf.transpose(kernel, [1, 0, 2]), [dim, kernel.shape[0] * kernel.shape[2]]),
    ),
    1,
  );
}

/**
 * Compute every lookup table.
 * @param embeddings E, `[V, D]`
 * @param kernels W_f, `[f, D, F]` for f = 1..maxF in order
 * @returns `[V, Σ_f f·F]`; row v is the blocks (E·W_f[j])[v] for f ascending, j ascending
 */
export function lookupTables(embeddings: tf.Tensor2D, kernels: tf.Tensor3D[]): tf.Tensor2D {
  const op = tf.customGrad((...inputs) => {
    const [table, ...weights] = inputs.slice(0, kernels.length + 1) as [tf.Tensor2D, ...tf.Tensor3D[]];
    const save = inputs[kernels.length + 1] as tf.GradSaveFunc;
    const side = sideBySide(weights);
    save([table, side]);
    const value = tf.matMul(table, side);
    const gradFunc = (dy: tf.Tensor, [savedEmbeddings, savedSide]: tf.Tensor[]) => {
      const dEmbeddings = tf.transpose(tf.matMul(savedSide as tf.Tensor2D, tf.transpose(dy as tf.Tensor2D)));
      const embeddingsT = tf.transpose(savedEmbeddings as tf.Tensor2D);
      const [dim] = savedSide.shape;
      const widths = kernels.map((kernel) => kernel.shape[0] * kernel.shape[2]);
      // Split the small dy [V, ·] rather than the large dW_cat [D, ·] (column splits are slow on wasm).
      const dKernels = tf.split(dy, widths, 1).map((part, i) => {
        const [filterSize, , numFilters] = kernels[i].shape;
        const dSide = tf.matMul(embeddingsT, part as tf.Tensor2D);
        return tf.transpose(tf.reshape(dSide, [dim, filterSize, numFilters]), [1, 0, 2]);
      });
      return [dEmbeddings, ...dKernels];
    };
    return { value, gradFunc };
  });
  return op(embeddings, ...kernels) as tf.Tensor2D;
}
