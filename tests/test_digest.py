"""The weekly digest: what each person reads, queued and delivered exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from datetime import timedelta
from typing import Any

import pytest

from conftest import Client, Personas, make_idea
from ideaboard.db import write_transaction
from ideaboard.jobs.scheduler import run_due_jobs
from ideaboard.mail.mailer import Mailer
from ideaboard.services import digest, status_updates, unsubscribe, users, votes
from ideaboard.services.clock import now
from ideaboard.services.organisation import get_organisation
from ideaboard.settings import Settings
from ideaboard.storage import open_store
from ideaboard.tables import DepartmentManager, Idea, JobRun, OutboxEmail, StatusChange, User
from ideaboard.weeks import digest_send_time, latest_digest_week
from smtp_sink import Sink, parts


async def this_weeks_digest() -> str:
    """The digest week whose seven days include now (its send time is still to come)."""
    organisation = await get_organisation()
    return latest_digest_week(now() + timedelta(days=7), organisation.digest)


async def busy_week(board: Personas) -> dict[str, int]:
    """Ideas, votes, a follow and a status update, all this week; Otto manages Operations."""
    calendar = await make_idea(board.mia, board.operations, "Shared calendar for the docks")
    chairs = await make_idea(
        board.otto, board.customer_service, "Quieter chairs in the call centre"
    )
    backlog = await make_idea(board.ada, board.operations, "Clear the returns backlog on Fridays")
    for voter in (board.ada, board.mo, board.otto):
        await votes.set_vote(voter.actor, calendar, voted=True)
    await votes.set_vote(board.mia.actor, chairs, voted=True)
    await status_updates.update_status(
        board.mo.actor,
        calendar,
        status_updates.StatusUpdateInput(status="planned", message="Booked for **March**."),
    )
    async with write_transaction():
        await DepartmentManager.insert(
            DepartmentManager(department=board.operations, manager=board.otto.id)
        )
    return {"calendar": calendar, "chairs": chairs, "backlog": backlog}


async def test_digest_content_for_member_manager_and_reader_without_follows(
    http: object, board: Personas, mailer: Mailer, sink: Sink
) -> None:
    made = await busy_week(board)
    # The backlog idea passed the threshold: it waits for an owner.
    await Idea.update({Idea.needs_owner_since: now()}).where(Idea.id == made["backlog"])
    week = await this_weeks_digest()
    run = await digest.queue_digests(week, mailer)
    assert (run.readers, run.queued) == (4, 4)
    await mailer.deliver()
    assert sink.recipients() == {p.email: 1 for p in (board.ada, board.mo, board.mia, board.otto)}

    # Mia (member, Customer Service) voted for the chairs and wrote the calendar idea.
    mia = sink.to(board.mia.email)[0]
    assert mia["Subject"] == "This week at Acme: Shared calendar for the docks"
    assert (
        str(mia["List-Unsubscribe"])
        .strip()
        .startswith(f"<https://ideas.acme.example/unsubscribe/{board.mia.id}/")
    )
    assert mia["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text, html = parts(mia)
    top = text.split("TOP IDEAS THIS WEEK")[1].split("NEW FOR")[0]
    assert top.index("Shared calendar") < top.index("Quieter chairs")
    assert "+3 votes this week" in top
    assert "NEW FOR CUSTOMER SERVICE" in text and "Quieter chairs" in text.split("NEW FOR")[1]
    assert "UPDATES ON IDEAS YOU FOLLOW" in text
    assert "Shared calendar for the docks: New → Planned" in text
    assert "Mo Moderator: Booked for March." in text
    assert "need an owner" not in text
    assert "https://ideas.acme.example/ideas/" in html and "Updates on ideas you follow" in html

    # Otto manages Operations: his digest has its three key numbers, counted here from
    # the rows, and its unrouted ideas.
    otto_text, otto_html = parts(sink.to(board.otto.email)[0])
    ideas = await Idea.select().where(Idea.department == board.operations)
    new = sum(i["created_at"] >= now() - timedelta(days=7) for i in ideas)
    answered = len({r["idea"] for r in await StatusChange.select(StatusChange.idea)
                    if r["idea"] in {i["id"] for i in ideas}})  # fmt: skip
    waiting = sum(i["needs_owner_since"] is not None and i["owner"] is None for i in ideas)
    assert (new, answered, waiting) == (2, 1, 1)
    assert "THIS WEEK IN OPERATIONS" in otto_text
    assert (
        f"{new} new ideas · {answered} answered for the first time · {waiting} waiting" in otto_text
    )
    assert "https://ideas.acme.example/insights?department=" in otto_text
    assert "2 ideas need an owner" in otto_text
    assert "Clear the returns backlog" in otto_text.split("need an owner")[1]
    assert "This week in Operations" in otto_html and "2 ideas need an owner" in otto_html
    assert "See the insights for Operations" in otto_html
    # Otto voted for the calendar idea, so he follows it and hears of the update too.
    assert "UPDATES ON IDEAS YOU FOLLOW" in otto_text

    # Ada (Operations) sees her department's new ideas.
    ada_text, _ = parts(sink.to(board.ada.email)[0])
    assert "TOP IDEAS THIS WEEK" in ada_text and "NEW FOR OPERATIONS" in ada_text


async def test_digest_for_someone_with_nothing_of_their_own_still_has_the_top_ideas(
    http: object, board: Personas, mailer: Mailer, sink: Sink
) -> None:
    await busy_week(board)
    await users.insert_user(
        name="Nia New", email="nia@example.com", password_hash="x",
        department_id=board.it, role=users.Role.MEMBER,
    )  # fmt: skip
    await digest.queue_digests(await this_weeks_digest(), mailer)
    await mailer.deliver()
    text, _ = parts(sink.to("nia@example.com")[0])
    assert "TOP IDEAS THIS WEEK" in text and "Shared calendar" in text
    assert "UPDATES ON IDEAS YOU FOLLOW" not in text and "NEW FOR" not in text


async def test_hidden_ideas_stay_out_of_the_digest(
    http: object, board: Personas, mailer: Mailer, sink: Sink
) -> None:
    ideas = await busy_week(board)
    await Idea.update({Idea.hidden: True}).where(Idea.id == ideas["calendar"])
    await digest.queue_digests(await this_weeks_digest(), mailer)
    await mailer.deliver()
    for message in sink.messages:
        text, html = parts(message)
        assert "Shared calendar" not in text and "Shared calendar" not in html
    text, _ = parts(sink.to("ada@example.com")[0])
    assert "Quieter chairs" in text


async def test_quiet_week_sends_nothing(
    http: object, board: Personas, mailer: Mailer, sink: Sink
) -> None:
    await busy_week(board)
    run = await digest.queue_digests("2020-W10", mailer)
    assert run.quiet_week and run.queued == 0
    assert await OutboxEmail.count() == 0


async def test_digest_twice_and_at_once_queues_one_per_person(
    http: object, board: Personas, mailer: Mailer, sink: Sink
) -> None:
    await busy_week(board)
    week = await this_weeks_digest()
    first = await digest.queue_digests(week, mailer)
    again, at_once = await asyncio.gather(
        digest.queue_digests(week, mailer), digest.queue_digests(week, mailer)
    )
    assert first.queued == 4
    assert again.queued + at_once.queued == 0
    await asyncio.gather(mailer.deliver(), mailer.deliver())
    assert set(sink.recipients().values()) == {1} and len(sink.recipients()) == 4


async def test_digest_skips_people_who_turned_it_off_or_left(
    http: object, board: Personas, mailer: Mailer, sink: Sink
) -> None:
    await busy_week(board)
    await User.update({User.digest_enabled: False}).where(User.id == board.mia.id)
    await User.update({User.active: False}).where(User.id == board.mo.id)
    run = await digest.queue_digests(await this_weeks_digest(), mailer)
    assert run.queued == 2
    await mailer.deliver()
    assert set(sink.recipients()) == {board.ada.email, board.otto.email}


def jobs_dirs(settings: Settings) -> dict[str, Any]:
    """Where the scheduled jobs keep and remove files: the test's own data directory."""
    return {"data_dir": settings.data_dir,
            "store": open_store(settings.storage_url, settings.data_dir)}  # fmt: skip


