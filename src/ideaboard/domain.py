"""The board's rules: statuses, roles, who may do what, ranking (the digest's schedule
is in ideaboard.weeks, the kinds of notification in ideaboard.notification_kinds). Pure: no I/O."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from ideaboard.i18n import gettext, lazy_gettext, lazy_pgettext


class Status(StrEnum):
    NEW = "new"
    UNDER_REVIEW = "under_review"
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DECLINED = "declined"
    DUPLICATE = "duplicate"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])

    @property
    def is_closed(self) -> bool:
        return self in CLOSED_STATUSES


# Worded in the reader's language when shown (ideaboard.i18n).
STATUS_LABELS: dict[Status, Any] = {
    Status.NEW: lazy_pgettext("status", "New"),
    Status.UNDER_REVIEW: lazy_pgettext("status", "Under review"),
    Status.PLANNED: lazy_pgettext("status", "Planned"),
    Status.IN_PROGRESS: lazy_pgettext("status", "In progress"),
    Status.DONE: lazy_pgettext("status", "Done"),
    Status.DECLINED: lazy_pgettext("status", "Declined"),
    Status.DUPLICATE: lazy_pgettext("status", "Duplicate"),
}

CLOSED_STATUSES = frozenset({Status.DONE, Status.DECLINED, Status.DUPLICATE})


class Role(StrEnum):
    MEMBER = "member"
    MODERATOR = "moderator"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS: dict[Role, Any] = {
    Role.MEMBER: lazy_pgettext("role", "Member"),
    Role.MODERATOR: lazy_pgettext("role", "Moderator"),
    Role.ADMIN: lazy_pgettext("role", "Admin"),
}


@dataclass(frozen=True)
class Actor:
    """Who is acting: enough of a user for the rules, nothing more."""

    id: int
    role: Role
    department_id: int

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def is_moderator(self) -> bool:
        return self.role in {Role.MODERATOR, Role.ADMIN}


@dataclass(frozen=True)
class Verdict:
    """An answer to "may this happen?" that carries the reason when it may not."""

    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = Verdict(True)

VOTING_CLOSED_REASONS: dict[Status, Any] = {
    Status.DONE: lazy_gettext("Voting is closed: this idea is done."),
    Status.DECLINED: lazy_gettext("Voting is closed: this idea was declined."),
    Status.DUPLICATE: lazy_gettext("Voting is closed: this idea is a duplicate."),
}


def can_vote(status: Status) -> Verdict:
    """The one rule for the Vote button and the vote endpoint alike."""
    if status in VOTING_CLOSED_REASONS:
        return Verdict(False, str(VOTING_CLOSED_REASONS[status]))
    return ALLOWED


def votes_left(budget: int, used: int) -> int | None:
    """Votes a person may still give, or None when the board sets no budget."""
    return max(budget - used, 0) if budget > 0 else None


def can_spend_vote(budget: int, used: int) -> Verdict:
    """Votes on open ideas count against the budget; closing an idea gives them back."""
    if budget > 0 and used >= budget:
        return Verdict(
            False,
            gettext(
                "You have used all %(budget)s of your votes."
                " Take one back from another idea to vote for this one.",
                budget=budget,
            ),
        )
    return ALLOWED


def can_edit_idea(actor: Actor, *, author_id: int, status: Status) -> Verdict:
    if actor.is_moderator:
        return ALLOWED
    if actor.id != author_id:
        return Verdict(False, gettext("Only the author, moderators and admins can edit this idea."))
    if status is not Status.NEW:
        return Verdict(
            False, gettext("Ideas can be edited by their author only while they are new.")
        )
    return ALLOWED


def can_edit_comment(actor: Actor, *, author_id: int) -> Verdict:
    if actor.id == author_id:
        return ALLOWED
    return Verdict(False, gettext("Only the author can edit this comment."))


def can_delete_comment(actor: Actor, *, author_id: int) -> Verdict:
    if actor.id == author_id or actor.is_moderator:
        return ALLOWED
    return Verdict(
        False, gettext("Only the author, moderators and admins can delete this comment.")
    )


def can_administer(actor: Actor) -> Verdict:
    if actor.is_admin:
        return ALLOWED
    return Verdict(False, gettext("Only admins can do this."))


def can_change_person(actor: Actor, person_id: int) -> Verdict:
    """Admins change others' roles and switch others off; never their own (Fider's rule):
    a slip would lock them out, and another admin must agree to it."""
    if not actor.is_admin:
        return Verdict(False, gettext("Only admins can do this."))
    if actor.id == person_id:
        return Verdict(
            False,
            gettext("You cannot change your own role or switch yourself off: ask another admin."),
        )
    return ALLOWED


# Ranking ---------------------------------------------------------------------
#
# Hot is Reddit's time-anchored score, log10(votes) + age_offset / TIME_CONSTANT:
# it changes only when a vote changes, so it can be stored and indexed. Reddit's
# 45,000 s (12.5 h per factor of ten in votes) suits a news site; ideas inside a
# company live for weeks, so here one week is worth a factor of ten. A week-old
# idea with 11+ votes still beats an hour-old idea with one.

HOT_EPOCH = datetime.fromisoformat("2024-01-01T00:00:00+00:00")
HOT_TIME_CONSTANT = 7 * 24 * 3600
TRENDING_WINDOW_DAYS = 7


def trending_since(now: datetime) -> datetime:
    """The start of the window whose votes make an idea trend."""
    return now - timedelta(days=TRENDING_WINDOW_DAYS)


def hot_score(votes: int, created_at: datetime) -> float:
    age_offset = (created_at - HOT_EPOCH).total_seconds()
    return math.log10(max(votes, 1)) + age_offset / HOT_TIME_CONSTANT


class Sort(StrEnum):
    HOT = "hot"
    TOP = "top"
    NEW = "new"
    TRENDING = "trending"

    @property
    def label(self) -> str:
        return str(SORT_LABELS[self])


SORT_LABELS: dict[Sort, Any] = {
    Sort.HOT: lazy_pgettext("sort", "Hot"),
    Sort.TOP: lazy_pgettext("sort", "Top"),
    Sort.NEW: lazy_pgettext("sort", "New"),
    Sort.TRENDING: lazy_pgettext("sort", "Trending"),
}


# --- Status updates ------------------------------------------------------------------

STATUS_FLOW = (Status.NEW, Status.UNDER_REVIEW, Status.PLANNED, Status.IN_PROGRESS, Status.DONE)
# Marking a duplicate names the idea it duplicates: that is the merge, not a status change.
SETTABLE_STATUSES = (*STATUS_FLOW, Status.DECLINED)


@dataclass(frozen=True)
class StatusRole:
    """How the actor relates to one idea, for the status rules."""

    is_owner: bool = False
    manages_department: bool = False


def can_update_status(actor: Actor, role: StatusRole) -> Verdict:
    """The idea's owner, a manager of its department, moderators and admins answer it."""
    if actor.is_moderator or role.is_owner or role.manages_department:
        return ALLOWED
    return Verdict(
        False,
        gettext("Only the idea's owner, its department's managers, moderators and admins can."),
    )


