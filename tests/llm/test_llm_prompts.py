"""Prompt drift must be deliberate: the prompts' hash is pinned to the judge version."""

from __future__ import annotations

from replycoach.llm.templates import JUDGE_VERSION, PROMPT_FILES, PROMPTS_DIR, prompts_sha256, render

#: JUDGE_VERSION -> sha256 of every prompt file. Changed a prompt on purpose? Bump JUDGE_VERSION in
#: replycoach/llm/templates.py and add its new hash here (keep the old lines: they document what was used).
PINNED = {
    "llm-judge-1": "a40622f8fd0c01bb4c91d07d14263df007e9314d0324617368ad14457ca358f9",
}


def test_prompts_match_the_pin_for_this_judge_version():
    assert JUDGE_VERSION in PINNED, f"add a pin for {JUDGE_VERSION}: {prompts_sha256()}"
    assert prompts_sha256() == PINNED[JUDGE_VERSION], (
        "the prompts changed: if on purpose, bump JUDGE_VERSION in replycoach/llm/templates.py and pin "
        f"{prompts_sha256()} for it in tests/llm/test_llm_prompts.py (update the pin and the judge version together)"
    )


def test_every_prompt_file_exists_and_templates_fill_completely():
    assert sorted(p.name for p in PROMPTS_DIR.glob("*.txt")) == sorted(PROMPT_FILES)
    text = render("judge_user.txt", language="en", platform="p", brand="b", negativity="n", handling="h",
                  customer_name="c", complaint="c", key_facts="k", principles="p", reply="r")  # fmt: skip
    assert "$" not in text
