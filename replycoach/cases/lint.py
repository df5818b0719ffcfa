"""Lint warnings for a case draft: things that are valid but make a weak case.

Validation (``loader.validate_text``) says whether a case file can be read; lint says whether it will teach
well: enough exemplars for the similarity graders, exemplars that the engine itself grades as the coach does,
key facts a good reply can be seen to cover, every language the app offers. Some warnings block publishing
(``blocks_publishing``): a draft that still has them cannot go live (``replycoach.cases.lifecycle``). Pure: the
grading engine comes in as a plain function, so this module needs neither Streamlit nor a model to be tested.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from difflib import SequenceMatcher

from grading.features.lemmas import lemmatize
from replycoach.cases.models import LANGUAGES, Case, Handling

MIN_EXEMPLARS = 3
#: What the draft builder writes where a coach still has to: a case with it left in is not finished.
TODO_MARK = "TODO"
#: Good and bad exemplars this similar (difflib ratio on normalised text) teach the graders nothing.
NEAR_IDENTICAL = 0.9

#: Overall score (0-100) of ``text`` as a reply to ``case`` (single-language) with ``handling``.
GradeFn = Callable[[Case, str, Handling, float | None], float]


@dataclass(frozen=True)
class LintWarning:
    code: str  # stable, for tests and filters: few_good, few_bad, real_reply_fails, ...
    where: str  # the field it is about, e.g. "exemplars.good[1]"
    message: str
    blocks_publishing: bool = False  # an unfinished case: it may be saved as a draft, not published

    def __str__(self) -> str:
        return f"{self.where} ==> {self.message}"


def engine_grade_fn(engine) -> GradeFn:
    """Adapt a ``grading.Engine`` to ``GradeFn`` (the engine's default pass mark does not matter here: lint
    compares the score itself with the pass mark it is given)."""

    def grade(case: Case, text: str, handling: Handling, response_seconds: float | None) -> float:
        kwargs = {"handling": handling.value}
        if response_seconds is not None:
            kwargs["response_seconds"] = response_seconds
        return float(engine.grade(case, text, **kwargs).score)

    return grade


def _variants(word: str, language: str) -> set[str]:
    """Lemmas of a word as written and lower-cased: German nouns lemmatize only with their capital."""
    return {lemmatize(word, language).lower(), lemmatize(word.lower(), language).lower()}


def cue_covered(cue: str, text: str, language: str) -> bool:
    """A cue (a word or short phrase, any inflection) is in ``text`` when each of its words is, by lemma."""
    text_lemmas: set[str] = set()
    for word in re.findall(r"\w+", text):
        text_lemmas |= _variants(word, language)
    cue_words = re.findall(r"\w+", cue)
    return bool(cue_words) and all(_variants(w, language) & text_lemmas for w in cue_words)


def _normal(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, _normal(a), _normal(b), autojunk=False).ratio()


def lint_case(case: Case, grade: GradeFn | None, *, pass_mark: float) -> list[LintWarning]:
    """Every warning for ``case``. ``grade`` ``None`` skips the checks that need the engine."""
    warnings: list[LintWarning] = []
    warnings += _exemplar_counts(case)
    if grade is not None:
        warnings += _graded_below_pass(case, grade, pass_mark)
    warnings += _near_identical(case)
    warnings += _uncovered_key_facts(case)
    warnings += _missing_translations(case)
    warnings += _todo_left(case)
    return warnings


def publish_blockers(case: Case) -> list[LintWarning]:
    """The lint warnings that keep ``case`` from being published (none of them needs the engine)."""
    return [w for w in lint_case(case, None, pass_mark=0.0) if w.blocks_publishing]


def _todo_left(case: Case) -> list[LintWarning]:
    found: list[str] = []

    def walk(value, where: str) -> None:
        if isinstance(value, str) and TODO_MARK in value:
            found.append(where)
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{where}.{key}" if where else str(key))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, f"{where}[{i}]")

    walk(case.model_dump(mode="json", exclude={"status_history"}), "")
    return [
        LintWarning("todo_left", where, f"still says {TODO_MARK}: write it before publishing", blocks_publishing=True)
        for where in found
    ]


def _exemplar_counts(case: Case) -> list[LintWarning]:
    out = []
    for kind, items in (("good", case.exemplars.good), ("bad", case.exemplars.bad)):
        if len(items) < MIN_EXEMPLARS:
            out.append(
                LintWarning(
                    f"few_{kind}",
                    f"exemplars.{kind}",
                    f"only {len(items)} {kind} exemplar(s); write at least {MIN_EXEMPLARS} so the similarity "
                    "graders have something to compare with",
                    blocks_publishing=True,
                )
            )
    return out


def _graded_below_pass(case: Case, grade: GradeFn, pass_mark: float) -> list[LintWarning]:
    out = []
    single = case.localized(case.language)
    real = case.real_reply
    if real is not None and (real.handling or case.expected_handling) != Handling.no_reply:
        seconds = real.after_minutes * 60 if real.after_minutes is not None else None
        score = grade(single, real.text, real.handling or case.expected_handling, seconds)
        if score < pass_mark:
            out.append(
                LintWarning(
                    "real_reply_fails",
                    "real_reply",
                    f"the recorded real reply scores {score:.0f}, below the pass mark {pass_mark:.0f}; fine if "
                    "the analysis says it was weak, otherwise the case or the grader needs a look",
                )
            )
    for i, ex in enumerate(case.exemplars.good):
        score = grade(single, ex.text, ex.handling or case.expected_handling, None)
        if score < pass_mark:
            out.append(
                LintWarning(
                    "good_exemplar_fails",
                    f"exemplars.good[{i}]",
                    f"this good exemplar scores {score:.0f} (your score {ex.score}), below the pass mark "
                    f"{pass_mark:.0f}: trainees who write like it would fail",
                )
            )
    return out


def _near_identical(case: Case) -> list[LintWarning]:
    out = []
    for i, good in enumerate(case.exemplars.good):
        for j, bad in enumerate(case.exemplars.bad):
            ratio = similarity(good.text, bad.text)
            if ratio >= NEAR_IDENTICAL:
                out.append(
                    LintWarning(
                        "near_identical",
                        f"exemplars.good[{i}] / exemplars.bad[{j}]",
                        f"a good and a bad exemplar are {ratio:.0%} the same text; the graders cannot tell them "
                        "apart by similarity, make the difference larger",
                    )
                )
    return out


def _uncovered_key_facts(case: Case) -> list[LintWarning]:
    out = []
    goods = [g.text for g in case.exemplars.good]
    for i, fact in enumerate(case.key_facts):
        where = f"key_facts[{i}] ({fact.id})"
        if not fact.cues:
            out.append(
                LintWarning(
                    "no_cues",
                    where,
                    "has no cues: the grader cannot see whether a reply covers it",
                    blocks_publishing=True,
                )
            )
            continue
        if goods and not any(cue_covered(c, t, case.language) for c in fact.cues for t in goods):
            out.append(
                LintWarning(
                    "key_fact_uncovered",
                    where,
                    f"no good exemplar uses any of its cues ({', '.join(fact.cues)}); add a cue the good "
                    "replies use, or show the fact in a good exemplar",
                )
            )
    return out


def _missing_translations(case: Case) -> list[LintWarning]:
    missing = [lang for lang in LANGUAGES if lang not in case.languages]
    out = []
    if missing:
        out.append(
            LintWarning(
                "missing_translation",
                "translations",
                f"no {', '.join(missing)} version: trainees practising in that language won't see this case",
            )
        )
    for lang, tr in case.translations.items():
        if case.key_facts and tr.key_facts is None:
            out.append(
                LintWarning(
                    "translation_without_key_facts",
                    f"translations.{lang}",
                    f"has no key_facts: the {lang} version is checked with the {case.language} cues",
                )
            )
    return out
