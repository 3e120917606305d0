"""A corpus of hostile input in every place people can type, rendered in Chromium: no
dialog, no script run, no element injected, no CSP violation (which would mean an
injection got as far as trying). Not string matching: the browser is the judge."""

from __future__ import annotations

from urllib.parse import quote

from playwright.sync_api import Browser, Page

from test_browser import browser, server, set_up_board  # noqa: F401 - fixtures

MARK = "window.__xss=1"
PAYLOADS = [
    f"<script>{MARK}</script>",
    f'"><script>{MARK}</script>',
    f"'><img src=x onerror={MARK} id=xss>",
    f"<img src=x onerror={MARK} id=xss>",
    f"<svg onload={MARK} id=xss>",
    f"<svg/onload={MARK} id=xss>",
    f"<svg><script>{MARK}</script></svg>",
    f"<body onload={MARK}>",
    f"<iframe src=javascript:{MARK} id=xss></iframe>",
    f"<details open ontoggle={MARK} id=xss>",
    f"<input autofocus onfocus={MARK} id=xss>",
    f"<video><source onerror={MARK} id=xss></video>",
    f"<object data=javascript:{MARK} id=xss></object>",
    f"<a href=javascript:{MARK} id=xss>click</a>",
    f"<a href=&#106;avascript:{MARK} id=xss>click</a>",
    f'<a href="data:text/html,<script>{MARK}</script>" id=xss>x</a>',
    f"<x onclick={MARK} id=xss>click</x>",
    f'" onmouseover="{MARK}',
    f"' autofocus onfocus='{MARK}",
    f"</textarea><script>{MARK}</script>",
    f"</title><script>{MARK}</script>",
    f'<noscript><p title="</noscript><img src=x onerror={MARK} id=xss>">',
    f'<!--<img src="--><img src=x onerror={MARK} id=xss//">',
    f"<scr<script>ipt>{MARK}</script>",
    f"<math><mtext><table><mglyph><style><img src=x onerror={MARK} id=xss>",
    f"<template><img src=x onerror={MARK}></template>",
    "<img src=x:alert(alt) onerror=eval(src) alt=0 id=xss>",
    "<base href=//evil.example/>",
    f"<meta http-equiv=refresh content=0;url=javascript:{MARK}>",
    "<style>body{display:none}</style>",
    f'<img src="x" style="x:expression({MARK})" id=xss>',
    f"<table background=javascript:{MARK}>",
    '<div hx-get="/logout" hx-trigger="load" id=xss>x</div>',
    '<div data-hx-post="/logout" data-hx-trigger="load" id=xss>x</div>',
    f'<div hx-on::load="{MARK}" id=xss>x</div>',
    f'<div hx-on:click="{MARK}" id=xss>x</div>',
    "<form id=xss action=/logout method=post><button>go</button></form>",
    f"[click](javascript:{MARK})",
    f"[click](JaVaScRiPt:{MARK})",
    f"[click](  javascript:{MARK})",
    f"[click](java\tscript:{MARK})",
    "[click](data:text/html;base64,PHNjcmlwdD53aW5kb3cuX194c3M9MTwvc2NyaXB0Pg==)",
    f"[click](vbscript:{MARK})",
    f"![img](javascript:{MARK})",
    f'![img](x" onerror="{MARK})',
    f'[link](https://example.com "title\\" onmouseover=\\"{MARK})',
    f"<javascript:{MARK}>",
    f"[a]: javascript:{MARK}\n\n[click][a]",
    "{{ 7*7 }} {% raw %}",
    f"%3Cscript%3E{MARK}%3C/script%3E",
    f"\u003cscript\u003e{MARK}\u003c/script\u003e",
    f"<a href='javas&#x09;cript:{MARK}' id=xss>tab</a>",
]

FIND_INJECTION = """() => ({
  flag: window.__xss === 1,
  marked: document.querySelectorAll('[id=xss], [id^=xss]').length,
  scripts: [...document.scripts].filter(s => !s.src.includes('/static/')).length,
  jsLinks: [...document.querySelectorAll('a[href]')].filter(
      a => /^\\s*(javascript|data|vbscript):/i.test(a.getAttribute('href'))).length,
  frames: document.querySelectorAll('main iframe, main object, main embed').length,
  base: document.querySelectorAll('base').length,
})"""


def csrf(page: Page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")


def post(page: Page, path: str, form: dict[str, str]) -> int:
    base = page.url.split("/", 3)[:3]
    response = page.request.post(
        "/".join(base) + path, form={"_csrf_token": csrf(page), **form}, max_redirects=0
    )
    return response.status


def test_hostile_input_never_runs(browser: Browser, server: str) -> None:
    assert len(PAYLOADS) >= 50
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    dialogs: list[str] = []
    violations: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    set_up_board(page, server)
    # A department and the admin's own name are hostile too.
    assert post(page, "/admin/departments", {"name": f"<img src=x onerror={MARK} id=xss>"}) == 303
    department = page.request.get(server + "/ideas/new").text().split('<option value="')[2][:3]
    department_id = department.split('"')[0]
    assert post(page, "/account", {"name": f"<svg onload={MARK} id=xss>",
                                   "department_id": department_id}) == 303  # fmt: skip
    ideas = []
    for n, payload in enumerate(PAYLOADS):
        status = post(page, "/ideas", {"title": " ".join(payload.split())[:160], "body": payload,
                                       "department_id": department_id})  # fmt: skip
        assert status == 303, (n, payload, status)
        ideas.append(n + 1)
        assert post(page, f"/ideas/{n + 1}/comments", {"body": payload}) == 303

    pages = ["/", "/?sort=new", "/?status=all", "/triage", "/moderation", "/notifications",
             "/admin/departments", "/admin/users", "/admin/audit", "/account"]  # fmt: skip
    pages += [f"/ideas/{n}" for n in ideas]
    pages += [f"/?q={quote(p)}" for p in PAYLOADS[:20]]
    pages += [f"/ideas/similar?title={quote(p)}" for p in PAYLOADS[:10]]
    for path in pages:
        page.goto(server + path)
        found = page.evaluate(FIND_INJECTION)
        assert found == {
            "flag": False, "marked": 0, "scripts": 0, "jsLinks": 0, "frames": 0, "base": 0,
        }, (path, found)  # fmt: skip
    assert dialogs == []
    assert violations == []
