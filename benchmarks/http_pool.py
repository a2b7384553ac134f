"""The `openai:` backend's pooled connections against one connection per request, in one run.

    python benchmarks/http_pool.py [--requests 400] [--concurrency 8] [--rounds 3]

A local keep-alive HTTP/1.1 server answers each chat completion at once, so the time measured is
the client's: connection set-up, request, parsing. Variants, alternating for `--rounds` rounds
(the fastest round counts, which keeps the ratio steady on a busy machine):

* the backend: one pooled httpx client shared by `--concurrency` threads;
* a bare urllib loop on the same threads, one new connection per request (the client before).

Printed: requests per second of each, their ratio, and how many TCP connections each opened.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

from trustcheck.backends import BackendOptions, GenerationRequest, create_backend


class _Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # As real servers do: without it, the body written after the headers waits for the client's
    # delayed acknowledgement (about 40 ms) on a kept-alive connection.
    disable_nagle_algorithm = True
    connections: ClassVar[set[tuple[str, int]]] = set()
    lock = threading.Lock()

    def log_message(self, *args: object) -> None:
        return None

    def do_GET(self) -> None:
        self._answer({"object": "list", "data": [{"id": "m", "object": "model"}]})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        prompt = body["messages"][-1]["content"]
        self._answer({"choices": [{"index": 0, "message": {"role": "assistant", "content": prompt}, "finish_reason": "stop"}]})

    def _answer(self, document: dict) -> None:
        with self.lock:
            self.connections.add(self.client_address)
        data = json.dumps(document).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _bare_urllib(url: str, prompts: list[str], concurrency: int) -> None:
    def one(prompt: str) -> str:
        payload = json.dumps({"model": "m", "messages": [{"role": "user", "content": prompt}]}).encode()
        request = urllib.request.Request(f"{url}/chat/completions", data=payload, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())["choices"][0]["message"]["content"]

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        assert list(pool.map(one, prompts)) == prompts


def _timed(run) -> tuple[float, int]:
    _Echo.connections.clear()
    start = time.perf_counter()
    run()
    return time.perf_counter() - start, len(_Echo.connections)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    prompts = [f"prompt {i}" for i in range(args.requests)]
    backend = create_backend(f"openai:{url}@m", BackendOptions(concurrency=args.concurrency))
    requests = [GenerationRequest(p) for p in prompts]

    def pooled() -> None:
        assert [g.text for g in backend.generate(requests)] == prompts

    best: dict[str, tuple[float, int]] = {}
    for _ in range(args.rounds):
        for name, run in (("backend (pooled httpx)", pooled), ("bare urllib (a connection each)", lambda: _bare_urllib(url, prompts, args.concurrency))):
            elapsed, opened = _timed(run)
            if name not in best or elapsed < best[name][0]:
                best[name] = (elapsed, opened)
    for name, (elapsed, opened) in best.items():
        print(f"{name:34s} {args.requests / elapsed:8.0f} requests/s  {opened:4d} connections")
    (pooled_s, _), (bare_s, _) = best.values()
    print(f"ratio pooled/bare: {bare_s / pooled_s:.2f}x the throughput")
    backend.close()
    server.shutdown()


if __name__ == "__main__":
    main()
