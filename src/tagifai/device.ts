/**
 * The compute device: which tfjs backend tensors run on. This is the only module that loads the
 * tfjs backends, so code that never touches a model (data, tracking, evaluation, the CLI's
 * bookkeeping commands) starts without tfjs.
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";

/** tfjs backends Tagifai can compute on. */
export type Device = "wasm" | "cpu";

/**
 * Choose the compute device: the wasm backend by default, the plain cpu backend as fallback.
 * @param device the preferred backend
 * @returns the backend actually in use
 */
export async function setDevice(device: Device = "wasm"): Promise<Device> {
  if (tf.getBackend() === device) return device;
  const ok = await tf.setBackend(device).catch(() => false);
  if (!ok) await tf.setBackend("cpu");
  await tf.ready();
  return tf.getBackend() as Device;
}

/**
 * Make sure a compute device is set before a model is built or loaded: keep the one chosen (by
 * `setDevice`, e.g. the CLI's `--device`), else set the default (wasm, cpu as fallback). So a
 * library caller that never chose one still gets a working backend.
 * @returns the backend in use
 */
export async function ensureDevice(): Promise<Device> {
  const chosen = tf.engine().backendName as Device | undefined;
  return chosen ?? setDevice();
}
