"""Safe text for Streamlit's markdown and for our own HTML.

Streamlit renders markdown in ``st.markdown``, headers, captions, alerts and widget labels. Case text, names
and replies are written by other people, so they must appear exactly as typed: ``md_text`` backslash-escapes
every ASCII punctuation character CommonMark lets one escape (this also stops ``:red[...]`` colour
directives, LaTeX ``$...$``, images and links), and ``esc`` HTML-escapes text for the HTML blocks we build
ourselves. Escapes alone do not stop GitHub's autolinks (a bare ``http://...``, ``www....`` or e-mail
address becomes a link after the escapes are read), so ``md_text`` also puts an invisible word joiner
(U+2060) into each such address, which no autolink pattern matches.
"""

from __future__ import annotations

import html
import re

#: Each case language by its own name.
LANGUAGE_NAMES = {"en": "English", "de": "Deutsch", "ru": "Русский", "bg": "Български"}

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:\"'=^&%@])")
WORD_JOINER = "\u2060"
#: Where an autolink would start: between "scheme:" and "//", between "www" and ".", after an e-mail's "@".
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?i:(?<=www))(?=\.)|(?<=@)")


def md_text(text: str | None) -> str:
    """``text`` as markdown that renders literally (no formatting, links, images, HTML or directives)."""
    if not text:
        return ""
    return _MD_SPECIAL.sub(r"\\\1", _AUTOLINK.sub(WORD_JOINER, text))


def esc(text: object) -> str:
    """HTML-escape anything for use in element content or a quoted attribute."""
    return html.escape("" if text is None else str(text), quote=True)


def minutes_label(minutes: float) -> str:
    """A duration in minutes the way people say it: "45 s", "7 min", "2 h 5 min", "3 days"."""
    from replycoach.ui.i18n import _

    if minutes < 1:
        return _("{count} s").format(count=round(minutes * 60))
    if minutes < 60:
        return _("{count} min").format(count=f"{minutes:g}" if minutes != int(minutes) else int(minutes))
    if minutes < 24 * 60:
        hours, rest = divmod(int(round(minutes)), 60)
        return (
            _("{hours} h {minutes} min").format(hours=hours, minutes=rest)
            if rest
            else _("{hours} h").format(hours=hours)
        )
    days = minutes / (24 * 60)
    if days >= 2:
        return _("{count} days").format(count=f"{days:.0f}")
    return _("{hours} h").format(hours=int(round(minutes / 60)))


def ago_label(seconds: float) -> str:
    """ "just now", "1 minute ago", "12 minutes ago", "2 hours ago"."""
    from replycoach.ui.i18n import _, ngettext

    seconds = max(0.0, seconds)
    minutes = int(seconds // 60)
    if minutes < 1:
        return _("just now")
    if minutes < 60:
        return ngettext("{count} minute ago", "{count} minutes ago", minutes).format(count=minutes)
    hours = minutes // 60
    return ngettext("{count} hour ago", "{count} hours ago", hours).format(count=hours)
