"""The same reply grades the same in every language: cues that exist in one language exist in the others,
and cues do not fire on look-alike words (lemma collisions, stems that catch unrelated words)."""

from __future__ import annotations

import pytest
from grading_support import make_case

from grading.features.lexicon import load_lexicon
from grading.features.text import analyse
from grading.features.timeexpr import find_time_expressions
from replycoach.cases.models import Case

WITHIN_POINTS = 8.0

# The same reply to the defective dress, in each language (not the case's exemplar).
SAME_REPLY = {
    "en": "Olga, that must be really annoying, and we're sorry. The cashier should have checked the dress. "
    "We've sent you a direct message: we'll arrange an exchange or a refund within two days.",
    "de": "Olga, das ist wirklich ärgerlich, und es tut uns leid. Die Kassiererin hätte das Kleid prüfen müssen. "
    "Wir haben Ihnen eine Direktnachricht geschickt: Innerhalb von zwei Tagen organisieren wir einen Umtausch "
    "oder eine Erstattung.",
    "ru": "Ольга, это действительно неприятно, простите нас. Кассир должен был проверить платье. "
    "Мы написали вам в личные сообщения: в течение двух дней мы оформим обмен или возврат денег.",
    "bg": "Олга, това наистина е неприятно и съжаляваме. Касиерката трябваше да провери роклята. "
    "Изпратихме ви лично съобщение: до два дни ще организираме замяна или връщане на парите.",
}

# A blaming reply in each language: every version must hit the same severe-fault cap.
BLAMING_REPLY = {
    "en": "Quality costs money. If this dress is too expensive for you, maybe our shop just isn't for you.",
    "de": "Qualität kostet eben. Wenn Ihnen das Kleid zu teuer ist, sind Sie bei uns vielleicht einfach falsch.",
    "ru": "Качество стоит денег. Если платье для вас дорого, возможно, наш магазин просто не для вас.",
    "bg": "Качеството струва пари. Щом роклята ви е скъпо, може би нашият магазин просто не е за вас.",
}


def _groups(lexicon: str, text: str, lang: str) -> set[str]:
    return {m.group for m in load_lexicon(lexicon).find(analyse(text, lang))}


@pytest.mark.parametrize("eng", ["rules_engine", "engine"])
def test_same_reply_grades_alike_in_every_language(request, eng):
    engine = request.getfixturevalue(eng)
    scores = {
        lang: engine.grade(make_case(lang), reply, response_seconds=300, handling="public_then_private").score
        for lang, reply in SAME_REPLY.items()
    }
    assert scores["en"] >= 70, scores  # a good reply, so the comparison is not between zeros
    for lang, score in scores.items():
        assert abs(score - scores["en"]) <= WITHIN_POINTS, (lang, scores)


def test_blaming_reply_is_capped_in_every_language(rules_engine):
    for lang, reply in BLAMING_REPLY.items():
        g = rules_engine.grade(make_case(lang), reply, response_seconds=300, handling="public_reply")
        assert g.principles["no_blame"].score <= 0.5 and g.score <= 15, (lang, g.principles["no_blame"])


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "Sorry if there was a misunderstanding."),
        ("de", "Es tut uns leid, falls es ein Missverständnis gab."),
        ("ru", "Нам жаль, если возникло недопонимание."),
        ("bg", "Съжаляваме, ако е имало недоразумение."),
        ("de", "Es tut uns leid, dass Sie unsere Preise als zu hoch empfinden."),
        ("ru", "Нам жаль, что вам кажется, будто цены высокие."),
        ("bg", "Съжаляваме, че смятате цените ни за високи."),
    ],
)
def test_hedged_apology_is_a_non_apology_in_every_language(lang, text):
    assert "non_apology" in _groups("apology", text, lang)