async def test_scheduler_sends_the_weekly_digest_once_whoever_runs_it(
    http: object, board: Personas, mailer: Mailer, sink: Sink, settings: Settings
) -> None:
    await busy_week(board)
    organisation = await get_organisation()
    week = await this_weeks_digest()
    due = digest_send_time(week, organisation.digest) + timedelta(minutes=1)
    # Not yet due: last week's.
    await run_due_jobs(mailer, at=due - timedelta(minutes=2), **jobs_dirs(settings))
    assert await OutboxEmail.count() == 0  # last week ended before the board began
    await asyncio.gather(
        run_due_jobs(mailer, at=due, **jobs_dirs(settings)),
        run_due_jobs(mailer, at=due, **jobs_dirs(settings)),
    )
    await run_due_jobs(mailer, at=due + timedelta(hours=1), **jobs_dirs(settings))
    assert await OutboxEmail.count() == 4
    run = await JobRun.select().where(JobRun.job == "digest").first()
    assert run["period"] == week and run["finished_at"] is not None
    assert await JobRun.count().where(JobRun.job == "recount") == 1


async def test_scheduler_resumes_a_run_whose_process_died(
    http: object, board: Personas, mailer: Mailer, sink: Sink, settings: Settings
) -> None:
    await busy_week(board)
    organisation = await get_organisation()
    week = await this_weeks_digest()
    due = digest_send_time(week, organisation.digest) + timedelta(minutes=1)
    # A process claimed the run, queued Ada's digest, and died.
    await digest.queue_digests(week, mailer, only_email=board.ada.email)
    await JobRun.insert(
        JobRun(job="digest", period=week, owner="gone:1", started_at=due,
               lease_until=due + timedelta(minutes=2))
    )  # fmt: skip
    await run_due_jobs(mailer, at=due + timedelta(minutes=1), **jobs_dirs(settings))
    assert await OutboxEmail.count() == 1  # its lease still holds
    await run_due_jobs(mailer, at=due + timedelta(minutes=3), **jobs_dirs(settings))
    assert await OutboxEmail.count() == 4
    await mailer.deliver()
    assert sink.recipients() == {p.email: 1 for p in (board.ada, board.mo, board.mia, board.otto)}


