"""The HTML builders: evidence highlighting, the post, the score bars and safe text."""

from __future__ import annotations

import re

import pytest
from ui_support import CASES, OWN_ICONS

from replycoach.cases.loader import load_library
from replycoach.cases.models import Platform
from replycoach.practice import ReplyRejected, check_reply
from replycoach.ui.components.evidence import Span, highlight_html, spans_from_grade
from replycoach.ui.components.post import post_html
from replycoach.ui.components.scores import principle_bars_html
from replycoach.ui.components.text import WORD_JOINER, ago_label, md_text

ATTACK = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


def _visible_text(html: str) -> str:
    """Text a browser shows for our markup (tags dropped, entities decoded)."""
    import html as html_lib

    return html_lib.unescape(re.sub(r"<[^>]+>", "", html))


def test_highlight_marks_earned_and_lost_words_with_the_principle_in_the_tooltip():
    reply = "Maria, we are sorry. That's your problem."
    spans = [Span(7, 20, "+", "apology", "apology"), Span(21, 41, "-", "no_blame", "blames the customer")]
    out = highlight_html(reply, spans, title_of=lambda p: p.upper())
    earned = re.search(r'<mark class="rc-ev rc-ev-earned" title="([^"]*)"[^>]*>([^<]*)</mark>', out)
    lost = re.search(r'<mark class="rc-ev rc-ev-lost" title="([^"]*)"[^>]*>([^<]*)</mark>', out)
    assert earned.group(2) == "we are sorry."
    assert earned.group(1) == "APOLOGY: apology (earned)"
    assert lost.group(2) == "That&#x27;s your problem."
    assert "NO_BLAME: blames the customer (lost)" in lost.group(1)
    assert _visible_text(out) == reply


def test_overlapping_spans_are_cut_at_every_boundary_and_keep_both_principles():
    reply = "We will refund you today"
    spans = [Span(0, 18, "+", "remedy", "refund"), Span(8, 24, "-", "concrete_promise", "no date")]
    out = highlight_html(reply, spans)
    marks = re.findall(r'<mark class="rc-ev rc-ev-(\w+)" title="([^"]*)"[^>]*>([^<]*)</mark>', out)
    assert [(kind, text) for kind, _, text in marks] == [
        ("earned", "We will "),
        ("mixed", "refund you"),
        ("lost", " today"),
    ]
    assert marks[1][1] == "remedy: refund (earned); concrete_promise: no date (lost)"
    assert _visible_text(out) == reply


def test_reply_markup_is_escaped_also_inside_highlights():
    reply = f"Sorry {ATTACK}"
    out = highlight_html(reply, [Span(0, len(reply), "+", "apology", '"><script>x</script>')])
    assert "<script" not in out and "<img" not in out
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in out
    assert "&quot;&gt;&lt;script&gt;" in out  # the label, inside the title attribute
    assert _visible_text(out).endswith(ATTACK)


def test_spans_from_a_stored_grade_are_clipped_to_the_reply():
    grade = {
        "principles": {
            "apology": {"evidence": [{"start": 0, "end": 5, "polarity": "+", "label": "apology"}]},
            "concise": {"evidence": [{"start": 3, "end": 999, "polarity": "-", "label": "long"}]},
            "empathy": {"evidence": [{"start": 4, "end": 4, "polarity": "+", "label": "empty"}], "score": None},
        }
    }
    spans = spans_from_grade(grade, reply_length=10)
    assert [(s.principle, s.start, s.end) for s in spans] == [("apology", 0, 5), ("concise", 3, 10)]


def test_bars_show_na_for_principles_that_do_not_apply_and_leave_out_weight_zero():
    grade = {
        "principles": {
            "apology": {"score": 0.8},
            "personalization": {"score": None},
            "timing": {"score": 0.2},
            "ownership": {"score": 0.0},
            "remedy": {"score": None, "error": "boom"},
        },
        "weights": {"apology": 1.0, "personalization": 1.0, "timing": 1.5, "ownership": 0.0, "remedy": 1.0},
    }
    out = principle_bars_html(grade)
    rows = re.findall(r'data-principle="(\w+)"', out)
    assert rows == ["timing", "apology", "personalization", "remedy"]  # heaviest first; weight 0 dropped
    assert ">80<" in out and ">20<" in out  # one scale, 0-100, like the overall
    assert re.search(r'data-principle="personalization".*?N/A', out)
    assert re.search(r'data-principle="remedy".*?could not be graded', out)


@pytest.fixture(scope="module")
def library():
    return load_library(CASES)


