"""A realistic practice history, generated fast: for demos of the HR dashboard and its benchmark.

Each generated trainee has, per principle, a starting skill, a ceiling and a learning speed; their principle
scores follow that learning curve with noise, so the dashboard shows teams improving at different rates and
principles that stay hard. Attempts spread over the last months (weekdays, working hours), replies get faster
with practice, and the overall score is the weighted mean of the applicable principles (as the grader does).
Generated accounts cannot sign in (their password hash matches nothing).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from replycoach.cases.models import PRINCIPLES
from replycoach.cases.safe_yaml import YamlProblem, parse_yaml, read_case_text
from replycoach.storage.facade import Store
from replycoach.storage.types import MissingEntry, NewAttempt, PrincipleScore, Role

#: Used when the scenarios folder has no readable case: the cases of the source articles.
FALLBACK_CASES = (
    "price-complaint",
    "content-criticism",
    "defective-dress",
    "checkout-queue",
    "missing-support-phone",
    "late-delivery",
    "troll-insult",
    "sold-out-praise",
)
LANGUAGES = ("en", "de", "ru", "bg")
PASS_MARK = 70.0
_CHUNK = 5_000
_REPLIES = {
    "en": "Hi {name}, I'm sorry about this - you're right to be upset. I'll sort it out today and write to you.",
    "de": "Hallo {name}, das tut mir leid - Ihr Ärger ist berechtigt. Ich kläre das heute und melde mich bei Ihnen.",
    "ru": "Здравствуйте, {name}! Простите нас, вы правы. Я сегодня же разберусь и напишу вам.",
    "bg": "Здравейте, {name}! Съжаляваме, имате право. Днес ще проверя и ще ви пиша.",
}
_NAMES = {
    "en": ("Emma", "Liam", "Noah", "Olivia"),
    "de": ("Anna", "Jonas", "Lena", "Paul"),
    "ru": ("Olga", "Daria", "Ivan", "Pavel"),
    "bg": ("Maria", "Georgi", "Elena", "Nikolai"),
}


class HistoryExists(Exception):
    """A history with this seed is already in the database (its usernames and tokens would collide)."""


@dataclass(frozen=True)
class HistoryResult:
    trainees: int
    attempts: int
    teams: int
    seconds: float


def read_case_ids(scenarios_dir: Path) -> list[str]:
    """Case ids of the casebook (just the ``id`` of every YAML file that has one), or the fallback list."""
    ids = []
    for path in sorted(Path(scenarios_dir).glob("*.yaml")):
        try:
            data = parse_yaml(read_case_text(path)).data
        except (OSError, YamlProblem):
            continue
        if isinstance(data, dict) and isinstance(data.get("id"), str):
            ids.append(data["id"])
    return ids or list(FALLBACK_CASES)


def team_names(count: int) -> list[str]:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return [f"Store {letters[i]}" if i < len(letters) else f"Store {i + 1}" for i in range(count)]


def generate_history(
    store: Store,
    *,
    trainees: int = 500,
    attempts: int = 100_000,
    teams: int = 10,
    months: int = 6,
    seed: int = 1,
    case_ids: list[str] | None = None,
    end: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> HistoryResult:
    """Add ``trainees`` generated trainees in ``teams`` teams and ``attempts`` attempts spread over the
    ``months`` before ``end`` (default: now). Raises ``HistoryExists`` if ``seed`` was used already and
    ``ValueError`` for counts that make no sense. ``progress(done, total)`` is called after each chunk.

    The whole history is drawn first as columns (numpy, one trainee at a time), then stored in the order it
    happened, in chunks (``Store.bulk_add_attempts``): attempt ids grow with time as in real use, and each
    chunk touches only a few days of the dashboard's rollups."""
    if trainees < 1 or attempts < 0 or teams < 1 or months < 1:
        raise ValueError("Trainees, teams and months must be at least 1 and attempts at least 0.")
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    prefix = f"gen{seed}"
    try:
        store.find_user(f"{prefix}-t0001")
    except MissingEntry:
        pass
    else:
        raise HistoryExists(f"A history with seed {seed} exists already; pick another --seed.")
    cases = case_ids or list(FALLBACK_CASES)
    end = (end or datetime.now(UTC)).astimezone(UTC)
    start = end - timedelta(days=30 * months)
    team_list = team_names(teams)
    team_language = {team: LANGUAGES[i % len(LANGUAGES)] for i, team in enumerate(team_list)}
    people = []
    for i in range(trainees):
        team = team_list[i % teams]
        first = _NAMES[team_language[team]][i % 4]
        people.append((f"{prefix}-t{i + 1:04d}", f"{first} {i + 1:04d}", team))
    users = store.bulk_add_users(people, role=Role.trainee)
    plan = _draw(rng, users, attempts, teams, cases, start.timestamp(), end.timestamp())
    done = 0
    for first in range(0, len(plan.order), _CHUNK):
        batch = [
            _attempt(users, team_language, cases, plan, int(i), prefix) for i in plan.order[first : first + _CHUNK]
        ]
        done += store.bulk_add_attempts(batch)
        if progress:
            progress(done, attempts)
    return HistoryResult(trainees=len(users), attempts=done, teams=teams, seconds=time.perf_counter() - started)


@dataclass(frozen=True)
class _Plan:
    """The drawn history as columns, one entry per attempt; ``order`` lists the entries by submission time."""

    user: np.ndarray  # index into the users
    number: np.ndarray  # the attempt's number among its trainee's attempts (0 first)
    case: np.ndarray  # index into the cases
    scores: np.ndarray  # attempts x principles, in [0, 1] rounded to 0.01; NaN: not applicable to the case
    submitted: np.ndarray  # POSIX seconds
    seconds: np.ndarray  # response time
    needs_review: np.ndarray
    name: np.ndarray  # which of the language's four customer names the reply greets
    order: np.ndarray


