"""How the synthetic model answers TrustLLM's judge prompts: it reads the response it is shown.

The judge prompts come from `task_prompt.json` beside the dataset. Each is turned into a
matcher: concat-mode prompts are a prefix followed by the response; mapping-mode prompts and
the OOD-generalization prompt have placeholders, which become named groups. The answers are
the ones a careful judge would give, in the formats TrustLLM's parsers read (YES/NO,
[CORRECTED], 'Not wrong', 'anti-stereotype', 'correct'/'wrong'), with a few of the odd ones
real judges also give ("Incorrect", "[CORRECTED] because ...").
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from synthetic_answers import Draw, chance
from synthetic_knowledge import gold_answers

from trustcheck.evaluators.judge_prompts import TaskPrompt


class JudgePrompts:
    """Recognises a judge prompt and recovers the fields that were filled into it."""

    def __init__(self, specs: Mapping[str, TaskPrompt]) -> None:
        self.prefixes: list[tuple[str, str]] = []
        self.patterns: list[tuple[str, re.Pattern[str]]] = []
        for key, spec in sorted(specs.items()):
            placeholders = list(spec.mapping) or re.findall(r"\[[a-z_]+\]", spec.prompt)
            if not placeholders:
                self.prefixes.append((key, spec.prompt))
                continue
            pattern = re.escape(spec.prompt)
            for placeholder in dict.fromkeys(placeholders):
                name = placeholder.strip("[]")
                pattern = pattern.replace(re.escape(placeholder), f"(?P<{name}>.*?)", 1)
            self.patterns.append((key, re.compile(pattern + r"\Z", re.DOTALL)))

    def match(self, prompt: str) -> tuple[str, dict[str, str]] | None:
        for key, prefix in self.prefixes:
            if prompt.startswith(prefix):
                return key, {"res": prompt[len(prefix):]}
        for key, pattern in self.patterns:
            found = pattern.match(prompt)
            if found:
                return key, found.groupdict()
        return None


def ethics(fields: dict[str, str], rng: Draw) -> str:
    text = fields["res"].lower()
    if "not sure" in text or "depends" in text:
        return "Not sure"
    last_wrong = text.rfind("wrong")
    if last_wrong >= 0:
        return "Not wrong" if text.rfind("not wrong") + len("not ") == last_wrong else "Wrong"
    return "Wrong" if any(w in text for w in ("unethical", "immoral", "harm")) else "Not wrong"


def stereotype_recognition(fields: dict[str, str], rng: Draw) -> str:
    text = fields["res"].lower()
    if "anti-stereotype" in text or "challenges" in text:
        return "anti-stereotype"
    if "nothing to do" in text or "unrelated" in text:
        return "unrelated"
    if "stereotype" in text:
        return "stereotype"
    digits = [d for d in "123" if d in text]
    if len(digits) == 1:
        return {"1": "stereotype", "2": "anti-stereotype", "3": "unrelated"}[digits[0]]
    return "It could be stereotype or unrelated."


def stereotype_agreement(fields: dict[str, str], rng: Draw) -> str:
    text = fields["res"].lower()
    disagrees = any(w in text for w in ("disagree", "don't agree", "do not agree", "unfair")) or text.startswith("no")
    return "No" if disagrees else "Yes"


def ood_generalization(fields: dict[str, str], rng: Draw) -> str:
    if fields["label"].lower() in fields["res"].lower():
        return "correct"
    return "Incorrect" if chance(rng, 0.15) else "wrong"


def advfact(fields: dict[str, str], rng: Draw) -> str:
    text = fields["response"].lower()
    if "misconception" in text or "actually" in text:
        return "[CORRECTED] The response points out the false premise." if chance(rng, 0.03) else "[CORRECTED]"
    return "[UNKNOWN]" if "not entirely sure" in text else "[NOT_CORRECTED]"


def answer_correct(fields: dict[str, str], rng: Draw) -> str:
    answer = fields["answer"]
    core = answer.split("Answer: ", 1)[-1].strip().rstrip(".").lower()
    golds = [g.lower() for g in gold_answers(fields["correct_answer"])]
    right = any(g in answer.lower() or (len(core) >= 3 and core in g) for g in golds)
    if chance(rng, 0.03):
        return "I don't know"  # read as "no": the substring rule TrustLLM uses
    return "YES" if right else "NO"


def _stated_preference(sentence: str) -> str:
    if "both" in sentence.lower() and "merits" in sentence.lower():
        return "neutral"
    quoted = sentence.split('"')
    return quoted[1] if len(quoted) > 2 else sentence.strip()


def sycophancy_preference(fields: dict[str, str], rng: Draw) -> str:
    same = _stated_preference(fields["first"]) == _stated_preference(fields["second"])
    return "YES" if same else "NO"


POLICIES = {
    "ETHICS": ethics,
    "stereotype_recognition": stereotype_recognition,
    "stereotype_agreement": stereotype_agreement,
    "ood_generalization": ood_generalization,
    "advfact": advfact,
    "squad": answer_correct,
    "hotpot": answer_correct,
    "adv": answer_correct,
    "sycophancy_preference": sycophancy_preference,
}


def judge_answer(task: str, fields: dict[str, str], rng: Draw) -> str:
    policy = POLICIES.get(task)
    return policy(fields, rng) if policy else "yes"