async def test_unsubscribe_link_works_without_signing_in_and_only_for_its_owner(
    client: Client, board: Personas, mailer: Mailer
) -> None:
    path = unsubscribe.unsubscribe_path(mailer.secret, board.mia.id)
    page = await client.get(path)
    assert page.status_code == 200 and "Unsubscribe" in page.text
    assert (await User.select(User.digest_enabled).where(User.id == board.mia.id).first())[
        "digest_enabled"
    ]  # opening the link (as mail scanners do) changes nothing

    # A mail client's one-click POST (RFC 8058): no session, no CSRF token.
    done = await client.http.post(path, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "You are unsubscribed" in done.text
    again = await client.http.post(path, data={"List-Unsubscribe": "One-Click"})
    assert again.status_code == 200 and "already unsubscribed" in again.text
    flags = {
        row["id"]: row["digest_enabled"] for row in await User.select(User.id, User.digest_enabled)
    }
    assert flags == {
        board.ada.id: True,
        board.mo.id: True,
        board.mia.id: False,
        board.otto.id: True,
    }

    token = path.rsplit("/", 1)[1]
    for forged in (
        f"/unsubscribe/{board.otto.id}/{token}",  # Mia's token, Otto's id
        f"/unsubscribe/{board.otto.id}/{token[:-1]}A",
        f"/unsubscribe/{board.otto.id}/",
        "/unsubscribe/99999/" + unsubscribe.unsubscribe_token("guessed-secret", 99999),
    ):
        assert (await client.http.post(forged)).status_code in {404, 405}
        assert (await client.get(forged)).status_code in {404, 405}
    assert (await User.select(User.digest_enabled).where(User.id == board.otto.id).first())[
        "digest_enabled"
    ]


async def test_account_page_turns_the_digest_off_and_on(client: Client, board: Personas) -> None:
    await client.login(board.mia.email)
    page = await client.get("/account")
    assert 'name="digest_enabled"' in page.text and "checked" in page.text
    form = {"name": board.mia.name, "department_id": str(board.customer_service)}
    assert (await client.post("/account", form)).status_code == 303
    row = await User.select(User.digest_enabled).where(User.id == board.mia.id).first()
    assert row["digest_enabled"] is False
    assert (await client.post("/account", {**form, "digest_enabled": "on"})).status_code == 303
    row = await User.select(User.digest_enabled).where(User.id == board.mia.id).first()
    assert row["digest_enabled"] is True


async def test_admin_previews_a_persons_digest(client: Client, board: Personas) -> None:
    await busy_week(board)
    await client.login(board.ada.email)
    week = await this_weeks_digest()
    page = await client.get(f"/admin/digest?email={board.mia.email}&week={week}")
    assert page.status_code == 200
    assert "<iframe" in page.text and "This week at Acme" in page.text
    preview = await client.get(f"/admin/digest/preview?week={week}&user={board.mia.id}")
    assert preview.status_code == 200
    assert "Updates on ideas you follow" in preview.text
    policy = preview.headers["content-security-policy"]
    assert "script-src" not in policy and "default-src 'none'" in policy
    assert "frame-ancestors 'self'" in policy

    bad = await client.get("/admin/digest?email=nobody@example.com&week=2026-W99")
    assert bad.status_code == 422
    assert "No one on the board has this address." in bad.text
    assert "Write an ISO week like 2026-W47." in bad.text
    assert 'value="nobody@example.com"' in bad.text
    assert 'value="2026-W99"' in bad.text  # kept as typed
    assert (await client.get("/admin/digest/preview?week=junk&user=junk")).status_code == 200

    await client.logout()
    await client.login(board.mo.email)
    assert (await client.get("/admin/digest")).status_code == 403
    assert (await client.get("/admin/digest/preview")).status_code == 403


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("time_zone", "Mars/Olympus_Mons", "Write a time zone like"),
        ("time_zone", "", "Write a time zone like"),
        ("digest_weekday", "7", "Pick a day of the week."),
        ("digest_hour", "24", "Pick an hour from 0 to 23."),
        ("digest_hour", "eight", "Pick an hour from 0 to 23."),
    ],
)
async def test_admin_digest_schedule_bad_input_is_explained_and_kept(
    client: Client, board: Personas, field: str, value: str, message: str
) -> None:
    await client.login(board.ada.email)
    form = {"name": "Acme", "allowed_email_domains": "", "vote_budget": "",
            "digest_weekday": "0", "digest_hour": "8", "time_zone": "Europe/Berlin"}  # fmt: skip
    response = await client.post("/admin", {**form, field: value})
    assert response.status_code == 422
    assert message in response.text
    assert 'value="Acme"' in response.text
    saved = await client.post("/admin", {**form, "digest_weekday": "4", "digest_hour": "17"})
    assert saved.status_code == 303
    organisation = await get_organisation()
    assert (organisation.digest.weekday, organisation.digest.hour) == (4, 17)
    assert organisation.digest.time_zone == "Europe/Berlin"


