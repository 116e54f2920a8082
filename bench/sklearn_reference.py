"""The scikit-learn reference of `npm run bench:quality` (run with Debian's python3 + python3-sklearn).

For each task file written by bench/quality.ts (the exact train/val/test rows of our pipeline), fit a
plain scikit-learn pipeline on the training rows and score it on the test rows:

    FeatureUnion(TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True),
                 TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True))
    -> LogisticRegression(C=10, class_weight="balanced")

multi-class tasks: LogisticRegression as is (multinomial, lbfgs), the most probable class wins;
multi-label tasks: OneVsRestClassifier(LogisticRegression), one global threshold tuned on the
validation rows (the best F1 over the pooled precision-recall curve, as our families do).
Scores: weighted precision/recall/F1 on the test rows, weighted F1 on the validation rows (multi-label:
at the threshold tuned on them); fit seconds (vectorizers + classifier).

Usage: python3 bench/sklearn_reference.py [--text raw|preprocessed] TASK.json... > results.json
"""

import argparse
import json
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import precision_recall_curve, precision_recall_fscore_support
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import FeatureUnion, make_pipeline


def reference_pipeline(multi_label):
    """The reference model: word 1-2 + char_wb 2-5 TF-IDF, logistic regression C=10 balanced."""
    features = FeatureUnion(
        [
            ("word", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True)),
            ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
        ]
    )
    classifier = LogisticRegression(C=10, class_weight="balanced", max_iter=1000)
    return make_pipeline(features, OneVsRestClassifier(classifier) if multi_label else classifier)


def best_threshold(y_true, y_prob):
    """The threshold with the best F1 over all (row, class) cells pooled, ties: the first."""
    precision, recall, thresholds = precision_recall_curve(y_true.ravel(), y_prob.ravel())
    with np.errstate(divide="ignore", invalid="ignore"):
        f1 = np.nan_to_num(2 * precision * recall / (precision + recall))
    return float(thresholds[int(np.argmax(f1[:-1]))])


def score(task, text_field):
    """Fit on the task's train rows and score on its test rows."""
    multi_label = task["task"] == "multi-label"
    texts = {split: task[split][text_field] for split in ("train", "val", "test")}
    y = {split: np.asarray(task[split]["y"]) for split in ("train", "val", "test")}
    model = reference_pipeline(multi_label)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model.fit(texts["train"], y["train"] if multi_label else y["train"].argmax(axis=1))
    fit_seconds = time.perf_counter() - start
    if multi_label:
        threshold = best_threshold(y["val"], model.predict_proba(texts["val"]))

        def decide(split):
            return (model.predict_proba(texts[split]) >= threshold).astype(int), y[split]

    else:
        threshold = None

        def decide(split):
            return model.predict(texts[split]), y[split].argmax(axis=1)

    precision, recall, f1, _ = precision_recall_fscore_support(
        *reversed(decide("test")), average="weighted", zero_division=0
    )
    val_f1 = precision_recall_fscore_support(*reversed(decide("val")), average="weighted", zero_division=0)[2]
    return {
        "task": task["name"],
        "precision": float(precision),
        "recall": float(recall),
        "f1": float(f1),
        "val_f1": float(val_f1),
        "fit_seconds": fit_seconds,
        "threshold": threshold,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tasks", nargs="+", help="task files written by bench/quality.ts")
    parser.add_argument("--text", choices=["raw", "preprocessed"], default="raw")
    args = parser.parse_args()
    field = "raw" if args.text == "raw" else "texts"
    results = []
    for path in args.tasks:
        with open(path, encoding="utf-8") as file:
            results.append(score(json.load(file), field))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