def test_plain_apology_for_the_trouble_is_not_a_non_apology():
    # "sorry for the inconvenience caused" is a real (if formal) apology in every language, like the English
    for lang, text in [
        ("en", "Apologies once more for the trouble!"),
        ("ru", "Ещё раз извините за доставленные неудобства!"),
        ("de", "Nochmals Entschuldigung für die Unannehmlichkeiten!"),
    ]:
        assert _groups("apology", text, lang) == {"apology"}, lang


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "We'd like to understand what happened."),
        ("de", "Wir möchten gern verstehen, was passiert ist."),
        ("ru", "Хотим понять, что произошло."),
        ("bg", "Искаме да разберем какво се е случило."),
    ],
)
def test_asking_what_happened_is_not_yet_empathy(rules_engine, lang, text):
    g = rules_engine.grade(make_case(lang), text, response_seconds=60)
    assert g.principles["empathy"].score == pytest.approx(0.15)


def test_lemma_collisions_do_not_fire():
    # "hätten" lemmatises to "haben": "wir hätten" must not match every "wir haben"
    assert "admits" not in _groups("ownership", "Wir haben Ihnen eine DM geschickt.", "de")
    assert "admits" in _groups("ownership", "Wir hätten das Kleid prüfen müssen.", "de")
    # "вие" lemmatises to "аз" in Bulgarian: "вие сте виновни" must not match "аз съм виновен"
    assert _groups("blame", "Аз съм виновен за това.", "bg") == set()
    # stems that caught unrelated words: почти ("almost") is not почта, директно ("directly") not Direct
    assert _groups("private", "Видео почти не было.", "ru") == set()
    assert _groups("private", "Благодарим, че го казвате толкова директно.", "bg") == set()
    assert _groups("private", "Пишем ви в Директ.", "bg") == {"private"}
    # "доставленные неудобства" is not a delivery offered
    assert _groups("remedy", "Извините за доставленные неудобства.", "ru") == set()


# What the company will do, has done or found out: the tense is the meaning, so a lemma must not erase it.
TENSE_AND_PERSON = [
    # Bulgarian "ще" is every future; the company commits in the first person, in what the customer will get and
    # in what its staff will do, not in what things or other people will do
    ("promise", "commitment", "bg", "Ще ви изпратим нов чифт утре.", True),
    ("promise", "commitment", "bg", "Ще се обадя днес.", True),
    ("promise", "commitment", "bg", "Удобните филтри ще ви помогнат да изберете чифт.", False),
    ("promise", "commitment", "bg", "Ще им помогнат в магазина.", False),
    ("promise", "commitment", "bg", "Ще получите съобщение до края на деня.", True),
    ("promise", "commitment", "bg", "Управителят ще ви се обади днес.", True),
    # the same next step said from the customer's side or by a colleague, in every language
    ("promise", "commitment", "en", "You'll receive a full refund by Friday.", True),
    ("promise", "commitment", "en", "Our store manager will call you today.", True),
    ("promise", "commitment", "en", "The filters will help you choose a pair.", False),
    ("promise", "commitment", "de", "Sie erhalten die volle Erstattung bis Freitag.", True),
    ("promise", "commitment", "de", "Unsere Filialleiterin ruft Sie heute noch an.", True),
    ("promise", "commitment", "de", "Die Filter helfen Ihnen, ein Paar zu wählen.", False),
    ("promise", "commitment", "ru", "Вы получите полный возврат до пятницы.", True),
    ("promise", "commitment", "ru", "Управляющая магазином позвонит вам сегодня.", True),
    ("promise", "commitment", "ru", "Фильтры помогут вам выбрать пару.", False),
    # German: the verb before "wir" after an adverb; "wurden" (were) is not "werden" (will)
    ("promise", "commitment", "de", "Dann regeln wir das über die Garantie.", True),
    ("promise", "commitment", "de", "Wir wurden darüber nicht informiert.", False),
    ("promise", "done", "de", "Wir haben das schon erledigt.", True),
    ("promise", "done", "de", "Solche Kommentare schreiben Menschen, die schon lange bei uns sind.", False),
    ("promise", "done", "de", "Der Betrag wurde erstattet.", True),
    ("promise", "done", "de", "Wir werden den Betrag erstatten.", False),
    # "we checked" explains a cause; "we check" / "we will check" promises to look
    ("ownership", "cause", "de", "Wir haben das geprüft: der Kurier hatte die falsche Adresse.", True),
    ("ownership", "cause", "de", "Wir prüfen Ihr Anliegen und melden uns.", False),
    ("ownership", "cause", "bg", "Проверихме поръчката: куриерът е объркал адреса.", True),
    ("ownership", "cause", "bg", "Кажете ни в кое кафене и още днес ще проверим.", False),
    ("ownership", "cause", "en", "We checked your order: the courier had the wrong address.", True),
    ("ownership", "cause", "en", "We check every order before it leaves.", False),
]

