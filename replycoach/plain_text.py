"""The one rule for text people type (replies, case text, names, comments): stored as typed, except control
characters.

NUL and the other C0 control characters are never meant (they come from pasted binary, broken encodings or
an attack), PostgreSQL cannot store NUL at all, and they make exports and terminals misbehave. Tabs and line
breaks (``\\n``, and the ``\\r`` of Windows line ends) are ordinary text. The storage facade checks every text
it stores with :func:`check_plain_text`; the practice page and the case format check earlier, so people get
the message before anything is graded.
"""

from __future__ import annotations

import re

#: C0 control characters and DEL, without tab, line feed and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def control_character(text: str) -> tuple[int, str] | None:
    """(position, character) of the first control character in ``text``, or None."""
    found = _CONTROL.search(text)
    return (found.start(), found.group()) if found else None


def control_character_message(text: str, what: str) -> str | None:
    """A message naming the first control character in ``text`` (``what`` says whose text it is), or None."""
    found = control_character(text)
    if found is None:
        return None
    position, char = found
    return (
        f"{what} contains a control character (U+{ord(char):04X}) at position {position + 1}: remove it "
        "(text may hold tabs and line breaks, but no other control characters)"
    )


def check_plain_text(text: str | None, what: str) -> None:
    """Raise ``ValueError`` with :func:`control_character_message` if ``text`` holds a control character."""
    if text:
        message = control_character_message(text, what)
        if message is not None:
            raise ValueError(message)