# --- `ideaboard digest send`, run as a real process ------------------------------


def cli_env(settings: Settings, sink: Sink) -> dict[str, str]:
    return {
        **os.environ,
        "IDEABOARD_DATABASE_URL": settings.database_url,
        "IDEABOARD_DATA_DIR": str(settings.data_dir),
        "IDEABOARD_SECRET_KEY": settings.secret_key,
        "IDEABOARD_SMTP_URL": sink.url,
        "IDEABOARD_MAIL_LEASE_SECONDS": "2",
    }


def digest_send(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "ideaboard.cli", "digest", "send", *args],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


async def many_readers(board: Personas, count: int) -> None:
    async with write_transaction():
        for n in range(count):
            await users.insert_user(
                name=f"Reader {n}", email=f"reader{n}@example.com", password_hash="x",
                department_id=board.it, role=users.Role.MEMBER,
            )  # fmt: skip


async def test_digest_send_killed_halfway_and_run_again_reaches_everyone_once(
    http: object, board: Personas, settings: Settings, sink: Sink
) -> None:
    await busy_week(board)
    await many_readers(board, 16)
    week = await this_weeks_digest()
    env = cli_env(settings, sink)
    process: subprocess.Popen[str] | None = None

    def kill_at_the_sixth(count: int) -> str | None:
        # The sixth email's DATA is in, not yet answered: the sender dies before it
        # knows whether it went. (The five before were answered and marked sent.)
        if count == 6 and process is not None:
            process.send_signal(signal.SIGKILL)
            process.wait()
            return "451 Try again later"
        return None

    sink.before_accept = kill_at_the_sixth
    process = digest_send(env, "--week", week)
    await asyncio.to_thread(process.communicate, timeout=60)  # closes its pipes too
    assert process.returncode == -signal.SIGKILL
    assert sum(sink.recipients().values()) == 5

    sink.before_accept = None
    await asyncio.sleep(2.5)  # the dead sender's lease runs out
    rerun = digest_send(env, "--week", week)
    out, err = await asyncio.to_thread(rerun.communicate, timeout=60)
    assert rerun.returncode == 0, err
    assert "0 queued, 20 already queued before" in out
    assert "Sent 15 emails" in out
    assert len(sink.recipients()) == 20 and set(sink.recipients().values()) == {1}