def _draw(rng: np.random.Generator, users, attempts: int, teams: int, cases, start: float, end: float) -> _Plan:
    count_of = len(users)
    # Who practises how much: a few keen trainees, many occasional ones.
    weights = rng.gamma(1.2, 1.0, count_of)
    counts = rng.multinomial(attempts, weights / weights.sum())
    graded_on = [_case_principles(rng) for _ in cases]
    applicable = np.array([[p in principles for p in PRINCIPLES] for principles in graded_on])
    total_seconds = end - start
    parts: dict[str, list[np.ndarray]] = {c: [] for c in ("user", "number", "case", "scores", "submitted", "seconds")}
    for index, count in enumerate(counts):
        if count == 0:
            continue
        team_skill = 0.08 * math.sin(index % teams)  # some teams start stronger
        base = np.clip(rng.beta(2.0, 3.0, len(PRINCIPLES)) + team_skill, 0.05, 0.9)
        ceiling = np.clip(base + rng.uniform(0.1, 0.5, len(PRINCIPLES)), 0.4, 1.0)
        pace = rng.uniform(4.0, 40.0)  # attempts until two thirds of the way to the ceiling
        joined = rng.uniform(0.0, 0.6) * total_seconds
        number = np.arange(count)
        learned = 1.0 - np.exp(-number / pace)
        case = rng.integers(len(cases), size=count)
        skill = base + (ceiling - base) * learned[:, None]
        noisy = np.round(np.clip(skill + rng.normal(0.0, 0.15, (count, len(PRINCIPLES))), 0.0, 1.0), 2)
        parts["user"].append(np.full(count, index))
        parts["number"].append(number)
        parts["case"].append(case)
        parts["scores"].append(np.where(applicable[case], noisy, np.nan))
        offsets = np.sort(rng.uniform(joined, total_seconds, count))
        parts["submitted"].append(np.minimum(_working_hours(start + offsets, rng), end))
        parts["seconds"].append(rng.lognormal(np.log(60 + 300 * (1 - learned)), 0.5))  # faster with practice
    columns = {name: np.concatenate(values) if values else np.zeros(0) for name, values in parts.items()}
    n = len(columns["submitted"])
    return _Plan(
        user=columns["user"].astype(int),
        number=columns["number"].astype(int),
        case=columns["case"].astype(int),
        scores=columns["scores"].reshape(n, len(PRINCIPLES)),
        submitted=columns["submitted"],
        seconds=columns["seconds"],
        needs_review=rng.random(n) < 0.02,
        name=rng.integers(4, size=n),
        order=np.argsort(columns["submitted"], kind="stable"),
    )


def _case_principles(rng: np.random.Generator) -> set[str]:
    """The principles a case is graded on: most of them; a few (e.g. private_channel) only for some cases."""
    chosen = rng.choice(len(PRINCIPLES), size=min(9, len(PRINCIPLES)), replace=False)
    return {PRINCIPLES[i] for i in chosen}


def _working_hours(moments: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each moment (POSIX seconds) moved to a time between 08:00 and 18:00 UTC of its day, and from a weekend
    back to the Friday before: practice happens on shifts, Monday to Friday."""
    days = np.floor(moments / 86_400)
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0
    days -= np.where(weekday >= 5, weekday - 4, 0)
    return days * 86_400 + rng.uniform(8.0, 18.0, len(moments)) * 3600


def _attempt(users, team_language: dict, cases, plan: _Plan, i: int, prefix: str) -> NewAttempt:
    user = users[plan.user[i]]
    language = team_language[user.team]
    scores = {p: float(v) for p, v in zip(PRINCIPLES, plan.scores[i], strict=True) if not math.isnan(v)}
    weights = {p: 1.0 for p in scores}
    overall = 100.0 * sum(scores.values()) / len(scores)
    reply = _REPLIES[language].format(name=_NAMES[language][plan.name[i]])
    submitted = datetime.fromtimestamp(float(plan.submitted[i]), UTC)
    seconds = round(float(plan.seconds[i]), 1)
    case = cases[plan.case[i]]
    grade = {
        "score": overall,
        "passed": overall >= PASS_MARK,
        "principles": {
            p: {"principle": p, "score": s, "evidence": [], "tip": None, "grader": "generated", "error": None}
            for p, s in scores.items()
        },
        "weights": weights,
        "case_id": case,
        "case_hash": None,
        "language": language,
        "grader_version": "generated-history",
        "embedder": "none",
        "reply_chars": len(reply),
        "truncated": False,
        "warnings": ["generated history, not a real attempt"],
    }
    return NewAttempt(
        user_id=user.id,
        case_id=case,
        case_hash="0" * 64,
        language=language,
        handling="public_reply",
        reply=reply,
        opened_at=submitted - timedelta(seconds=seconds),
        submitted_at=submitted,
        response_seconds=seconds,
        score=round(overall, 1),
        passed=overall >= PASS_MARK,
        grader_version="generated-history",
        embedder="none",
        principles=[PrincipleScore(p, s, weights[p]) for p, s in scores.items()],
        grade_json=grade,
        client_token=f"{prefix}-{user.id}-{plan.number[i]}",
        needs_review=bool(plan.needs_review[i]),
        pass_mark=PASS_MARK,
    )
