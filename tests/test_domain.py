"""The pure rules: statuses, voting, permissions, ranking."""

from datetime import UTC, datetime, timedelta

import pytest

from ideaboard.domain import (
    CLOSED_STATUSES,
    Actor,
    Role,
    Status,
    can_administer,
    can_delete_comment,
    can_edit_comment,
    can_edit_idea,
    can_vote,
    hot_score,
)

AUTHOR = 1
OTHER = 2


def actor(role: Role = Role.MEMBER, user_id: int = AUTHOR) -> Actor:
    return Actor(id=user_id, role=role, department_id=1)


@pytest.mark.parametrize("status", list(Status))
def test_can_vote_closed_exactly_on_done_declined_duplicate(status: Status) -> None:
    verdict = can_vote(status)
    expected_closed = status in {Status.DONE, Status.DECLINED, Status.DUPLICATE}
    assert bool(verdict) is not expected_closed
    assert status.is_closed is expected_closed
    if expected_closed:
        assert verdict.reason.startswith("Voting is closed")
    else:
        assert verdict.reason == ""


def test_closed_statuses_are_the_three_final_ones() -> None:
    assert {Status.DONE, Status.DECLINED, Status.DUPLICATE} == CLOSED_STATUSES


def test_status_labels_read_as_words() -> None:
    assert Status.IN_PROGRESS.label == "In progress"
    assert Status.UNDER_REVIEW.label == "Under review"


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize(
    ("role", "user_id", "allowed_when_new", "allowed_later"),
    [
        (Role.MEMBER, AUTHOR, True, False),
        (Role.MEMBER, OTHER, False, False),
        (Role.MODERATOR, OTHER, True, True),
        (Role.ADMIN, OTHER, True, True),
        (Role.MODERATOR, AUTHOR, True, True),
    ],
)
def test_can_edit_idea_matrix(
    status: Status, role: Role, user_id: int, allowed_when_new: bool, allowed_later: bool
) -> None:
    verdict = can_edit_idea(actor(role, user_id), author_id=AUTHOR, status=status)
    expected = allowed_when_new if status is Status.NEW else allowed_later
    assert bool(verdict) is expected
    assert (verdict.reason == "") is expected


@pytest.mark.parametrize("role", list(Role))
def test_comments_edited_only_by_their_author(role: Role) -> None:
    assert can_edit_comment(actor(role, AUTHOR), author_id=AUTHOR)
    assert not can_edit_comment(actor(role, OTHER), author_id=AUTHOR)


@pytest.mark.parametrize(
    ("role", "user_id", "expected"),
    [
        (Role.MEMBER, AUTHOR, True),
        (Role.MEMBER, OTHER, False),
        (Role.MODERATOR, OTHER, True),
        (Role.ADMIN, OTHER, True),
    ],
)
def test_comments_deleted_by_author_or_moderators(role: Role, user_id: int, expected: bool) -> None:
    assert bool(can_delete_comment(actor(role, user_id), author_id=AUTHOR)) is expected


@pytest.mark.parametrize(
    ("role", "expected"), [(Role.MEMBER, False), (Role.MODERATOR, False), (Role.ADMIN, True)]
)
def test_only_admins_administer(role: Role, expected: bool) -> None:
    assert bool(can_administer(actor(role))) is expected


NOW = datetime(2026, 11, 1, tzinfo=UTC)


def test_hot_score_grows_with_votes_and_recency() -> None:
    assert hot_score(10, NOW) > hot_score(9, NOW)
    assert hot_score(5, NOW) > hot_score(5, NOW - timedelta(hours=1))


def test_hot_score_counts_zero_votes_like_one() -> None:
    assert hot_score(0, NOW) == hot_score(1, NOW)


def test_hot_week_old_popular_idea_beats_hour_old_single_vote() -> None:
    week_old = hot_score(11, NOW - timedelta(days=7))
    fresh = hot_score(1, NOW - timedelta(hours=1))
    assert week_old > fresh


def test_hot_fresh_idea_beats_month_old_idea_with_a_few_votes() -> None:
    assert hot_score(1, NOW) > hot_score(20, NOW - timedelta(days=30))


# --- the weekly digest's schedule ---------------------------------------------------


def test_digest_send_time_is_the_weekday_and_hour_in_the_organisations_zone() -> None:
    from ideaboard.weeks import DigestSchedule, digest_send_time, digest_window

    berlin = DigestSchedule(weekday=0, hour=8, time_zone="Europe/Berlin")
    assert digest_send_time("2026-W48", berlin) == datetime(2026, 11, 23, 7, tzinfo=UTC)  # CET
    assert digest_send_time("2026-W27", berlin) == datetime(2026, 6, 29, 6, tzinfo=UTC)  # CEST
    friday = DigestSchedule(weekday=4, hour=17, time_zone="America/New_York")
    assert digest_send_time("2026-W48", friday) == datetime(2026, 11, 27, 22, tzinfo=UTC)
    start, end = digest_window("2026-W48", berlin)
    assert end - start == timedelta(days=7) and end == digest_send_time("2026-W48", berlin)


def test_latest_digest_week_turns_over_at_the_send_time() -> None:
    from ideaboard.weeks import DigestSchedule, latest_digest_week

    berlin = DigestSchedule(weekday=0, hour=8, time_zone="Europe/Berlin")
    assert latest_digest_week(datetime(2026, 11, 23, 6, 59, tzinfo=UTC), berlin) == "2026-W47"
    assert latest_digest_week(datetime(2026, 11, 23, 7, 0, tzinfo=UTC), berlin) == "2026-W48"
    assert latest_digest_week(datetime(2027, 1, 3, 12, tzinfo=UTC), berlin) == "2026-W53"


@pytest.mark.parametrize("text", ["2026-W00", "2025-W53", "2026-W99", "2026W47", "W47", "", "x"])
def test_parse_week_refuses_weeks_that_do_not_exist(text: str) -> None:
    from ideaboard.weeks import parse_week

    with pytest.raises(ValueError, match="ISO week"):
        parse_week(text)