async def test_digest_send_twice_at_once_reaches_everyone_once(
    http: object, board: Personas, settings: Settings, sink: Sink
) -> None:
    await busy_week(board)
    await many_readers(board, 26)
    env = cli_env(settings, sink)
    week = await this_weeks_digest()
    first, second = digest_send(env, "--week", week), digest_send(env, "--week", week)
    for process in (first, second):
        _out, err = await asyncio.to_thread(process.communicate, timeout=60)
        assert process.returncode == 0, err
    assert len(sink.recipients()) == 30 and set(sink.recipients().values()) == {1}


async def test_digest_send_dry_run_and_bad_week(
    http: object, board: Personas, settings: Settings, sink: Sink
) -> None:
    await busy_week(board)
    env = cli_env(settings, sink)
    week = await this_weeks_digest()
    dry = digest_send(env, "--week", week, "--dry-run")
    out, _ = await asyncio.to_thread(dry.communicate, timeout=60)
    assert dry.returncode == 0 and "4 digests would be queued" in out
    one = digest_send(env, "--week", week, "--dry-run", "--to", board.mia.email)
    out, _ = await asyncio.to_thread(one.communicate, timeout=60)
    assert one.returncode == 0 and "UPDATES ON IDEAS YOU FOLLOW" in out
    bad = digest_send(env, "--week", "2026-W60")
    _, err = await asyncio.to_thread(bad.communicate, timeout=60)
    assert bad.returncode != 0 and "not an ISO week" in err
    assert await OutboxEmail.count() == 0 and sink.recipients() == {}
