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

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(command: list[str], env: dict[str, str], ready_path: str) -> Iterator[str]:
    port = free_port()
    # The server's log goes to a file: a pipe nobody reads would fill up and stop it.
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed below
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
        yield url
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
