"""`ideaboard check`, and the same checks before `ideaboard serve` starts: a clear
sentence for each problem an operator can fix, never a traceback."""

from __future__ import annotations

import asyncio
import importlib
import math
import pkgutil
import secrets
import sys
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx2

from ideaboard import db, piccolo_migrations
from ideaboard.files import loose_paths, private_directory, sqlite_files
from ideaboard.mail.transports import MailSettingsError, SmtpTransport, transport_from_url
from ideaboard.settings import Settings
from ideaboard.storage import StoreError, open_store, verify_store

CONNECT_TIMEOUT = 10
MIN_SECRET_KEY_LENGTH = 32


@dataclass(frozen=True)
class Finding:
    ok: bool
    what: str
    detail: str
    fatal: bool = True  # a problem the app cannot start with (else a warning)


def check_data_dir(settings: Settings) -> Finding:
    try:
        private_directory(settings.data_dir)
        probe = settings.data_dir / f".write-test-{secrets.token_hex(4)}"
        probe.write_text("ok")
        probe.unlink()
    except OSError as error:
        return Finding(
            False,
            "Data directory",
            f"{settings.data_dir} is not writable: {error}."
            " Set IDEABOARD_DATA_DIR to a directory this user may write.",
        )
    return Finding(True, "Data directory", f"{settings.data_dir} is writable")


def check_file_modes(settings: Settings) -> Finding:
    """Files others may read: the database, backups and emailed reset links among them."""
    roots = [settings.data_dir]
    if settings.is_sqlite:
        roots += [p for p in sqlite_files(db.sqlite_path(settings.database_url))
                  if settings.data_dir not in p.parents]  # fmt: skip
    loose = list(loose_paths(roots))
    if not loose:
        return Finding(True, "File permissions", f"{settings.data_dir} is private to this user")
    shown = ", ".join(f"{path} ({mode:o})" for path, mode in loose[:5])
    more = f" and {len(loose) - 5} more" if len(loose) > 5 else ""
    return Finding(
        False,
        "File permissions",
        f"others may read {shown}{more}: run `chmod -R go-rwx {settings.data_dir}`"
        " (what ideaboard writes from now on is private whatever the umask).",
        fatal=False,
    )


def known_migrations() -> list[str]:
    ids = []
    for module in pkgutil.iter_modules(piccolo_migrations.__path__):
        ids.append(importlib.import_module(f"{piccolo_migrations.__name__}.{module.name}").ID)
    return sorted(ids)


