"""Drive Debian's headless chromium: the page's DOM after its scripts ran, and a screenshot."""

from __future__ import annotations

import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
          "--disable-background-networking", "--disable-component-update", "--disable-sync",
          "--virtual-time-budget=3000"]

# The fixture (tests/conftest.py) skips, or fails under TRUSTCHECK_TESTS_REQUIRE, without chromium.
needs_chromium = pytest.mark.usefixtures("chromium")


def _run(page: Path, workdir: Path, *extra: str) -> subprocess.CompletedProcess:
    command = [str(CHROMIUM), *_FLAGS, f"--user-data-dir={workdir / 'chromium-profile'}", *extra, page.as_uri()]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def dump_dom(page: Path, workdir: Path) -> str:
    done = _run(page, workdir, "--dump-dom")
    assert done.returncode == 0 and done.stdout, f"chromium failed: {done.stderr[-2000:]}"
    return done.stdout


def screenshot(page: Path, workdir: Path, size: tuple[int, int] = (1280, 2000)) -> Path:
    target = workdir / f"{page.stem}.png"
    done = _run(page, workdir, f"--screenshot={target}", f"--window-size={size[0]},{size[1]}")
    assert done.returncode == 0 and target.exists(), f"chromium failed: {done.stderr[-2000:]}"
    return target


class DomSummary(HTMLParser):
    """Elements and text of a dumped DOM, enough to tell injected markup from escaped text."""

    def __init__(self, dom: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text_parts: list[str] = []
        self.title = ""
        self._in_title = False
        self.feed(dom)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        self.text_parts.append(data)
        if self._in_title:
            self.title += data

    @property
    def text(self) -> str:
        return "".join(self.text_parts)

    def elements(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]

    def has_id(self, element_id: str) -> bool:
        return any(a.get("id") == element_id for _, a in self.tags)
