"""What the synthetic model answers to the truthfulness and robustness tasks (see synthetic_answers)."""

from __future__ import annotations

import ast
from typing import Any

from synthetic_answers import Draw, chance

WRONG_DIAGNOSES = ("Bronchitis", "GERD", "Pneumonia", "URTI", "Anemia", "Panic attack", "Acute otitis media")
SENTENCES = (
    "It began with a few key causes that reinforced each other over time.",
    "Economic pressure played a large part, together with political decisions.",
    "Experts still debate how much each factor mattered.",
    "In short, several long-running trends came together at the same moment.",
    "A good way to see it is to follow the events year by year.",
    "The main lesson is that small changes can add up to large effects.",
)


# --- robustness --------------------------------------------------------------------------------

ADVGLUE_WORDS = {
    "qqp": {0: "no", 1: "yes"},
    "qnli": {0: "yes", 1: "no"},
    "mnli": {0: "yes", 1: "maybe", 2: "no"},
    "sst2": {0: "negative", 1: "positive"},
}


def advglue(item: dict[str, Any], rng: Draw) -> str:
    words = ADVGLUE_WORDS.get(str(item.get("task")), {0: "no", 1: "yes"})
    gold = words.get(int(item.get("label", 0)), "yes")
    if chance(rng, 0.05):
        return "I'm not sure; it could be read either way."
    p_right = 0.82 if item.get("type") == "original" else 0.62
    word = gold if chance(rng, p_right) else rng.choice([w for w in words.values() if w != gold])
    return rng.choice([word.capitalize() + ".", word, f"The answer is {word}."])


def advinstruction(item: dict[str, Any], rng: Draw) -> str:
    # The answer follows the instruction (its index), whatever its perturbation: robust models
    # answer a typo'd instruction as they answer the original one.
    base = rng.derived(f"advinstruction\0{item.get('index')}")
    chosen = base.sample(SENTENCES, 4)
    if item.get("type") != "original" and chance(rng, 0.5):
        chosen[rng.randrange(4)] = rng.choice(SENTENCES)
    return f"Here is an overview of this {str(item.get('topic', 'topic')).lower()} question. " + " ".join(chosen)


def ood_generalization(item: dict[str, Any], rng: Draw) -> str:
    label = str(item.get("label"))
    if item.get("source") == "flipkart":
        word = label if chance(rng, 0.78) else rng.choice([w for w in ("positive", "neutral", "negative") if w != label])
        return rng.choice([word, f"The review is {word}.", word.capitalize()])
    diagnosis = label if chance(rng, 0.55) else rng.choice(WRONG_DIAGNOSES)
    return rng.choice([
        f"Based on the symptoms, the most likely diagnosis is {diagnosis}.",
        diagnosis,
        f"The patient's history and evidence point towards {diagnosis}, although further tests would help confirm it and rule out other causes.",
    ])


# --- truthfulness ------------------------------------------------------------------------------


def gold_answers(answer: Any) -> list[str]:
    """The gold answers of an internal item (a list for SQuAD, its str() in judge prompts)."""
    if isinstance(answer, list):
        return [str(a) for a in answer]
    if isinstance(answer, str) and answer.startswith("["):
        try:
            parsed = ast.literal_eval(answer)
        except (ValueError, SyntaxError):
            return [answer]
        return [str(a) for a in parsed] if isinstance(parsed, list) else [answer]
    return [str(answer)]


def internal(item: dict[str, Any], rng: Draw) -> str:
    if item.get("source") == "codah":
        gold = str(item.get("answer"))
        pick = gold if chance(rng, 0.5) else rng.choice([d for d in "0123" if d != gold])
        return rng.choice([f"Answer: {pick}", f"Answer: {pick}.", f"I think option {pick} fits best.", "Answer: none of them"])
    gold = gold_answers(item.get("answer"))[0]
    short = gold.split(",")[0].strip()
    if chance(rng, 0.3):
        return rng.choice([f"Answer: {short}", short, f"Answer: {short}."])
    return rng.choice(["Answer: I don't know.", "Answer: the 1990s", "Answer: New York", "I am not sure about this one."])


def external(item: dict[str, Any], rng: Draw) -> str:
    gold = str(item.get("answer")).upper()
    verdict = ("Supports" if gold == "SUPPORT" else "Refutes") if chance(rng, 0.67) else ("Refutes" if gold == "SUPPORT" else "Supports")
    return rng.choice([
        f"Answer: {verdict}", f"Answer: {verdict}.", verdict, f"Answer: {verdict.upper()}",
        "Answer: The paragraph neither clearly supports nor refutes the claim.",
    ])


def hallucination(item: dict[str, Any], rng: Draw) -> str:
    if item.get("source") == "mc":
        letter = "A" if chance(rng, 0.44) else rng.choice("BCD")
        return rng.choice([f"{letter}. {item.get('answer') if letter == 'A' else 'Another option.'}", letter, f"The answer is {letter}."])
    gold = str(item.get("answer"))
    said = gold if chance(rng, 0.5) else ("No" if gold == "Yes" else "Yes")
    return rng.choice([said, f"{said}.", f"#Your Judgement#: {said}", "I cannot determine that from the information given."])


def sycophancy(item: dict[str, Any], rng: Draw) -> str:
    prompt = str(item.get("prompt"))
    if item.get("source") == "persona":
        reference = item.get("n_completion") if chance(rng, 0.62) else item.get("s_completion")
        return rng.choice(["", "That's a good question. ", "In my view: "]) + str(reference)
    options = sorted(prompt.split('"')[1::2][:2])
    if len(options) < 2:
        return "Both have their merits; it depends on personal taste."
    # How the model treats this pair of opposite opinions is one decision per pair.
    pair = rng.derived(f"sycophancy\0{options}")
    behaviour = pair.choices(["neutral", "own", "sycophantic"], [0.3, 0.3, 0.4])[0]
    if behaviour == "neutral":
        return f'Both "{options[0]}" and "{options[1]}" have their merits; it depends on personal taste.'
    if behaviour == "own":
        return f'Personally, my pick would be "{pair.choice(options)}", for its lasting appeal.'
    liked = prompt.split('"')[1]
    return f'I agree, "{liked}" is the better choice, and your reasons make sense.'


def advfact(item: dict[str, Any], rng: Draw) -> str:
    draw = rng.random()
    if draw < 0.56:
        return f"Actually, that premise is a misconception: {item.get('knowledge')} With that corrected, the answer follows."
    if draw < 0.64:
        return "I'm not entirely sure about that premise, so I can't answer with confidence."
    return f"Good question. Taking that as given, {item.get('query')} The usual estimate is a few hours."
