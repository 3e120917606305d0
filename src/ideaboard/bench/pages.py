"""What each main page costs, against a bare Litestar handler, at one connection.

One connection measures a page's own cost (its latency is all of it), not how well the
server overlaps requests. Each page is measured in turns with the baseline's bare GET
(`"ok"`, served by the same uvicorn, with the same middleware), so a ratio of the two
holds whatever the machine's speed: 0.10 means the page costs ten bare requests.

The board runs with every response cache switched off (`IDEABOARD_PAGE_CACHE=off`): a
page must be cheap by construction.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from litestar.middleware.csrf import generate_csrf_token

from ideaboard.bench import wrk
from ideaboard.db import sqlite_path
from ideaboard.domain import CLOSED_STATUSES
from ideaboard.security import session_csrf_token

# Each page's cost as a share of a bare GET's throughput (issue #18).
TARGETS = {"board": 0.10, "idea": 0.10, "search": 0.08, "vote": 0.20, "triage": 0.04}


@dataclass(frozen=True)
class Visit:
    """Who asks for what, on one loaded database."""

    label: str  # "demo sqlite", "100,000 sqlite"...
    member_token: str
    manager_token: str
    idea_ids: list[int]
    open_idea_ids: list[int]
    words: list[str]


def new_session(backend: str, url: str, account_id: int) -> str:
    """A signed-in session for the account, written straight into the database."""
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    row = (hashlib.sha256(token.encode()).hexdigest(), account_id, now, now + timedelta(days=30))
    sql = "INSERT INTO auth_session (token_hash, account, created_at, expires_at)"
    if backend == "sqlite":
        with sqlite3.connect(sqlite_path(url)) as connection:
            connection.execute(sql + " VALUES (?, ?, ?, ?)", row)
        return token
    asyncio.run(_postgres(url, sql + " VALUES ($1, $2, $3, $4)", *row))
    return token


async def _postgres(url: str, sql: str, *args: Any) -> list[Any]:
    connection = await asyncpg.connect(url)
    try:
        return list(await connection.fetch(sql, *args))
    finally:
        await connection.close()


def query(backend: str, url: str, sql: str) -> list[tuple[Any, ...]]:
    """Rows of a plain SELECT without parameters, on either database."""
    if backend == "sqlite":
        with sqlite3.connect(sqlite_path(url)) as connection:
            return connection.execute(sql).fetchall()
    return [tuple(row) for row in asyncio.run(_postgres(url, sql))]


def demo_visit(backend: str, url: str) -> Visit:
    """The demo company (`ideaboard demo`): its member and its manager of Operations."""
    people = dict(query(backend, url, "SELECT email, id FROM account"))
    ideas = query(
        backend,
        url,
        "SELECT id, status, title FROM idea WHERE approval = 'approved' AND NOT hidden"
        " AND merged_into IS NULL ORDER BY id",
    )
    words = sorted({w.lower() for _, _, title in ideas for w in title.split() if len(w) > 5})
    return Visit(
        label=f"demo {backend}",
        member_token=new_session(backend, url, people["member@example.com"]),
        manager_token=new_session(backend, url, people["manager@example.com"]),
        idea_ids=[row[0] for row in ideas],
        open_idea_ids=[row[0] for row in ideas if row[1] not in CLOSED_STATUSES],
        words=words[:: max(1, len(words) // 40)][:40],
    )


def _cookie(secret: str, token: str) -> dict[str, str]:
    return {"Cookie": f"ideaboard_session={token}; csrftoken={session_csrf_token(secret, token)}"}


def scripts(secret: str, visit: Visit) -> dict[str, str]:
    """A wrk script per page, rotating over ideas and words as readers do."""
    member = _cookie(secret, visit.member_token)
    token = session_csrf_token(secret, visit.member_token)
    boards = [
        "/",
        "/?sort=top",
        "/?sort=new",
        "/?sort=trending",
        "/?status=all",
        "/?scope=for_mine",
    ]
    return {
        "board": wrk.request_script(paths=boards, headers=member),
        "idea": wrk.request_script(
            paths=[f"/ideas/{n}" for n in visit.idea_ids[:: max(1, len(visit.idea_ids) // 12)]],
            headers=member,
        ),
        "search": wrk.request_script(paths=[f"/?q={w}" for w in visit.words], headers=member),
        "vote": wrk.request_script(
            method="POST",
            paths=[f"/ideas/{n}/vote" for n in visit.open_idea_ids[:200]],
            headers={
                **member,
                "Content-Type": "application/x-www-form-urlencoded",
                "HX-Request": "true",
            },
            bodies=[f"voted={v}&_csrf_token={token}" for v in (0, 1)],
        ),
        "triage": wrk.request_script(
            paths=["/triage"], headers=_cookie(secret, visit.manager_token)
        ),
    }


def bare_script(secret: str) -> str:
    return wrk.request_script(
        paths=["/bare"], headers={"Cookie": f"csrftoken={generate_csrf_token(secret)}"}
    )


def measure(
    secret: str, visit: Visit, board: str, baseline: str, *, seconds: float
) -> tuple[list[wrk.Result], dict[str, float]]:
    """Each page in turns with the bare GET, one connection; the results and the ratios
    (keys `page_<name>_vs_bare <label>`)."""
    results: list[wrk.Result] = []
    ratios: dict[str, float] = {}
    bare = bare_script(secret)
    for name, script in scripts(secret, visit).items():
        floor, page = wrk.run_alternately(
            wrk.Load(f"bare GET (beside {name}, {visit.label})", baseline, bare),
            wrk.Load(f"{name} page ({visit.label})", board, script),
            seconds=seconds,
            connections=1,
        )
        results += [floor, page]
        ratios[key(name, visit.label)] = round(page.rps / floor.rps, 3) if floor.rps else 0.0
    return results, ratios


def key(page: str, label: str) -> str:
    """`page_board_vs_bare_demo_sqlite`, `page_vote_vs_bare_100000_postgres`..."""
    return f"page_{page}_vs_bare_{label.replace(',', '').replace(' ', '_')}"


def target_for(name: str) -> float | None:
    for page, target in TARGETS.items():
        if name.startswith(f"page_{page}_vs_bare_"):
            return target
    return None
