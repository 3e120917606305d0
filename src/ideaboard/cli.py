"""The `ideaboard` command: serve, migrate, demo, recount, create-admin, import, export,
erase, scim-token, token, webhook, digest, worker."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import io
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from ideaboard.files import PRIVATE_UMASK
from ideaboard.settings import Settings, SettingsError


async def run_migrations(settings: Settings) -> None:
    """Apply every pending migration; running it again changes nothing. Says what it did
    in a sentence (Piccolo's own report counts a new database's migrations as both done
    and not yet run); Piccolo's lines are shown when a migration fails."""
    from ideaboard import db
    from ideaboard.checks import applied_migrations, known_migrations

    # Piccolo's migration runner finds its engine through this module.
    os.environ["PICCOLO_CONF"] = "ideaboard.piccolo_conf"
    os.environ["IDEABOARD_DATABASE_URL"] = settings.database_url
    from piccolo.apps.migrations.commands.forwards import run_forwards

    from ideaboard.piccolo_conf import DB

    before = await applied_migrations(settings.database_url)
    report = io.StringIO()
    try:
        with contextlib.redirect_stdout(report):
            result = await run_forwards(app_name="ideaboard")
    finally:
        await db.close(DB)
    if not result.success:
        print(report.getvalue(), file=sys.stderr)
        raise SystemExit(f"Migrations failed: {result.message}")
    new = len(set(known_migrations()) - before)
    if not before:
        print(f"Created the database's tables ({new} migrations applied).")
    elif new:
        print(f"Applied {new} new migration{'s' if new > 1 else ''}: the database is up to date.")
    else:
        print("The database is up to date: no migrations to apply.")
    engine = db.engine_for(settings.database_url)
    await db.prepare(engine, pool_size=1)
    await db.close(engine)


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    asyncio.run(run_migrations(settings))
    return 0


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from ideaboard.checks import refuse_unsafe
    from ideaboard.observe import logging_config

    settings = replace(settings, workers=args.workers or settings.workers)
    if refuse_unsafe(settings, "serve"):
        return 1
    host = args.host or settings.host
    port = args.port or settings.port
    print(f"ideaboard serving on http://{host}:{port}", flush=True)
    uvicorn.run(
        "ideaboard.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=settings.workers,
        log_level="info" if settings.debug else "warning",
        access_log=False,  # ideaboard logs each request itself (ideaboard.observe)
        log_config=logging_config(settings),
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        server_header=False,
        # Open live streams (/live) never end by themselves: a stop waits this long for
        # them, then closes them; the pages reconnect to another server.
        timeout_graceful_shutdown=5,
    )
    return 0


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    from ideaboard.demo import load_demo

    return asyncio.run(load_demo(settings, args.language))


def cmd_create_admin(settings: Settings, args: argparse.Namespace) -> int:
    from ideaboard.admin_cli import create_admin

    password = os.environ.get("IDEABOARD_ADMIN_PASSWORD") or getpass.getpass("Password: ")
    return asyncio.run(
        create_admin(
            settings,
            email=args.email,
            name=args.name,
            department=args.department,
            password=password,
        )
    )


def cmd_erase(settings: Settings, args: argparse.Namespace) -> int:
    from ideaboard.admin_cli import erase

    if not args.yes and sys.stdin.isatty():
        typed = input(f"This erases {args.email} for good. Type the address again to go on: ")
        if typed.strip().lower() != args.email.strip().lower():
            print("Nothing erased: the addresses differ.", file=sys.stderr)
            return 1
    return asyncio.run(erase(settings, email=args.email, remove_content=args.remove_content))


def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    from ideaboard.data_cli import import_file

    return import_file(
        settings, args.source, Path(args.file), dry_run=args.dry_run,
        departments=Path(args.departments) if args.departments else None,
        statuses=args.status, default_department=args.default_department,
    )  # fmt: skip


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    from ideaboard.data_cli import export_file

    return export_file(settings, Path(args.file), delimiter=args.delimiter)


def cmd_scim_token(settings: Settings, args: argparse.Namespace) -> int:
    from ideaboard.token_cli import scim_token

    return asyncio.run(scim_token(settings, args.scim_command, name=args.name, token_id=args.id))


def cmd_api_token(settings: Settings, args: argparse.Namespace) -> int:
    from ideaboard.token_cli import api_token

    return asyncio.run(
        api_token(settings, email=args.email, scope=args.scope, days=args.days, name=args.name)
    )


def cmd_webhook(settings: Settings, args: argparse.Namespace) -> int:
    from ideaboard.token_cli import webhook

    return asyncio.run(
        webhook(settings, args.webhook_command, url=args.url, events=args.events,
                description=args.description)
    )  # fmt: skip


def cmd_recount(settings: Settings, args: argparse.Namespace) -> int:
    from ideaboard.services.ranking import recount

    async def run() -> int:
        from ideaboard import db

        async with db.connected(settings.database_url):
            drift = await recount(repair=args.repair)
        for item in drift:
            print(f"idea {item.idea_id}: {item.field} is {item.stored}, rows say {item.counted}")
        if not drift:
            print("Every counter matches its rows.")
            return 0
        counters = f"{len(drift)} counter{'' if len(drift) == 1 else 's'} out of step"
        print(f"Repaired {counters}." if args.repair else f"Found {counters}: run with --repair.")
        return 0 if args.repair else 1

    return asyncio.run(run())