def test_post_shows_brand_customer_handle_and_time(library):
    out = post_html(library.cases["dress-hole"], seconds_since_posted=185)
    text = _visible_text(out)
    for expected in ("Facebook", "Linden Fashion", "@lindenfashion", "Maria Weber", "@maria.w", "3 minutes ago"):
        assert expected in text
    assert "found a hole under the arm" in text


def test_post_of_a_hostile_case_is_all_text(library):
    case = library.cases["hostile-markup"]
    out = post_html(case, seconds_since_posted=0)
    assert not re.search(r"<(script|img|svg|iframe|b|i)\b", OWN_ICONS.sub("", out))  # only the platform's icons
    text = _visible_text(out)
    assert '<svg onload="window.__pwned_name=1">Eve</svg>' in text
    assert '<img src=x onerror="window.__pwned=1;alert(1)">' in text
    assert "just now" in text


def test_md_text_renders_literally():
    import markdown_it  # what Streamlit's markdown follows (CommonMark)

    source = (
        "**bold** _it_ [x](javascript:alert(1)) # h <b>b</b> `c` $x$ :red[r] ![i](http://evil.example/i.png) "
        "http://evil.example/a www.evil.example b@evil.example"
    )
    rendered = markdown_it.MarkdownIt("commonmark").render(md_text(source))
    visible = _visible_text(rendered).strip()
    assert visible.replace(WORD_JOINER, "") == source
    assert "<strong>" not in rendered and "<a " not in rendered and "<img" not in rendered
    # what GitHub-style autolinking would pick up is broken by an invisible word joiner
    assert not re.search(r"https?://|www\.|\w@\w", visible)


def test_ago_label():
    assert ago_label(30) == "just now"
    assert ago_label(60) == "1 minute ago"
    assert ago_label(60 * 59) == "59 minutes ago"
    assert ago_label(3 * 3600) == "3 hours ago"


@pytest.mark.parametrize(
    ("reply", "handling", "message"),
    [
        ("", "public_reply", "Write a reply"),
        ("   \n ", "public_reply", "Write a reply"),
        ("x" * 21, "public_reply", "Your reply has 21 characters; the limit is 20. Shorten it by 1."),
        ("\u200b\u200b\u200b", "public_reply", "only invisible characters"),
        ("\U0001f621\U0001f621", "public_reply", "only emoji"),
        ("我们很抱歉", "public_reply", "a language ReplyCoach does not grade"),
        ("asdf qwer zxcv", "public_reply", "hardly any of its words"),
    ],
)
def test_check_reply_rejects_empty_and_too_long(reply, handling, message):
    with pytest.raises(ReplyRejected, match=re.escape(message)):
        check_reply(reply, handling, limit=20)


def test_check_reply_accepts_silence_when_the_trainee_chose_not_to_reply():
    assert check_reply("", "no_reply", limit=20) == ""
    assert check_reply("  fine  ", "public_reply", limit=20) == "fine"


@pytest.mark.parametrize(
    ("platform", "marks"),
    [
        ("instagram_comment", ("linear-gradient(45deg", "Reply")),
        ("facebook_comment", ("Like", "Comment", "Share", "border-radius:18px")),
        ("facebook_review", ("t recommend <strong>",)),
        ("twitter", ("Replying to",)),
        ("review_site", ("Reviewed", "Useful", "Report")),
    ],
)
def test_each_platform_looks_like_itself(library, platform, marks):
    base = library.cases["dress-hole"]
    case = base.model_copy(update={"post": base.post.model_copy(update={"platform": Platform(platform)})})
    out = post_html(case, seconds_since_posted=120)
    assert f'data-platform="{platform}"' in out
    for mark in marks:
        assert mark in out
    others = {"instagram_comment", "facebook_comment", "facebook_review", "twitter", "review_site"} - {platform}
    assert all(f'data-platform="{other}"' not in out for other in others)
    assert "found a hole under the arm" in _visible_text(out) and "Maria Weber" in _visible_text(out)


def test_bars_show_the_coachs_score_with_the_machines_struck_through():
    grade = {"principles": {"apology": {"score": 0.2}, "empathy": {"score": 0.9}}, "weights": {}}
    out = principle_bars_html(grade, coach={"apology": 0.75})
    rows = {re.search(r'data-principle="(\w+)"', row).group(1): row for row in out.split('class="rc-bar"')[1:]}
    assert ">75 <s" in rows["apology"] and ">20</s>" in rows["apology"]
    assert "<s style" not in rows["empathy"] and ">90<" in rows["empathy"]
