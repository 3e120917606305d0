"""Merging duplicates, and undoing it exactly.

Merging idea B (the duplicate) into A moves B's votes to A, counting once a person who
voted for both; B's voters and followers follow A; B becomes a closed "duplicate" whose
page links to A. What moved is written down (`MergedVote`, `MergedFollower`), so
unmerging gives B back its own voters and takes from A only what the merge gave it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ideaboard.db import is_sqlite, write_transaction
from ideaboard.domain import (
    Actor,
    Approval,
    Status,
    can_merge,
    can_take_part,
    hot_score,
    merge_problem,
    trending_since,
)
from ideaboard.i18n import gettext
from ideaboard.notification_kinds import NotificationKind
from ideaboard.services.audit import add_audit
from ideaboard.services.board import list_similar
from ideaboard.services.clock import now
from ideaboard.services.errors import ValidationFailed, require
from ideaboard.services.events import EventKind, record_event
from ideaboard.services.ideas import IdeaView
from ideaboard.services.notifications import notify, notify_followers, withdraw_unseen
from ideaboard.services.status_updates import move_status
from ideaboard.services.triage import find_triage_role
from ideaboard.services.validation import parse_id
from ideaboard.services.visibility import find_idea_for, require_open, sees
from ideaboard.tables import (
    Idea,
    Merge,
    MergedFollower,
    MergedVote,
    StatusChange,
    Subscription,
    Vote,
)

MERGE_COLUMNS = (
    Idea.id,
    Idea.title,
    Idea.status,
    Idea.author,
    Idea.department,
    Idea.merged_into,
    Idea.created_at,
    Idea.approval,
    Idea.hidden,
)


REFERENCE = re.compile(r"^#?(\d+)(?:\s|$)")


def parse_idea_reference(text: str) -> int | None:
    """An idea named by its number, "#12", a suggestion ("#12 Shared calendar…"), or a
    link to it (…/ideas/12)."""
    text = text.strip().rstrip("/")
    if "/ideas/" in text:
        text = text.rsplit("/ideas/", 1)[1].split("?")[0].split("#")[0]
    found = REFERENCE.match(text)
    return parse_id(found[1]) if found else None


async def _lock(idea_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Both ideas' rows, locked in id order (so two merges cannot deadlock)."""
    query = Idea.select(*MERGE_COLUMNS).where(Idea.id.is_in(idea_ids)).order_by(Idea.id)
    rows = await (query if is_sqlite() else query.lock_rows())
    return {row["id"]: row for row in rows}


async def _recount(idea_id: int, created_at: Any) -> int:
    """Set an idea's counters from its vote rows; returns the vote count."""
    since = trending_since(now())
    votes = await Vote.count().where(Vote.idea == idea_id)
    recent = await Vote.count().where(Vote.idea == idea_id, Vote.created_at >= since)
    await Idea.update(
        {
            Idea.vote_count: votes,
            Idea.trending_votes: recent,
            Idea.hot_score: hot_score(votes, created_at),
        }
    ).where(Idea.id == idea_id)
    return votes


@dataclass(frozen=True)
class MergeResult:
    merge_id: int
    moved_votes: int
    shared_voters: int
    target_id: int
    duplicate_title: str


