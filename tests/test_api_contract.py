"""The API against its own OpenAPI document: schemathesis generates requests for every
documented operation against `ideaboard serve` (both databases), with a write token
made by `ideaboard token create`; no answer is a 500, and every answer matches the
document (status codes, content types, headers, bodies)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import make_idea, run_in_own_loop
from ideaboard import db
from ideaboard.services import departments, users
from live_server import serving
from test_scim_compliance import cli, set_up_board

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "negative_data_rejection",
    ]
)


async def add_ideas(database_url: str) -> None:
    async with db.connected(database_url):
        ada = await users.find_user_by_email("ada@example.com")
        assert ada is not None
        department = (await departments.list_departments())[0].id
        from conftest import Person

        person = Person(ada.id, ada.email, ada.name, ada.department_id, ada.role)
        for n in range(3):
            await make_idea(person, department, f"Idea {n} for the contract")


def test_every_operation_keeps_the_openapi_contract(database_url: str, tmp_path: Path) -> None:
    run_in_own_loop(set_up_board(database_url))
    run_in_own_loop(add_ideas(database_url))
    made = cli(
        database_url, tmp_path, "token", "create", "--email", "ada@example.com",
        "--scope", "write", "--days", "1",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    assert token.startswith("ideaboard_pat_") and "shown only this once" in made.stderr
    with serving(database_url, tmp_path) as url:
        result = subprocess.run(
            [
                str(Path(sys.executable).parent / "schemathesis"), "run",
                f"{url}/api/v1/openapi.json", "--url", url,
                "-H", f"Authorization: Bearer {token}", "--checks", CHECKS,
                "--max-examples", "12", "--seed", "20261203", "--request-timeout", "10",
                "--no-color",
            ],
            capture_output=True, text=True, timeout=600, cwd=tmp_path,  # its cache goes there
            env={**os.environ, "SCHEMATHESIS_HOOKS": ""},
        )  # fmt: skip
    report = result.stdout + result.stderr
    assert result.returncode == 0, report[-6000:]
    assert "Tested: 10" in report, report  # every documented operation
