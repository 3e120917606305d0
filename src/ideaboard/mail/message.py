"""One email as the outbox stores it, and the RFC 5322 message built from it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from typing import Any

from ideaboard.services.clock import now


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str
    # Extra headers, such as List-Unsubscribe for bulk mail.
    headers: dict[str, str] = field(default_factory=dict)


def new_message_id(domain: str) -> str:
    """Chosen when the email is queued, so every retry carries the same Message-ID and a
    receiving server can recognise a repeat."""
    return make_msgid(domain=domain or "localhost")


@dataclass(frozen=True)
class StoredEmail:
    """An outbox row on its way to a transport."""

    id: int
    to: str
    subject: str
    text: str
    html: str
    headers: dict[str, str]
    message_id: str
    attempts: int

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> StoredEmail:
        return cls(
            id=row["id"],
            to=row["to_address"],
            subject=row["subject"],
            text=row["text_body"],
            html=row["html_body"],
            headers=json.loads(row["headers"] or "{}"),
            message_id=row["message_id"],
            attempts=row["attempts"],
        )

    def to_message(self, sender: str) -> Message:
        """A multipart/alternative message: plain text first, HTML preferred.

        Built with the `email.mime` classes (the compat32 policy): for a digest they cost a
        third of `EmailMessage`, whose header objects parse every value again, and the
        weekly digest builds one message per person.
        """
        message = (
            MIMEMultipart("alternative") if self.html else MIMEText(self.text, "plain", "utf-8")
        )
        message["From"] = _address(sender)
        message["To"] = _address(self.to)
        message["Subject"] = _header(self.subject, "Subject")
        message["Date"] = format_datetime(now())
        message["Message-ID"] = self.message_id
        for name, value in self.headers.items():
            message[name] = _header(value, name)
        if self.html:
            message.attach(MIMEText(self.text, "plain", "utf-8"))
            message.attach(MIMEText(self.html, "html", "utf-8"))
        return message


def _header(value: str, name: str) -> str:
    """Non-ASCII header text as RFC 2047 encoded words, folded to fit after its name;
    ASCII as it is."""
    return value if value.isascii() else Header(value, "utf-8", header_name=name).encode()


def _address(value: str) -> str:
    """`Name <address>` with a non-ASCII name encoded (RFC 2047)."""
    name, address = parseaddr(value)
    return formataddr((name, address), charset="utf-8") if address else value
