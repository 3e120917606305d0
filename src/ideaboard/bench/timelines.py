"""The bench company's status timelines: what triage did to each idea that is no longer
new, as the demo's ideas have (`demo.way_to`), so the idea pages show their updates and
/insights has stages, response times and owners to count.

Added after `dataset.build_rows` made the ideas: each idea row gains its `owner` and
`last_update_at`, and `Rows.status_changes` its timeline, dated between the idea's
proposal and now (most first answers come within weeks)."""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from ideaboard.demo import way_to
from ideaboard.domain import Status
from ideaboard.markup import render_markdown

MESSAGE = "Thanks! An update from the team: we looked at this and moved it along."
MESSAGE_HTML = render_markdown(MESSAGE)
OWNED = frozenset({Status.PLANNED, Status.IN_PROGRESS, Status.DONE})
STATUS = 7  # the status's place in an idea row (dataset.COLUMNS["idea"])
CREATED = 13
ANSWERERS = 30


def with_timelines(
    ideas: list[tuple[Any, ...]], users: int, now: datetime, *, seed: int
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The idea rows with (owner, last_update_at) added, and the status_change rows."""
    rng = random.Random(seed)
    # A few dozen people answer for ideas, as managers and their delegates do.
    answerers = list(range(2, min(users, ANSWERERS + 1) + 1))
    changed: list[tuple[Any, ...]] = []
    rows = []
    for idea in ideas:
        status, created = Status(idea[STATUS]), idea[CREATED]
        if status is Status.NEW:
            rows.append((*idea, None, None))
            continue
        answerer = rng.choice(answerers)
        steps = [Status.DUPLICATE] if status is Status.DUPLICATE else way_to(status, rng)
        # Skewed towards the proposal: the first answer most often comes early.
        moments = sorted(created + (now - created) * rng.random() ** 2 for _ in steps)
        for before, step, moment in zip((Status.NEW, *steps), steps, moments, strict=False):
            changed.append(
                (len(changed) + 1, idea[0], before.value, step.value, answerer, MESSAGE,
                 MESSAGE_HTML, moment)
            )  # fmt: skip
        rows.append((*idea, answerer if status in OWNED else None, moments[-1]))
    return rows, changed
