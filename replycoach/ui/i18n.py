"""The interface in the signed-in user's language (their setting on "My settings"), English as the fallback.

Pages and components call ``_("English text")`` for every text they show, with values filled in by name
afterwards (``_("Saved {count} cases.").format(count=n)``) so a translation can put them where its language
wants them. Before anyone signs in, the browser's language is used when the interface speaks it.
"""

from __future__ import annotations

import streamlit as st

from replycoach import i18n
from replycoach.i18n import N_
from replycoach.i18n.evidence import translate_label
from replycoach.i18n.tips import translate_tip
from replycoach.ui import session


def language() -> str:
    """The interface's language for this rerun."""
    user = session.signed_in_user()
    if user is not None:
        return i18n.ui_language(user.ui_language)
    browser = getattr(st.context, "locale", None)  # e.g. "de-DE"; None without a browser
    return i18n.ui_language(browser.split("-")[0].lower() if isinstance(browser, str) else None)


def _(message: str) -> str:
    return i18n.translate(language(), message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return i18n.translate_plural(language(), singular, plural, n)


def principle_title(pid: str) -> str:
    """The principle's title from the grader's catalogue, translated ("no_script" -> "Menschlich, nicht ...")."""
    try:
        from grading import PRINCIPLE_INFO

        return _(PRINCIPLE_INFO[pid].title)
    except (ImportError, KeyError, AttributeError):
        return pid.replace("_", " ").capitalize()


def principle_description(pid: str) -> str:
    try:
        from grading import PRINCIPLE_INFO

        return _(PRINCIPLE_INFO[pid].description)
    except (ImportError, KeyError, AttributeError):
        return ""


def tip_text(tip: str, reply_language: str | None) -> str:
    """A grader's tip in the language of the reply it is about (its quoted words and the case's facts are in
    that language), or the interface's where the interface does not speak the reply's language."""
    target = reply_language if reply_language in i18n.UI_LANGUAGES else language()
    return translate_tip(tip, target)


def handling_label(value: str) -> str:
    """A handling ("public_reply") as the interface calls it ("Reply publicly"), translated."""
    from replycoach.cases.models import HANDLING_LABELS, Handling

    try:
        return _(HANDLING_LABELS[Handling(value)])
    except ValueError:
        return value


#: The kinds of negativity and difficulty levels as the interface names them.
NEGATIVITY_LABELS = {
    "constructive": N_("Constructive"),
    "impulsive": N_("Impulsive"),
    "competitor": N_("Competitor"),
    "troll": N_("Troll"),
    "extortion": N_("Extortion"),
    "praise_in_disguise": N_("Praise in disguise"),
}
DIFFICULTY_LABELS = {"easy": N_("easy"), "medium": N_("medium"), "hard": N_("hard")}


def negativity_label(value: str) -> str:
    return _(NEGATIVITY_LABELS.get(value, value))


def difficulty_label(value: str) -> str:
    return _(DIFFICULTY_LABELS.get(value, value))


ROLE_LABELS = {"trainee": N_("trainee"), "coach": N_("coach"), "hr": N_("HR"), "admin": N_("admin")}


def role_label(value: str) -> str:
    return _(ROLE_LABELS.get(value, value))


def evidence_label(label: str) -> str:
    """A highlighted span's label ("offers a remedy") in the interface's language, as the tooltip beside the
    principle's title is."""
    return translate_label(label, language())
