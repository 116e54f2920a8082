/**
 * Speed of the character CNN at the reference dimensions (V≈40, D=503, F=269, maxF=10, H=443, C=35):
 * a full training step (forward + backward + Adam) on a batch of 128 × 300 ids, with and without the
 * helper thread, and predictProba on one 150-character text.
 * Run: node --import tsx bench/model.ts
 */
import * as tf from "@tensorflow/tfjs-core";
import { setDevice } from "../src/tagifai/device.js";
import { useConvHelper, warmUpHelper } from "../src/tagifai/families/cnn/charConv.js";
import { type Batch, type CnnConfig, initializeCnn } from "../src/tagifai/families/cnn/model.js";
import { helperItemCount, threadHelper } from "../src/tagifai/families/cnn/workerPool.js";
import { createRng } from "../src/tagifai/random.js";

const config: CnnConfig = {
  vocabSize: 40,
  numClasses: 35,
  embeddingDim: 503,
  numFilters: 269,
  maxFilterSize: 10,
  hiddenDim: 443,
  dropoutP: 0.374,
};
const WARM_UP = 2;
const TRAIN_STEPS = 5;
const PREDICTIONS = 100;

/** Ids in [1, V) with lengths spread over [seqLen/3, seqLen], right-padded with 0. */
function randomBatch(batchSize: number, seqLen: number, seed: number): Batch {
  const rng = createRng(seed);
  const data = new Int32Array(batchSize * seqLen);
  for (let b = 0; b < batchSize; b++) {
    const length = b === 0 ? seqLen : Math.ceil(seqLen * (1 / 3 + (2 / 3) * rng()));
    for (let t = 0; t < length; t++) data[b * seqLen + t] = 1 + Math.floor(rng() * (config.vocabSize - 1));
  }
  return { data, shape: [batchSize, seqLen] };
}

function meanMs(runs: number, warmUp: number, run: () => void): number {
  for (let i = 0; i < warmUp; i++) run();
  const start = performance.now();
  for (let i = 0; i < runs; i++) run();
  return (performance.now() - start) / runs;
}

async function main(): Promise<void> {
  console.log(`backend: ${await setDevice("wasm")}`);
  useConvHelper(threadHelper);
  const model = initializeCnn(config, 1234);
  const optimizer = tf.train.adam(4.48e-4);
  const batch = randomBatch(128, 300, 1);
  const labels = tf.tensor2d(
    Array.from({ length: 128 * config.numClasses }, (_, i) => (i % 7 === 0 ? 1 : 0)),
    [128, config.numClasses],
  );
  const trainStep = () => {
    const cost = optimizer.minimize(
      () => {
        const logits = model.logits(batch, { training: true, seed: 1 });
        const perCell = tf.add(
          tf.sub(tf.relu(logits), tf.mul(logits, labels)),
          tf.log1p(tf.exp(tf.neg(tf.abs(logits)))),
        );
        return tf.mean(perCell);
      },
      true,
      model.variables,
    );
    model.weightsChanged();
    cost?.dataSync();
    cost?.dispose();
  };
  const forward = () => tf.tidy(() => model.logits(batch, { training: false }).dataSync());
  const evalBatch = () => model.predictProba(batch);

  process.env.TAGIFAI_THREADS = "1";
  const oneThread = {
    train: meanMs(TRAIN_STEPS, WARM_UP, trainStep),
    forward: meanMs(TRAIN_STEPS, 1, forward),
    predictBatch: meanMs(TRAIN_STEPS, 1, evalBatch),
  };
  delete process.env.TAGIFAI_THREADS;
  console.log(`helper thread ready: ${await warmUpHelper()}`);
  const itemsBefore = helperItemCount();
  const twoThreads = {
    train: meanMs(TRAIN_STEPS, WARM_UP, trainStep),
    forward: meanMs(TRAIN_STEPS, 1, forward),
    predictBatch: meanMs(TRAIN_STEPS, 1, evalBatch),
  };
  const convCalls = WARM_UP + TRAIN_STEPS + 2 * (TRAIN_STEPS + 1); // one per train step, forward, predict
  const share = (helperItemCount() - itemsBefore) / (convCalls * 128 * config.maxFilterSize);
  console.log(`helper thread computed ${(100 * share).toFixed(0)}% of the conv work items`);
  for (const [name, times] of Object.entries({ "1 thread": oneThread, "2 threads": twoThreads }))
    console.log(
      `${name}: train step ${times.train.toFixed(0)} ms/batch | forward (logits) ${times.forward.toFixed(0)} ms | ` +
        `predictProba batch ${times.predictBatch.toFixed(0)} ms`,
    );

  const text = randomBatch(1, 150, 2);
  for (const threads of ["1", undefined]) {
    if (threads) process.env.TAGIFAI_THREADS = threads;
    else delete process.env.TAGIFAI_THREADS;
    const ms = meanMs(PREDICTIONS, 10, () => model.predictProba(text));
    console.log(`predictProba, one 150-char text (${threads ? "1 thread" : "auto"}): ${ms.toFixed(3)} ms`);
  }
  console.log(`tensors alive: ${tf.memory().numTensors}`);
  labels.dispose();
  optimizer.dispose();
  model.dispose();
}

await main();
