"""Every word of every email is translatable: each kind of notification email, the
digest, sign-up and password emails, rendered in the pseudo-language (⟦…⟧); what is
left once the wrapped strings, what people wrote and the links are out holds no letters."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest

from ideaboard import i18n
from ideaboard.domain import Status
from ideaboard.mail.mailer import Mailer
from ideaboard.notification_kinds import NotificationKind
from ideaboard.services import digest
from ideaboard.services.notification_emails import render_notification_email
from test_i18n_pages import untranslated

CONTENT = ["Shared calendar for the docks", "Quieter chairs", "Mo Moderator", "Mia Member",
           "Operations", "Acme", "mia@example.com", "Booked for March.", "Too vague",
           "Customer Service"]  # fmt: skip
MOMENT = datetime(2026, 12, 2, 14, 5, tzinfo=UTC)


def untranslated_text(text: str) -> list[str]:
    """The plain-text part's untranslated pieces (links and addresses are not words)."""
    text = re.sub(r"https?://\S+", " ", text)
    # Headings of the plain-text digest are upper-cased, department names with them.
    content = CONTENT + [item.upper() for item in CONTENT]
    return untranslated(f"<pre-text>{_escape(text)}</pre-text>", content)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def row(kind: NotificationKind, **detail: Any) -> dict[str, Any]:
    return {
        "id": 7, "kind": kind.value, "idea_id": 3, "idea_title": "Shared calendar for the docks",
        "other_title": "Quieter chairs", "actor_name": "Mo Moderator",
        "detail": json.dumps(detail), "text": None,
        "from_status": "new", "to_status": "planned",
        "message_html": "<p>Booked for March.</p>" if kind.value == "status_changed" else "",
        "created_at": MOMENT, "read_at": None, "account": 2, "email": "mia@example.com",
        "reader_name": "Mia Member", "active": True, "reader_language": i18n.PSEUDO_LANGUAGE,
        "visible": True,
    }  # fmt: skip


CASES = [
    (NotificationKind.STATUS_CHANGED, {}),
    (NotificationKind.STATUS_CHANGED, {"event": "merged"}),
    (NotificationKind.STATUS_CHANGED, {"event": "unmerged"}),
    (NotificationKind.NEW_COMMENT, {}),
    (NotificationKind.ROUTED_TO_YOU, {}),
    (NotificationKind.NEEDS_OWNER, {"votes": 12}),
    (NotificationKind.REROUTED, {"department": "Operations"}),
    (NotificationKind.IDEA_APPROVED, {}),
    (NotificationKind.IDEA_APPROVED, {"event": "edit"}),
    (NotificationKind.IDEA_REJECTED, {"reason": "Too vague"}),
    (NotificationKind.IDEA_REJECTED, {"event": "comment_edit", "reason": "Too vague"}),
    (NotificationKind.IDEA_MERGED, {}),
]


@pytest.mark.parametrize(("kind", "detail"), CASES)
def test_every_notification_email_is_translatable(
    mailer: Mailer, kind: NotificationKind, detail: dict[str, Any]
) -> None:
    email = render_notification_email(row(kind, **detail), mailer, earlier=2)
    assert email.subject.startswith(i18n.PSEUDO_OPEN)
    problems = untranslated(f"<p>{_escape(email.subject)}</p>", CONTENT)
    problems += untranslated(email.html, CONTENT) + untranslated_text(email.text)
    assert not problems, problems


def test_the_digest_is_translatable(mailer: Mailer) -> None:
    idea = digest.DigestIdea(
        id=3, title="Shared calendar for the docks", status=Status.NEW, vote_count=12,
        department_name="Operations", votes_this_week=3,
    )  # fmt: skip
    update = digest.DigestUpdate(
        idea_id=3, idea_title="Shared calendar for the docks", from_status=Status.NEW,
        to_status=Status.PLANNED, message="Booked for March.", author_name="Mo Moderator",
        created_at=MOMENT,
    )  # fmt: skip
    managed = digest.ManagedDepartment(id=1, name="Operations", needs_owner=2, unrouted=(idea,))
    reader = digest.Reader(2, "Mia Member", "mia@example.com", 1, i18n.PSEUDO_LANGUAGE)
    composed = digest.Digest(
        week="2026-W49", organisation="Acme", reader=reader, department_name="Customer Service",
        top_ideas=(idea,), new_for_department=(idea,), updates=(update,), managed=(managed,),
        unsubscribe_path="/unsubscribe/2/token",
    )  # fmt: skip
    email = digest.render_digest(composed, mailer.templates)
    assert email.subject.startswith(i18n.PSEUDO_OPEN)
    problems = untranslated(email.html, CONTENT) + untranslated_text(email.text)
    assert not problems, problems


@pytest.mark.parametrize(
    ("name", "context"),
    [
        ("signup_confirm", {"link": "https://x.example/c", "reader_name": "Mia Member"}),
        (
            "signup_taken",
            {
                "reader_name": "Mia Member",
                "login_link": "https://x.example/l",
                "reset_link": "https://x.example/r",
            },
        ),
        (
            "password_reset",
            {"reader_name": "Mia Member", "link": "https://x.example/r", "minutes": 60},
        ),
    ],
)
def test_account_emails_are_translatable(
    mailer: Mailer, name: str, context: dict[str, Any]
) -> None:
    with i18n.in_language(i18n.PSEUDO_LANGUAGE):
        text, html = mailer.templates.render(name, organisation="Acme", hours=24, **context)
    problems = untranslated(html, CONTENT) + untranslated_text(text)
    assert not problems, problems
