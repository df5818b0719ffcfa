"""The test case used across the grading tests: the defective dress, written in each of the four languages."""

from __future__ import annotations

from replycoach.cases.models import Case

_TEXT = {
    "en": {
        "title": "A hole in a new dress",
        "complaint": "Bought a dress yesterday and found a hole at home. Nobody told me at the till!",
        "facts": [
            ("hole", "The hole in the dress", ["hole", "damaged"]),
            ("till", "Staff at the till did not warn her", ["till", "cashier", "staff"]),
        ],
        "good": "Olga, I am sorry about the hole in your new dress: our staff at the till should have checked it. We will refund you today and a courier will pick the dress up tomorrow by noon. Please send your order number by direct message. Thank you for telling us.",
        "bad": "Dear customer, your request has been registered. Kind regards, customer service team.",
    },
    "de": {
        "title": "Ein Loch im neuen Kleid",
        "complaint": "Gestern ein Kleid gekauft und zu Hause ein Loch gefunden. An der Kasse hat mir niemand etwas gesagt!",
        "facts": [
            ("hole", "Das Loch im Kleid", ["Loch", "beschädigt"]),
            ("till", "An der Kasse wurde sie nicht gewarnt", ["Kasse", "Personal"]),
        ],
        "good": "Olga, es tut mir leid wegen des Lochs in Ihrem neuen Kleid: Das Personal an der Kasse hätte es prüfen müssen. Wir erstatten Ihnen heute den Preis, und ein Kurier holt das Kleid morgen bis 12 Uhr ab. Bitte schicken Sie uns Ihre Bestellnummer per Direktnachricht. Danke, dass Sie es uns gesagt haben.",
        "bad": "Sehr geehrter Kunde, Ihre Anfrage wurde registriert. Mit freundlichen Grüßen, Ihr Kundenservice.",
    },
    "ru": {
        "title": "Дырка в новом платье",
        "complaint": "Вчера купила платье, а дома нашла дырку. На кассе мне никто ничего не сказал!",
        "facts": [
            ("hole", "Дырка в платье", ["дырка", "брак"]),
            ("till", "На кассе её не предупредили", ["касса", "сотрудники"]),
        ],
        "good": "Ольга, простите нас за дырку в новом платье: сотрудники на кассе должны были его проверить. Сегодня мы вернём деньги, а курьер заберёт платье завтра до обеда. Пожалуйста, пришлите номер заказа в личные сообщения. Спасибо, что написали нам.",
        "bad": "Уважаемый клиент, ваше обращение зарегистрировано. С уважением, служба поддержки.",
    },
    "bg": {
        "title": "Дупка в новата рокля",
        "complaint": "Вчера купих рокля и вкъщи намерих дупка. На касата никой не ми каза!",
        "facts": [
            ("hole", "Дупката в роклята", ["дупка", "дефект"]),
            ("till", "На касата не са я предупредили", ["каса", "служители"]),
        ],
        "good": "Олга, извиняваме се за дупката в новата ви рокля: служителите на касата трябваше да я проверят. Днес ще ви върнем парите, а куриер ще вземе роклята утре до обяд. Моля, изпратете номера на поръчката в лично съобщение. Благодарим, че ни писахте.",
        "bad": "Уважаеми клиенте, вашето запитване е регистрирано. С уважение, екипът за обслужване.",
    },
}
NAMES = {"en": "Olga", "de": "Olga", "ru": "Ольга", "bg": "Олга"}


def make_case(language: str = "en", *, name: str | None = "default", **overrides) -> Case:
    """The defective-dress case written in ``language`` (a single-language case, as graders see it)."""
    t = _TEXT[language]
    data = {
        "schema_version": 1,
        "id": "test-dress",
        "title": t["title"],
        "language": language,
        "difficulty": "easy",
        "negativity": "constructive",
        "expected_handling": "public_then_private",
        "acceptable_handlings": ["public_reply"],
        "target_response_minutes": 10,
        "post": {
            "platform": "instagram_comment",
            "brand": "Test Shop",
            "customer": {"first_name": NAMES[language] if name == "default" else name},
        },
        "complaint": t["complaint"],
        "key_facts": [{"id": i, "description": d, "cues": c} for i, d, c in t["facts"]],
        "exemplars": {
            "good": [{"text": t["good"], "score": 92}],
            "bad": [{"text": t["bad"], "score": 15, "problems": ["no_script", "empathy", "remedy"], "note": "stock"}],
        },
    }
    data.update(overrides)
    return Case.model_validate(data)
