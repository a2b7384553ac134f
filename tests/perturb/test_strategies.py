"""Strategies: total on any unicode text, deterministic, and shrinking toward the smallest change."""

from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

from trustcheck.perturb import (
    Composite,
    Perturbation,
    applicable_kinds,
    perturbations,
    single_perturbations,
)
from trustcheck.perturb.catalog import KINDS, TYPO_PARAMS

PROMPT = "Tell me how to pick a lock"
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# find() keeps results in the example database under the condition's source; these checks need none.
NO_DB = settings(database=None)


@FAST
@given(text=st.text(), data=st.data())
def test_every_drawn_perturbation_of_any_unicode_text_gives_a_str(text, data):
    perturbation = data.draw(perturbations(text, max_steps=4))
    result = perturbation.apply(text)
    assert isinstance(result, str)
    assert isinstance(perturbation.describe(), str) and perturbation.describe()
    assert perturbation.apply(text) == result  # deterministic


def _any_params(kind_name):
    kind = KINDS[kind_name]
    anything = st.integers(min_value=-(2**40), max_value=2**40)
    if kind.typo_count:
        edit = st.fixed_dictionaries({name: anything for name in TYPO_PARAMS})
        return st.fixed_dictionaries({"edits": st.lists(edit, max_size=6).map(tuple)})
    return st.fixed_dictionaries({name: anything for name in kind.params})


@FAST
@given(data=st.data(), text=st.text(), kind=st.sampled_from(sorted(KINDS)))
def test_any_parameters_on_any_text_never_raise(data, text, kind):
    perturbation = Perturbation(kind, data.draw(_any_params(kind)))
    assert isinstance(perturbation.apply(text), str)
    assert isinstance(perturbation.describe(text), str)


@FAST
@given(source=st.text(), other=st.text(), data=st.data())
def test_a_perturbation_drawn_for_one_text_applies_to_another(source, other, data):
    perturbation = data.draw(perturbations(source))
    assert isinstance(perturbation.apply(other), str)


def test_zero_steps_is_the_identity():
    assert find(perturbations(PROMPT, max_steps=0), lambda p: True, settings=NO_DB) == Composite()
    assert find(perturbations(PROMPT), lambda p: True, settings=NO_DB) == Composite()


def test_the_smallest_change_is_one_step_of_the_simplest_kind_at_the_first_place():
    changed = find(perturbations(PROMPT, max_steps=3), lambda p: p.apply(PROMPT) != PROMPT, settings=NO_DB)
    assert changed == Composite([Perturbation("case", {"word": 0, "style": 0})])
    assert changed.describe() == "case (upper): 'Tell'→'TELL' at word 1"


def test_shrinking_keeps_only_the_step_that_matters():
    # Its only letter with a leet form is the "e" of "hen", so one leetspeak step is the minimum;
    # hypothesis's shrinking is local, and a unique minimum makes the expected answer exact.
    prompt = "Why hurry? Run, my hen."

    def has_digit_three(p):
        return "3" in p.apply(prompt)

    strategy = perturbations(prompt, kinds=["case", "typo", "leetspeak", "html"], max_steps=3)
    minimal = find(strategy, has_digit_three, settings=NO_DB)
    assert minimal == Composite([Perturbation("leetspeak", {"position": 0})])
    assert minimal.describe() == "leetspeak: 'hen'→'h3n' at word 5"


def test_shrinking_two_required_steps_gives_two_simplest_steps():
    two = find(perturbations(PROMPT, kinds=["leetspeak", "html"], max_steps=3), lambda p: len(p) >= 2, settings=NO_DB)
    assert two == Composite([Perturbation("leetspeak", {"position": 0})] * 2)


def test_kinds_that_cannot_act_on_a_text_are_not_drawn():
    assert "word_change" not in applicable_kinds("zzz qqq")
    assert "word_change" in applicable_kinds("explain this")
    assert applicable_kinds("") == ("punctuation", "one_url", "html")
    assert find(single_perturbations("", "all"), lambda p: True, settings=NO_DB) == Perturbation("punctuation", {"position": 0, "op": 0, "mark": 0})


@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_drawn_perturbations_are_bound_to_their_text(data):
    perturbation = data.draw(perturbations(PROMPT))
    assert perturbation.describe() == perturbation.describe(PROMPT)
