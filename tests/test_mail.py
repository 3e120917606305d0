"""The outbox and its transports: every email delivered once, none lost, failures retried."""

from __future__ import annotations

import asyncio
import itertools
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from ideaboard.db import write_transaction
from ideaboard.mail.message import Email
from ideaboard.mail.outbox import (
    Queued,
    backoff,
    count_outbox,
    deliver_due,
    queue_emails,
)
from ideaboard.mail.transports import (
    ConsoleTransport,
    FileTransport,
    MailSettingsError,
    SmtpTransport,
    transport_from_url,
)
from ideaboard.services.clock import now
from ideaboard.tables import OutboxEmail
from smtp_sink import Sink, free_port, parts, running_sink

SENDER = "ideaboard <noreply@example.com>"


def smtp_to(port: int) -> SmtpTransport:
    return SmtpTransport(hostname="127.0.0.1", port=port, sender=SENDER, start_tls=False, timeout=5)


async def queue(count: int, *, prefix: str = "test") -> int:
    items = [
        Queued(
            Email(
                to=f"person{n}@example.com",
                subject=f"Hello {n} — ünïcode",
                text=f"Plain text {n}",
                html=f"<p>HTML <strong>{n}</strong></p>",
                headers={"List-Unsubscribe": f"<https://board.example/unsubscribe/{n}>"},
            ),
            dedupe_key=f"{prefix}:{n}",
            kind="test",
        )
        for n in range(count)
    ]
    async with write_transaction():
        return await queue_emails(items, domain="board.example")


async def test_outbox_delivers_multipart_email_once_over_smtp(http: object, sink: Sink) -> None:
    assert await queue(3) == 3
    report = await deliver_due(smtp_to(sink.port), max_attempts=5)
    assert (report.sent, report.failed) == (3, 0)
    again = await deliver_due(smtp_to(sink.port), max_attempts=5)
    assert again.sent == 0
    assert sink.recipients() == {f"person{n}@example.com": 1 for n in range(3)}
    message = sink.to("person1@example.com")[0]
    assert message["Subject"] == "Hello 1 — ünïcode"
    assert message["From"] == SENDER
    assert message["Message-ID"].endswith("@board.example>")
    assert message["Date"]
    assert message["List-Unsubscribe"] == "<https://board.example/unsubscribe/1>"
    assert message.get_content_type() == "multipart/alternative"
    text, html = parts(message)
    assert text.strip() == "Plain text 1"
    assert "<strong>1</strong>" in html
    rows = await OutboxEmail.select().where(OutboxEmail.sent_at.is_null())
    assert rows == []


async def test_outbox_dedupe_key_queues_an_email_once(http: object) -> None:
    assert await queue(2) == 2
    assert await queue(3) == 1  # keys 0 and 1 are already there
    assert await OutboxEmail.count() == 3


async def test_outbox_keeps_emails_while_smtp_is_down_and_delivers_when_it_is_back(
    http: object,
) -> None:
    port = free_port()  # nothing listens here yet
    await queue(4)
    report = await deliver_due(smtp_to(port), max_attempts=5)
    assert (report.sent, report.failed, report.gave_up) == (0, 4, 0)
    rows = await OutboxEmail.select().order_by(OutboxEmail.id)
    assert all(row["attempts"] == 1 and row["sent_at"] is None for row in rows)
    assert all(row["next_attempt_at"] > now() + timedelta(seconds=10) for row in rows)
    assert all("Error" in row["last_error"] for row in rows)
    with running_sink(port) as sink:
        # Not due yet: the backoff holds them back.
        assert (await deliver_due(smtp_to(port), max_attempts=5)).sent == 0
        # ... time passes ...
        await OutboxEmail.update(
            {OutboxEmail.next_attempt_at: now() - timedelta(seconds=1)}, force=True
        )
        report = await deliver_due(smtp_to(port), max_attempts=5)
        assert report.sent == 4
    assert sink.recipients() == {f"person{n}@example.com": 1 for n in range(4)}
    assert (await count_outbox()).waiting == 0


