#!/usr/bin/env python3
"""Fits the hybrid ranking and confidence of `src/search/hybrid.rs` on `otvet eval --dump` files.

    python3 eval/fit.py DUMP_DIR            # one DUMP_DIR/<set>.jsonl per evaluation set

Both models are logistic regressions, fitted leave-one-set-out: each set is scored by a model
fitted on the other sets only, with every set weighted equally, so the numbers printed are what
a knowledge base the model has never seen would get. The coefficients printed at the end are
fitted on all sets; they go into `hybrid::rank_of` and `hybrid::confidence_of`.

Needs numpy.
"""
import json
import math
import os
import sys

import numpy as np

THRESHOLD = 0.4


def load(path):
    rows = []
    with open(path) as f:
        for line in f:
            q = json.loads(line)
            rows.append(q)
    return rows


def rank_features(h, qmax):
    s = h["signals"]
    return [
        s["bm25"],
        s["phrase_cos"],
        s["question"] / max(qmax, 1e-6),
        s["phrase_f1"],
        s["coverage"],
        s["sem"],
        s.get("sem_phrase", 0.0),
        s.get("sem_passage", 0.0),
    ]


RANK_NAMES = ["bm25", "phrase_cos", "question_rel", "phrase_f1", "coverage", "sem", "sem_phrase", "sem_passage"]


def conf_features(top, second):
    s = top["signals"]
    return [
        s["phrase_f1"],
        s["phrase_cos"],
        math.log1p(max(s["raw"], 0.0)),
        math.log1p(max(s["matched"], 0.0)),
        s["sem"],
        s["sem"] - (second["signals"]["sem"] if second else 0.0),
        top["score"] - (second["score"] if second else 0.0),
        s.get("sem_phrase", 0.0),
        s.get("sem_passage", 0.0),
        s.get("sem_z", 0.0),
        s["coverage"],
        min(s["unknown"], 3.0),
        s["bm25"],
    ]


CONF_NAMES = ["phrase_f1", "phrase_cos", "ln1p_raw", "ln1p_matched", "sem", "sem_gap", "rank_gap", "sem_phrase", "sem_passage", "sem_z", "coverage", "unknown", "bm25"]


def logreg(X, y, w, l2=1e-3, iters=300):
    """Weighted logistic regression by Newton's method; returns (bias, coefs)."""
    X1 = np.hstack([np.ones((X.shape[0], 1)), X])
    beta = np.zeros(X1.shape[1])
    for _ in range(iters):
        p = 1 / (1 + np.exp(-np.clip(X1 @ beta, -30, 30)))
        g = X1.T @ (w * (p - y)) + l2 * np.r_[0, beta[1:]]
        H = (X1 * (w * p * (1 - p))[:, None]).T @ X1 + l2 * np.diag(np.r_[0, np.ones(X.shape[1])])
        step = np.linalg.solve(H + 1e-9 * np.eye(len(beta)), g)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return beta


def listwise(sets, l2=1e-5, iters=100):
    """Conditional logit: maximizes the softmax probability of the correct candidates among a
    query's candidates (what top-1 needs), each set weighted equally. Returns (0, coefs)."""
    groups = []
    for name, rows in sets.items():
        ans = [r for r in rows if any(h["correct"] for h in r["hits"])]
        for r in ans:
            qmax = max((h["signals"]["question"] for h in r["hits"]), default=0)
            X = np.array([rank_features(h, qmax) for h in r["hits"]])
            y = np.array([1.0 if h["correct"] else 0.0 for h in r["hits"]])
            groups.append((X, y / y.sum(), 1.0 / len(ans)))
    d = groups[0][0].shape[1]

    def loss(beta):
        total = 0.5 * l2 * beta @ beta
        for X, y, w in groups:
            z = X @ beta
            m = z.max()
            total += w * (m + np.log(np.exp(z - m).sum()) - y @ z)
        return total

    beta = np.zeros(d)
    cur = loss(beta)
    for _ in range(iters):
        g = l2 * beta
        H = l2 * np.eye(d)
        for X, y, w in groups:
            z = X @ beta
            p = np.exp(z - z.max())
            p /= p.sum()
            g += w * X.T @ (p - y)
            xp = X.T @ p
            H += w * ((X.T * p) @ X - np.outer(xp, xp))
        step = np.linalg.solve(H, g)
        t = 1.0
        while t > 1e-4:
            new = loss(beta - t * step)
            if new <= cur:
                break
            t /= 2
        beta -= t * step
        if abs(cur - new) < 1e-9:
            break
        cur = new
    return np.r_[0.0, beta]


