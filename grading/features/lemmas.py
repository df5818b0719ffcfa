"""simplemma's lemmas and language detection, with its dictionaries kept as memory-mapped tries on disk.

simplemma ships each language's dictionary compressed and decodes it in Python at first use: about a second
for English or Bulgarian and two to four for German or Russian, so a fresh process spent most of its cold
start there (the lexicon is lemmatised at import) and held the four decoded dictionaries in memory.

Here each dictionary is built once into a MARISA trie (``marisa-trie``, the backend simplemma itself
offers as ``TrieDictionaryFactory``) and saved under ``lemma_cache_dir()``; every later process maps the
file in a fraction of a millisecond, and app processes on one machine share its pages. The lemmas are
simplemma's own: the same dictionaries and the same ``DefaultStrategy``, only stored differently
(``tests/grading/test_lemmas.py`` checks them against simplemma's defaults).

The directory is ``REPLYCOACH_LEMMA_DIR`` when set, else ``$XDG_CACHE_HOME/replycoach/lemmas`` (or
``~/.cache/...``), one folder per simplemma version. Files are written to a temporary name and renamed, so
concurrent processes never read half a trie. When the directory cannot be written, simplemma's own in-memory
dictionary is used: slower to start, never wrong.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path

import marisa_trie
import simplemma
from simplemma import LanguageDetector, Lemmatizer
from simplemma.strategies import DefaultStrategy
from simplemma.strategies.dictionaries.dictionary_factory import (
    CachingDictionaryFactory,
    DecodedStrMapping,
    MappingStrToByteString,
    _load_dictionary_from_disk,
)
from simplemma.token_sampler import MostCommonTokenSampler, RelaxedMostCommonTokenSampler

#: The languages graded; their tries are the ones ``build_all`` prepares.
LANGUAGES = ("en", "de", "ru", "bg")


def lemma_cache_dir() -> Path:
    """Where the tries live: REPLYCOACH_LEMMA_DIR, else the user's cache folder; per simplemma version."""
    base = os.environ.get("REPLYCOACH_LEMMA_DIR")
    if not base:
        cache_home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        base = str(Path(cache_home) / "replycoach" / "lemmas")
    return Path(base) / f"simplemma-{simplemma.__version__}"


class _TrieMapping(DecodedStrMapping):
    """A str -> str view of a BytesTrie, as simplemma's strategies read dictionaries."""

    __slots__ = ("_trie",)

    def __init__(self, trie: marisa_trie.BytesTrie) -> None:
        self._trie = trie

    def _lookup(self, key: str) -> str | None:
        found = self._trie.get(key)
        return found[0].decode() if found else None

    def __iter__(self) -> Iterator[str]:
        yield from self._trie.iterkeys()

    def __len__(self) -> int:
        return len(self._trie)


class TrieDictionaries(CachingDictionaryFactory):
    """simplemma's shipped dictionaries as tries memory-mapped from ``directory``, built there on first use."""

    __slots__ = ("directory",)

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        super().__init__(cache_max_size=len(LANGUAGES) + 4)

    def path(self, lang: str) -> Path:
        return self.directory / f"{lang}.marisa"

    def _get_dictionary_uncached(self, lang: str) -> Mapping[str, str]:
        path = self.path(lang)
        if path.is_file():
            try:
                return _TrieMapping(marisa_trie.BytesTrie().mmap(str(path)))
            except Exception:  # noqa: BLE001 - a damaged file is rebuilt below, never trusted
                pass
        raw = _load_dictionary_from_disk(lang)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=f".{lang}.", suffix=".tmp")
        except OSError:  # a read-only or full disk: simplemma's own in-memory dictionary, this process only
            return MappingStrToByteString(raw)
        os.close(fd)
        try:
            trie = marisa_trie.BytesTrie((key.decode(), value) for key, value in raw.items())
            trie.save(tmp)
            os.chmod(tmp, 0o644)  # other users' app processes may map it too
            os.replace(tmp, path)
        except OSError:
            return MappingStrToByteString(raw)
        finally:
            Path(tmp).unlink(missing_ok=True)
        return _TrieMapping(marisa_trie.BytesTrie().mmap(str(path)))


@lru_cache(maxsize=1)
def _dictionaries() -> TrieDictionaries:
    return TrieDictionaries(lemma_cache_dir())


@lru_cache(maxsize=1)
def _strategy() -> DefaultStrategy:
    return DefaultStrategy(dictionary_factory=_dictionaries())


@lru_cache(maxsize=1)
def _lemmatizer() -> Lemmatizer:
    return Lemmatizer(lemmatization_strategy=_strategy())


def lemmatize(word: str, language: str) -> str:
    """simplemma's lemma of ``word`` in ``language`` (as ``simplemma.lemmatize``: not lower-cased)."""
    return _lemmatizer().lemmatize(word, language)


def langdetect(text: str, languages: tuple[str, ...]) -> list[tuple[str, float]]:
    """(language, share of ``text``'s words it knows), best first, "unk" last: ``simplemma.langdetect``.

    As there, a tie between the two best languages is settled by sampling the text's words more loosely."""
    ranked: list[tuple[str, float]] = []
    for sampler in (MostCommonTokenSampler(), RelaxedMostCommonTokenSampler()):
        shares = LanguageDetector(languages, sampler, _strategy()).proportion_in_each_language(text)
        ranked = sorted(shares.items(), key=lambda item: (item[0] == "unk", -item[1]))
        if len(ranked) == 1 or ranked[0][1] != ranked[1][1]:
            break
    return ranked


def build_all() -> Path:
    """Build (or map) every graded language's trie now, e.g. at install; returns the folder."""
    for lang in LANGUAGES:
        _dictionaries().get_dictionary(lang)
    return lemma_cache_dir()
