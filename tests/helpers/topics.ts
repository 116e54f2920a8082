/**
 * A tiny three-topic text fixture (graphs, language, images) for the linear model's tests: six
 * training texts and three validation texts, each with a one-hot label row.
 */

/** Training texts. */
export const TOPIC_TRAIN = [
  "graph neural network for molecules",
  "transformer language model for translation",
  "convolutional network for image segmentation",
  "bert language model fine tuning",
  "image classification with convolutional networks",
  "graph attention network",
];

/** Their labels: graphs, language, images. */
export const TOPIC_TRAIN_Y = [
  [1, 0, 0],
  [0, 1, 0],
  [0, 0, 1],
  [0, 1, 0],
  [0, 0, 1],
  [1, 0, 0],
];

/** Validation texts. */
export const TOPIC_VAL = ["language model pretraining", "image detection network", "graph embedding"];

/** Their labels. */
export const TOPIC_VAL_Y = [
  [0, 1, 0],
  [0, 0, 1],
  [1, 0, 0],
];