async def merge_ideas(actor: Actor, duplicate_id: int, target_text: str) -> MergeResult:
    target_id = parse_idea_reference(target_text)
    if target_id is None:
        raise ValidationFailed(
            {"target": gettext("Write the number of the idea it duplicates, like 42.")}
        )
    async with write_transaction():
        ideas = await _lock([duplicate_id, target_id])
        # Whether it is merged already is said below, as a problem with the form.
        duplicate = require_open(ideas.get(duplicate_id), actor, even_merged=True)
        require(can_merge(actor, await find_triage_role(actor, duplicate["department"])))
        target = ideas.get(target_id)
        if target is None or not sees(actor, target):
            message = gettext("There is no idea number %(number)s.", number=target_id)
            raise ValidationFailed({"target": message})
        if not can_take_part(approval=Approval(target["approval"]), hidden=target["hidden"]):
            # Its voters and followers would move to an idea they cannot see.
            raise ValidationFailed(
                {"target": gettext("That idea is hidden or waiting for approval: merge into an idea"
                           " everyone can see.")}
            )  # fmt: skip
        problem = merge_problem(
            duplicate_id=duplicate_id,
            target_id=target_id,
            target_merged=target["merged_into"] is not None,
        )
        if duplicate["merged_into"] is not None:
            problem = gettext("This idea is already merged: undo that merge first.")
        if problem:
            raise ValidationFailed({"target": problem})

        moment = now()
        merge = Merge(
            duplicate=duplicate_id,
            target=target_id,
            merged_by=actor.id,
            previous_status=duplicate["status"],
            created_at=moment,
        )
        await merge.save()

        votes = await Vote.select(Vote.voter, Vote.created_at).where(Vote.idea == duplicate_id)
        shared = {
            row["voter"]
            for row in await Vote.select(Vote.voter).where(
                Vote.idea == target_id, Vote.voter.is_in([v["voter"] for v in votes] or [0])
            )
        }
        if votes:
            await MergedVote.insert(
                *[
                    MergedVote(
                        merge=merge.id,
                        voter=v["voter"],
                        created_at=v["created_at"],
                        moved=v["voter"] not in shared,
                    )
                    for v in votes
                ]
            )
            await Vote.delete().where(Vote.idea == duplicate_id)
        moved = [v for v in votes if v["voter"] not in shared]
        if moved:
            await Vote.insert(
                *[Vote(voter=v["voter"], idea=target_id, created_at=v["created_at"]) for v in moved]
            ).on_conflict(action="DO NOTHING")

        followers = {
            row["account"]
            for row in await Subscription.select(Subscription.account).where(
                Subscription.idea == duplicate_id
            )
        }
        already = {
            row["account"]
            for row in await Subscription.select(Subscription.account).where(
                Subscription.idea == target_id
            )
        }
        newly = sorted(followers - already)
        if newly:
            await Subscription.insert(
                *[Subscription(account=a, idea=target_id, created_at=moment) for a in newly]
            ).on_conflict(action="DO NOTHING")
            await MergedFollower.insert(*[MergedFollower(merge=merge.id, account=a) for a in newly])

        await _recount(target_id, target["created_at"])
        await _recount(duplicate_id, duplicate["created_at"])
        change_id = await move_status(
            actor, duplicate_id, from_status=duplicate["status"],
            to_status=Status.DUPLICATE.value, moment=moment,
            # Not the target's title: the timeline keeps it, and the target may be
            # hidden one day (the page names it only to those who may see it).
            message=gettext("Marked as a duplicate: its votes and followers moved to the idea"
            " it duplicates."),
            also={Idea.merged_into: target_id, Idea.needs_owner_since: None},
        )  # fmt: skip

        await record_event(
            EventKind.IDEA_MERGED, duplicate_id, actor_id=actor.id,
            detail={"merged_into": target_id, "moved_votes": len(moved)},
        )  # fmt: skip
        # Both name both ideas; both point at the merge's timeline entry, so an undo
        # within moments can take back what nobody has read yet.
        await notify(
            NotificationKind.IDEA_MERGED, [duplicate["author"]], idea_id=duplicate_id,
            other_idea_id=target_id, actor_id=actor.id, status_change_id=change_id,
        )  # fmt: skip
        await notify(
            NotificationKind.STATUS_CHANGED, followers - {duplicate["author"]},
            idea_id=target_id, other_idea_id=duplicate_id, actor_id=actor.id,
            status_change_id=change_id, detail={"event": "merged"},
        )  # fmt: skip
        await add_audit(
            actor, "idea.merge", target_type="idea", target_id=duplicate_id,
            summary=f"“{duplicate['title']}” → “{target['title']}”"
            f" ({len(moved)} votes moved, {len(shared)} voted for both)",
            before={"status": duplicate["status"]},
            after={"merged_into": target_id, "moved_votes": len(moved)},
        )  # fmt: skip
    return MergeResult(
        merge_id=int(merge.id), moved_votes=len(moved), shared_voters=len(shared),
        target_id=target_id, duplicate_title=duplicate["title"],
    )  # fmt: skip


async def find_active_merge(duplicate_id: int) -> dict[str, Any] | None:
    return (
        await Merge.select()
        .where(Merge.duplicate == duplicate_id, Merge.undone_at.is_null())
        .order_by(Merge.id, ascending=False)
        .first()
    )


