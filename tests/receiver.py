"""A real HTTP receiver for webhook tests, on 127.0.0.1 and a free port, in a thread.

It keeps every request it got, and answers each path as told: a status, a redirect,
headers that never come, or a body that never ends.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Behaviour:
    status: int = 200
    body: bytes = b"ok"
    location: str = ""  # a redirect's target
    delay: float = 0.0  # seconds before the status line
    endless: bool = False  # a body that never ends (a chunk every 10 ms)


@dataclass
class Receiver:
    url: str
    received: list[Received] = field(default_factory=list)
    behaviours: dict[str, Behaviour] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)

    def at(self, path: str) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.path == path]

    def wait_for(self, path: str, count: int = 1, seconds: float = 10) -> list[Received]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if len(self.at(path)) >= count:
                return self.at(path)
            time.sleep(0.02)
        raise AssertionError(f"{path} got {len(self.at(path))} requests, not {count}")


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            with receiver.lock:
                receiver.received.append(Received(self.path, dict(self.headers.items()), body))
            behaviour = receiver.behaviours.get(self.path, Behaviour())
            if behaviour.delay and receiver.stopping.wait(behaviour.delay):
                return
            self.send_response(behaviour.status)
            if behaviour.location:
                self.send_header("Location", behaviour.location)
            if behaviour.endless:
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                while not receiver.stopping.is_set():
                    try:
                        self.wfile.write(b"400\r\n" + b"x" * 1024 + b"\r\n")
                        self.wfile.flush()
                    except OSError:
                        return  # the sender hung up: as it should
                    time.sleep(0.01)
                return
            self.send_header("Content-Length", str(len(behaviour.body)))
            self.end_headers()
            self.wfile.write(behaviour.body)

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def running_receiver() -> Iterator[Receiver]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    receiver = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}")
    server.RequestHandlerClass = _handler(receiver)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.stopping.set()
        server.shutdown()
        server.server_close()