async def test_outbox_gives_up_after_the_last_attempt_and_admin_can_retry(
    client: object, board: object, sink: Sink
) -> None:
    from conftest import Client, Personas

    assert isinstance(client, Client) and isinstance(board, Personas)
    sink.before_accept = lambda n: "550 Mailbox unavailable"
    await queue(1)
    for _ in range(2):
        await OutboxEmail.update(
            {OutboxEmail.next_attempt_at: now() - timedelta(seconds=1)}, force=True
        )
        await deliver_due(smtp_to(sink.port), max_attempts=2)
    row = await OutboxEmail.select().first()
    assert row["failed_at"] is not None and row["attempts"] == 2
    assert "550" in row["last_error"]

    await client.login(board.ada.email)
    page = await client.get("/admin/outbox?show=failed")
    assert page.status_code == 200
    assert "Failed" in page.text and "person0@example.com" in page.text
    assert "Mailbox unavailable" in page.text
    retried = await client.post(f"/admin/outbox/{row['id']}/retry")
    assert retried.status_code == 303
    sink.before_accept = None
    assert (await deliver_due(smtp_to(sink.port), max_attempts=2)).sent == 1
    assert sink.recipients() == {"person0@example.com": 1}
    assert (await client.post("/admin/outbox/99999/retry")).status_code == 404


async def test_outbox_page_is_for_admins_only(client: object, board: object) -> None:
    from conftest import Client, Personas

    assert isinstance(client, Client) and isinstance(board, Personas)
    await client.login(board.mo.email)
    assert (await client.get("/admin/outbox")).status_code == 403
    assert (await client.post("/admin/outbox/1/retry")).status_code == 403


async def test_two_senders_at_once_deliver_each_email_exactly_once(
    http: object, sink: Sink
) -> None:
    await queue(60)
    reports = await asyncio.gather(
        *(deliver_due(smtp_to(sink.port), max_attempts=5, batch=7) for _ in range(3))
    )
    assert sum(report.sent for report in reports) == 60
    assert sink.recipients() == {f"person{n}@example.com": 1 for n in range(60)}


async def test_sender_hands_back_what_it_could_not_send_before_its_lease_ran_out(
    http: object, sink: Sink
) -> None:
    await queue(3)
    # A lease so short that it is over before the second email: the sender stops and
    # hands the rest back rather than risk sending what another process now holds.
    report = await deliver_due(
        smtp_to(sink.port), max_attempts=5, lease=timedelta(microseconds=1), batch=3
    )
    assert report.sent >= 1
    rest = await deliver_due(smtp_to(sink.port), max_attempts=5)
    assert report.sent + rest.sent == 3
    assert sink.recipients() == {f"person{n}@example.com": 1 for n in range(3)}
    rows = await OutboxEmail.select(OutboxEmail.attempts)
    assert all(row["attempts"] == 1 for row in rows)  # handing back is not an attempt


async def test_file_transport_writes_one_eml_per_email(http: object, tmp_path: Path) -> None:
    await queue(2)
    transport = FileTransport(tmp_path / "mail", SENDER)
    assert (await deliver_due(transport, max_attempts=5)).sent == 2
    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert [f.name for f in files] == ["00000001.eml", "00000002.eml"]
    message = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert message["Subject"] == "Hello 0 — ünïcode"  # encoded on disk, read back whole
    assert files[0].read_bytes().isascii()
    assert not list((tmp_path / "mail").glob("*.partial"))


async def test_console_transport_prints_the_email(
    http: object, capsys: pytest.CaptureFixture[str]
) -> None:
    await queue(1)
    assert (await deliver_due(ConsoleTransport(SENDER), max_attempts=5)).sent == 1
    assert "To: person0@example.com" in capsys.readouterr().out


