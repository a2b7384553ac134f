"""Credentials kept out of every output: one redaction for terminal, reports, results and errors.

`redact` replaces, in any text about to be shown or stored:
- every secret this process has registered (API keys, URL passwords and the headers built
  from them), wherever it appears, even quoted back by a server;
- the token after `Bearer` (an Authorization header quoted back; a Basic one is registered);
- the password of a URL's `user:password@` part, and key-like query parameters.
Redact first and cut after: a message cut first can keep all but the end of a key.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

MASK = "***"

_lock = threading.Lock()
_registered: set[str] = set()

_AUTH_TOKEN = re.compile(r"\b(Bearer)(\s+)[^\s'\",;}\]]+", re.IGNORECASE)
# scheme://userinfo@ : the userinfo ends at the last '@' before the path, as URL parsers read it.
_URL_USERINFO = re.compile(r"\b([a-zA-Z][a-zA-Z0-9+.-]{0,30}://)([^\s/?#@'\"]*(?:@[^\s/?#@'\"]*)*)@")
_KEY_PARAM = re.compile(r"([?&;](?:api[_-]?key|key|token|access[_-]?token|secret|password|sig)=)[^&#\s'\"]+", re.IGNORECASE)

# Secrets shorter than this are not registered: replacing "ab" everywhere would garble text.
_MIN_SECRET = 4


def register_secret(value: str | None) -> None:
    """Keep `value` out of every text `redact` sees in this process from now on."""
    if value and len(value) >= _MIN_SECRET:
        with _lock:
            _registered.add(value)


def _known_secrets(extra: Iterable[str]) -> list[str]:
    with _lock:
        secrets = set(_registered)
    secrets.update(s for s in extra if s and len(s) >= _MIN_SECRET)
    return sorted(secrets, key=len, reverse=True)  # a secret inside a longer one goes second


def redact_known(text: str, secrets: Iterable[str] = ()) -> str:
    """Only the registered (and given) secrets: cheap enough for every line shown."""
    for secret in _known_secrets(secrets):
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def _mask_userinfo(match: re.Match[str]) -> str:
    user, colon, _password = match.group(2).partition(":")
    return f"{match.group(1)}{user}:{MASK}@" if colon else f"{match.group(1)}{MASK}@"


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with every credential it may hold replaced by ***."""
    text = redact_known(text, secrets)
    text = _AUTH_TOKEN.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)
    text = _URL_USERINFO.sub(_mask_userinfo, text)
    return _KEY_PARAM.sub(lambda m: f"{m.group(1)}{MASK}", text)


def redact_url(url: str) -> str:
    """A URL with its password (and key-like query values) masked; the rest as given."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return redact(url)
    if "@" not in parts.netloc:
        return redact(url)
    userinfo, _, host = parts.netloc.rpartition("@")
    user, colon, _ = userinfo.partition(":")
    netloc = f"{user}:{MASK}@{host}" if colon else f"{MASK}@{host}"
    return redact(parts._replace(netloc=netloc).geturl())


def redact_spec(spec: str) -> str:
    """A model spec (`openai:URL@MODEL`, `gguf:...`, a profile name) with its URL's password masked.

    Spec-aware because the model name follows the last '@': `http://h:8000@m` holds no password.
    """
    scheme, colon, rest = spec.partition(":")
    body, hash_sign, fragment = rest.partition("#")
    url, at, model = body.rpartition("@")
    if colon and at and "://" in url:
        if "/" not in url.split("://", 1)[1] and "/" in model:
            # No model after the URL: this '@' ends the URL's user:password (`openai:http://u:p@host/v1`).
            return f"{scheme}:{redact_url(body)}{hash_sign}{redact(fragment)}"
        return f"{scheme}:{redact_url(url)}@{redact(model)}{hash_sign}{redact(fragment)}"
    return redact(spec)


def redact_argv(argv: Sequence[str]) -> list[str]:
    """Command-line words with credentials masked; `--opt=SPEC` and bare specs alike."""
    shown = []
    for word in argv:
        option, equals, value = word.partition("=")
        if equals and option.startswith("-"):
            shown.append(f"{option}={redact_spec(value)}")
        else:
            shown.append(redact_spec(word))
    return shown


def check_header_secret(value: str, source: str) -> str:
    """`value` if HTTP can carry it in a header; else one line naming `source`, never the value."""
    for position, character in enumerate(value, start=1):
        if not ("\x21" <= character <= "\x7e"):
            what = {"\n": "a newline", "\r": "a carriage return", " ": "a space", "\t": "a tab"}.get(
                character, f"the character U+{ord(character):04X}"
            )
            raise ValueError(
                f"{source} holds {what} at character {position} of {len(value)}; "
                "an API key must be printable ASCII without spaces: set it again without that character"
            )
    return value
