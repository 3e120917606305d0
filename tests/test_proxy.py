"""Behind a proxy the visitor's address is the right-most one no trusted proxy added:
a client cannot pick the address the per-address limits count. A real `ideaboard serve`
(uvicorn's proxy headers, as deployed), and the shipped proxy configurations."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml

from cluster import free_port

CLI = [sys.executable, "-m", "ideaboard.cli"]
DEPLOY = Path(__file__).resolve().parents[1] / "deploy"


def served_client(tmp_path: Path, allow: str) -> str:
    """Start `ideaboard serve` trusting `allow`; the client address of a request that
    carries a spoofed X-Forwarded-For, as the access log records it."""
    database = f"sqlite:///{tmp_path / 'board.sqlite3'}"
    env = {**os.environ, "IDEABOARD_DATABASE_URL": database,
           "IDEABOARD_DATA_DIR": str(tmp_path / "var"), "IDEABOARD_LOG_FORMAT": "json",
           "IDEABOARD_FORWARDED_ALLOW_IPS": allow}  # fmt: skip
    subprocess.run([*CLI, "migrate"], env=env, check=True, capture_output=True)
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        server = subprocess.Popen([*CLI, "serve", "--port", str(port)], env=env, stdout=output,
                                  stderr=subprocess.STDOUT)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                # The client sent "6.6.6.6"; the proxy at 127.0.0.1 appended what it saw.
                httpx.get(f"http://127.0.0.1:{port}/setup",
                          headers={"X-Forwarded-For": "6.6.6.6, 203.0.113.9"})  # fmt: skip
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
        server.terminate()
        server.wait(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()
    for line in log.read_text().splitlines():
        if line.startswith("{") and '"path": "/setup"' in line:
            client: str = json.loads(line)["client"]
            return client
    pytest.fail(f"no access log line for /setup:\n{log.read_text()}")


def test_the_right_most_untrusted_hop_is_the_visitor(tmp_path: Path) -> None:
    assert served_client(tmp_path, "127.0.0.1") == "203.0.113.9"


def test_trusting_every_address_lets_the_client_choose_and_check_says_so(
    tmp_path: Path,
) -> None:
    """Why the shipped files never trust "*": the left-most entry, the client's own."""
    assert served_client(tmp_path, "*") == "6.6.6.6"
    checked = subprocess.run(
        [*CLI, "check"],
        env={**os.environ, "IDEABOARD_DATABASE_URL": f"sqlite:///{tmp_path / 'board.sqlite3'}",
             "IDEABOARD_DATA_DIR": str(tmp_path / "var"), "IDEABOARD_ENV": "production",
             "IDEABOARD_FORWARDED_ALLOW_IPS": "*"},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert "FAIL  Proxy: IDEABOARD_FORWARDED_ALLOW_IPS is *" in checked.stdout


def test_shipped_proxies_overwrite_what_the_client_sent() -> None:
    nginx = (DEPLOY / "nginx/ideaboard.conf").read_text()
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in nginx
    assert "$proxy_add_x_forwarded_for;" not in nginx.replace("($proxy_add_x_forwarded_for)", "")
    # Caddy replaces X-Forwarded-For unless told to trust an upstream proxy.
    assert "trusted_proxies" not in "\n".join(
        line for line in (DEPLOY / "Caddyfile").read_text().splitlines() if "#" not in line
    )
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    allowed = compose["x-app"]["environment"]["IDEABOARD_FORWARDED_ALLOW_IPS"]
    subnet = compose["networks"]["default"]["ipam"]["config"][0]["subnet"]
    assert allowed == subnet != "*"
    for name in ("app1", "app2"):
        assert "ports" not in compose["services"][name]  # only the proxy reaches them
