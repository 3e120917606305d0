"""Random and hostile input to every form endpoint (hypothesis): never a 500, and the
database stays consistent — every counter matches its rows after every request."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Client, Personas, make_idea, session_cookie_for
from ideaboard.services import comments
from ideaboard.services.ranking import recount
from ideaboard.tables import RateLimit

BOUNDARY_NUMBERS = [str(n) for n in (2**31 - 1, 2**31, -(2**31) - 1, 2**63 - 1, 2**63, 2**64,
                                     10**40, 0, -1)] + ["1e39", "-1e39", "inf", "-inf", "nan",
                                                         "0x10", "1_000", "٣"]  # fmt: skip

# Text as people (and attackers) send it: any unicode, control characters and NUL,
# HTML and Markdown fragments, numbers where words are expected, very long values.
hostile = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.sampled_from(["", " ", "\x00", "0", "-1", "99999999999999999999", "1e309", "NaN",
                     "<script>alert(1)</script>", "'; DROP TABLE idea; --", "%00", "../../",
                     "a" * 25_000, "🙂" * 500, "Mia Member <mia@example.com>", "#1"]),
    # Numbers at the edges of the databases' integers, and floats that are not numbers.
    st.sampled_from(BOUNDARY_NUMBERS),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)  # fmt: skip

FORMS: list[tuple[str, tuple[str, ...]]] = [
    ("/ideas", ("title", "body", "department_id", "anonymous")),
    ("/ideas/{idea}/edit", ("title", "body", "department_id")),
    ("/ideas/{idea}/comments", ("body",)),
    ("/comments/{comment}/edit", ("body",)),
    ("/ideas/{idea}/vote", ("voted", "next")),
    ("/ideas/{idea}/follow", ("following",)),
    ("/ideas/{idea}/status", ("status", "message")),
    ("/ideas/{idea}/flag", ("reason", "comment_id")),
    ("/ideas/{other}/merge", ("target",)),
    ("/triage/ideas/{idea}", ("owner", "status", "message", "department_id", "back")),
    ("/triage/bulk", ("idea_ids", "bulk_owner", "bulk_status", "bulk_message")),
    ("/triage/departments/{department}/threshold", ("threshold",)),
    ("/moderation/ideas/{idea}/reject", ("reason", "next")),
    ("/account", ("name", "department_id", "digest_enabled", "notify_status_changed")),
    ("/account/password", ("current_password", "new_password")),
    ("/admin", ("name", "allowed_email_domains", "vote_budget", "digest_weekday",
                "digest_hour", "time_zone", "pre_moderation")),
    ("/admin/departments", ("name",)),
    ("/admin/departments/{department}/rename", ("name",)),
    ("/admin/departments/{department}/managers", ("manager_email",)),
    ("/admin/users/{member}/role", ("role",)),
    ("/password/forgot", ("email",)),
    ("/password/reset/{text}", ("new_password",)),
    ("/login", ("email", "password", "next")),
    ("/signup", ("name", "email", "password", "department_id")),
    ("/signup/confirm/{text}", ()),
]  # fmt: skip


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(values=st.lists(hostile, min_size=8, max_size=8), text=hostile)
async def test_no_form_answers_500_or_leaves_counters_out_of_step(
    client: Client, board: Personas, values: list[str], text: str
) -> None:
    idea = await make_idea(board.mia, board.operations)
    other = await make_idea(board.otto, board.operations, title="Another idea")
    comment = await comments.add_comment(board.mia.actor, idea, comments.CommentInput("Hi"))
    await RateLimit.delete(force=True)  # each example starts within the limits
    await client.use_session(await session_cookie_for(board.ada.id))
    ids = {"idea": idea, "other": other, "comment": comment, "department": board.it,
           "member": board.mia.id, "text": quote(text[:50], safe="") or "x"}  # fmt: skip
    for path, fields in FORMS:
        url = path.format(**ids)
        form = {field: values[n % len(values)] for n, field in enumerate(fields)}
        response = await client.post(url, form)
        assert response.status_code < 500, (url, form, response.text[-500:])
        htmx = await client.post(url, form, htmx=True)
        assert htmx.status_code < 500, (url, form, htmx.text[-500:])
    assert await recount(repair=False) == []


@pytest.mark.parametrize(
    "path",
    ["/?q=%00", "/?sort=%ff&after=1~1~1", "/?after=inf~1", "/?department=-1&status=x",
     "/?q=dock&after=1e400~1", "/?q=dock&after=nan~x", "/?q=dock&status=all&after=-0.5~-1",
     "/ideas/similar?title=%00%01", "/triage?department=abc&owner=me",
     "/notifications?before=abc", "/admin/audit?before=-5&actor=x&action=%00",
     "/admin/digest?week=2026-W99&email=%00", "/triage/people?owner=%25%5f%5c"],
)  # fmt: skip
async def test_hostile_query_strings_never_answer_500(
    client: Client, board: Personas, path: str
) -> None:
    await make_idea(board.mia, board.operations)
    await client.login(board.ada.email)
    response = await client.get(path)
    assert response.status_code < 500, response.text[-500:]


PATH_NUMBERS = st.one_of(
    st.sampled_from([2**31 - 1, 2**31, 2**63 - 1, 2**63, 10**30, 0]),
    st.integers(min_value=2**31 - 2, max_value=2**80),
)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(number=PATH_NUMBERS)
async def test_ids_past_the_database_integers_are_missing_pages_on_every_route(
    client: Client, board: Personas, number: int
) -> None:
    """Every route with a number in its path, from the route list: an id no row can have
    is a 404 (or the guard's answer), never a database error."""
    from ideaboard.routes import ROUTES

    await client.use_session(await session_cookie_for(board.ada.id))
    for route in ROUTES:
        path = next(iter(route.paths))
        if ":int}" not in path:
            continue
        url = re.sub(r"\{\w+:int\}", str(number), path).replace("{token:str}", "x")
        for method in sorted(route.http_methods - {"OPTIONS"}):
            response = await (client.get(url) if method == "GET" else client.post(url, {}))
            assert response.status_code < 500, (method, url, response.text[-300:])
            if number > 2**31 - 1 and "unsubscribe" not in url:
                assert response.status_code == 404, (method, url)


MULTIPART_FORMS = ["/login", "/signup", "/password/forgot", "/ideas", "/ideas/{idea}/comments",
                   "/ideas/{idea}/vote", "/triage/ideas/{idea}", "/admin"]  # fmt: skip


def multipart(parts: list[tuple[str, bytes, str]]) -> tuple[bytes, str]:
    """A multipart body from (name, value, extra header lines) parts, and its type."""
    chunks = []
    for name, value, extra in parts:
        chunks.append(
            b"--B\r\nContent-Disposition: form-data; name=\"" + name.encode() + b"\""
            + extra.encode() + b"\r\n\r\n" + value + b"\r\n"
        )  # fmt: skip
    return b"".join(chunks) + b"--B--\r\n", "multipart/form-data; boundary=B"


@pytest.mark.parametrize("path", MULTIPART_FORMS)
async def test_multipart_bodies_that_cannot_be_read_are_a_400_with_a_sentence(
    client: Client, board: Personas, path: str
) -> None:
    idea = await make_idea(board.mia, board.operations)
    url = path.format(idea=idea)
    for signed_in in (False, True):
        if signed_in:
            await client.use_session(await session_cookie_for(board.ada.id))
        else:
            await client.get("/login")
        token = client.csrf_token.encode()
        cases = {
            "a charset that does not exist": [
                ("_csrf_token", token, ""),
                ("title", b"Dock", "\r\nContent-Type: text/plain; charset=no-such-charset"),
            ],
            "bytes that are not in the charset named": [
                ("_csrf_token", token, ""),
                ("title", b"\xff\xfe\xfa", "\r\nContent-Type: text/plain; charset=utf-8"),
            ],
            "the CSRF token as a file": [("_csrf_token", token, '; filename="t.txt"')],
            "a text field as a file": [
                ("_csrf_token", token, ""),
                ("title", b"Dock", '; filename="title.txt"'),
            ],
        }
        for what, parts in cases.items():
            body, content_type = multipart(parts)
            response = await client.http.post(
                url, content=body, headers={"content-type": content_type}
            )
            assert response.status_code == 400, (url, what, response.status_code)
            assert "could not be read" in response.text or "text only" in response.text, (url, what)
        # Readable multipart works like a urlencoded form.
        body, content_type = multipart([("_csrf_token", token, ""), ("title", b"Dock", "")])
        readable = await client.http.post(url, content=body, headers={"content-type": content_type})
        assert readable.status_code < 500, (url, readable.text[-300:])