def cmd_digest_send(settings: Settings, args: argparse.Namespace) -> int:
    from ideaboard.checks import refuse_unsafe
    from ideaboard.mail_cli import check_week, send_digest

    week = check_week(args.week) if args.week else None
    if not args.dry_run and refuse_unsafe(settings, "digest send"):
        return 1
    return asyncio.run(send_digest(settings, week=week, only_email=args.to, dry_run=args.dry_run))


def cmd_worker(settings: Settings, args: argparse.Namespace) -> int:
    import logging.config

    from ideaboard.checks import refuse_unsafe
    from ideaboard.mail_cli import run_worker
    from ideaboard.observe import logging_config

    if refuse_unsafe(settings, "worker"):
        return 1
    logging.config.dictConfig(logging_config(settings))
    return asyncio.run(run_worker(settings))


def cmd_healthcheck(settings: Settings, args: argparse.Namespace) -> int:
    """For a container's HEALTHCHECK: is the server on this machine answering /healthz?"""
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", args.port or settings.port, timeout=5)
    try:
        connection.request("GET", "/healthz")
        status = connection.getresponse().status
    except (OSError, http.client.HTTPException) as error:
        print(f"unhealthy: {error or type(error).__name__}", file=sys.stderr)
        return 1
    finally:
        connection.close()
    if status != 200:
        print(f"unhealthy: /healthz answered {status}", file=sys.stderr)
        return 1
    return 0


def cmd_check(settings: Settings, args: argparse.Namespace) -> int:
    from ideaboard.checks import problems, report, run_checks

    findings = asyncio.run(run_checks(settings))
    print(report(findings))
    return 1 if problems(findings) else 0


def cmd_backup(settings: Settings, args: argparse.Namespace) -> int:
    from ideaboard.backup import BackupError, backup, files_archive

    try:
        target = backup(settings, Path(args.file) if args.file else None)
    except BackupError as error:
        print(f"ideaboard backup: {error}", file=sys.stderr)
        return 1
    print(f"Backed up to {target} ({target.stat().st_size:,} bytes).")
    if files_archive(target).exists():
        print(f"Pictures and files: {files_archive(target)}.")
    elif settings.storage_url:
        print("Pictures and files stay in the object store: back it up there.")
    return 0