def test_transport_from_url_understands_every_form(tmp_path: Path) -> None:
    default = transport_from_url("", sender=SENDER, data_dir=tmp_path)
    assert isinstance(default, FileTransport) and default.directory == tmp_path / "mail"
    relative = transport_from_url("file://var/mail", sender=SENDER, data_dir=tmp_path)
    assert isinstance(relative, FileTransport) and relative.directory == Path("var/mail")
    absolute = transport_from_url("file:///srv/mail", sender=SENDER, data_dir=tmp_path)
    assert isinstance(absolute, FileTransport) and absolute.directory == Path("/srv/mail")
    assert isinstance(transport_from_url("console", sender=SENDER, data_dir=tmp_path),
                      ConsoleTransport)  # fmt: skip
    smtp = transport_from_url(
        "smtp://us%40er:p%3Ass@mail.example:587?starttls=require&timeout=10",
        sender=SENDER,
        data_dir=tmp_path,
    )
    assert smtp == SmtpTransport(
        hostname="mail.example", port=587, sender=SENDER, username="us@er", password="p:ss",
        use_tls=False, start_tls=True, timeout=10.0,
    )  # fmt: skip
    smtps = transport_from_url("smtps://mail.example", sender=SENDER, data_dir=tmp_path)
    assert isinstance(smtps, SmtpTransport)
    assert (smtps.port, smtps.use_tls, smtps.start_tls) == (465, True, False)
    plain = transport_from_url("smtp://relay?verify=false", sender=SENDER, data_dir=tmp_path)
    assert isinstance(plain, SmtpTransport)
    assert (plain.port, plain.start_tls, plain.validate_certs) == (25, None, False)


@pytest.mark.parametrize(
    "url",
    ["http://mail.example", "smtp://", "smtp://host?starttls=maybe", "smtp://host:99999",
     "smtp://host?timeout=soon", "file://", "mailto:someone@example.com"],
)  # fmt: skip
def test_transport_from_url_refuses_what_it_cannot_use(url: str, tmp_path: Path) -> None:
    with pytest.raises(MailSettingsError):
        transport_from_url(url, sender=SENDER, data_dir=tmp_path)


def test_backoff_grows_is_capped_and_jittered() -> None:
    middle = [backoff(n, jitter=lambda: 0.5) for n in range(1, 12)]
    assert middle[0] == timedelta(seconds=30)
    assert middle[1] == timedelta(seconds=60)
    assert all(later >= earlier for earlier, later in itertools.pairwise(middle))
    assert middle[-1] == timedelta(hours=6)
    assert backoff(1, jitter=lambda: 0.0) == timedelta(seconds=15)
    assert backoff(1, jitter=lambda: 0.999) < timedelta(seconds=45)


@pytest.mark.parametrize(
    "subject",
    [
        "Ada Admin moved “Covered bike racks” to Planned.",
        "Ünïcödé " * 20,
        "Plain ASCII subject that is long enough to be folded by the generator " * 2,
    ],
)
def test_headers_survive_encoding_and_folding(subject: str) -> None:
    import email
    import email.policy

    from ideaboard.mail.message import StoredEmail

    stored = StoredEmail(
        id=1, to="Zoë Ünal <zoe@example.com>", subject=subject.strip(), text="héllo",
        html="<p>héllo</p>", headers={"List-Unsubscribe": "<https://x.example/u/1/abc>"},
        message_id="<1@x.example>", attempts=0,
    )  # fmt: skip
    raw = stored.to_message("Nörthwind Board <board@example.com>").as_bytes()
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Subject"] == subject.strip()
    assert parsed["To"] == "Zoë Ünal <zoe@example.com>"
    assert parsed["From"].addresses[0].display_name == "Nörthwind Board"
    assert parsed.get_body(("plain",)).get_content().strip() == "héllo"  # type: ignore[union-attr]
    assert all(len(line) <= 998 for line in raw.splitlines())
