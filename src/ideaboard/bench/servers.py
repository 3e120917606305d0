"""Start the board (or the baselines) the way production does, on a free local port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Server:
    url: str
    pid: int
    log: Path


@contextmanager
def serving(command: list[str], env: dict[str, str], ready_path: str) -> Iterator[str]:
    with serving_process(command, env, ready_path) as server:
        yield server.url


@contextmanager
def serving_process(command: list[str], env: dict[str, str], ready_path: str) -> Iterator[Server]:
    """The server, its process id and its log (kept in a temporary file)."""
    port = free_port()
    # The server's log goes to a file: a pipe nobody reads would fill up and stop it.
    log = tempfile.NamedTemporaryFile(prefix="ideaboard-server-", suffix=".log")  # noqa: SIM115
    process = subprocess.Popen(
        [*command, "--port", str(port)],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + ready_path, timeout=2).status_code < 500:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(f"server did not start: {log.read().decode(errors='replace')}")
            time.sleep(0.2)
        yield Server(url, process.pid, Path(log.name))
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def board_server(workers: int) -> list[str]:
    return [sys.executable, "-m", "ideaboard.cli", "serve", "--workers", str(workers)]


def baseline_server(workers: int) -> list[str]:
    return [
        sys.executable, "-m", "uvicorn", "ideaboard.bench.baseline:create_baseline_app",
        "--factory", "--no-access-log", "--log-level", "warning", "--workers", str(workers),
        "--host", "127.0.0.1",
    ]  # fmt: skip
