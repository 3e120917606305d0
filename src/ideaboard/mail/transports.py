"""Where email goes, chosen by IDEABOARD_SMTP_URL: an SMTP server, .eml files, or stdout.

A transport opens a session (one SMTP connection, say) and sends many emails through
it; the outbox decides what to send and records what was sent.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from ideaboard.files import private_directory, write_private
from ideaboard.i18n import gettext
from ideaboard.mail.message import StoredEmail


class MailSettingsError(ValueError):
    """IDEABOARD_SMTP_URL cannot be understood."""


class Sender(Protocol):
    async def send(self, email: StoredEmail) -> None: ...


class Transport(Protocol):
    @property
    def description(self) -> str: ...

    def session(self) -> AbstractAsyncContextManager[Sender]: ...

    async def forget(self, deleted: list[int], reworded: list[StoredEmail]) -> None:
        """After an erasure: drop the copies this transport keeps of `deleted` emails,
        and keep `reworded` ones as they now read. Sent emails have left otherwise."""
        ...


@dataclass(frozen=True)
class FileTransport:
    """Writes each email to `<directory>/<outbox id>.eml`: a fresh install loses
    nothing and needs no mail server. Sending an email again overwrites its file, so
    this transport can never deliver one twice."""

    directory: Path
    sender: str

    @property
    def description(self) -> str:
        return gettext("files in %(directory)s", directory=str(self.directory))

    @asynccontextmanager
    async def session(self) -> AsyncIterator[Sender]:
        await asyncio.to_thread(private_directory, self.directory)
        yield self

    async def send(self, email: StoredEmail) -> None:
        # The files hold live links (sign-up, password reset): readable by this user only.
        data = email.to_message(self.sender).as_bytes()
        await asyncio.to_thread(write_private, self.directory / f"{email.id:08d}.eml", data)

    async def forget(self, deleted: list[int], reworded: list[StoredEmail]) -> None:
        def rewrite() -> None:
            for email_id in deleted:
                (self.directory / f"{email_id:08d}.eml").unlink(missing_ok=True)
            for email in reworded:
                path = self.directory / f"{email.id:08d}.eml"
                if path.exists():
                    write_private(path, email.to_message(self.sender).as_bytes())

        await asyncio.to_thread(rewrite)


@dataclass(frozen=True)
class ConsoleTransport:
    """Prints each email to standard output, for development."""

    sender: str

    @property
    def description(self) -> str:
        return gettext("the console")

    @asynccontextmanager
    async def session(self) -> AsyncIterator[Sender]:
        yield self

    async def send(self, email: StoredEmail) -> None:
        text = email.to_message(self.sender).as_string()
        print(f"{'-' * 30} email {email.id} {'-' * 30}\n{text}", file=sys.stdout, flush=True)

    async def forget(self, deleted: list[int], reworded: list[StoredEmail]) -> None:
        return  # printed, nothing kept


@dataclass(frozen=True)
class SmtpTransport:
    """An SMTP server through aiosmtplib, one connection per delivery round."""

    hostname: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    use_tls: bool = False  # TLS from the first byte (smtps://, port 465)
    start_tls: bool | None = None  # None: upgrade when the server offers it
    validate_certs: bool = True
    timeout: float = 30.0

    @property
    def description(self) -> str:
        address = f"{self.hostname}:{self.port}"
        return gettext("SMTP server %(host)s", host=address)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[Sender]:
        connection = _SmtpConnection(self)
        try:
            yield connection
        finally:
            await connection.close()

    async def forget(self, deleted: list[int], reworded: list[StoredEmail]) -> None:
        return  # delivered to mailboxes that are not ours


class _SmtpConnection:
    """Connects on the first email and again after a failure broke the connection."""

    def __init__(self, transport: SmtpTransport) -> None:
        self.transport = transport
        self.client: aiosmtplib.SMTP | None = None

    async def send(self, email: StoredEmail) -> None:
        if self.client is None or not self.client.is_connected:
            await self.close()
            t = self.transport
            self.client = aiosmtplib.SMTP(
                hostname=t.hostname,
                port=t.port,
                username=t.username,
                password=t.password,
                use_tls=t.use_tls,
                start_tls=t.start_tls,
                validate_certs=t.validate_certs,
                timeout=t.timeout,
            )
            await self.client.connect()
        try:
            await self.client.send_message(email.to_message(self.transport.sender))
        except aiosmtplib.SMTPResponseException as error:
            if error.code >= 500 or error.code == 421:  # the server gives up on us
                await self.close()
            raise

    async def close(self) -> None:
        client, self.client = self.client, None
        if client is not None and client.is_connected:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError):
                client.close()


def transport_from_url(url: str, *, sender: str, data_dir: Path) -> Transport:
    """`smtp://user:pass@host:587?starttls=require`, `smtps://host`, `file://var/mail`
    (relative to the working directory; `file:///abs/path` for an absolute one), or
    `console`. Empty: .eml files under the data directory."""
    if not url:
        return FileTransport(data_dir / "mail", sender)
    if url == "console":
        return ConsoleTransport(sender)
    parts = urlsplit(url)
    if parts.scheme == "file":
        path = unquote(parts.netloc + parts.path)
        if not path:
            raise MailSettingsError("IDEABOARD_SMTP_URL file:// needs a directory")
        return FileTransport(Path(path), sender)
    if parts.scheme not in {"smtp", "smtps"}:
        raise MailSettingsError(
            f"IDEABOARD_SMTP_URL must start with smtp://, smtps:// or file://, or be console;"
            f" not {parts.scheme or url!r}"
        )
    if not parts.hostname:
        raise MailSettingsError("IDEABOARD_SMTP_URL needs a host name")
    options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    starttls = options.get("starttls", "auto")
    if starttls not in {"auto", "require", "off"}:
        raise MailSettingsError("IDEABOARD_SMTP_URL starttls= must be auto, require or off")
    implicit = parts.scheme == "smtps"
    try:
        port = parts.port or (465 if implicit else 25)
        timeout = float(options.get("timeout", "30"))
    except ValueError as error:
        raise MailSettingsError(f"IDEABOARD_SMTP_URL: {error}") from None
    return SmtpTransport(
        hostname=parts.hostname,
        port=port,
        sender=sender,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        use_tls=implicit,
        start_tls=False if implicit else {"auto": None, "require": True, "off": False}[starttls],
        validate_certs=options.get("verify", "true").lower() not in {"false", "0", "no"},
        timeout=timeout,
    )
