"""The grader's tips (and the coaching's own sentences built the same way) in the trainee's language.

The grader writes each tip in English from a few fixed sentences, some with a value of the case or the reply
filled in (the customer's name, a key fact, the words that cost points), and joins several with a space.
``translate_tip`` takes a tip apart into those sentences (``TIP_TEMPLATES``), translates each by its English
template as the message id and fills the same values back in. Names, facts and quoted words are the case's
and the reply's own text and stay as they are; a handling or a duration the grader filled in is translated.
A tip that is not made of known sentences is shown in English rather than half translated.
"""

from __future__ import annotations

import re
from functools import cache

from replycoach.cases.models import HANDLING_LABELS
from replycoach.i18n import N_, translate

#: Every sentence the grader builds its tips from, with ``{placeholders}`` where it fills in a value. The
#: variants for "the customer" come before the ones with ``{name}``: they read differently in other languages.
TIP_TEMPLATES: tuple[str, ...] = (
    N_('Nothing went wrong here, so no apology is owed; grovelling or "sorry you feel that way" only hurts.'),
    N_('Say sorry for what went wrong, not for how the customer feels: "sorry you feel that way" blames them.'),
    N_("Apologise plainly for what went wrong in this case; the company is at fault here."),
    N_("Apologise once, sincerely, then move to the solution; repeated apologies sound like grovelling."),
    N_("Keep it short: a few sentences (under {characters} characters), at most one link, no padding."),
    N_(
        'Say exactly what will happen and by when ("we will refund you by tomorrow noon"), or that it is already '
        'done; "as soon as possible" promises nothing.'
    ),
    N_("Here: {fact}."),
    N_("Keep the time frame short; this case expects an answer within {target}."),
    N_(
        'Acknowledge how the customer feels before solving anything, e.g. "I understand how frustrating this is", '
        "in your own words about this case."
    ),
    N_(
        'Acknowledge how {name} feels before solving anything, e.g. "I understand how frustrating this is", in your '
        "own words about this case."
    ),
    N_("Thank the customer for telling you: the feedback helps you fix the problem."),
    N_("Thank {name} for telling you: the feedback helps you fix the problem."),
    N_("This comment calls for: {expected} (you chose: {chosen})."),
    N_("Don't feed a troll: a reply gives them the stage they want."),
    N_("Don't argue in public: state one calm fact at most and offer to help."),
    N_("Don't reward insults or threats with gifts: everyone reading learns that they work."),
    N_("Don't plead with the customer; answer the substance."),
    N_("Don't apologise to a troll: there is nothing to apologise for."),
    N_('Answer in public first; a bare "we\'ve sent you a message" looks like hiding the complaint.'),
    N_('Drop "{words}": it blames or lectures the customer. Describe what you will do instead.'),
    N_("Keep a calm tone: no capitals or strings of exclamation marks."),
    N_('Drop the stock phrase "{words}" and talk like a person.'),
    N_("Be specific to this case: address {fact}."),
    N_("This is nearly the same as one of your earlier replies: write for this customer and case."),
    N_("Refer to what happened in this case in your own words rather than general phrases."),
    N_('Own the mistake ("this was our mistake") and say briefly why it happened.'),
    N_('Own the mistake ("this was our mistake") and say briefly why it happened: {cause}.'),
    N_('Address the customer by name: start with "{name}, ...".'),
    N_("Move the details out of public view: ask the customer to send their order number by direct message or e-mail."),
    N_(
        "Offer the customer a concrete fix, compensation or alternative, give the step or the information that solves "
        "it, or ask what would make it right for them."
    ),
    N_(
        "Offer {name} a concrete fix, compensation or alternative, give the step or the information that solves it, "
        "or ask what would make it right for them."
    ),
    N_(
        "Don't stop at what you cannot do: say what you can do instead (an alternative, a refund, a repair, the step "
        "that solves it) or ask the customer what would make it right."
    ),
    N_(
        "Don't stop at what you cannot do: say what you can do instead (an alternative, a refund, a repair, the step "
        "that solves it) or ask {name} what would make it right."
    ),
    N_(
        "You answered after {took}; this case expects an answer within {target}. A short first answer in time "
        "beats a perfect one late."
    ),
    N_('The reply is empty: write an answer to the customer (or choose "Don\'t reply" if the comment calls for it).'),
)

#: The sentences ``replycoach.coaching`` builds "try this next" and the rewrite's list of changes from.
COACHING_TEMPLATES: tuple[str, ...] = (
    N_("Address the customer by name: {name}."),
    N_("Replaced what lost {principle} with a sentence from a good example reply."),
    N_("Took out the sentence that lost {principle}."),
    N_("Took out the {count} sentences that lost {principle}."),
    N_("Addressed the customer by name ({name})."),
    N_("Added a sentence for {principle} from a good example reply."),
)

#: Values the grader fills in that are interface words: a handling ("reply publicly"), a duration.
_DURATIONS = {"minutes": N_("{count} minutes"), "hours": N_("{count} hours"), "days": N_("{count} days")}
_DURATION = re.compile(r"(?P<count>\d+(?:\.\d+)?) (?P<unit>minutes|hours|days)")
_VALUE_WORDS = (N_("reply"),)  # what the grader writes when no handling was chosen; translated like a title


@cache
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    out = []
    for template in TIP_TEMPLATES + COACHING_TEMPLATES:
        pieces = re.split(r"\{(\w+)\}", template)
        pattern = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(pieces))
        out.append((template, re.compile(pattern, re.DOTALL)))
    return tuple(out)


def split_tip(tip: str) -> list[tuple[str, dict[str, str]]] | None:
    """The tip as (template, filled-in values) per sentence, or None if it is not made of known sentences."""
    ends = [m.start() for m in re.finditer(r" ", tip)] + [len(tip)]
    memo: dict[int, list | None] = {}

    def parse(start: int) -> list | None:
        if start == len(tip):
            return []
        if start not in memo:
            memo[start] = None
            for end in (e for e in ends if e > start):
                for template, pattern in _patterns():
                    match = pattern.fullmatch(tip, start, end)
                    if match is None:
                        continue
                    rest = parse(min(end + 1, len(tip)))
                    if rest is not None:
                        memo[start] = [(template, match.groupdict()), *rest]
                        return memo[start]
        return memo[start]

    return parse(0)


def translate_tip(tip: str, language: str | None) -> str:
    """``tip`` in ``language``; in English if it is not made of the known sentences (see the module's doc)."""
    sentences = split_tip(tip)
    if sentences is None:
        return tip
    return " ".join(
        translate(language, template).format(**{k: _value(v, language) for k, v in values.items()})
        for template, values in sentences
    )


def _value(value: str, language: str | None) -> str:
    duration = _DURATION.fullmatch(value)
    if duration is not None:
        return translate(language, _DURATIONS[duration["unit"]]).format(count=duration["count"])
    for label in HANDLING_LABELS.values():
        if value == label.lower():  # the grader writes a handling in lower case inside its sentence
            translated = translate(language, label)
            return translated[:1].lower() + translated[1:]
    return translate(language, value)  # a principle's title, "reply"; a name, a fact or quoted words stay as they are
