"""How one TrustLLM prompt becomes chat messages, and how stop sequences cut a response."""

from __future__ import annotations

from collections.abc import Callable, Sequence

Messages = list[dict[str, str]]
RenderChat = Callable[[Messages], str]
MessagesFor = Callable[[str, "str | None"], Messages]

_SYSTEM_PROBE = "trustcheck-system-probe-7f3a"
_USER_PROBE = "trustcheck-user-probe-c41e"


def _user_only(prompt: str) -> Messages:
    return [{"role": "user", "content": prompt}]


def _blank_system_then_user(prompt: str) -> Messages:
    return [{"role": "system", "content": ""}, {"role": "user", "content": prompt}]


def injects_default_system(render: RenderChat) -> bool:
    """Whether the template writes its own system prompt when the messages carry none.

    TrustLLM sends the prompt as the only user turn with the default system prompt blanked
    (FastChat's `set_system_message('')`). Templates such as SmolLM2's and Qwen2.5's insert a
    default system prompt whenever the first message is not a system one, so sending the user turn
    alone would not match TrustLLM; for those an empty system message is passed instead. Templates
    that do not inject anything (Llama-2/3, Gemma, Mistral) get the user turn alone, because an
    empty system turn would add markup that TrustLLM never sent, and some of them reject it.
    """
    user = _user_only(_USER_PROBE)
    try:
        with_probe = render([{"role": "system", "content": _SYSTEM_PROBE}, *user])
    except Exception:  # noqa: BLE001 - a template that rejects system turns cannot inject a default one
        return False
    head, found, tail = with_probe.partition(_SYSTEM_PROBE)
    if not found:
        return False
    without = render(user)
    injected = len(without) - len(head) - len(tail)
    return injected > 0 and without.startswith(head) and without.endswith(tail)


def accepts_system_turn(render: RenderChat) -> bool:
    """Whether the template renders a system message (Gemma's, for one, raises instead)."""
    try:
        return _SYSTEM_PROBE in render([{"role": "system", "content": _SYSTEM_PROBE}, *_user_only(_USER_PROBE)])
    except Exception:  # noqa: BLE001 - any template error means no system turn
        return False


def chat_messages_builder(render: RenderChat) -> MessagesFor:
    """Decide once per model how a prompt and its system prompt become messages.

    The system prompt is "" for a blank one (TrustLLM's condition, see `injects_default_system`),
    None for whatever the template does without one, or a text. A template without a system
    turn gets the text at the head of the user turn, the usual way to give such models one.
    """
    blank = _blank_system_then_user if injects_default_system(render) else _user_only
    system_turn = accepts_system_turn(render)

    def messages_for(prompt: str, system_prompt: str | None = "") -> Messages:
        if system_prompt == "":
            return blank(prompt)
        if system_prompt is None:
            return _user_only(prompt)
        if system_turn:
            return [{"role": "system", "content": system_prompt}, *_user_only(prompt)]
        return _user_only(f"{system_prompt}\n\n{prompt}")

    return messages_for


def cut_at_stop(text: str, stop: Sequence[str]) -> tuple[str, bool]:
    """The text before the earliest stop sequence, and whether one was found."""
    cut = min((index for index in (text.find(s) for s in stop if s) if index >= 0), default=-1)
    return (text[:cut], True) if cut >= 0 else (text, False)
