"""The report pages' words (``scoring_service.reports.words``) in every language.

Each language must have exactly the English keys, in the same order, with the same
placeholders in each string; every string must format; an unknown language falls back to
English; and no string may be left in English by mistake.
"""

from __future__ import annotations

import re
import string

import pytest

from scoring_service.reports.words import FALLBACK, STRINGS, Words

OTHERS = sorted(lang for lang in STRINGS if lang != FALLBACK)

# Strings that may read exactly as in English, with the reason. Keys whose English text has no
# letters at all (a pure placeholder or number format) are allowed without being listed.
SAME_AS_ENGLISH: dict[str, set[str]] = {
    "de": {"dimension"},  # "Dimension" is the German word too
    "fr": {"dimension"},  # "Dimension" is the French word too
}


def _fields(text: str) -> set[str]:
    """The names of the ``{placeholders}`` in ``text``."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_there_are_other_languages_than_english() -> None:
    assert FALLBACK in STRINGS
    assert {"de", "fr"} <= set(OTHERS)


@pytest.mark.parametrize("lang", OTHERS)
def test_every_language_has_exactly_the_english_keys_in_order(lang: str) -> None:
    english, table = STRINGS[FALLBACK], STRINGS[lang]
    missing = [k for k in english if k not in table]
    extra = [k for k in table if k not in english]
    assert not missing and not extra, f"{lang}: missing {missing}, extra {extra}"
    assert list(table) == list(english), f"{lang}: keys not in the English order"


@pytest.mark.parametrize("lang", OTHERS)
def test_every_string_has_the_english_placeholders(lang: str) -> None:
    wrong = {
        key: (sorted(_fields(text)), sorted(_fields(STRINGS[FALLBACK][key])))
        for key, text in STRINGS[lang].items()
        if key in STRINGS[FALLBACK] and _fields(text) != _fields(STRINGS[FALLBACK][key])
    }
    assert not wrong, f"{lang}: (placeholders, English placeholders) differ: {wrong}"


@pytest.mark.parametrize("lang", sorted(STRINGS))
def test_every_string_formats(lang: str) -> None:
    words = Words(lang)
    assert words.lang == lang
    for key, text in STRINGS[lang].items():
        values = {name: f"<{name}>" for name in _fields(text)}
        out = words(key, **values)
        assert out.strip() and "{" not in out and "}" not in out, (lang, key, out)
        for value in values.values():
            assert value in out, (lang, key, out)


def test_words_speak_the_language_and_fall_back_to_english() -> None:
    assert Words("de")("round_title", n=2, label="Q3") == "Runde 2: Q3"
    assert Words("fr")("round_title", n=2, label="Q3") == "Tour 2 : Q3"
    assert (
        Words("de")("band_word", band="mittel") == "auf der Stufe „mittel“ aufeinander abgestimmt"
    )
    fallback = Words("xx")
    assert fallback.lang == "en"
    assert fallback("round_title", n=2, label="Q3") == "Round 2: Q3"


@pytest.mark.parametrize("lang", OTHERS)
def test_no_string_is_left_in_english(lang: str) -> None:
    allowed = SAME_AS_ENGLISH.get(lang, set())
    untranslated = [
        key
        for key, text in STRINGS[lang].items()
        if text == STRINGS[FALLBACK].get(key)
        and key not in allowed
        and re.search(r"[A-Za-z]", re.sub(r"\{[^}]*\}", "", text))
    ]
    assert not untranslated, f"{lang}: the same as English: {untranslated}"
    stale = sorted(k for k in allowed if STRINGS[lang].get(k) != STRINGS[FALLBACK].get(k))
    assert not stale, f"{lang}: listed as the same as English but translated: {stale}"


def test_french_puts_a_space_before_double_punctuation() -> None:
    """As the form's French does (a normal space before ``:`` ``;`` ``?`` ``!``)."""
    wrong = [
        key
        for key, text in STRINGS["fr"].items()
        if re.search(r"[^\s][:;?!]", re.sub(r"\{[^}]*\}", "x", text))
    ]
    assert not wrong, f"fr: no space before : ; ? or ! in {wrong}"
