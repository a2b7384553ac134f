"""A server that echoes the API key back in its errors: the key still appears in no output."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from plugin_project import items_for, suite_yaml

KEY = "sk-trustcheck-FAKE-reflected-93be"


class _Reflector(BaseHTTPRequestHandler):
    """Answers every request with an error that quotes the request's Authorization header."""

    def _reflect(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        seen = self.headers.get("Authorization", "")
        status = 401 if self.path.endswith("/models") else 400
        body = json.dumps({"error": {"message": f"invalid credentials {seen!r} for {self.path}"}}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _reflect

    def log_message(self, *args) -> None:
        return None


def test_a_key_the_server_reflects_is_redacted_everywhere(project, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Reflector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        project.suite("jb.yaml", suite_yaml("jb", items_for({"cot": ["r1", "r2"]})))
        url = f"http://127.0.0.1:{server.server_port}/v1"
        result = project.run("--trust-full", "-rA", "--trust-json", "results.json", "--junitxml", "junit.xml",
                             "--model", f"openai:{url}@m")
    finally:
        server.shutdown()

    output = result.stdout.str()
    result.stdout.fnmatch_lines([f"BackendError: cannot reach the model server: {url}/models: HTTP 401: invalid credentials 'Bearer ***' for /v1/models"])
    assert KEY not in output
    for name in ("results.json", "junit.xml"):
        assert KEY not in (project.pytester.path / name).read_text(), name