# Found by comparing the cue counts of exact translations (the dev set's translation groups and the casebook's
# translated exemplars): a cue that fires in one language only, on a look-alike word or where another form is
# used, is a kind of failure that moves the same reply's grade with its language.
SAME_CUES_IN_TRANSLATION = [
    # a time of day is not a private message; "PM us" is
    ("private", "private", "en", "The line is open 8 am to 10 pm every day.", False),
    ("private", "private", "en", "PM us your order number.", True),
    ("private", "private", "bg", "Пишете тук или на лично.", True),
    # Bulgarian "трябваше да" is anyone's "should have": "we should have" admits, "you should have" blames
    ("ownership", "admits", "bg", "Трябваше да проверите роклята, преди да платите.", False),
    ("blame", "blame", "bg", "Трябваше да проверите роклята, преди да платите.", True),
    ("ownership", "admits", "bg", "Трябваше да проверим роклята на касата.", True),
    ("ownership", "admits", "de", "Mit so vielen Gästen haben wir nicht gerechnet, das geht auf uns.", True),
    ("ownership", "admits", "de", "Du hast in beiden Punkten recht.", True),
    # asking what happened, "to cause" and "every reason" explain no cause
    ("ownership", "cause", "ru", "Хотим разобраться, что произошло.", False),
    ("ownership", "cause", "ru", "Извиняемся за неудобства, которые могли вам причинить.", False),
    ("ownership", "cause", "ru", "Причина в том, что курьер перепутал адрес.", True),
    ("ownership", "cause", "de", "Danke, obwohl Sie allen Grund hatten, einfach zu gehen.", False),
    # a returns policy or quality certificates are no remedy offered; a refund is
    ("remedy", "remedy", "ru", "Все обращения рассматриваются в соответствии с нашей политикой возврата.", False),
    ("remedy", "remedy", "ru", "Вот наши сертификаты качества.", False),
    ("remedy", "remedy", "ru", "Оформим полный возврат за три дня.", True),
    ("remedy", "remedy", "ru", "Сегодня вернём вам деньги полностью.", True),
    ("remedy", "remedy", "bg", "Можете да получите парите си обратно.", True),
    ("remedy", "remedy", "bg", "Ще организираме замяна.", True),
    ("remedy", "remedy", "bg", "Ще я поправим за наша сметка.", True),
    ("remedy", "ask_what_would_help", "en", "A refund or a new pair, whichever you prefer.", True),
    ("remedy", "ask_what_would_help", "bg", "Замяна или връщане на парите, както предпочитате.", True),
    ("apology", "apology", "ru", "Жаль это слышать.", True),
    ("blame", "blame", "bg", "Хубав опит, SofaCity.", True),
    ("blame", "blame", "bg", "Трябва да сте по-бърза!", True),
    ("blame", "blame", "de", "So was schreiben nur Idioten!", True),
    ("promise", "commitment", "ru", "Расскажите подробности — ответим до вечера.", True),
    ("promise", "commitment", "de", "Wir prüfen Ihr Anliegen und melden uns bei Ihnen.", True),
    ("promise", "commitment", "de", "Innerhalb von zwei Tagen organisieren wir einen Umtausch.", True),
    ("handling", "rewards", "bg", "Пращаме ви безплатен чифт.", True),
]


