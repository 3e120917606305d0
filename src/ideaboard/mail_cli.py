"""`ideaboard digest send` and `ideaboard worker`: email and background work by hand."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Callable
from dataclasses import replace
from typing import TextIO

from ideaboard import db
from ideaboard.jobs import background_loops
from ideaboard.jobs.runs import claim_run, finish_run
from ideaboard.mail.mailer import Mailer
from ideaboard.mail.outbox import count_outbox
from ideaboard.services import digest
from ideaboard.services.clock import now
from ideaboard.services.errors import NotFound
from ideaboard.services.organisation import get_organisation
from ideaboard.services.users import find_user_by_email
from ideaboard.settings import Settings
from ideaboard.weeks import latest_digest_week, parse_week


def progress_bar(label: str, stream: TextIO = sys.stderr) -> Callable[[int, int], None]:
    """A one-line bar redrawn in place on a terminal; a line per tenth elsewhere (logs)."""
    shown = -1

    def show(done: int, total: int) -> None:
        nonlocal shown
        total = max(total, 1)
        if stream.isatty():
            filled = 30 * done // total
            stream.write(f"\r{label} [{'#' * filled}{'.' * (30 - filled)}] {done:,}/{total:,}")
            if done >= total:
                stream.write("\n")
        elif 10 * done // total != shown:
            stream.write(f"{label}: {done:,}/{total:,}\n")
        shown = 10 * done // total
        stream.flush()

    return show


async def send_digest(
    settings: Settings, *, week: str | None, only_email: str | None, dry_run: bool
) -> int:
    mailer = Mailer.from_settings(settings)
    async with db.connected(settings.database_url):
        try:
            organisation = await get_organisation()
        except NotFound:
            print("This board is not set up yet: nothing to send.", file=sys.stderr)
            return 1
        week = week or latest_digest_week(now(), organisation.digest)
        if dry_run and only_email:
            return await _print_one(week, only_email, mailer)
        claim = None if dry_run or only_email else await claim_run("digest", week)
        run = await digest.queue_digests(
            week,
            mailer,
            only_email=only_email,
            dry_run=dry_run,
            progress=progress_bar(f"Digest {week}"),
        )
        if run.quiet_week:
            print(f"Nothing happened on the board in the week before {week}: no digest to send.")
        elif dry_run:
            print(f"Dry run: {run.queued:,} digests would be queued for {week}.")
        else:
            print(
                f"Digest {week}: {run.queued:,} queued,"
                f" {run.already_queued:,} already queued before."
            )
        if only_email and run.readers == 0:
            print(f"No one with the digest on has the address {only_email}.", file=sys.stderr)
            return 1
        if claim:
            await finish_run(claim, f"{run.queued} queued by hand")
        if dry_run:
            return 0
        waiting = (await count_outbox()).waiting
        bar = progress_bar("Sending")
        report = await mailer.deliver(on_sent=lambda sent: bar(sent, waiting))
        print(
            f"Sent {report.sent:,} emails through {mailer.transport.description}"
            + (f"; {report.failed:,} will be retried" if report.failed else "")
            + (f"; {report.gave_up:,} failed for good" if report.gave_up else "")
            + "."
        )
        return 0 if not report.gave_up else 1


async def _print_one(week: str, email: str, mailer: Mailer) -> int:
    user = await find_user_by_email(email)
    if user is None:
        print(f"No one has the address {email}.", file=sys.stderr)
        return 1
    preview = await digest.preview_digest(user.id, week, mailer)
    print(f"To: {preview.to}\nSubject: {preview.subject}\n\n{preview.text}")
    return 0


def check_week(text: str) -> str:
    try:
        parse_week(text)
    except ValueError as error:
        raise SystemExit(f"ideaboard: {error}") from None
    return text.strip()


async def run_worker(settings: Settings) -> int:
    """Run every background loop, without serving HTTP, until SIGTERM or Ctrl-C."""
    mailer = Mailer.from_settings(settings)
    async with db.connected(settings.database_url):
        loops = background_loops(replace(settings, background_jobs=True), mailer)
        tasks = [asyncio.create_task(loop) for loop in loops]
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        print(f"ideaboard worker: {len(tasks)} loops, email through {mailer.transport.description}")
        await stop.wait()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return 0
