"""Pictures and files in a real Chromium, with JavaScript on and off: attached to a new
idea (chosen, pasted and dropped with JavaScript; with the plain file control without),
kept through a refused form, shown as a gallery and on the board's card, and on a
comment."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

import sample_files
from test_browser import (
    browser,  # noqa: F401 - a fixture
    server,  # noqa: F401 - a fixture
    set_up_board,
    shoot,
    watch_console,
)

pytestmark = pytest.mark.browser

from playwright.sync_api import Browser, Page, expect  # noqa: E402

PASTE = """([name, b64, kind]) => {
  const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, {type: 'image/png'}));
  const target = document.querySelector('#body');
  target.dispatchEvent(kind === 'paste'
    ? new ClipboardEvent('paste', {clipboardData: transfer, bubbles: true, cancelable: true})
    : new DragEvent('drop', {dataTransfer: transfer, bubbles: true, cancelable: true}));
}"""
TOO_LARGE = """() => {
  const transfer = new DataTransfer();
  transfer.items.add(new File([new Uint8Array(11 * 1024 * 1024)], 'drawings.pdf'));
  document.querySelector('#body').dispatchEvent(
    new DragEvent('drop', {dataTransfer: transfer, bubbles: true, cancelable: true}));
}"""


def picture_loaded(page: Page, name: str) -> None:
    image = page.get_by_role("img", name=f"Picture: {name}")
    expect(image).to_be_visible()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_attach_pictures_and_files(
    browser: Browser, server: str, tmp_path: Path, javascript: bool
) -> None:
    context = browser.new_context(
        java_script_enabled=javascript, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    problems = watch_console(page)
    set_up_board(page, server)
    photo = tmp_path / "loading-dock.jpg"
    photo.write_bytes(sample_files.photo_with_gps(1600, 900))
    plan = tmp_path / "dock-plan.pdf"
    plan.write_bytes(sample_files.pdf())
    name = "js" if javascript else "nojs"

    page.goto(server + "/ideas/new")
    page.get_by_label("Description").fill("Trucks queue in the rain at gate 2.")
    page.get_by_label("Department").select_option(label="Operations")
    page.get_by_label("Pictures and files").set_input_files([str(photo), str(plan)])
    if javascript:
        chosen = page.locator(".chosen")
        expect(chosen).to_contain_text("loading-dock.jpg")
        page.evaluate(
            PASTE, ["pasted-sketch.png", base64.b64encode(sample_files.png()).decode(), "paste"]
        )
        page.evaluate(
            PASTE,
            ["dropped-map.png", base64.b64encode(sample_files.png(colour="blue")).decode(), "drop"],
        )
        page.evaluate(TOO_LARGE)
        expect(chosen).to_contain_text("drawings.pdf is larger than 10 MB.")
        expect(chosen).to_contain_text("pasted-sketch.png")
        expect(chosen).to_contain_text("dropped-map.png")
        page.get_by_role("button", name="Remove dropped-map.png").click()
        expect(chosen).not_to_contain_text("dropped-map.png")
        shoot(page, f"files-new-idea-{name}")
    # Sent without a title: refused, the files kept for the next try.
    page.get_by_role("button", name="Submit idea").click()
    expect(page.get_by_text("Already sent, kept for this form")).to_be_visible()
    expect(page.get_by_role("checkbox", name="loading-dock.jpg")).to_be_checked()
    page.get_by_label("Title").fill("A roof over gate 2")
    page.get_by_role("button", name="Submit idea").click()

    expect(page.get_by_role("heading", name="A roof over gate 2")).to_be_visible()
    picture_loaded(page, "loading-dock.jpg")
    if javascript:
        picture_loaded(page, "pasted-sketch.png")
        expect(page.get_by_role("img", name="Picture: dropped-map.png")).to_have_count(0)
    expect(page.get_by_role("link", name="dock-plan.pdf")).to_have_attribute("download", "")
    shoot(page, f"files-gallery-{name}")
    page.set_viewport_size({"width": 390, "height": 844})
    shoot(page, f"files-gallery-phone-{name}")
    page.set_viewport_size({"width": 1280, "height": 900})

    # A comment with a picture.
    page.get_by_role("textbox", name="Comment").fill("The other gate has the same problem")
    page.locator("#comment-files").set_input_files(str(photo))
    page.get_by_role("button", name="Post comment").click()
    comment = page.locator(".comment", has_text="The other gate has the same problem")
    expect(comment.get_by_role("img", name="Picture: loading-dock.jpg")).to_be_visible()

    # The board's card shows the cover.
    page.goto(server + "/")
    cover = page.locator(".idea-card img.card-cover")
    expect(cover).to_have_count(1)
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=cover.element_handle()
    )
    shoot(page, f"files-board-{name}")
    # The refused form's answer is the one error the console may show.
    assert [p for p in problems if "status of 422" not in p] == []
    context.close()
