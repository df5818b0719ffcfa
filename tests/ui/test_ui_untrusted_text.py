"""Case text and replies with HTML, markdown or script are shown as text and never run (AppTest: the
rendered markdown and HTML elements hold escaped text only)."""

from __future__ import annotations

import re

import pytest
from ui_support import OWN_ICONS, app_for, html_of, markdown_of

from replycoach.storage.types import Role
from replycoach.ui.components.text import md_text

HOSTILE_REPLY = (
    'Thanks <script>window.__pwned_reply=1</script> <img src=x onerror="alert(9)"> **bold** [x](javascript:1)'
)
LIVE_TAG = re.compile(r"<(script|img|svg|iframe|b|i)\b", re.IGNORECASE)


def _our_html_without_the_clock(at) -> str:
    # the clock is the one element allowed to hold a script, and it holds only numbers we computed; the
    # platform icons are our own SVG
    return OWN_ICONS.sub("", "\n".join(el.proto.body for el in at.get("html") if 'id="rc-clock"' not in el.proto.body))


@pytest.fixture
def trainee(users):
    return users[Role.trainee]


def test_hostile_case_renders_as_text_in_the_list_and_when_open(trainee):
    at = app_for(trainee).run()
    listed = markdown_of(at)
    assert "<script>" not in listed.replace("\\<script\\>", "")
    title = "<script>window.__pwned_title=1</script> **Bold** :red[title] <b>shouting</b>"
    assert f"**{md_text(title)}**" in listed  # every markup character backslash-escaped: shown literally
    at.button(key="open_hostile-markup_en").click().run()
    assert not at.exception
    page = _our_html_without_the_clock(at)
    assert not LIVE_TAG.search(page), LIVE_TAG.search(page)
    assert "&lt;img src=x onerror=&quot;window.__pwned=1;alert(1)&quot;&gt;" in page
    assert "&lt;svg onload=&quot;window.__pwned_name=1&quot;&gt;Eve&lt;/svg&gt;" in page
    assert "&lt;iframe" in page and "&lt;i&gt;Brand&lt;/i&gt; &amp; Co" in page
    clock = next(el.proto.body for el in at.get("html") if 'id="rc-clock"' in el.proto.body)
    assert "pwned" not in clock and "Brand" not in clock


def test_hostile_reply_and_case_answers_are_escaped_in_the_feedback(trainee):
    at = app_for(trainee).run()
    at.button(key="open_hostile-markup_en").click().run()
    at.radio[0].set_value("public_reply")
    at.text_area[0].input(HOSTILE_REPLY)
    at.button(key="submit_reply").click().run()
    assert not at.exception
    page = OWN_ICONS.sub("", html_of(at))
    assert not LIVE_TAG.search(page), LIVE_TAG.search(page)
    assert "&lt;script&gt;window.__pwned_reply=1&lt;/script&gt;" in page  # the trainee's reply
    assert "&lt;script&gt;window.__pwned_real=1&lt;/script&gt; We hear you &lt;b&gt;loud&lt;/b&gt;" in page
    assert "&lt;img src=x onerror=&quot;window.__pwned_analysis=1&quot;&gt;" in page
    assert "&lt;img src=x onerror=&quot;window.__pwned_follow=1&quot;&gt;" in page  # the follow-up
