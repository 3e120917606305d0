"""Everything the idea page shows, for one reader, from one call: the idea and where it
stands (status, owner, the latest answer), its timeline and comments, and what this
reader may do on it."""

from __future__ import annotations

from dataclasses import dataclass, field

from ideaboard.domain import (
    Actor,
    Approval,
    Status,
    StatusRole,
    TriageRole,
    Verdict,
    can_edit_idea,
    can_merge,
    can_moderate,
    can_take_part,
    update_choices,
)
from ideaboard.services import attachments, comments, edits, merges, notifications, votes
from ideaboard.services.attachments import AttachmentView
from ideaboard.services.comments import CommentView
from ideaboard.services.edits import WaitingEdit
from ideaboard.services.ideas import VIEW_COLUMNS, VIEW_JOINS, IdeaView, idea_view
from ideaboard.services.merges import MergedInto
from ideaboard.services.status_updates import StatusChangeView, list_status_changes
from ideaboard.services.visibility import require_visible
from ideaboard.tables import Idea


@dataclass(frozen=True)
class IdeaPage:
    idea: IdeaView
    comments: list[CommentView]
    updates: list[StatusChangeView]
    owner_name: str | None
    following: bool
    followers: int
    votes_left: int | None
    # The statuses this reader may give it now, its current one first; () if none.
    status_options: tuple[Status, ...]
    merged_into: MergedInto | None
    # Why a moderator rejected or hid it: shown to its author and moderators only.
    moderation_reason: str
    can_edit: Verdict
    can_merge: bool
    can_moderate: bool
    # This reader's edits waiting for a moderator (pre-moderation).
    waiting_edit: WaitingEdit | None
    waiting_comment_edits: dict[int, WaitingEdit]
    # The author's ideas shipped, as recognition beside their name (services.contributors):
    # 0 for an anonymous idea and for people who left the contributors' list.
    author_shipped: int = 0
    # Its pictures and files, and those of each comment shown (services.attachments).
    files: list[AttachmentView] = field(default_factory=list)
    comment_files: dict[int, list[AttachmentView]] = field(default_factory=dict)

    @property
    def pictures(self) -> list[AttachmentView]:
        return [f for f in self.files if f.is_image]

    @property
    def documents(self) -> list[AttachmentView]:
        return [f for f in self.files if not f.is_image]

    @property
    def taking_part(self) -> Verdict:
        """Votes, comments and follows: for ideas everyone can see that are not merged."""
        idea = self.idea
        merged = idea.merged_into is not None
        return can_take_part(approval=idea.approval, hidden=idea.hidden, merged=merged)

    @property
    def latest_update(self) -> StatusChangeView | None:
        return self.updates[-1] if self.updates else None

    @property
    def stands(self) -> bool:
        """Worth a "where it stands" box: answered, routed or moved on from new."""
        return bool(self.updates or self.owner_name or self.idea.status is not Status.NEW)

    @property
    def rejected(self) -> bool:
        return self.idea.approval is Approval.REJECTED


# The idea, as the board reads it, with what the page needs besides, in one statement:
# the reader's vote, its owner, why it was hidden or rejected, its followers (and whether
# the reader is one), whether the reader manages its department, and whether anything
# waits to be done on opening it (notifications to mark read, the reader's edits waiting
# for a moderator), so that those statements run only when there is something to do.
IDEA_PAGE = f"""
SELECT {VIEW_COLUMNS},
       o.name AS owner_name, i.owner AS owner_id, i.moderation_reason,
       (SELECT COUNT(*) FROM subscription s WHERE s.idea = i.id) AS followers,
       EXISTS (SELECT 1 FROM subscription s WHERE s.idea = i.id AND s.account = {{}})
         AS following,
       EXISTS (SELECT 1 FROM department_manager m
               WHERE m.department = i.department AND m.manager = {{}}) AS manages,
       EXISTS (SELECT 1 FROM notification n
               WHERE n.account = {{}} AND n.idea = i.id AND n.read_at IS NULL) AS unread,
       EXISTS (SELECT 1 FROM pending_edit e LEFT JOIN comment c ON c.id = e.comment
               WHERE e.author = {{}} AND (e.idea = i.id OR c.idea = i.id)) AS edits_wait,
       CASE WHEN i.anonymous OR NOT a.listed_as_contributor THEN 0
            ELSE (SELECT c.shipped FROM contributor c WHERE c.account = i.author) END
         AS author_shipped,
       EXISTS (SELECT 1 FROM attachment f WHERE f.idea = i.id) AS has_files
FROM idea i
{VIEW_JOINS}
LEFT JOIN account o ON o.id = i.owner
WHERE i.id = {{}}
"""  # noqa: S608 (constants only) Piccolo's placeholders: the reader five times, then the idea
AROUND = ("owner_name", "owner_id", "moderation_reason", "followers", "following", "manages",
          "unread", "edits_wait", "author_shipped", "has_files")  # fmt: skip


async def get_idea_page(reader: Actor, idea_id: int, *, mark_read: bool = True) -> IdeaPage:
    """The page as this reader may see it (NotFound otherwise). Opening it reads what the
    bell said about the idea, unless `mark_read` is off (a fragment of it, re-rendered)."""
    rows = await Idea.raw(IDEA_PAGE, *[reader.id] * 5, idea_id)
    record = require_visible(rows[0] if rows else None, reader, author="author_id")
    around = {name: record.pop(name) for name in AROUND}
    idea = idea_view(record, reader, voted=bool(record.pop("voted")))
    if mark_read and around["unread"]:
        await notifications.mark_idea_read(reader.id, idea_id)
    manages = bool(around["manages"])
    page_comments = await comments.list_comments(idea_id, reader)
    open_to_all = can_take_part(approval=idea.approval, hidden=idea.hidden)
    role = StatusRole(is_owner=around["owner_id"] == reader.id, manages_department=manages)
    merged = idea.merged_into is not None
    edits_wait = bool(around["edits_wait"])
    shown = {c.id for c in page_comments}
    files: list[AttachmentView] = []
    comment_files: dict[int, list[AttachmentView]] = {}
    found = await attachments.list_for_idea(idea_id, reader) if around["has_files"] else []
    for attachment in found:
        if attachment.comment_id is None:
            files.append(attachment)
        elif attachment.comment_id in shown:
            comment_files.setdefault(attachment.comment_id, []).append(attachment)
    return IdeaPage(
        idea=idea,
        comments=page_comments,
        updates=await list_status_changes(idea_id),
        owner_name=around["owner_name"],
        following=bool(around["following"]),
        followers=int(around["followers"]),
        votes_left=await votes.find_votes_left(reader.id),
        status_options=update_choices(idea.status, reader, role, merged=merged)
        if open_to_all
        else (),
        merged_into=await merges.find_merged_into(idea_id, reader) if merged else None,
        moderation_reason=around["moderation_reason"],
        can_edit=can_edit_idea(reader, author_id=idea.author_id, status=idea.status),
        can_merge=bool(can_merge(reader, TriageRole(manages_department=manages))),
        can_moderate=bool(can_moderate(reader)),
        waiting_edit=await edits.find_waiting_idea_edit(idea_id, reader.id)
        if edits_wait and idea.author_id == reader.id
        else None,
        waiting_comment_edits=await edits.find_waiting_comment_edits(idea_id, reader.id)
        if edits_wait
        else {},
        author_shipped=int(around["author_shipped"] or 0),
        files=files,
        comment_files=comment_files,
    )