# Help by a step or the information asked for is a remedy (a bad review's customer often needs that, not a
# voucher); "we'll try", "we checked" and "you could have read it" are no such help, in any language.
STEPS_AND_INFORMATION = [
    ("remedy", "how_to", "en", "Could you try clearing your browser's cache?", True),
    ("remedy", "how_to", "en", "Call us on 0800 123 456, opening hours 8 to 20.", True),
    ("remedy", "how_to", "en", "We'll try to find out what went wrong.", False),
    ("remedy", "how_to", "en", "You could have read the conditions.", False),
    ("remedy", "how_to", "de", "Löschen Sie bitte den Cache und starten Sie die App neu.", True),
    ("remedy", "how_to", "de", "Unter der Nummer 0800 123 456 sind wir erreichbar.", True),
    ("remedy", "how_to", "de", "Wir versuchen herauszufinden, was passiert ist.", False),
    ("remedy", "how_to", "ru", "Попробуйте очистить кэш браузера.", True),
    ("remedy", "how_to", "ru", "Поддержка доступна по номеру 8 800 123 45 67.", True),
    ("remedy", "how_to", "ru", "Мы попробуем выяснить, что произошло.", False),
    ("remedy", "how_to", "bg", "Опитайте да изчистите кеша на браузъра.", True),
    ("remedy", "how_to", "bg", "Обадете се на номер 0800 123 456.", True),
    ("remedy", "how_to", "bg", "Ще опитаме да разберем какво се е случило.", False),
]


@pytest.mark.parametrize(
    ("lexicon", "group", "lang", "text", "found"), TENSE_AND_PERSON + SAME_CUES_IN_TRANSLATION + STEPS_AND_INFORMATION
)
def test_cues_find_what_they_mean_in_every_language(lexicon, group, lang, text, found):
    assert (group in _groups(lexicon, text, lang)) is found


@pytest.mark.parametrize(
    ("lang", "text", "times"),
    [
        ("de", "Guten Morgen, Daria! Das tut uns leid.", []),
        ("ru", "Доброе утро, Дарья! Простите.", []),
        ("de", "Guten Morgen! Wir melden uns morgen.", ["morgen"]),
        ("ru", "Отремонтируем за 2 дня.", ["за 2 дня"]),
        ("ru", "К понедельнику номер будет на сайте.", ["К понедельнику"]),
        ("ru", "Ответим до вечера.", ["до вечера"]),
    ],
)
def test_greetings_are_no_time_frame_and_every_language_names_its_deadlines(lang, text, times):
    found = [text[t.start : t.end] for t in find_time_expressions(analyse(text, lang), use_dateparser=False)]
    assert found == times


def _sample_of(cue_text: str, language: str) -> str:
    """A text a cue is written to find: its words with the markers taken off, a number for "#", an ending
    after a stem, the first of the alternatives."""
    out = []
    for raw in cue_text.split():
        if raw == "...":
            continue
        if raw == "#":
            out.append("2")
            continue
        raw = raw.removeprefix("=").split("|")[0].removesuffix("*")
        if raw.startswith("*"):
            raw = ("раб" if language in ("ru", "bg") else "arb") + raw[1:]
        out.append(raw)
    return " ".join(out)


