"""Everything sending email needs, made once from the settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from ideaboard.mail.outbox import DeliveryReport, deliver_due, sent_emails
from ideaboard.mail.render import EmailTemplates
from ideaboard.mail.transports import Transport, transport_from_url
from ideaboard.settings import Settings, resolve_secret_key


@dataclass(frozen=True)
class Mailer:
    transport: Transport
    templates: EmailTemplates
    secret: str  # signs unsubscribe links
    domain: str  # of Message-IDs
    max_attempts: int
    lease: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> Mailer:
        return cls(
            transport=transport_from_url(
                settings.smtp_url, sender=settings.effective_mail_from, data_dir=settings.data_dir
            ),
            templates=EmailTemplates(settings.templates_dir, settings.effective_base_url),
            secret=resolve_secret_key(settings),
            domain=settings.mail_domain,
            max_attempts=settings.mail_max_attempts,
            lease=timedelta(seconds=settings.mail_lease_seconds),
        )

    async def deliver(self, on_sent: Callable[[int], None] | None = None) -> DeliveryReport:
        """Send what is due now."""
        return await deliver_due(
            self.transport, max_attempts=self.max_attempts, lease=self.lease, on_sent=on_sent
        )

    async def forget(self, deleted: list[int], reworded: list[int]) -> None:
        """After an erasure (services.erasure.Erased): the transport's copies of the
        emails to the person go, and those quoting them are kept as reworded."""
        await self.transport.forget(deleted, await sent_emails(reworded))
