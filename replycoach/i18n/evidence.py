"""The labels of the grader's evidence ("offers a remedy", "time frame") in the reader's language.

A grade keeps each highlighted span's label in English, as the grader wrote it, so a stored attempt reads the
same whatever language it is shown in later; the label is translated where it is shown, by its English text
as the message id, like the tips (``replycoach.i18n.tips``). The labels come from two places:

* the lexicons' groups (``grading/features/lexicon/*.yaml``, each group's ``label``): read from the files, so
  a new group's label reaches the catalogue (``python -m replycoach.i18n.catalogue``) without a list to keep;
* the graders' own spans (a link, shouting, the sentence a learned head leans on): ``GRADER_LABELS`` below,
  two of them with the case's key fact filled in.

A label that is neither (the LLM judge's reason, written in the judge's words) is shown as it is.
``tests/coaching/test_tip_translations.py`` fails when a grader writes a label this module does not know.
"""

from __future__ import annotations

import re
from functools import cache

from replycoach.i18n import N_, translate

#: Labels the graders write themselves (``Evidence(..., label)`` outside the lexicons), ``{fact}`` where a
#: key fact is filled in (its description, or the id of a cue's match: either stays as the case wrote it).
GRADER_LABELS: tuple[str, ...] = (
    N_("this sentence costs it most"),
    N_("this sentence earns it most"),
    N_("too long"),
    N_("link"),
    N_("repeated apology (padding)"),
    N_("too many apologies (grovelling)"),
    N_("e-mail address"),
    N_("addresses the customer by name"),
    N_("shouting"),
    N_("sarcastic emoji"),
    N_("time frame"),
    N_("moves to a private channel"),
    N_("copied from an earlier reply"),
    N_("addresses: {fact}"),
    N_("key fact: {fact}"),
)


@cache
def lexicon_labels() -> tuple[str, ...]:
    """Every lexicon group's label, in file order: the texts the lexicons' evidence spans carry, read through the
    grader's own loader (a data file without groups, such as the prototypes, has none)."""
    # the grader's data, loaded only when a label is asked for
    from grading.features.lexicon import LEXICON_DIR, load_lexicon

    labels = (g.label for path in sorted(LEXICON_DIR.glob("*.yaml")) for g in load_lexicon(path.stem).groups)
    return tuple(dict.fromkeys(labels))


@cache
def _templates() -> tuple[tuple[str, re.Pattern[str]], ...]:
    out = []
    for template in GRADER_LABELS:
        if "{fact}" in template:
            head, tail = template.split("{fact}")
            out.append((template, re.compile(re.escape(head) + "(?P<fact>.+)" + re.escape(tail), re.DOTALL)))
    return tuple(out)


def _message_of(label: str) -> tuple[str, dict[str, str]] | None:
    """The catalogue's message for ``label`` and the values to fill into it, or None for a label the grader does
    not write."""
    if label in lexicon_labels() or label in GRADER_LABELS:
        return label, {}
    for template, pattern in _templates():
        match = pattern.fullmatch(label)
        if match is not None:
            return template, match.groupdict()
    return None


def known_label(label: str) -> bool:
    """Whether ``label`` is one the grader writes (so a catalogue can translate it)."""
    return _message_of(label) is not None


def translate_label(label: str, language: str | None) -> str:
    """``label`` in ``language``; a label the grader does not write (the LLM judge's reason) as it is."""
    message = _message_of(label)
    if message is None:
        return label
    template, values = message
    return translate(language, template).format(**values) if values else translate(language, template)