def rank_data(sets):
    X, y, w = [], [], []
    for name, rows in sets.items():
        ans = [r for r in rows if any(h["correct"] for h in r["hits"])]
        for r in ans:
            qmax = max((h["signals"]["question"] for h in r["hits"]), default=0)
            for h in r["hits"]:
                X.append(rank_features(h, qmax))
                y.append(1.0 if h["correct"] else 0.0)
                w.append(1.0 / (len(ans) * len(r["hits"])))
    return np.array(X), np.array(y), np.array(w)


def rerank(rows, beta):
    out = []
    for r in rows:
        qmax = max((h["signals"]["question"] for h in r["hits"]), default=0)
        hits = []
        for h in r["hits"]:
            h = dict(h)
            h["score"] = float(beta[0] + np.dot(beta[1:], rank_features(h, qmax)))
            hits.append(h)
        hits.sort(key=lambda h: -h["score"])
        out.append(dict(r, hits=hits))
    return out


def conf_data(sets):
    X, y, w = [], [], []
    for name, rows in sets.items():
        for r in rows:
            if not r["hits"]:
                continue
            top = r["hits"][0]
            second = r["hits"][1] if len(r["hits"]) > 1 else None
            X.append(conf_features(top, second))
            y.append(1.0 if top["correct"] else 0.0)
            w.append(1.0 / len(rows))
    return np.array(X), np.array(y), np.array(w)


def auroc(pos, neg):
    if not pos or not neg:
        return None
    neg = sorted(neg)
    import bisect
    wins = 0.0
    for p in pos:
        lo = bisect.bisect_left(neg, p)
        hi = bisect.bisect_right(neg, p)
        wins += lo + 0.5 * (hi - lo)
    return wins / (len(pos) * len(neg))


def report(name, rows, cbeta):
    ans = [r for r in rows if r["kind"] == "in_scope"]
    un = [r for r in rows if r["kind"] != "in_scope"]

    def conf(r):
        if not r["hits"]:
            return 0.0
        top = r["hits"][0]
        second = r["hits"][1] if len(r["hits"]) > 1 else None
        z = cbeta[0] + np.dot(cbeta[1:], conf_features(top, second))
        return 1 / (1 + math.exp(-z))

    top1 = sum(1 for r in ans if r["hits"] and r["hits"][0]["correct"]) / max(len(ans), 1)
    rec3 = sum(1 for r in ans if any(h["correct"] for h in r["hits"][:3])) / max(len(ans), 1)
    cs_ans = [conf(r) for r in ans]
    cs_un = [conf(r) for r in un]
    declined = sum(1 for c in cs_ans if c < THRESHOLD) / max(len(ans), 1)
    answered_un = sum(1 for c in cs_un if c >= THRESHOLD) / len(un) if un else None
    right = sum(
        1 for r, c in zip(ans, cs_ans) if c >= THRESHOLD and r["hits"] and r["hits"][0]["correct"]
    ) / max(len(ans), 1)
    wrong = sum(
        1 for r, c in zip(ans, cs_ans) if c >= THRESHOLD and not (r["hits"] and r["hits"][0]["correct"])
    ) / max(len(ans), 1)
    au = auroc(cs_ans, cs_un)
    fmt = lambda x: "–" if x is None else f"{x:.3f}"
    print(
        f"{name:<24} top1 {top1:.3f} rec@3 {rec3:.3f} auroc {fmt(au)} declined {declined:.3f} "
        f"answered-unanswerable {fmt(answered_un)} right {right:.3f} wrong {wrong:.3f}"
    )


def main():
    d = sys.argv[1]
    sets = {f[:-6]: load(os.path.join(d, f)) for f in sorted(os.listdir(d)) if f.endswith(".jsonl")}
    print("leave-one-set-out:")
    for held in sets:
        train = {k: v for k, v in sets.items() if k != held}
        rbeta = listwise(train)
        train_r = {k: rerank(v, rbeta) for k, v in train.items()}
        X, y, w = conf_data(train_r)
        cbeta = logreg(X, y, w)
        report(held, rerank(sets[held], rbeta), cbeta)
    rbeta = listwise(sets)
    all_r = {k: rerank(v, rbeta) for k, v in sets.items()}
    X, y, w = conf_data(all_r)
    cbeta = logreg(X, y, w)
    print("\nfitted on all sets:")
    for k, v in all_r.items():
        report(k, v, cbeta)
    print("\nfor src/search/hybrid.rs:")
    print(f"const RANK: [f32; {len(RANK_NAMES)}] = [{', '.join(f'{b:.4}' for b in rbeta[1:])}];")
    print(f"const CONFIDENCE: [f32; {len(CONF_NAMES) + 1}] = [{', '.join(f'{b:.4}' for b in cbeta)}];")
    print("// rank:", ", ".join(RANK_NAMES))
    print("// confidence: bias,", ", ".join(CONF_NAMES))


if __name__ == "__main__":
    main()
