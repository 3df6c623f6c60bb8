#!/usr/bin/env python3
"""Fits the confidence of answers across languages (`hybrid::ACROSS` in src/search/hybrid.rs).

    python3 eval/fit_across.py DUMP_DIR     # one DUMP_DIR/<set>.jsonl per cross-lingual set

Each dump is `otvet eval --dump` of questions in one language over articles that exist only in
another (e.g. xquad_de questions over xquad_ru articles, the German sample questions over a
copy of `articles/ru`), so every hit the bot considers comes from the search across languages.
A logistic regression of "the top hit is right" on the semantic signals only (shared words mean
nothing between languages), every set weighted equally; it prints leave-one-set-out results at
a few thresholds, then the coefficients fitted on all sets. Needs numpy.
"""
import json
import os
import sys

import numpy as np

FEATURES = ["sem", "sem_gap", "sem_z", "sem_passage", "sem_phrase"]


def rows(path):
    X, y, answerable = [], [], []
    with open(path) as f:
        for line in f:
            q = json.loads(line)
            if not q["hits"]:
                continue
            h = q["hits"][0]
            X.append([h["signals"][k] for k in FEATURES])
            y.append(1.0 if h["correct"] else 0.0)
            answerable.append(q["kind"] == "in_scope")
    return np.array(X), np.array(y), np.array(answerable)


def fit(X, y, w, l2=1e-2, steps=50):
    Xb = np.hstack([np.ones((len(X), 1)), X])
    b = np.zeros(Xb.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-Xb @ b))
        g = Xb.T @ ((p - y) * w) / w.sum() + l2 * np.r_[0, b[1:]]
        H = (Xb * (p * (1 - p) * w)[:, None]).T @ Xb / w.sum() + l2 * np.eye(len(b))
        b -= np.linalg.solve(H, g)
    return b


def stack(data, names):
    X = np.vstack([data[s][0] for s in names])
    y = np.concatenate([data[s][1] for s in names])
    w = np.concatenate([np.full(len(data[s][1]), 1 / len(data[s][1])) for s in names])
    return X, y, w


def main():
    d = sys.argv[1]
    data = {f[:-6]: rows(os.path.join(d, f)) for f in sorted(os.listdir(d)) if f.endswith(".jsonl")}
    sets = list(data)
    print("leave-one-set-out (answered right / wrong of answerable, answered of unanswerable):")
    for held in sets:
        b = fit(*stack(data, [s for s in sets if s != held]))
        X, y, a = data[held]
        p = 1 / (1 + np.exp(-(np.hstack([np.ones((len(X), 1)), X]) @ b)))
        for t in (0.4, 0.5, 0.6):
            right = np.mean((p >= t) & (y == 1) & a) / max(np.mean(a), 1e-9)
            wrong = np.mean((p >= t) & (y == 0) & a) / max(np.mean(a), 1e-9)
            unans = np.mean((p >= t) & ~a) / max(np.mean(~a), 1e-9)
            print(f"{held:24s} at {t}: right {right:.3f} wrong {wrong:.3f} unanswerable {unans:.3f}")
    b = fit(*stack(data, sets))
    print("\nfor src/search/hybrid.rs:")
    print("const ACROSS: [f32; 6] = [" + ", ".join(f"{v:.4g}" for v in b) + "];")
    print("// intercept, " + ", ".join(FEATURES))


if __name__ == "__main__":
    main()