def test_every_cue_matches_its_own_words():
    # A cue written with a hyphen or a punctuation mark ("из-за", "e-mail", "seriously?") matched nothing for
    # as long as the tokenizer cut text there and the cue parser did not: this keeps every cue alive.
    from grading.features.lexicon import LEXICON_DIR, _match_at

    dead = []
    for path in sorted(LEXICON_DIR.glob("*.yaml")):
        if "groups" not in (path.read_text(encoding="utf-8")):
            continue  # prototypes and stock replies are texts, not cues
        for group in load_lexicon(path.stem).groups:
            for cue in group.cues:
                tokens = analyse(_sample_of(cue.text, cue.language), cue.language).tokens
                if not any(_match_at(cue.elements, tokens, i) is not None for i in range(len(tokens))):
                    dead.append((path.stem, group.name, cue.language, cue.text))
    assert dead == []


def test_cue_words_are_cut_where_the_tokenizer_cuts_text():
    assert {m.cue for m in load_lexicon("ownership").find(analyse("Это случилось из-за курьера.", "ru"))} == {"из-за"}
    assert "private" in _groups("private", "Schreiben Sie uns eine E-Mail.", "de")
    assert "blame" in _groups("blame", "Трябва да сте по-бърза!", "bg")


def test_a_cue_cannot_start_with_an_ending():
    from grading.features.lexicon import _parse_cue

    with pytest.raises(ValueError, match="cannot start a cue"):
        _parse_cue("*м ще", "bg")


@pytest.mark.parametrize(
    ("lang", "text", "span"),
    [
        ("en", "We'll sort it out within two days.", "within two days"),
        ("de", "Wir klären es innerhalb von zwei Tagen.", "innerhalb von zwei Tagen"),
        ("ru", "Мы всё решим в течение двух дней.", "в течение двух дней"),
        ("bg", "Ще го решим до два дни.", "до два дни"),
    ],
)
def test_number_words_in_time_frames_in_every_case_form(lang, text, span):
    found = [text[t.start : t.end] for t in find_time_expressions(analyse(text, lang), use_dateparser=False)]
    assert found, text
    if span:
        assert span in found


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "We'll do our best to fix it."),
        ("de", "Wir tun unser Bestes, um es zu beheben."),
        ("ru", "Мы сделаем всё, чтобы это исправить."),
        ("bg", "Ще направим всичко възможно да го оправим."),
    ],
)
def test_promising_to_fix_is_a_remedy_not_pleading(lang, text):
    assert "remedy" in _groups("remedy", text, lang)
    assert "pleads" not in _groups("handling", text, lang)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "We can't add a free pair on top."),
        ("de", "Ein zusätzliches Gratis-Paar können wir nicht geben."),
        ("ru", "Дополнительную бесплатную пару мы дать не можем."),
        ("bg", "Допълнителен безплатен чифт не можем да дадем."),
    ],
)
def test_refused_gift_to_an_extortionist_is_not_a_gift_in_any_language(rules_engine, lang, text):
    case: Case = make_case(lang, negativity="extortion", expected_handling="public_reply", acceptable_handlings=[])
    g = rules_engine.grade(case, text, response_seconds=60, handling="public_reply")
    assert not any(e.label.startswith("rewards") for e in g.principles["handling"].evidence), lang


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "Of course! We'll send a new pair for free right away, just please don't write any reviews."),
        ("de", "Natürlich! Wir schicken sofort ein neues Paar gratis, bitte schreiben Sie nur keine Bewertungen."),
        ("ru", "Конечно! Сразу отправим новую пару бесплатно, только, пожалуйста, не пишите отзывы."),
        ("bg", "Разбира се! Веднага пращаме нов чифт безплатно, само моля, не пишете отзиви."),
    ],
)
def test_giving_in_to_extortion_is_not_saved_by_the_please_dont_of_the_plea(rules_engine, lang, text):
    """The "don't" of "please don't write reviews" begs; it does not refuse the gift beside it."""
    case: Case = make_case(lang, negativity="extortion", expected_handling="public_reply", acceptable_handlings=[])
    g = rules_engine.grade(case, text, response_seconds=60, handling="public_reply")
    assert g.principles["handling"].score == 0.0, lang
    assert any(e.label.startswith("rewards") for e in g.principles["handling"].evidence), lang
