"""The blank-system rule for chat templates, and cutting text at stop sequences."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from jinja2.sandbox import ImmutableSandboxedEnvironment
from support.requirements import require_module

from trustcheck.backends.chat import (
    chat_messages_builder,
    cut_at_stop,
    injects_default_system,
)

INJECTS_DEFAULT_CHATML = (
    "{% for m in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n' }}{% endif %}"
    "{{ '<|im_start|>' + m['role'] + '\n' + m['content'] + '<|im_end|>\n' }}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)
HEADER_TURNS = (
    "{{ bos_token }}{% for m in messages %}<|start_header_id|>{{ m['role'] }}<|end_header_id|>\n\n"
    "{{ m['content'] }}<|eot_id|>{% endfor %}"
    "{% if add_generation_prompt %}<|start_header_id|>assistant<|end_header_id|>\n\n{% endif %}"
)
REJECTS_SYSTEM = (
    "{% for m in messages %}{% if m['role'] == 'system' %}{{ raise_exception('System role not supported') }}"
    "{% endif %}<start_of_turn>{{ m['role'] }}\n{{ m['content'] }}<end_of_turn>\n{% endfor %}"
)
FOLDS_SYSTEM_INTO_USER = (
    "{% if messages[0]['role'] == 'system' %}{% set first = messages[0]['content'] + '\n\n' %}"
    "{% set turns = messages[1:] %}{% else %}{% set first = '' %}{% set turns = messages %}{% endif %}"
    "{% for m in turns %}<turn>{{ m['role'] }}\n{% if loop.first %}{{ first }}{% endif %}"
    "{{ m['content'] }}</turn>\n{% endfor %}"
)
DROPS_SYSTEM = "{% for m in messages if m['role'] != 'system' %}[{{ m['role'] }}] {{ m['content'] }}\n{% endfor %}"
FIXED_HEADER_EITHER_WAY = (
    "{% set system = messages[0]['content'] if messages[0]['role'] == 'system' else '' %}"
    "<sys>Knowledge cutoff: 2023\n{{ system }}</sys>"
    "{% for m in messages if m['role'] != 'system' %}<u>{{ m['content'] }}</u>{% endfor %}"
)


def renderer(template: str) -> Callable[[list[dict[str, str]]], str]:
    compiled = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True).from_string(template)

    def raise_exception(message: str) -> None:
        raise ValueError(message)

    def render(messages: list[dict[str, str]]) -> str:
        return compiled.render(
            messages=messages, add_generation_prompt=True, bos_token="<s>", eos_token="</s>",
            raise_exception=raise_exception,
        )

    return render


@pytest.mark.parametrize(
    ("template", "injects"),
    [
        (INJECTS_DEFAULT_CHATML, True),
        (HEADER_TURNS, False),
        (REJECTS_SYSTEM, False),
        (FOLDS_SYSTEM_INTO_USER, False),
        (DROPS_SYSTEM, False),
        (FIXED_HEADER_EITHER_WAY, False),
    ],
    ids=["injects-default", "header-turns", "rejects-system", "folds-system", "drops-system", "fixed-header"],
)
def test_templates_that_inject_a_default_system_prompt_are_recognised(template: str, injects: bool) -> None:
    assert injects_default_system(renderer(template)) is injects


def test_the_smollm2_template_injects_one(smollm2_path: Path) -> None:
    gguf = require_module("gguf", "pip install gguf")
    field = gguf.GGUFReader(smollm2_path).fields["tokenizer.chat_template"]
    template = bytes(field.parts[field.data[0]]).decode("utf-8")
    assert injects_default_system(renderer(template))


def test_an_injecting_template_gets_an_empty_system_message_and_no_default() -> None:
    render = renderer(INJECTS_DEFAULT_CHATML)
    text = render(chat_messages_builder(render)("Is the sky blue?"))
    assert text == "<|im_start|>system\n<|im_end|>\n<|im_start|>user\nIs the sky blue?<|im_end|>\n<|im_start|>assistant\n"


@pytest.mark.parametrize("template", [HEADER_TURNS, REJECTS_SYSTEM, FOLDS_SYSTEM_INTO_USER])
def test_other_templates_get_the_user_turn_alone(template: str) -> None:
    render = renderer(template)
    assert chat_messages_builder(render)("Q?") == [{"role": "user", "content": "Q?"}]


def test_model_default_sends_the_user_turn_alone_so_the_template_adds_its_own() -> None:
    render = renderer(INJECTS_DEFAULT_CHATML)
    messages = chat_messages_builder(render)("Q?", None)
    assert messages == [{"role": "user", "content": "Q?"}]
    assert render(messages).startswith("<|im_start|>system\nYou are a helpful assistant.<|im_end|>")


@pytest.mark.parametrize("template", [INJECTS_DEFAULT_CHATML, HEADER_TURNS, FOLDS_SYSTEM_INTO_USER])
def test_a_system_prompt_text_is_sent_as_the_system_turn(template: str) -> None:
    render = renderer(template)
    messages = chat_messages_builder(render)("Q?", "Answer briefly.")
    assert messages == [{"role": "system", "content": "Answer briefly."}, {"role": "user", "content": "Q?"}]
    assert "Answer briefly." in render(messages) and "You are a helpful assistant." not in render(messages)


def test_a_template_without_a_system_turn_gets_the_text_before_the_prompt() -> None:
    render = renderer(REJECTS_SYSTEM)
    messages = chat_messages_builder(render)("Q?", "Answer briefly.")
    assert messages == [{"role": "user", "content": "Answer briefly.\n\nQ?"}]
    assert render(messages) == "<start_of_turn>user\nAnswer briefly.\n\nQ?<end_of_turn>\n"


@pytest.mark.parametrize(
    ("text", "stop", "expected"),
    [
        ("Hello. World.", (".",), ("Hello", True)),
        ("abc STOP def END", ("END", "STOP"), ("abc ", True)),
        ("nothing here", ("zzz",), ("nothing here", False)),
        ("keep all", (), ("keep all", False)),
        ("empty stops are ignored", ("",), ("empty stops are ignored", False)),
        ("STOP at the start", ("STOP",), ("", True)),
    ],
)
def test_cut_at_stop_cuts_at_the_earliest_stop(text: str, stop: tuple[str, ...], expected: tuple[str, bool]) -> None:
    assert cut_at_stop(text, stop) == expected
