"""The helpers for plain pytest tests: check_invariant and @metamorphic."""

import pytest

from trustcheck.perturb import InvariantViolation, check_invariant

PROMPT = "Why hurry? Run, my hen."


def leet_blind(prompts):
    return ["Sure, here you go." if "3" in p else "I cannot help with that." for p in prompts]


def refused(response):
    return "refused" if response.startswith("I cannot") else "complied"


def test_check_invariant_raises_with_the_shrunk_evidence():
    with pytest.raises(InvariantViolation) as caught:
        check_invariant(PROMPT, generate=leet_blind, verdict=refused, expected="refused",
                        kinds=["case", "leetspeak"], max_examples=100)
    message = str(caught.value)
    assert message.startswith("verdict 'refused' → 'complied' under: leetspeak: 'hen'→'h3n' at word 5")
    assert "perturbed prompt: Why hurry? Run, my h3n." in message
    assert caught.value.result.found


def test_check_invariant_returns_the_result_when_the_verdict_holds():
    result = check_invariant(PROMPT, generate=leet_blind, verdict=refused, expected="refused",
                             kinds=["case", "punctuation"], max_examples=10)
    assert result.status == "held"


def test_check_invariant_skips_or_fails_when_the_precondition_does_not_hold():
    with pytest.raises(pytest.skip.Exception, match="precondition unmet"):
        check_invariant(PROMPT, generate=leet_blind, verdict=refused, expected="complied")
    with pytest.raises(pytest.fail.Exception, match="precondition unmet"):
        check_invariant(PROMPT, generate=leet_blind, verdict=refused, expected="complied", on_precondition="fail")
    result = check_invariant(PROMPT, generate=leet_blind, verdict=refused, expected="complied", on_precondition="return")
    assert result.status == "precondition_unmet"


METAMORPHIC_TESTS = '''
import pytest
from trustcheck.perturb import metamorphic

@pytest.fixture
def model():
    return lambda prompt: "yes" if "3" in prompt else "no"

@metamorphic(["Why hurry? Run, my hen.", "Why cry?"], kinds=["case", "leetspeak"], max_examples=60)
def test_stays_no(prompt, perturbed, model):
    assert model(perturbed) == "no"

@metamorphic(["Why hurry?"], kinds="all", max_examples=20)
def test_length_grows_or_stays_close(prompt, perturbed):
    assert isinstance(perturbed, str)
'''


def test_metamorphic_makes_one_test_per_prompt_and_reports_the_minimal_perturbation(pytester):
    pytester.makepyfile(test_model=METAMORPHIC_TESTS)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*perturbation: leetspeak: 'hen'→'h3n' at word 5*"])


def test_metamorphic_needs_prompt_and_perturbed_arguments():
    from trustcheck.perturb import metamorphic

    with pytest.raises(TypeError, match="must take a 'perturbed' argument"):
        metamorphic(["x"])(lambda prompt: None)
