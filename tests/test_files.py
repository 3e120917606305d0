"""Files on disk are private whatever the umask: a real `ideaboard serve`, a password
reset written as an .eml file, and `ideaboard backup`, all under umask 022."""

from __future__ import annotations

import email
import os
import stat
import subprocess
import sys
import time
from email.policy import default
from pathlib import Path

import httpx

from cluster import free_port
from conftest import PASSWORD

CLI = [sys.executable, "-m", "ideaboard.cli"]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], env=env, capture_output=True, text=True, timeout=120, umask=0o022
    )


def test_what_the_board_writes_is_private_under_umask_022(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    env = {
        **os.environ,
        "IDEABOARD_DATABASE_URL": f"sqlite:///{data_dir / 'ideaboard.sqlite3'}",
        "IDEABOARD_DATA_DIR": str(data_dir),
        "IDEABOARD_MAIL_POLL_SECONDS": "1",
    }
    assert run(env, "migrate").returncode == 0
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [*CLI, "serve", "--port", str(port)], env=env, stdout=output,
            stderr=subprocess.STDOUT, umask=0o022,
        )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=url, timeout=10) as browser:
            deadline = time.monotonic() + 60
            while True:
                try:
                    browser.get("/healthz")
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, log.read_text()
                    time.sleep(0.1)
            browser.get("/setup")
            token = browser.cookies["csrftoken"]
            form = {"_csrf_token": token, "organisation_name": "Acme", "name": "Ada Admin",
                    "email": "ada@example.com", "password": PASSWORD,
                    "department_name": "Operations"}  # fmt: skip
            assert browser.post("/setup", data=form).status_code in {200, 303}
            browser.post("/logout", data={"_csrf_token": browser.cookies["csrftoken"]})
            browser.get("/password/forgot")
            forgot = {"_csrf_token": browser.cookies["csrftoken"], "email": "ada@example.com"}
            assert browser.post("/password/forgot", data=forgot).status_code == 200
        mail_dir = data_dir / "mail"
        deadline = time.monotonic() + 30
        while not list(mail_dir.glob("*.eml")):
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=30)
    backup = run(env, "backup")
    assert backup.returncode == 0, backup.stderr

    assert mode(data_dir) == 0o700
    files = [
        data_dir / "ideaboard.sqlite3",
        data_dir / "secret_key",
        *mail_dir.glob("*.eml"),
        *(data_dir / "backups").glob("*.sqlite3"),
    ]
    assert len(files) == 4
    assert {str(path): mode(path) for path in files} == {str(path): 0o600 for path in files}
    for directory in (mail_dir, data_dir / "backups"):
        assert mode(directory) == 0o700, directory
    message = email.message_from_bytes(next(mail_dir.glob("*.eml")).read_bytes(), policy=default)
    text = message.get_body(preferencelist=("plain",))
    assert text is not None and "/password/reset/" in text.get_content()  # a live link
    checked = run(env, "check")
    assert "ok    File permissions:" in checked.stdout, checked.stdout

    # An old install's loose file is reported, with the fix.
    (data_dir / "backups" / "old.sqlite3").write_bytes(b"")
    os.chmod(data_dir / "backups" / "old.sqlite3", 0o644)
    loose = run(env, "check")
    assert "FAIL  File permissions: others may read" in loose.stdout
    assert "old.sqlite3 (644)" in loose.stdout and "chmod -R go-rwx" in loose.stdout
    assert loose.returncode == 0  # a warning: the data directory itself is closed to others


def test_the_database_and_its_wal_are_private_for_an_app_made_in_process(
    tmp_path: Path,
) -> None:
    """Not only through the command: an ASGI server given `create_app` directly."""
    from ideaboard.db import engine_for

    old = os.umask(0o022)
    try:
        engine_for(f"sqlite:///{tmp_path / 'new' / 'board.sqlite3'}")
    finally:
        os.umask(old)
    assert mode(tmp_path / "new") == 0o700
    assert mode(tmp_path / "new" / "board.sqlite3") == 0o600