def _where(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        return str(db.sqlite_path(url))
    return f"PostgreSQL at {parts.hostname}:{parts.port or 5432}{parts.path}"


async def check_database(settings: Settings) -> list[Finding]:
    where = _where(settings.database_url)
    try:
        async with asyncio.timeout(CONNECT_TIMEOUT), db.connected(settings.database_url):
            applied = (
                await db.current_engine().run_ddl(APPLIED) if await _has_migration_table() else []
            )
    except (OSError, TimeoutError) as error:
        return [
            Finding(
                False,
                "Database",
                f"cannot reach {where}: {error or 'timed out'}."
                " Is it running, and is IDEABOARD_DATABASE_URL right?",
            )
        ]
    except Exception as error:  # drivers raise their own kinds (auth, missing database, ...)
        return [Finding(False, "Database", f"cannot use {where}: {error}")]
    found = [Finding(True, "Database", f"{where} answers")]
    pending = sorted(set(known_migrations()) - {row["name"] for row in applied})
    if pending:
        found.append(
            Finding(
                False,
                "Migrations",
                f"{len(pending)} not applied yet (latest {pending[-1]}): run `ideaboard migrate`.",
            )
        )
    else:
        found.append(Finding(True, "Migrations", "the schema is up to date"))
    return found


async def applied_migrations(database_url: str) -> set[str]:
    """The migrations this database has (none for a new one)."""
    async with db.connected(database_url) as engine:
        if not await _has_migration_table():
            return set()
        rows = await engine.run_ddl(APPLIED)
    return {row["name"] for row in rows}


APPLIED = "SELECT name FROM migration WHERE app_name = 'ideaboard'"


async def _has_migration_table() -> bool:
    engine = db.current_engine()
    if db.is_sqlite():
        rows = await engine.run_ddl(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'migration'"
        )
    else:
        rows = await engine.run_ddl("SELECT to_regclass('public.migration') AS name")
        rows = [row for row in rows if row["name"]]
    return bool(rows)


def check_mail(settings: Settings) -> Finding:
    try:
        transport = transport_from_url(
            settings.smtp_url, sender=settings.effective_mail_from, data_dir=settings.data_dir
        )
    except MailSettingsError as error:
        return Finding(False, "Email", str(error))
    if settings.is_production and not isinstance(transport, SmtpTransport):
        return Finding(
            False,
            "Email",
            f"{transport.description}, not a mail server: sign-up confirmations, password"
            " resets and digests reach nobody, so nobody can join. Set IDEABOARD_SMTP_URL.",
            fatal=False,
        )
    return Finding(True, "Email", f"delivered through {transport.description}")


MIN_SECRET_KEY_BITS = 128
MAKE_A_KEY = (
    "use a long random one, e.g. `python3 -c 'import secrets; print(secrets.token_urlsafe(48))'`"
)


def weak_key_reason(key: str) -> str | None:
    """Why a secret key is too easy to guess, or None. Counted from the key itself: its
    length, the entropy of its characters' frequencies, and a repeated pattern."""
    if len(key) < MIN_SECRET_KEY_LENGTH:
        return f"is shorter than {MIN_SECRET_KEY_LENGTH} characters"
    for period in range(1, len(key) // 2 + 1):
        if key == (key[:period] * (len(key) // period + 1))[: len(key)]:
            return f"repeats the same {period} character{'s' if period > 1 else ''}"
    counts = Counter(key)
    bits = -sum(n * math.log2(n / len(key)) for n in counts.values())
    if bits < MIN_SECRET_KEY_BITS:
        return (
            f"is too predictable: about {bits:.0f} bits of entropy, at least"
            f" {MIN_SECRET_KEY_BITS} are needed"
        )
    return None


def check_secret_key(settings: Settings) -> Finding:
    if settings.secret_key:
        weakness = weak_key_reason(settings.secret_key)
        if weakness:
            return Finding(
                False,
                "Secret key",
                f"IDEABOARD_SECRET_KEY {weakness}: {MAKE_A_KEY}",
                fatal=settings.is_production,
            )
        return Finding(True, "Secret key", "set by IDEABOARD_SECRET_KEY")
    if settings.is_production:
        return Finding(
            False,
            "Secret key",
            "IDEABOARD_SECRET_KEY is not set. In production"
            " every app server and the worker must share one long random key.",
        )
    return Finding(
        True,
        "Secret key",
        f"generated and kept in {settings.data_dir / 'secret_key'}: fine for one machine;"
        " several app servers must share one IDEABOARD_SECRET_KEY",
        fatal=False,
    )


def check_deployment(settings: Settings) -> list[Finding]:
    """What production refuses: each is fine on a laptop and a hazard on a server."""
    found = []
    if settings.is_sqlite and settings.workers > 1:
        found.append(
            Finding(
                False,
                "Processes",
                f"{settings.workers} workers on SQLite: one"
                " process serves a SQLite board. Use PostgreSQL to run several.",
                fatal=settings.is_production,
            )
        )
    if not settings.is_production:
        return found
    if not settings.base_url.startswith("https://"):
        found.append(
            Finding(
                False,
                "Base URL",
                "IDEABOARD_BASE_URL must be the board's https://"
                " address in production: cookies are only Secure (and the session"
                " cookie only __Host-) over https.",
            )
        )
    if settings.forwarded_allow_ips.strip() == "*":
        found.append(
            Finding(
                False,
                "Proxy",
                "IDEABOARD_FORWARDED_ALLOW_IPS is *: anyone who reaches the app servers"
                " directly chooses the address the sign-in limits count. Name the proxy's"
                " addresses (or its network, e.g. 10.0.0.0/24).",
                fatal=False,
            )
        )
    if settings.debug:
        found.append(
            Finding(
                False,
                "Debug",
                "IDEABOARD_DEBUG is on: it shows tracebacks to"
                " visitors. Turn it off in production.",
            )
        )
    if not found:
        found.append(Finding(True, "Production", "https base URL, debug off"))
    return found


def check_static_files(settings: Settings) -> Finding:
    """Also tells a reverse proxy's operator where to serve /static/ from."""
    if not (settings.static_dir / "app.css").is_file():
        return Finding(False, "Static files", f"{settings.static_dir} holds no app.css:"
                       " is IDEABOARD_STATIC_DIR right?")  # fmt: skip
    return Finding(True, "Static files", f"{settings.static_dir.resolve()}")


async def check_company_sign_in(settings: Settings) -> list[Finding]:
    """The OpenID provider answers its discovery document, for the configured issuer.
    A provider that is down is a warning: the board starts, and says so to whoever
    tries to sign in with it."""
    oidc = settings.oidc
    if not oidc.enabled:
        return []
    found = []
    if not oidc.issuer.startswith("https://"):
        found.append(Finding(False, "Company sign-in", "IDEABOARD_OIDC_ISSUER is not https://:"
                             " tokens would cross the network readable",
                             fatal=settings.is_production))  # fmt: skip
    try:
        async with httpx2.AsyncClient(timeout=CONNECT_TIMEOUT / 2) as client:
            metadata = (await client.get(oidc.metadata_url)).raise_for_status().json()
    except (httpx2.HTTPError, ValueError) as error:
        found.append(Finding(False, "Company sign-in", f"{oidc.metadata_url} did not answer"
                             f" ({error.__class__.__name__}): nobody can sign in with it"
                             " until it does", fatal=False))  # fmt: skip
        return found
    if str(metadata.get("issuer", "")).rstrip("/") != oidc.issuer.rstrip("/"):
        found.append(Finding(False, "Company sign-in", f"the provider calls itself"
                             f" {metadata.get('issuer')!r}, not {oidc.issuer!r}: set"
                             " IDEABOARD_OIDC_ISSUER to its name", fatal=False))  # fmt: skip
        return found
    callback = settings.effective_base_url + "/auth/oidc/callback"
    found.append(Finding(True, "Company sign-in", f"{oidc.issuer} answers; its redirect URI"
                         f" for this board is {callback}"))  # fmt: skip
    return found


async def check_store(settings: Settings) -> Finding:
    """Pictures and files: a small file written, read back and deleted."""
    try:
        store = open_store(settings.storage_url, settings.data_dir)
        await verify_store(store)
    except (StoreError, OSError, ValueError) as error:
        return Finding(False, "File store", f"cannot keep pictures and files: {error}")
    return Finding(True, "File store", f"pictures and files are kept in {store.description}")


async def run_checks(settings: Settings) -> list[Finding]:
    findings = [
        check_data_dir(settings),
        check_file_modes(settings),
        check_secret_key(settings),
        check_mail(settings),
        check_static_files(settings),
    ]
    findings += check_deployment(settings)
    findings += await check_database(settings)
    findings.append(await check_store(settings))
    findings += await check_company_sign_in(settings)
    return findings


def report(findings: list[Finding]) -> str:
    return "\n".join(f"{'ok  ' if f.ok else 'FAIL'}  {f.what}: {f.detail}" for f in findings)


def problems(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if not f.ok and f.fatal]


def refuse_unsafe(settings: Settings, command: str) -> bool:
    """The checks every command that serves, sends mail or signs links runs first (a
    worker with its own secret key would sign unsubscribe links the app servers refuse;
    without a base URL its emails would link to 127.0.0.1). Prints what is wrong and
    returns True when the command must not run; prints the warnings otherwise."""
    findings = asyncio.run(run_checks(settings))
    if problems(findings):
        print(f"ideaboard {command} cannot start:", file=sys.stderr)
        print(report(problems(findings)), file=sys.stderr)
        return True
    for warning in [f for f in findings if not f.ok]:
        print(f"warning: {warning.what}: {warning.detail}", file=sys.stderr)
    return False
