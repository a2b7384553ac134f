"""Each perturbation kind does what its name says, on hand-checked examples."""

import unicodedata

import pytest

from trustcheck.perturb import Perturbation

PROMPT = "Explain the factors that led to the fall of the Soviet Union"
QUESTION = "What are some popular street foods in Mexico?"


def apply(kind, text=PROMPT, **params):
    perturbation = Perturbation(kind, params)
    return perturbation.apply(text), perturbation.describe(text)


def test_case_changes_one_word_and_skips_styles_that_change_nothing():
    assert apply("case", word=2) == (
        "Explain the FACTORS that led to the fall of the Soviet Union",
        "case (upper): 'factors'→'FACTORS' at word 3",
    )
    # "lower" would leave "factors" as it is, so the next style that changes it is used.
    assert apply("case", word=2, style=1)[1] == "case (title): 'factors'→'Factors' at word 3"


def test_punctuation_inserts_deletes_and_replaces():
    assert apply("punctuation", QUESTION, position=3) == (
        "What are some popular! street foods in Mexico?",
        "punctuation: inserted '!' after word 4",
    )
    assert apply("punctuation", QUESTION, op=1)[0] == "What are some popular street foods in Mexico"
    assert apply("punctuation", QUESTION, op=2, mark=1) == (
        "What are some popular street foods in Mexico.",  # mark 1 is '?', already there: the next one
        "punctuation: '?'→'.' at character 45",
    )
    # Deleting from a text without punctuation inserts instead of doing nothing.
    assert apply("punctuation", PROMPT, op=1)[0].startswith("Explain! the")


def test_space_in_word_splits_a_word_of_two_letters_or_more():
    assert apply("space_in_word", word=0, offset=1) == (
        "Ex plain the factors that led to the fall of the Soviet Union",
        "space in word: 'Explain'→'Ex plain' at word 1",
    )


def test_letter_change_replaces_one_letter_keeping_case():
    assert apply("letter_change", word=2, offset=4, letter=12)[0] == (
        "Explain the factmrs that led to the fall of the Soviet Union"
    )
    assert apply("letter_change", word=10, offset=1, letter=8)[0].endswith("the Siviet Union")
    # Drawing the letter that is already there moves on to the next letter.
    assert apply("letter_change", word=1, offset=0, letter=19)[0].startswith("Explain uhe")
    assert apply("letter_change", word=0, offset=0, letter=0)[0].startswith("Axplain")


@pytest.mark.parametrize(
    ("op", "expected", "label"),
    [(0, "fcators", "swap"), (1, "fctors", "drop"), (2, "faactors", "double"), (3, "fsctors", "neighbour")],
)
def test_typo_operations(op, expected, label):
    text, description = apply("typo", word=2, offset=1, op=op)
    assert text.split()[2] == expected
    assert description == f"typo: 'factors'→'{expected}' ({label}) at word 3"


def test_multi_typo_kinds_touch_that_many_different_words():
    edits = tuple({"word": 0, "offset": 1, "op": 1} for _ in range(5))
    for kind, count in [("three_typos", 3), ("four_typos", 4), ("five_typos", 5)]:
        text, description = apply(kind, edits=edits[:count])
        changed = [a for a, b in zip(PROMPT.split(), text.split()) if a != b]
        assert len(changed) == count
        assert description.startswith(f"{count} typos: 'Explain'→'Eplain' (drop) at word 1; 'the'→'te' (drop) at word 2")


def test_leetspeak_uses_the_digit_forms():
    assert apply("leetspeak", position=0) == (
        "3xplain the factors that led to the fall of the Soviet Union",
        "leetspeak: 'Explain'→'3xplain' at word 1",
    )
    assert apply("leetspeak", "pass", position=1)[0] == "pa5s"
    assert apply("leetspeak", "12345 ???")[1] == "leetspeak: no letter with a leet form: unchanged"


def test_homoglyph_swaps_in_a_lookalike_from_another_script():
    text, description = apply("homoglyph", "open", position=0)
    assert text != "open" and unicodedata.name(text[0]) == "CYRILLIC SMALL LETTER O"
    assert description == "homoglyph: 'open'→'оpen' at word 1 ('o'→U+043E CYRILLIC SMALL LETTER O)"
    assert unicodedata.name(apply("homoglyph", "open", position=0, variant=1)[0][0]) == "GREEK SMALL LETTER OMICRON"


def test_word_change_uses_a_synonym_and_keeps_capitalisation():
    assert apply("word_change") == (
        "Describe the factors that led to the fall of the Soviet Union",
        "word change: 'Explain'→'Describe' at word 1",
    )
    # The second word with a known synonym is "factors"; choice 0 is "elements".
    assert apply("word_change", word=1)[0] == "Explain the elements that led to the fall of the Soviet Union"
    assert apply("word_change", QUESTION, word=0, choice=1)[0] == "What are some well-known street foods in Mexico?"


def test_grammatical_error_rules():
    assert apply("grammatical_error", QUESTION, word=1) == (
        "What is some popular street foods in Mexico?", "grammatical error: 'are'→'is' at word 2")
    assert apply("grammatical_error", word=0)[0].startswith("Explains the factors")
    assert apply("grammatical_error", word=2)[0].startswith("Explain the factor that")
    assert apply("grammatical_error", word=1) == (
        "Explain factors that led to the fall of the Soviet Union", "grammatical error: dropped 'the' at word 2")


def test_one_url_at_the_start_or_the_end():
    assert apply("one_url", site=6) == (
        "https://www.bbc.com " + PROMPT, "one URL: inserted 'https://www.bbc.com' at the start")
    assert apply("one_url", place=1)[0] == PROMPT + " https://www.example.com"


def test_detail_url_links_one_word():
    assert apply("detail_url", QUESTION, word=3, site=6)[0] == (
        "What are some [https://www.bbc.com/popular]popular street foods in Mexico?")
    assert apply("detail_url", QUESTION, word=3, style=1)[0] == (
        "What are some [popular](https://www.example.com/popular) street foods in Mexico?")


def test_latex_markdown_wraps_a_span_of_words():
    assert apply("latex_markdown", QUESTION, word=7, style=3) == (
        "What are some popular street foods in $\\text{Mexico}$?",
        "LaTeX/Markdown: 'Mexico'→'$\\text{Mexico}$' at word 8",
    )
    assert apply("latex_markdown", QUESTION, word=3, span=1, style=1)[0] == (
        "What are some **popular street** foods in Mexico?")


def test_html_wraps_the_prompt_and_optionally_one_word():
    assert apply("html", QUESTION) == (f"<p>{QUESTION}</p>", "HTML: wrapped in <p>…</p>")
    assert apply("html", QUESTION, inner=1, word=7) == (
        "<p>What are some popular street foods in <strong>Mexico</strong>?</p>",
        "HTML: wrapped in <p>…</p>, 'Mexico'→'<strong>Mexico</strong>' at word 8",
    )


def test_positions_wrap_around_so_any_integer_is_valid():
    assert Perturbation("case", {"word": 10}).apply("one two three") == Perturbation("case", {"word": 1}).apply("one two three")
    assert Perturbation("leetspeak", {"position": -1}).apply("abc") == "a8c"