def cmd_restore(settings: Settings, args: argparse.Namespace) -> int:
    from ideaboard.backup import BackupError, restore

    try:
        contents = restore(settings, Path(args.file), force=args.force)
    except BackupError as error:
        print(f"ideaboard restore: {error}", file=sys.stderr)
        return 1
    print(f"Restored {args.file}: {contents.ideas:,} ideas, {contents.people:,} people.")
    print("Run `ideaboard migrate` if the backup is older than this version.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ideaboard", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the board over HTTP")
    serve.add_argument("--host", help="address to listen on (default IDEABOARD_HOST)")
    serve.add_argument("--port", type=int, help="port to listen on (default IDEABOARD_PORT)")
    serve.add_argument("--workers", type=int, help="processes (default IDEABOARD_WORKERS, 1)")
    serve.set_defaults(handler=cmd_serve)

    migrate = commands.add_parser("migrate", help="create or upgrade the database schema")
    migrate.set_defaults(handler=cmd_migrate)

    demo = commands.add_parser("demo", help="fill an empty board with a sample company")
    demo.add_argument(
        "--language", choices=("en", "da"), default="en",
        help="the company's language: its ideas, comments and departments, and the board's",
    )  # fmt: skip
    demo.set_defaults(handler=cmd_demo)

    recount = commands.add_parser(
        "recount", help="check vote and comment counters and hot scores against their rows"
    )
    recount.add_argument("--repair", action="store_true", help="write the counted values back")
    recount.set_defaults(handler=cmd_recount)

    admin = commands.add_parser("create-admin", help="add an admin (password asked for)")
    admin.add_argument("--email", required=True)
    admin.add_argument("--name", required=True)
    admin.add_argument("--department", required=True, help="department name (made if missing)")
    admin.set_defaults(handler=cmd_create_admin)

    erase = commands.add_parser(
        "erase", help="erase a person: their name, email and everything only theirs (GDPR)"
    )
    erase.add_argument("--email", required=True, help="whom")
    erase.add_argument(
        "--remove-content", action="store_true",
        help="remove their ideas and comments too (by default they stay, signed Former colleague)",
    )  # fmt: skip
    erase.add_argument("--yes", action="store_true", help="do not ask to confirm")
    erase.set_defaults(handler=cmd_erase)

    importing = commands.add_parser(
        "import", help="bring ideas, votes and comments from Fider, UserVoice or a CSV file"
    )
    importing.add_argument(
        "source", choices=("fider", "uservoice", "csv", "ideaboard"),
        help="whose export: Fider's posts.csv or backup zip, UserVoice's CSV, our CSV"
             " template, or `ideaboard export`'s zip",
    )  # fmt: skip
    importing.add_argument("file")
    importing.add_argument("--dry-run", action="store_true", help="say what it would do, only")
    importing.add_argument(
        "--departments", metavar="FILE",
        help="lines `their forum, label or tag = our department` (others keep their names)",
    )  # fmt: skip
    importing.add_argument(
        "--status", action="append", default=[], metavar="THEIRS=OURS",
        help="a status of theirs to one of ours (new, under_review, planned, in_progress, done,"
             " declined, duplicate); repeat it for more",
    )  # fmt: skip
    importing.add_argument(
        "--default-department", default="General", metavar="NAME",
        help="for ideas the file puts in no forum, label or tag (default General)",
    )  # fmt: skip
    importing.set_defaults(handler=cmd_import)

    exporting = commands.add_parser(
        "export", help="the whole board as a zip: JSON that import reads back, and CSV files"
    )
    exporting.add_argument("file", help="the zip to write, e.g. board.zip")
    exporting.add_argument(
        "--delimiter", choices=(",", ";"), default=",",
        help="between CSV cells: ; for Excel in Danish and other comma-decimal languages",
    )  # fmt: skip
    exporting.set_defaults(handler=cmd_export)

    scim = commands.add_parser("scim-token", help="bearer tokens for SCIM provisioning")
    scim_commands = scim.add_subparsers(dest="scim_command", required=True)
    scim_create = scim_commands.add_parser("create", help="make a token and print it (once)")
    scim_create.add_argument("--name", default="Command line", help="what the token is for")
    scim_commands.add_parser("list", help="the tokens, their last use, revoked or not")
    scim_revoke = scim_commands.add_parser("revoke", help="stop a token working")
    scim_revoke.add_argument("id", type=int)
    scim.set_defaults(handler=cmd_scim_token, name="", id=0)

    token = commands.add_parser("token", help="personal access tokens for the API")
    token_commands = token.add_subparsers(dest="token_command", required=True)
    token_create = token_commands.add_parser("create", help="make a token and print it (once)")
    token_create.add_argument("--email", required=True, help="whose token: it acts as them")
    token_create.add_argument("--scope", choices=("read", "write"), default="read")
    token_create.add_argument("--days", default="90", help="days until it expires ('' never)")
    token_create.add_argument("--name", default="Command line", help="what it is for")
    token.set_defaults(handler=cmd_api_token)

    hook = commands.add_parser("webhook", help="Standard Webhooks endpoints")
    hook_commands = hook.add_subparsers(dest="webhook_command", required=True)
    hook_add = hook_commands.add_parser("add", help="add an endpoint; prints its signing secret")
    hook_add.add_argument("url", help="where each event is POSTed")
    hook_add.add_argument(
        "--events", required=True, help="'all', or event types separated by commas"
    )
    hook_add.add_argument("--description", default="", help="what it is for")
    hook_commands.add_parser("list", help="the endpoints, their events, on or off")
    hook.set_defaults(handler=cmd_webhook, url="", events="all", description="")

    digest = commands.add_parser("digest", help="the weekly digest email")
    digest_commands = digest.add_subparsers(dest="digest_command", required=True)
    send = digest_commands.add_parser(
        "send", help="queue and send a week's digest now (each person gets it once)"
    )
    send.add_argument("--week", help="ISO week such as 2026-W47 (default: the latest due)")
    send.add_argument("--dry-run", action="store_true", help="count (or print) without sending")
    send.add_argument("--to", metavar="EMAIL", help="only this person")
    send.set_defaults(handler=cmd_digest_send)

    check = commands.add_parser(
        "check", help="check the settings, data directory, database and migrations"
    )
    check.set_defaults(handler=cmd_check)

    backup = commands.add_parser(
        "backup", help="copy the live database to a file (SQLite VACUUM INTO / pg_dump)"
    )
    backup.add_argument("file", nargs="?", help="where (default DATA_DIR/backups/…)")
    backup.set_defaults(handler=cmd_backup)

    restore = commands.add_parser("restore", help="replace the database with a backup")
    restore.add_argument("file", help="a file made by `ideaboard backup`")
    restore.add_argument("--force", action="store_true", help="even over a board with data")
    restore.set_defaults(handler=cmd_restore)

    healthcheck = commands.add_parser(
        "healthcheck", help="exit 0 when the local server's /healthz answers 200"
    )
    healthcheck.add_argument("--port", type=int, help="default IDEABOARD_PORT")
    healthcheck.set_defaults(handler=cmd_healthcheck)

    worker = commands.add_parser(
        "worker", help="deliver email and run scheduled jobs, without serving HTTP"
    )
    worker.set_defaults(handler=cmd_worker)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # Whatever the shell's umask, nothing this process (or a server it starts) writes is
    # readable by others; the places that write files set their modes too (files.py).
    os.umask(PRIVATE_UMASK)
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        print(f"ideaboard: {error}", file=sys.stderr)
        return 2
    return int(args.handler(settings, args))


if __name__ == "__main__":
    sys.exit(main())
