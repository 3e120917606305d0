"""One email as the outbox stores it, and the RFC 5322 message built from it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
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

    def to_message(self, sender: str) -> EmailMessage:
        """A multipart/alternative message: plain text first, HTML preferred."""
        message = EmailMessage()
        message["From"] = sender
        message["To"] = self.to
        message["Subject"] = self.subject
        message["Date"] = format_datetime(now())
        message["Message-ID"] = self.message_id
        for name, value in self.headers.items():
            message[name] = value
        message.set_content(self.text)
        if self.html:
            message.add_alternative(self.html, subtype="html")
        return message
