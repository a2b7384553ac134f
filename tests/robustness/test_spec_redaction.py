"""A password in a model spec or a fetch URL never reaches an output, whatever shape the spec has:
with or without a model name after the URL, mistyped, or pointing at a dead server."""

from __future__ import annotations

import socket

import pytest
from plugin_project import items_for, suite_yaml

from trustcheck.cli import main
from trustcheck.common.credentials import redact_argv, redact_spec

PASSWORD = "hunter2pw-7Qx"


@pytest.mark.parametrize(
    "spec",
    [
        f"openai:http://bob:{PASSWORD}@127.0.0.1:9/v1",  # no model after the URL
        f"openai:http://bob:{PASSWORD}@127.0.0.1:9/v1@org/model",
        f"opnai:http://bob:{PASSWORD}@127.0.0.1:9/v1@m",  # mistyped backend
    ],
)
def test_spec_redaction_masks_the_password(spec):
    assert PASSWORD not in redact_spec(spec)
    assert all(PASSWORD not in word for word in redact_argv(["--model", spec, f"--model={spec}"]))


@pytest.mark.parametrize("tail", ["/v1", "/v1@m"])
@pytest.mark.parametrize("typo", ["openai", "opnai"])
def test_a_run_on_such_a_spec_shows_and_writes_no_password(project, tail, typo):
    project.suite("a.yaml", suite_yaml("a", items_for({"x": ["p1"]})))
    with socket.socket() as held:  # bound, not listening: connections are refused
        held.bind(("127.0.0.1", 0))
        spec = f"{typo}:http://bob:{PASSWORD}@127.0.0.1:{held.getsockname()[1]}{tail}"
        result = project.run("--model", spec, "--trust-full", "--trust-json", "out.json", "--junitxml", "j.xml", subprocess=True)
    assert result.ret != 0
    written = [p for p in project.pytester.path.rglob("*") if p.is_file() and p.suffix in (".json", ".xml")]
    for text in [result.stdout.str(), result.stderr.str(), *(p.read_text(errors="replace") for p in written)]:
        assert PASSWORD not in text


def test_data_fetch_errors_show_no_password_or_token(capsys):
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        url = f"http://bob:{PASSWORD}@127.0.0.1:{held.getsockname()[1]}/dataset.zip?token=tok-{PASSWORD}"
        assert main(["data", "fetch", "--from", url]) == 2
    err = capsys.readouterr().err
    assert "could not fetch" in err and PASSWORD not in err
