"""Prompt drift must be deliberate: the prompts' hash is pinned to the judge version."""

from __future__ import annotations

from replycoach.llm.templates import (
    ALL_PROMPT_FILES,
    JUDGE_VERSION,
    PROMPTS_DIR,
    REWRITE_PROMPT_FILES,
    REWRITE_VERSION,
    prompts_sha256,
    render,
)

#: JUDGE_VERSION -> sha256 of every prompt file. Changed a prompt on purpose? Bump JUDGE_VERSION in
#: replycoach/llm/templates.py and add its new hash here (keep the old lines: they document what was used).
PINNED = {
    "llm-judge-1": "a40622f8fd0c01bb4c91d07d14263df007e9314d0324617368ad14457ca358f9",
}
#: REWRITE_VERSION -> sha256 of the rewrite prompts (their own pin: changing them re-judges nothing).
PINNED_REWRITE = {
    "llm-rewrite-1": "5f21a524cd234a48f04ae4a8148ab2dd0ec8b5e131b32c2fe3b608a4a40fec95",
}


def test_prompts_match_the_pin_for_this_judge_version():
    assert JUDGE_VERSION in PINNED, f"add a pin for {JUDGE_VERSION}: {prompts_sha256()}"
    assert prompts_sha256() == PINNED[JUDGE_VERSION], (
        "the prompts changed: if on purpose, bump JUDGE_VERSION in replycoach/llm/templates.py and pin "
        f"{prompts_sha256()} for it in tests/llm/test_llm_prompts.py (update the pin and the judge version together)"
    )


def test_rewrite_prompts_match_their_pin():
    assert REWRITE_VERSION in PINNED_REWRITE, f"add a pin for {REWRITE_VERSION}: {prompts_sha256(REWRITE_PROMPT_FILES)}"
    assert prompts_sha256(REWRITE_PROMPT_FILES) == PINNED_REWRITE[REWRITE_VERSION], (
        "the rewrite prompts changed: if on purpose, bump REWRITE_VERSION in replycoach/llm/templates.py and pin "
        f"{prompts_sha256(REWRITE_PROMPT_FILES)} for it here"
    )


def test_every_prompt_file_exists_and_templates_fill_completely():
    assert sorted(p.name for p in PROMPTS_DIR.glob("*.txt")) == sorted(ALL_PROMPT_FILES)
    text = render("judge_user.txt", language="en", platform="p", brand="b", negativity="n", handling="h",
                  customer_name="c", complaint="c", key_facts="k", principles="p", reply="r")  # fmt: skip
    assert "$" not in text
    rewrite = render("rewrite_user.txt", language="en", platform="p", brand="b", customer_name="c", complaint="c",
                     key_facts="k", steps="s", reply="r")  # fmt: skip
    assert "$" not in rewrite
