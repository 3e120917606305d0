"""People's data in a real Chromium, with JavaScript on and off: an admin imports a
spreadsheet and downloads the board; a member downloads their data, then erases their
account."""

from __future__ import annotations

import io
import json
import time
import zipfile
from pathlib import Path

import pytest

from test_browser import (
    PASSWORD,
    add_department,
    browser,  # noqa: F401 - a fixture
    server,  # noqa: F401 - a fixture
    set_up_board,
    shoot,
    sign_out,
    sign_up,
    watch_console,
)

pytestmark = pytest.mark.browser

from playwright.sync_api import Browser, expect  # noqa: E402

SPREADSHEET = (
    "title,description,department,author_email,author_name,status,voters\r\n"
    '"Night buses, for the late shift","From the depot\nat 23:00",Operations,'
    "lea@example.com,Lea Larsen,planned,ada@example.com\r\n"
    "Quiet room,,Operations,,Anonymous Tipster,Parked,\r\n"
)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_import_export_download_and_erase(
    browser: Browser,
    server: str,
    tmp_path: Path,
    javascript: bool,
) -> None:
    context = browser.new_context(
        java_script_enabled=javascript, viewport={"width": 1280, "height": 900},
        accept_downloads=True,
    )  # fmt: skip
    page = context.new_page()
    problems = watch_console(page)
    set_up_board(page, server)
    add_department(page, server, "Customer Service")

    sheet = tmp_path / "ideas.csv"
    sheet.write_text(SPREADSHEET, encoding="utf-8")
    page.goto(server + "/admin/data")
    page.get_by_label("Where the file comes from").select_option(
        label="A spreadsheet in our template (CSV)"
    )
    page.get_by_label("File to import").set_input_files(str(sheet))
    page.get_by_role("button", name="Import the file").click()
    report = page.locator("#import-report")
    expect(report).to_contain_text("The file is fine. Importing it would bring: 2 ideas, 1 vote")
    expect(report).to_contain_text("line 4: the status 'Parked' is unknown: imported as New")
    page.get_by_label("File to import").set_input_files(str(sheet))  # a browser forgets the file
    page.get_by_label("Only check the file: import nothing").uncheck()
    page.get_by_role("button", name="Import the file").click()
    expect(report).to_contain_text("Imported: 2 ideas, 1 vote")
    shoot(page, f"admin-import-{'js' if javascript else 'nojs'}")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the board").click()
    with zipfile.ZipFile(download.value.path()) as archive:
        board = json.loads(archive.read("board.json"))
    assert sorted(idea["title"] for idea in board["ideas"]) == [
        "Night buses, for the late shift", "Quiet room",
    ]  # fmt: skip
    page.goto(server + "/")
    expect(page.get_by_role("link", name="Night buses, for the late shift")).to_be_visible()
    sign_out(page)

    mailbox = tmp_path / "var" / "mail"
    page.goto(server + "/login")
    sign_up(page, server, "Mia Member", "mia@example.com", "Customer Service", mailbox)
    page.goto(server + "/account")
    page.get_by_role("button", name="Download my data").click()
    expect(page.get_by_role("status").first).to_contain_text("Your data is being gathered")
    link = page.get_by_role("link", name="Download my data")
    for _ in range(40):  # made just after the answer: as a person would, look again
        page.goto(server + "/account")
        if link.count():
            break
        time.sleep(0.25)
    with page.expect_download() as download:
        link.click()
    with zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes())) as archive:
        mine = json.loads(archive.read("my-data.json"))
    assert mine["profile"]["email"] == "mia@example.com"

    page.get_by_label("Your password, to confirm").fill("not my password")
    page.get_by_role("button", name="Erase my account").click()
    expect(page.get_by_text("That is not your password.")).to_be_visible()
    page.get_by_label("Your password, to confirm").fill(PASSWORD)
    page.get_by_role("button", name="Erase my account").click()
    expect(page.get_by_text("Your account is erased")).to_be_visible()
    shoot(page, f"account-erased-{'js' if javascript else 'nojs'}")
    # The refused password (422), and the erased session's live stream closing (401).
    expected = ("status of 422", "status of 401")
    assert [p for p in problems if not any(code in p for code in expected)] == []
    context.close()
