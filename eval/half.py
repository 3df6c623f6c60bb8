#!/usr/bin/env python3
"""Top-1 of the same queries on a knowledge base as shipped, without any `questions:` and with
every other article's removed (`otvet eval --without-questions-half`), split by whether the
query's article is one of the bare half. Reads the three `--dump` files of one set.

Usage: eval/half.py ARTICLES_DIR QUERIES.jsonl FULL.jsonl NOQ.jsonl HALF.jsonl
"""
import json
import os
import sys


def bare_articles(root):
    """The ids otvet eval strips in --without-questions-half: every other article id (file name
    without .md) in sorted order, starting with the first; every language version alike."""
    ids = set()
    for _, _, files in os.walk(root):
        ids.update(f[:-3] for f in files if f.endswith(".md"))
    return set(sorted(ids)[::2])


def main():
    root, qfile, *dumps = sys.argv[1:]
    bare = bare_articles(root)
    queries = [json.loads(l) for l in open(qfile) if l.strip()]
    runs = [[json.loads(l) for l in open(f)] for f in dumps]
    for group in ("bare", "annotated"):
        idx = [i for i, q in enumerate(queries)
               if q["expected"] and all(e in bare for e in q["expected"]) == (group == "bare")]
        tops = [sum(1 for i in idx if run[i]["hits"] and run[i]["hits"][0]["correct"]) / len(idx)
                for run in runs]
        print(f"{group:10} n={len(idx):4}  top-1 full {tops[0]:.3f}  none {tops[1]:.3f}  half {tops[2]:.3f}")


if __name__ == "__main__":
    main()
