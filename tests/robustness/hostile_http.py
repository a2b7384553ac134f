"""Real HTTP servers on 127.0.0.1 that misbehave on purpose: redirect, trickle, never end, reflect.

Each `HostileServer` answers every request with one scripted behaviour (a method name of
`_Handler` and its arguments) and records what arrived: path, headers and the client's port
(one port per TCP connection). Behaviours that stream forever stop when the client goes away
or the server is closed.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from typing import Self

ECHO = "echo"


class HostileServer:
    def __init__(self, behaviour: str = ECHO, **arguments: Any) -> None:
        self.behaviour, self.arguments = behaviour, arguments
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.closed = threading.Event()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.hostile = self  # type: ignore[attr-defined]
        self.port = self.httpd.server_address[1]
        self.origin = f"http://127.0.0.1:{self.port}"
        self.base_url = f"{self.origin}/v1"

    def __enter__(self) -> Self:
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.closed.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def authorizations(self) -> list[str | None]:
        with self.lock:
            return [r["headers"].get("Authorization") for r in self.requests]

    def connections(self) -> set[int]:
        with self.lock:
            return {r["client_port"] for r in self.requests}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so that connection reuse can be seen
    disable_nagle_algorithm = True  # else each answer on a kept-alive connection waits ~40 ms

    def log_message(self, *args: object) -> None:
        return None

    @property
    def hostile(self) -> HostileServer:
        return self.server.hostile  # type: ignore[attr-defined]

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with self.hostile.lock:
            self.hostile.requests.append(
                {"path": self.path, "headers": dict(self.headers), "client_port": self.client_address[1], "body": body}
            )
        try:
            getattr(self, f"_{self.hostile.behaviour}")(body, **self.hostile.arguments)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_GET = do_POST = _serve

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in {"Content-Type": "application/json", "Content-Length": str(len(body)), **(headers or {})}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _echo(self, body: bytes, text: str | None = None) -> None:
        if self.path.endswith("/models"):
            return self._send(200, json.dumps({"object": "list", "data": [{"id": "m", "object": "model"}]}).encode())
        prompt = json.loads(body)["messages"][-1]["content"] if body else ""
        content = text.replace("{auth}", self.headers.get("Authorization", "")) if text else f"echo: {prompt}"
        choice = {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
        self._send(200, json.dumps({"choices": [choice]}).encode())

    def _redirect(self, body: bytes, status: int, location: str) -> None:
        self._send(status, b"", {"Location": location})

    def _reflect(self, body: bytes, padding: int, status: int = 400) -> None:
        if self.path.endswith("/models") and status != 200:
            return self._echo(body)
        seen = self.headers.get("Authorization", "")
        message = f"{'x' * padding} invalid credentials {seen!r}"
        self._send(status, json.dumps({"error": {"message": message}}).encode())

    def _trickle_body(self, body: bytes, interval: float) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "100000")
        self.end_headers()
        self._drip(b" ", interval)

    def _trickle_headers(self, body: bytes, interval: float) -> None:
        self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        self._drip(b"a", interval)

    def _drip(self, byte: bytes, interval: float) -> None:
        deadline = time.monotonic() + 300
        while not self.hostile.closed.is_set() and time.monotonic() < deadline:
            self.wfile.write(byte)
            self.wfile.flush()
            self.hostile.closed.wait(interval)
        self.close_connection = True

    def _endless_chunks(self, body: bytes, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = b'{"choices": [' + b" " * 65536
        frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        while not self.hostile.closed.is_set():
            self.wfile.write(frame)
        self.close_connection = True

    def _declared_huge(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(10**10))
        self.end_headers()
        self.wfile.write(b"{")
        self.close_connection = True

    def _gzip_bomb(self, body: bytes, megabytes: int) -> None:
        packed = gzip.compress(b" " * (megabytes * 2**20), compresslevel=9)
        self._send(200, packed, {"Content-Encoding": "gzip"})

    def _deep_json(self, body: bytes, depth: int, status: int = 200) -> None:
        self._send(status, b"[" * depth + b"]" * depth)

    def _silent(self, body: bytes) -> None:
        self.hostile.closed.wait(300)
        self.close_connection = True
