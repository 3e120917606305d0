"""Several app servers on PostgreSQL: two `ideaboard serve` processes and an
`ideaboard worker`, started as deploy/ starts them, each with its own data directory.

Whichever process answers, a person's session, form tokens and rate limits hold;
votes from many clients over both end exact; the weekly digest and the outbox send
once with every process running its loops; a process killed mid-load loses no write
it confirmed, and the others keep serving.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from cluster import Cluster, Process
from conftest import PASSWORD, POSTGRES_URL, new_postgres_database, run_in_own_loop
from ideaboard import db
from ideaboard.db import write_transaction
from ideaboard.domain import Actor, Role
from ideaboard.passwords import Passwords
from ideaboard.services import departments, ideas, setup, users
from ideaboard.services.clock import now
from ideaboard.services.organisation import find_organisation
from ideaboard.services.sessions import create_session
from ideaboard.tables import Idea, Organisation
from ideaboard.weeks import digest_send_time, latest_digest_week
from smtp_sink import Sink, running_sink

pytestmark = pytest.mark.skipif(
    not POSTGRES_URL, reason="several app servers need PostgreSQL: set IDEABOARD_TEST_POSTGRES_URL"
)

VOTERS = 40


@dataclass(frozen=True)
class Seeded:
    admin: int
    department: int
    voters: list[int]
    ideas: list[int]
    tokens: dict[int, str]  # session token of each person


@dataclass
class Running:
    database_url: str
    seeded: Seeded
    sink: Sink
    cluster: Cluster
    a: Process
    b: Process
    worker: Process


async def seed(url: str) -> Seeded:
    """A board whose last week's digest is due: it began a month ago, its ideas came in
    during the week the digest covers."""
    async with db.connected(url):
        passwords = Passwords(memory_kib=1024, time_cost=1)
        form = setup.SetupForm("Acme", "Ada Admin", "ada@example.com", PASSWORD, "Operations")
        admin = await setup.create_board(form, passwords)
        department = (await departments.list_departments())[0].id
        password_hash = await passwords.hash(PASSWORD)
        voters = []
        async with write_transaction():
            for n in range(VOTERS):
                voters.append(
                    await users.insert_user(
                        name=f"Voter {n}",
                        email=f"voter{n}@example.com",
                        password_hash=password_hash,
                        department_id=department,
                        role=Role.MEMBER,
                    )
                )
        actor = Actor(id=admin, role=Role.ADMIN, department_id=department)
        idea_ids = [
            await ideas.create_idea(
                actor,
                ideas.IdeaInput(
                    title=f"Idea number {n} for the docks",
                    body="Body",
                    department_id=str(department),
                ),
            )
            for n in range(4)
        ]
        tokens = {
            person: await create_session(person, lifetime=timedelta(days=1))
            for person in [admin, *voters]
        }
        organisation = await find_organisation()
        assert organisation is not None
        week = latest_digest_week(now(), organisation.digest)
        covered_until = digest_send_time(week, organisation.digest)
        await Organisation.update({Organisation.created_at: now() - timedelta(days=30)}, force=True)
        await Idea.update({Idea.created_at: covered_until - timedelta(hours=2)}, force=True)
    return Seeded(admin, department, voters, idea_ids, tokens)


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    with new_postgres_database("ideaboard_scale") as url, running_sink() as sink:
        seeded = run_in_own_loop(seed(url))
        cluster = Cluster(
            env={
                "IDEABOARD_DATABASE_URL": url,
                "IDEABOARD_SECRET_KEY": secrets.token_urlsafe(48),
                "IDEABOARD_BASE_URL": "http://ideas.acme.test",
                "IDEABOARD_SMTP_URL": sink.url,
                "IDEABOARD_MAIL_POLL_SECONDS": "1",
                "IDEABOARD_LOG_FORMAT": "json",
                "IDEABOARD_DB_POOL_SIZE": "4",
            },
            workdir=tmp_path_factory.mktemp("cluster"),
        )
        try:
            # Every process runs every loop: the database must keep the work single.
            a = cluster.app("app-a")
            b = cluster.app("app-b")
            worker = cluster.worker()
            yield Running(url, seeded, sink, cluster, a, b, worker)
        finally:
            cluster.stop()


async def fetch(url: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(url)
    try:
        return list(await connection.fetch(sql, *args))
    finally:
        await connection.close()


@contextmanager
def signed_in(running: Running, person: int) -> Iterator[httpx.Client]:
    """A browser for one person: the session cookie, and a form token from app A."""
    with httpx.Client(timeout=30) as browser:
        browser.cookies.set("ideaboard_session", running.seeded.tokens[person])
        browser.get(f"{running.a.url}/notifications/bell")  # hands out the session's token
        yield browser


def test_sign_in_form_tokens_and_notifications_work_on_either_process(
    running: Running,
) -> None:
    a, b = running.a.url, running.b.url
    idea = running.seeded.ideas[0]
    with httpx.Client(timeout=30) as browser:
        browser.get(f"{a}/login")
        csrf = browser.cookies["csrftoken"]
        login = browser.post(
            f"{a}/login",
            data={"_csrf_token": csrf, "email": "voter0@example.com", "password": PASSWORD},
        )
        assert login.status_code == 303, login.text
        assert "Sign out" in browser.get(f"{b}/").text
        csrf = browser.cookies["csrftoken"]  # the new session's own
        # The token A handed out is good on B.
        follow = browser.post(
            f"{b}/ideas/{idea}/follow", data={"_csrf_token": csrf, "following": "1"}
        )
        assert follow.status_code == 303
        request_id = browser.get(f"{b}/ideas/{idea}").headers["X-Request-ID"]

        # An admin on A moves the idea; the follower's bell on B says so at its next poll.
        with signed_in(running, running.seeded.admin) as admin:
            moved = admin.post(
                f"{a}/ideas/{idea}/status",
                data={
                    "_csrf_token": admin.cookies["csrftoken"],
                    "status": "planned",
                    "message": "On the plan for May.",
                },
            )
            assert moved.status_code == 303, moved.text
        bell = browser.get(f"{b}/notifications/bell", headers={"HX-Request": "true"})
        assert 'aria-label="Notifications, 1 unread"' in bell.text

        # Signing out on B ends the session everywhere.
        browser.post(f"{b}/logout", data={"_csrf_token": csrf})
        assert browser.get(f"{a}/account").status_code in (303, 401)

    # The request left one JSON line in B's log, with the person and the route.
    lines = [json.loads(line) for line in running.b.output().splitlines() if line.startswith("{")]
    [line] = [entry for entry in lines if entry.get("request_id") == request_id]
    assert line["route"] == "/ideas/{idea_id}" and line["status"] == 200
    assert line["user_id"] == running.seeded.voters[0] and line["duration_ms"] > 0


def test_sign_in_limits_count_across_processes(running: Running) -> None:
    a, b = running.a.url, running.b.url
    with httpx.Client(timeout=30) as browser:
        browser.get(f"{a}/login")
        form = {"_csrf_token": browser.cookies["csrftoken"], "email": "voter1@example.com"}
        for attempt in range(10):
            url = a if attempt % 2 else b
            wrong = browser.post(f"{url}/login", data={**form, "password": f"wrong-{attempt}"})
            assert wrong.status_code == 422, (attempt, wrong.status_code)
        for url in (a, b):
            refused = browser.post(f"{url}/login", data={**form, "password": PASSWORD})
            assert refused.status_code == 429
            assert int(refused.headers["Retry-After"]) > 0


def test_votes_from_many_clients_over_both_processes_end_exact(running: Running) -> None:
    idea = running.seeded.ideas[1]
    voters = running.seeded.voters

    async def vote(client_number: int, person: int, voted: bool) -> int:
        base = running.a.url if client_number % 2 else running.b.url
        async with httpx.AsyncClient(timeout=60) as browser:
            browser.cookies.set("ideaboard_session", running.seeded.tokens[person])
            await browser.get(f"{base}/notifications/bell")  # the session's CSRF token
            response = await browser.post(
                f"{base}/ideas/{idea}/vote",
                data={"_csrf_token": browser.cookies["csrftoken"], "voted": "1" if voted else "0"},
                headers={"HX-Request": "true"},
            )
            return response.status_code

    async def storm() -> tuple[list[int], list[int]]:
        votes = await asyncio.gather(*(vote(n, p, True) for n, p in enumerate(voters)))
        # Every third takes the vote back while the others vote a second time (a no-op).
        changes = await asyncio.gather(*(vote(n + 1, p, n % 3 != 0) for n, p in enumerate(voters)))
        return votes, changes

    votes, changes = run_in_own_loop(storm())
    assert Counter(votes) == {200: VOTERS} and Counter(changes) == {200: VOTERS}
    expected = sum(1 for n in range(VOTERS) if n % 3 != 0)
    [row] = run_in_own_loop(
        fetch(
            running.database_url,
            "SELECT vote_count, (SELECT count(*) FROM vote WHERE idea = $1) AS rows"
            " FROM idea WHERE id = $1",
            idea,
        )
    )
    assert row["vote_count"] == row["rows"] == expected


def test_digest_and_outbox_send_once_with_every_process_running_its_loops(
    running: Running,
) -> None:
    people = VOTERS + 1
    deadline = time.monotonic() + 90
    while True:
        [row] = run_in_own_loop(
            fetch(
                running.database_url,
                "SELECT count(*) FILTER (WHERE kind = 'digest') AS digests,"
                " count(*) FILTER (WHERE sent_at IS NULL AND failed_at IS NULL) AS waiting"
                " FROM outbox_email",
            )
        )
        if row["digests"] == people and row["waiting"] == 0:
            break
        assert time.monotonic() < deadline, f"outbox not drained: {dict(row)}"
        time.sleep(0.5)
    # A hand-run send for the same week, beside three looping processes, adds nothing.
    again = running.cluster.run("digest", "send")
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"{people} already queued before" in again.stdout, again.stdout
    time.sleep(2)  # a duplicate, if any process were to send one, would arrive now
    digests = Counter(
        str(message["To"])
        for message in running.sink.messages
        if message["List-Unsubscribe-Post"]  # the digest is the only bulk email
    )
    assert len(digests) == people and set(digests.values()) == {1}
    runs = run_in_own_loop(
        fetch(running.database_url, "SELECT owner FROM job_run WHERE job = 'digest'")
    )
    assert len(runs) == 1


def test_a_killed_process_loses_no_confirmed_write_and_the_others_keep_serving(
    running: Running,
) -> None:
    doomed = running.cluster.app("app-c")
    idea = running.seeded.ideas[2]
    voters = running.seeded.voters
    confirmed: list[str] = []
    unanswered: list[str] = []

    async def comment(n: int, person: int) -> None:
        base = doomed.url if n % 2 else running.b.url
        body = f"Comment {n} from the load test"
        async with httpx.AsyncClient(timeout=30) as browser:
            browser.cookies.set("ideaboard_session", running.seeded.tokens[person])
            try:
                await browser.get(f"{base}/notifications/bell")  # the session's CSRF token
                response = await browser.post(
                    f"{base}/ideas/{idea}/comments",
                    data={"_csrf_token": browser.cookies["csrftoken"], "body": body},
                )
            except httpx.TransportError:
                unanswered.append(body)
                return
            assert response.status_code == 303, (base, response.status_code, response.text)
            confirmed.append(body)

    async def load() -> None:
        tasks = []
        for n, person in enumerate(voters * 2):
            tasks.append(asyncio.create_task(comment(n, person)))
            if n == VOTERS // 2:
                await asyncio.sleep(0.3)
                doomed.kill()
            await asyncio.sleep(0.01)
        await asyncio.gather(*tasks)

    run_in_own_loop(load())
    assert doomed.popen.returncode is not None
    assert unanswered, "the kill came after the load: nothing was tested"
    stored = {
        row["body"]
        for row in run_in_own_loop(
            fetch(running.database_url, "SELECT body FROM comment WHERE idea = $1", idea)
        )
    }
    assert set(confirmed) <= stored
    # The survivors answer as before.
    for survivor in (running.a, running.b):
        assert httpx.get(f"{survivor.url}/healthz", timeout=10).status_code == 200
        with signed_in(running, voters[0]) as browser:
            assert browser.get(f"{survivor.url}/ideas/{idea}").status_code == 200
