/**
 * The built-in behavioral suite, grounded in the 35 tags the reference protocol learns (known tags,
 * minus the excluded ones, shared by at least 30 projects), e.g. natural-language-processing,
 * computer-vision, pytorch, tensorflow, transformers, reinforcement-learning, graph-neural-networks.
 * Expectations are those a good model should meet: clear cases, one obvious tag each.
 */
import { type BehavioralSuite, behavioralSuiteSchema } from "./suite.js";

/** Minimum functionality, invariance and directional tests for a project tagger. */
export const BUILTIN_SUITE: BehavioralSuite = behavioralSuiteSchema.parse({
  name: "built-in",
  tests: [
    {
      type: "mft",
      name: "transformers",
      text: "Transformers have revolutionized machine learning.",
      expected: ["transformers"],
    },
    {
      type: "mft",
      name: "nlp, not vision",
      text: "Sentiment analysis of movie reviews with recurrent neural networks.",
      expected: ["natural-language-processing"],
      absent: ["computer-vision"],
    },
    {
      type: "mft",
      name: "vision, not nlp",
      text: "Semantic segmentation of medical images with convolutional neural networks.",
      expected: ["computer-vision"],
      absent: ["natural-language-processing"],
    },
    {
      type: "mft",
      name: "pytorch",
      text: "A PyTorch implementation of ResNet for image classification.",
      expected: ["pytorch"],
    },
    {
      type: "mft",
      name: "reinforcement learning",
      text: "Deep reinforcement learning agents that learn to play Atari games.",
      expected: ["reinforcement-learning"],
    },
    {
      type: "mft",
      name: "generative adversarial networks",
      text: "Generative adversarial networks that generate realistic images of faces.",
      expected: ["generative-adversarial-networks"],
    },
    {
      type: "mft",
      name: "graph neural networks",
      text: "Graph neural networks for node classification on citation graphs.",
      expected: ["graph-neural-networks"],
    },
    {
      type: "mft",
      name: "question answering",
      text: "Question answering over Wikipedia articles with pretrained language models.",
      expected: ["natural-language-processing"],
    },
    {
      type: "inv",
      name: "typo",
      text: "Transformers have revolutionized natural language processing.",
      perturbations: ["typo"],
    },
    {
      type: "inv",
      name: "verb swap",
      text: "We use convolutional neural networks to classify images of animals.",
      perturbations: ["verb-swap"],
    },
    {
      type: "inv",
      name: "typo and verb swap",
      text: "This library improves the accuracy of object detection models.",
      perturbations: ["typo", "verb-swap"],
    },
    {
      type: "inv",
      name: "place name",
      text: "Object detection for self-driving cars in Paris.",
      perturbed: ["Object detection for self-driving cars in Tokyo."],
    },
    {
      type: "dir",
      name: "tensorflow → pytorch",
      text: "A TensorFlow implementation of ResNet for image classification.",
      perturbed: "A PyTorch implementation of ResNet for image classification.",
      gained: ["pytorch"],
      lost: ["tensorflow"],
    },
    {
      type: "dir",
      name: "pytorch → tensorflow",
      text: "A PyTorch implementation of BERT for text classification.",
      perturbed: "A TensorFlow implementation of BERT for text classification.",
      gained: ["tensorflow"],
      lost: ["pytorch"],
    },
    {
      type: "dir",
      name: "text → images",
      text: "Text classification with convolutional neural networks.",
      perturbed: "Image classification with convolutional neural networks.",
      gained: ["computer-vision"],
      lost: ["natural-language-processing"],
    },
    {
      type: "dir",
      name: "recurrent → transformers",
      text: "Sentiment analysis of tweets with recurrent neural networks.",
      perturbed: "Sentiment analysis of tweets with transformers.",
      gained: ["transformers"],
    },
  ],
});
