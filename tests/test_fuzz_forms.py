"""Random and hostile input to every form endpoint (hypothesis): never a 500, and the
database stays consistent — every counter matches its rows after every request."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Client, Personas, make_idea, session_cookie_for
from ideaboard.services import comments
from ideaboard.services.ranking import recount
from ideaboard.tables import RateLimit
from ideaboard.web import SESSION_COOKIE

# Text as people (and attackers) send it: any unicode, control characters and NUL,
# HTML and Markdown fragments, numbers where words are expected, very long values.
hostile = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.sampled_from(["", " ", "\x00", "0", "-1", "99999999999999999999", "1e309", "NaN",
                     "<script>alert(1)</script>", "'; DROP TABLE idea; --", "%00", "../../",
                     "a" * 25_000, "🙂" * 500, "Mia Member <mia@example.com>", "#1"]),
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
    client.http.cookies.set(SESSION_COOKIE, await session_cookie_for(board.ada.id))
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
