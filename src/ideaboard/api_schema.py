"""The API's resources as JSON (the OpenAPI document is made from these), and its
errors as RFC 9457 problem details. Built from the services' views: no query here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ideaboard.services.comments import CommentView
from ideaboard.services.ideas import IdeaView
from ideaboard.services.status_updates import StatusChangeView

PROBLEM_MEDIA_TYPE = "application/problem+json"


@dataclass
class DepartmentOut:
    id: int
    name: str


@dataclass
class MeOut:
    id: int
    name: str
    email: str
    role: str
    department: DepartmentOut
    token_scope: str


@dataclass
class IdeaOut:
    id: int
    title: str
    body: str
    body_html: str
    status: str
    vote_count: int
    comment_count: int
    voted: bool
    author: str  # "Anonymous" where the reader may not know
    from_department: str
    department: DepartmentOut
    url: str
    created_at: datetime
    updated_at: datetime
    merged_into: int | None  # a duplicate: its votes and followers are on this idea now


@dataclass
class StatusUpdateOut:
    id: int
    from_status: str
    to_status: str
    author: str
    message_html: str
    created_at: datetime


@dataclass
class IdeaDetailOut(IdeaOut):
    owner: str | None = None
    updates: list[StatusUpdateOut] = field(default_factory=list)


@dataclass
class IdeaListOut:
    ideas: list[IdeaOut]
    next_cursor: str | None


@dataclass
class VoteOut:
    idea_id: int
    voted: bool
    vote_count: int


@dataclass
class CommentOut:
    id: int
    idea_id: int
    author: str
    body: str
    body_html: str
    edited: bool
    # False: waiting for a moderator, or hidden (shown to its author and moderators only).
    shown_to_everyone: bool
    created_at: datetime


@dataclass
class IdeaIn:
    title: str
    body: str
    department_id: int
    anonymous: bool = False


@dataclass
class CommentIn:
    body: str


@dataclass
class StatusIn:
    status: str
    message: str = ""


def idea_out(idea: IdeaView, base_url: str) -> IdeaOut:
    return IdeaOut(**_idea_fields(idea, base_url))


def _idea_fields(idea: IdeaView, base_url: str) -> dict[str, Any]:
    return {
        "id": idea.id, "title": idea.title, "body": idea.body, "body_html": idea.body_html,
        "status": idea.status.value, "vote_count": idea.vote_count,
        "comment_count": idea.comment_count, "voted": idea.voted,
        "author": str(idea.author_name), "from_department": idea.from_department,
        "department": DepartmentOut(id=idea.department_id, name=idea.department),
        "url": f"{base_url}/ideas/{idea.id}", "created_at": idea.created_at,
        "updated_at": idea.updated_at, "merged_into": idea.merged_into,
    }  # fmt: skip


def idea_detail_out(
    idea: IdeaView, base_url: str, *, owner: str | None, updates: list[StatusChangeView]
) -> IdeaDetailOut:
    return IdeaDetailOut(
        **_idea_fields(idea, base_url),
        owner=owner,
        updates=[
            StatusUpdateOut(
                id=u.id,
                from_status=u.from_status.value,
                to_status=u.to_status.value,
                author=u.author_name,
                message_html=u.message_html,
                created_at=u.created_at,
            )
            for u in updates
        ],
    )


def comment_out(comment: CommentView) -> CommentOut:
    return CommentOut(
        id=comment.id, idea_id=comment.idea_id, author=comment.author_name,
        body=comment.body, body_html=comment.body_html, edited=comment.edited,
        shown_to_everyone=comment.counts, created_at=comment.created_at,
    )  # fmt: skip


@dataclass
class Problem:
    """RFC 9457 problem details; `errors` names the fields of a refused body."""

    type: str
    title: str
    status: int
    detail: str
    errors: dict[str, str] | None = None


HTTP_TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
               405: "Method Not Allowed", 413: "Content Too Large", 422: "Unprocessable Content",
               429: "Too Many Requests", 500: "Internal Server Error"}  # fmt: skip


def problem(status: int, title: str, detail: str, **extra: Any) -> dict[str, Any]:
    """An RFC 9457 problem: `type` is about:blank, the title says the status in words."""
    return {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