async def unmerge_idea(actor: Actor, duplicate_id: int) -> int:
    """Undo the idea's merge: its own voters come back, the target keeps only the votes
    it had of its own (and any given since). Returns the target's id."""
    async with write_transaction():
        await find_idea_for(duplicate_id, actor)
        merge = await find_active_merge(duplicate_id)
        if merge is None:
            raise ValidationFailed({"target": gettext("This idea is not merged into another.")})
        target_id = merge["target"]
        ideas = await _lock([duplicate_id, target_id])
        duplicate = require_open(ideas.get(duplicate_id), actor, even_merged=True)
        target = ideas.get(target_id)
        require(can_merge(actor, await find_triage_role(actor, duplicate["department"])))

        records = await MergedVote.select(
            MergedVote.voter, MergedVote.created_at, MergedVote.moved
        ).where(MergedVote.merge == merge["id"])
        moved = [r["voter"] for r in records if r["moved"]]
        if moved and target is not None:
            await Vote.delete().where(Vote.idea == target_id, Vote.voter.is_in(moved))
        if records:
            await Vote.insert(
                *[
                    Vote(voter=r["voter"], idea=duplicate_id, created_at=r["created_at"])
                    for r in records
                ]
            ).on_conflict(action="DO NOTHING")
        followers = [
            row["account"]
            for row in await MergedFollower.select(MergedFollower.account).where(
                MergedFollower.merge == merge["id"]
            )
        ]
        if followers and target is not None:
            # Unless they have since voted for the target themselves.
            voters = {
                row["voter"]
                for row in await Vote.select(Vote.voter).where(
                    Vote.idea == target_id, Vote.voter.is_in(followers)
                )
            }
            leaving = [a for a in followers if a not in voters]
            if leaving:
                await Subscription.delete().where(
                    Subscription.idea == target_id, Subscription.account.is_in(leaving)
                )

        if target is not None:
            await _recount(target_id, target["created_at"])
        await _recount(duplicate_id, duplicate["created_at"])
        moment = now()
        await move_status(
            actor, duplicate_id, from_status=duplicate["status"],
            to_status=merge["previous_status"], moment=moment,
            message=gettext("The merge was undone: this idea stands on its own again."),
            also={Idea.merged_into: None},
        )  # fmt: skip
        await Merge.update({Merge.undone_at: moment}).where(Merge.id == merge["id"])
        # Who has not yet read nor been mailed the merge need not hear of either.
        unaware = await withdraw_unseen(await _merge_change(duplicate_id))
        await notify_followers(
            NotificationKind.STATUS_CHANGED, duplicate_id, actor_id=actor.id,
            already_told=unaware, detail={"event": "unmerged"},
        )  # fmt: skip
        await add_audit(
            actor, "idea.unmerge", target_type="idea", target_id=duplicate_id,
            summary=f"“{duplicate['title']}” no longer merged into idea {target_id}"
            f" ({len(records)} votes back)",
            before={"merged_into": target_id}, after={"status": merge["previous_status"]},
        )  # fmt: skip
    return int(target_id)


async def list_merge_targets(text: str, reader: Actor, *, duplicate_id: int) -> list[IdeaView]:
    """What "Duplicate of" suggests while its title is typed: the ideas like it that
    everyone can see (the board's search), not the duplicate itself nor merged ones."""
    await find_idea_for(duplicate_id, reader)
    found = await list_similar(text, reader)
    return [i for i in found if i.id != duplicate_id and i.merged_into is None]


async def _merge_change(duplicate_id: int) -> int:
    """The timeline entry of the idea's latest merge (its move to Duplicate)."""
    row = (
        await StatusChange.select(StatusChange.id)
        .where(StatusChange.idea == duplicate_id, StatusChange.to_status == Status.DUPLICATE.value)
        .order_by(StatusChange.id, ascending=False)
        .first()
    )
    return int(row["id"]) if row else 0


@dataclass(frozen=True)
class MergedInto:
    id: int
    title: str


async def find_merged_into(idea_id: int, reader: Actor) -> MergedInto | None:
    """The idea this one was merged into, if the reader may see it."""
    row = (
        await Idea.select(
            Idea.merged_into.id.as_alias("id"),
            Idea.merged_into.title.as_alias("title"),
            Idea.merged_into.author.as_alias("author"),
            Idea.merged_into.approval.as_alias("approval"),
            Idea.merged_into.hidden.as_alias("hidden"),
        )
        .where(Idea.id == idea_id, Idea.merged_into.is_not_null())
        .first()
    )
    if row is None or not sees(reader, row):
        return None
    return MergedInto(id=row["id"], title=row["title"])