def next_statuses(current: Status, actor: Actor, role: StatusRole) -> tuple[Status, ...]:
    """Where this actor may move the idea: any other open step or a close; a closed idea
    is reopened only by a manager of its department or an admin."""
    if not can_update_status(actor, role):
        return ()
    if current.is_closed and not (actor.is_admin or role.manages_department):
        return ()
    return tuple(status for status in SETTABLE_STATUSES if status is not current)


def update_choices(
    current: Status, actor: Actor, role: StatusRole, *, merged: bool = False
) -> tuple[Status, ...]:
    """What the status select offers: the current status (an update without a change)
    first, then the moves allowed; empty when this actor may not update the idea. A
    merged duplicate is answered on the idea it was merged into (or unmerged first)."""
    if merged:
        return ()
    moves = next_statuses(current, actor, role)
    return (current, *moves) if moves else ()


def status_update_problems(
    current: Status, new: Status | None, message: str, allowed: tuple[Status, ...]
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if new is None or new not in allowed:
        errors["status"] = (
            gettext("Choose one of the statuses offered.")
            if allowed
            else gettext("This idea's status can no longer be changed here.")
        )
    if not message.strip():
        errors["message"] = (
            gettext("Say why it is declined: the people who voted deserve a reason.")
            if new is Status.DECLINED
            else gettext("Write an update message: it is what followers read.")
        )
    return errors


# --- Triage: routing ideas to owners -------------------------------------------------

STALE_AFTER = timedelta(days=30)
RECENTLY_CLOSED = timedelta(days=30)


@dataclass(frozen=True)
class TriageRole:
    """How the actor relates to one department's ideas."""

    manages_department: bool = False


def can_triage(actor: Actor, role: TriageRole) -> Verdict:
    """Managers triage their departments' ideas; moderators and admins any department."""
    if actor.is_moderator or role.manages_department:
        return ALLOWED
    return Verdict(
        False, gettext("Only this department's managers, moderators and admins can route it.")
    )


def can_set_threshold(actor: Actor, role: TriageRole) -> Verdict:
    if actor.is_admin or role.manages_department:
        return ALLOWED
    return Verdict(
        False, gettext("Only admins and this department's managers can change its threshold.")
    )


def needs_owner(*, status: Status, owner_id: int | None, votes: int, threshold: int) -> bool:
    """An open, unowned idea with enough votes goes to the top of the Needs owner lane."""
    return not status.is_closed and owner_id is None and votes >= max(threshold, 1)


def is_stale(last_update: datetime | None, created_at: datetime, now: datetime) -> bool:
    """An owned idea nobody has answered for 30 days is highlighted in the triage."""
    return now - (last_update or created_at) >= STALE_AFTER


def days_since(moment: datetime, now: datetime) -> int:
    return max((now - moment).days, 0)


# --- Moderation ----------------------------------------------------------------------


class Approval(StrEnum):
    """Under pre-moderation, members' new ideas and comments wait for a moderator."""

    APPROVED = "approved"
    PENDING = "pending"
    REJECTED = "rejected"


def can_moderate(actor: Actor) -> Verdict:
    if actor.is_moderator:
        return ALLOWED
    return Verdict(False, gettext("Only moderators and admins can do this."))


def needs_approval(actor: Actor, *, pre_moderation: bool) -> bool:
    """With pre-moderation on, what members post waits; moderators' posts do not."""
    return pre_moderation and not actor.is_moderator


def can_see_content(actor: Actor, *, author_id: int, approval: Approval, hidden: bool) -> bool:
    """Hidden and unapproved content stays readable by moderators and its author."""
    if actor.is_moderator or actor.id == author_id:
        return True
    return approval is Approval.APPROVED and not hidden


def can_take_part(*, approval: Approval, hidden: bool, merged: bool = False) -> Verdict:
    """Voting, commenting, following, flagging, answering and merging need content that
    everyone can see: what waits for a moderator, was not approved or was hidden is only
    read (by its author and moderators) until a moderator decides. A duplicate merged
    into another idea is discussed there."""
    if hidden:
        return Verdict(
            False, gettext("This idea is hidden by a moderator: it takes no votes or comments.")
        )
    if approval is Approval.PENDING:
        return Verdict(
            False,
            gettext(
                "This idea waits for a moderator: votes and comments open once it is approved."
            ),
        )
    if approval is Approval.REJECTED:
        return Verdict(False, gettext("This idea was not approved: it takes no votes or comments."))
    if merged:
        return Verdict(False, gettext("This idea was merged into another: it goes on there."))
    return ALLOWED


def can_see_author(actor: Actor, *, author_id: int, anonymous: bool) -> bool:
    """Who proposed an anonymous idea is known to its author, moderators and admins only:
    not to managers or owners, who decide on the idea and should judge it on its merits
    (docs/decisions.md)."""
    return not anonymous or actor.is_moderator or actor.id == author_id


def can_merge(actor: Actor, role: TriageRole) -> Verdict:
    """Moderators, admins and managers of the duplicate's department merge duplicates."""
    if actor.is_moderator or role.manages_department:
        return ALLOWED
    return Verdict(
        False, gettext("Only moderators, admins and this department's managers can merge.")
    )


def merge_problem(*, duplicate_id: int, target_id: int, target_merged: bool) -> str | None:
    if duplicate_id == target_id:
        return gettext("An idea cannot be a duplicate of itself.")
    if target_merged:
        return gettext("That idea is itself merged into another: merge into that one instead.")
    return None


# --- Abuse limits --------------------------------------------------------------------


def posting_is_limited(actor: Actor) -> bool:
    """Members' ideas and comments are rate-limited; moderators and admins, who clean up
    and import in bulk, are trusted."""
    return not actor.is_moderator
