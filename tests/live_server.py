"""`ideaboard serve` in a subprocess, as a user runs it: for tests that need a real HTTP
server (the browser, SCIM clients)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(database_url: str, tmp_path: Path, **settings: str) -> Iterator[str]:
    """`ideaboard serve` as a user runs it, with these IDEABOARD_* settings."""
    port = free_port()
    env = {
        **os.environ,
        "IDEABOARD_DATABASE_URL": database_url,
        "IDEABOARD_DATA_DIR": str(tmp_path / "var"),
        "IDEABOARD_PORT": str(port),
        "IDEABOARD_MAIL_POLL_SECONDS": "1",
        **{f"IDEABOARD_{name.upper()}": value for name, value in settings.items()},
    }
    log = tmp_path / "server.log"  # a file, not a pipe: a full pipe would stop the server
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "ideaboard.cli", "serve"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    else:
        process.kill()
        process.wait()
        pytest.fail(f"server did not start: {log.read_text()}")
    yield url
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        pytest.fail(f"the server did not stop within 10 s of SIGTERM: {log.read_text()}")
    assert "Traceback" not in log.read_text(), log.read_text()


def post_form(url: str, token: str, path: str, **form: str) -> None:
    """A form sent by this person's browser (session `token`) to a running server, with
    the session's form token, as a page would send it."""
    with httpx.Client(base_url=url, timeout=10) as browser:
        browser.cookies.set("ideaboard_session", token)
        browser.get("/notifications/bell")  # sets the session's form token
        answer = browser.post(path, data={"_csrf_token": browser.cookies["csrftoken"], **form})
        assert answer.status_code in (200, 303), answer.text
