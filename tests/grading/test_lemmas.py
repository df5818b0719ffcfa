"""The lemma dictionaries kept as memory-mapped tries give simplemma's own lemmas and language shares, and a
fresh folder is filled on first use (what a new machine or a wiped cache does)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import simplemma
import yaml

from grading.features import lemmas

ROOT = Path(__file__).resolve().parents[2]
DEVSET = ROOT / "benchmarks" / "devset" / "devset.jsonl"
LEXICON_DIR = ROOT / "grading" / "features" / "lexicon"


def _devset_words() -> list[tuple[str, str]]:
    words = set()
    for line in DEVSET.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        for word in re.findall(r"\w+", row["reply"]):
            words.add((word, row["language"]))
            words.add((word.lower(), row["language"]))
    return sorted(words)


def test_the_tries_give_simplemmas_lemmas_for_every_dev_set_word_and_lexicon_cue():
    pairs = _devset_words()
    for path in LEXICON_DIR.glob("*.yaml"):
        for group in (yaml.safe_load(path.read_text(encoding="utf-8")).get("groups") or {}).values():
            for lang, cues in (group.get("cues") or {}).items():
                pairs += [(word, lang) for cue in cues or () for word in re.findall(r"\w+", str(cue))]
    assert len(pairs) > 5000
    different = [(w, lang) for w, lang in pairs if lemmas.lemmatize(w, lang) != simplemma.lemmatize(w, lang)]
    assert different == []


@pytest.mark.parametrize(
    "text",
    [
        "We are sorry, the dress will be replaced tomorrow",
        "Es tut uns leid, wir ersetzen das Kleid morgen",
        "Нам очень жаль, мы заменим платье завтра",
        "Съжаляваме, ще сменим роклята утре",
        "asdf qwer zxcv",
    ],
)
def test_language_shares_match_simplemma(text):
    assert lemmas.langdetect(text, ("en", "de", "ru", "bg")) == simplemma.langdetect(
        text, lang=("en", "de", "ru", "bg")
    )


def test_a_fresh_folder_is_filled_once_and_then_only_mapped(tmp_path):
    code = "from grading.features import lemmas; print(lemmas.lemmatize('Kleider', 'de'), lemmas.lemmatize('платья', 'ru'))"
    env = {"REPLYCOACH_LEMMA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    first = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    built = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in tmp_path.rglob("*.marisa")}
    assert sorted(built) == ["bg.marisa", "de.marisa", "en.marisa", "ru.marisa"]  # the lexicon reads all four
    assert not list(tmp_path.rglob("*.tmp")), "no half-written file is left behind"
    second = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert first.stdout.split() == second.stdout.split() == ["Kleid", "платье"]
    assert {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in tmp_path.rglob("*.marisa")} == built


def test_a_damaged_trie_is_rebuilt_not_trusted(tmp_path):
    folder = tmp_path / f"simplemma-{simplemma.__version__}"
    folder.mkdir()
    (folder / "bg.marisa").write_bytes(b"not a trie")
    dictionaries = lemmas.TrieDictionaries(folder)
    assert dictionaries.get_dictionary("bg").get("роклята") == simplemma.lemmatize("роклята", "bg")
    assert (folder / "bg.marisa").stat().st_size > 1000


def test_an_unwritable_folder_still_lemmatizes(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the folder should be")
    dictionaries = lemmas.TrieDictionaries(blocker / "lemmas")
    assert dictionaries.get_dictionary("en").get("dresses") == "dress"
