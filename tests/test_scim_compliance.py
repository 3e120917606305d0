"""The SCIM server checked by scim2-tester, a compliance suite for RFC 7643/7644, over
real HTTP against `ideaboard serve`, with a token made by `ideaboard scim-token create`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx2
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server

from conftest import FAST_HASHING, run_in_own_loop
from ideaboard import db
from ideaboard.passwords import Passwords
from ideaboard.services import setup
from live_server import serving


async def set_up_board(database_url: str) -> None:
    async with db.connected(database_url):
        await setup.create_board(
            setup.SetupForm(
                organisation_name="Acme",
                name="Ada Admin",
                email="ada@example.com",
                password="correct horse battery",
                department_name="Operations",
            ),
            Passwords(
                memory_kib=FAST_HASHING["password_memory_kib"],
                time_cost=FAST_HASHING["password_time_cost"],
            ),
        )


def cli(database_url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "IDEABOARD_DATABASE_URL": database_url,
        "IDEABOARD_DATA_DIR": str(tmp_path / "var"),
    }
    return subprocess.run(
        [sys.executable, "-m", "ideaboard.cli", *args],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_scim2_tester_finds_no_error(database_url: str, tmp_path: Path) -> None:
    run_in_own_loop(set_up_board(database_url))
    made = cli(database_url, tmp_path, "scim-token", "create", "--name", "Compliance run")
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    assert token.startswith("ideaboard_scim_") and "shown only this once" in made.stderr
    listed = cli(database_url, tmp_path, "scim-token", "list")
    assert "Compliance run" in listed.stdout and token not in listed.stdout

    with serving(database_url, tmp_path) as url:
        http = httpx2.Client(
            base_url=f"{url}/scim/v2", headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
        results = check_server(SyncSCIMClient(http), raise_exceptions=False)
        http.close()
    ran = [result for result in results if result.status is not Status.SKIPPED]
    failed = [
        f"{result.title}: {result.reason}"
        for result in ran
        if result.status in (Status.ERROR, Status.CRITICAL)
    ]
    assert not failed, "\n".join(failed)
    assert len(ran) >= 30, [result.title for result in results]  # 38 of 39 on 3 Dec 2026
    checked = {result.title for result in ran}
    for needed in ("object_creation", "object_query", "object_replacement", "object_deletion"):
        assert any(needed in title for title in checked), checked

    revoked = cli(database_url, tmp_path, "scim-token", "revoke", "1")
    assert revoked.returncode == 0 and "revoked" in revoked.stdout
