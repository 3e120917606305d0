"""Danish and English: the catalogs, who reads which language, and the emails in their
reader's language whoever caused them."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from conftest import Client, Personas, make_idea, page_text
from ideaboard import i18n
from ideaboard.mail.mailer import Mailer
from ideaboard.services import comments, digest, notification_emails, status_updates, votes
from ideaboard.services.clock import now
from ideaboard.services.organisation import get_organisation
from ideaboard.tables import Idea, Organisation, User
from ideaboard.templating import exact_time, relative_time
from ideaboard.weeks import latest_digest_week
from ideaboard.wording import plural
from smtp_sink import Sink, parts

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def danish_catalog() -> list:  # type: ignore[type-arg]
    path = i18n.LOCALE_DIR / "da" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as po:
        return [m for m in read_po(po, locale="da") if m.id]


def test_every_danish_entry_is_translated_with_the_same_placeholders() -> None:
    messages = danish_catalog()
    assert len(messages) > 500
    problems = []
    for m in messages:
        sources = m.id if isinstance(m.id, tuple) else (m.id,)
        targets = m.string if isinstance(m.string, tuple) else (m.string,)
        if m.fuzzy or not all(targets):
            problems.append(f"untranslated or fuzzy: {m.id!r}")
            continue
        wanted = set(PLACEHOLDER.findall(sources[-1]))
        for target in targets:
            if set(PLACEHOLDER.findall(target)) != wanted:
                problems.append(f"placeholders differ: {m.id!r} → {target!r}")
            # Markup the source holds (a link, bold) stays markup in the translation.
            if re.findall(r"</?\w+", sources[-1]) != re.findall(r"</?\w+", target):
                problems.append(f"markup differs: {m.id!r} → {target!r}")
    assert not problems, "\n".join(problems)


def test_the_catalog_holds_every_string_of_the_code() -> None:
    """`make messages` was run after the last new string: the template holds what the
    code and the templates ask for, and the Danish catalog holds the template."""
    with (i18n.LOCALE_DIR / "messages.pot").open("rb") as pot:
        template = {(m.context, m.id) for m in read_po(pot) if m.id}
    danish = {(m.context, m.id) for m in danish_catalog()}
    assert template == danish
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    # The Makefile's keywords; the files and their options are babel.cfg's own.
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2),
                "npgettext": ((1, "c"), 2, 3), "lazy_gettext": None,
                "lazy_pgettext": ((1, "c"), 2)}  # fmt: skip
    with (i18n.LOCALE_DIR / "babel.cfg").open() as config:
        method_map, options = parse_mapping_cfg(config)
    root = i18n.LOCALE_DIR.parent.parent.parent

    def searched(path: str) -> bool:  # as `--ignore-dirs ".* __pycache__"`: _partials too
        name = Path(path).name
        return not name.startswith(".") and name != "__pycache__"

    found = {
        (context, message)
        for _, _, message, _, context in extract_from_dir(
            root, method_map, options, keywords=keywords, directory_filter=searched
        )
    }
    missing = {m for m in found if m not in template}
    assert not missing, f"run `make messages` and translate: {sorted(missing, key=str)[:10]}"


def test_accept_language_picks_the_first_language_the_board_speaks() -> None:
    assert i18n.from_accept_language("da-DK,da;q=0.9,en-US;q=0.8,en;q=0.7") == "da"
    assert i18n.from_accept_language("de-DE,en;q=0.5,da;q=0.7") == "da"
    assert i18n.from_accept_language("fr, de") is None
    assert i18n.from_accept_language("da;q=0, en") == "en"
    assert i18n.from_accept_language("da;q=high, en") == "en"  # a broken weight is skipped
    assert i18n.from_accept_language("") is None


def test_dates_and_numbers_in_the_readers_language() -> None:
    moment = now() - timedelta(days=3, hours=1)
    with i18n.in_language("da", "Europe/Copenhagen"):
        assert relative_time(moment) == "for 3 dage siden"
        assert plural(1234, "vote") == "1.234 stemmer"
        assert plural(1, "vote") == "1 stemme"
        assert exact_time(moment.replace(month=12, day=2, hour=14, minute=5)).startswith(
            f"2. dec. {moment.year}"
        )
    with i18n.in_language("en"):
        assert relative_time(moment) == "3 days ago"
        assert plural(1234, "vote") == "1,234 votes"
    with i18n.in_language("klingon"):  # unknown: the default
        assert i18n.current_language() == "en"


async def test_a_person_chooses_their_language_at_their_account(
    client: Client, board: Personas
) -> None:
    await client.login(board.mia.email)
    page = await client.get("/account")
    assert '<html lang="en">' in page.text and 'name="language"' in page.text
    form = {"name": "Mia Member", "department_id": str(board.customer_service),
            "language": "da", "digest_enabled": "on"}  # fmt: skip
    saved = await client.post("/account", form)
    assert saved.status_code == 303
    # The flash message of the save is in the new language already.
    assert "Din konto er gemt." in page_text((await client.get(saved.headers["location"])).text)
    board_page = await client.get("/")
    assert '<html lang="da">' in board_page.text
    assert "Idéer" in page_text(board_page.text) and "Ny idé" in page_text(board_page.text)

    refused = await client.post("/account", {**form, "language": "xx"})
    assert refused.status_code == 422
    assert "Vælg et af sprogene på listen." in page_text(refused.text)
    assert 'value="Mia Member"' in refused.text  # the rest of the form is kept
    assert (await User.select(User.language).where(User.id == board.mia.id).first()) == {
        "language": "da"
    }


async def test_signed_out_pages_follow_the_browser_then_the_board(
    client: Client, board: Personas
) -> None:
    danish_browser = {"Accept-Language": "da-DK,da;q=0.9,en;q=0.8"}
    login = await client.get("/login", headers=danish_browser)
    assert '<html lang="da">' in login.text and "Log ind" in page_text(login.text)
    assert '<html lang="en">' in (await client.get("/login")).text
    await Organisation.update({Organisation.language: "da"}).where(Organisation.id > 0)
    plain = await client.get("/login")
    assert '<html lang="da">' in plain.text
    english = await client.get("/login", headers={"Accept-Language": "en-GB"})
    assert '<html lang="en">' in english.text
    # An address no route takes answers in the browser's language too.
    missing = await client.get("/no-such-page", headers=danish_browser)
    assert missing.status_code == 404
    assert "Der er ingen side på denne adresse." in page_text(missing.text)


async def test_the_admin_sets_the_boards_language(client: Client, board: Personas) -> None:
    await client.login(board.ada.email)
    settings = await client.get("/admin")
    assert 'name="language"' in settings.text
    organisation = await get_organisation()
    form = {"name": organisation.name, "allowed_email_domains": "", "vote_budget": "",
            "digest_weekday": "0", "digest_hour": "8", "time_zone": "Europe/Copenhagen",
            "language": "da"}  # fmt: skip
    assert (await client.post("/admin", form)).status_code == 303
    assert (await get_organisation()).language == "da"
    # Ada chose no language of her own: she now reads the board's.
    assert '<html lang="da">' in (await client.get("/")).text
    bad = await client.post("/admin", {**form, "language": "tlh"})
    assert bad.status_code == 422


async def test_user_content_is_never_translated(client: Client, board: Personas) -> None:
    await User.update({User.language: "da"}).where(User.id == board.mia.id)
    idea = await make_idea(board.otto, board.operations, title="New", body="Done")
    await client.login(board.mia.email)
    page = await client.get(f"/ideas/{idea}")
    assert '<h1 id="idea-title">New</h1>' in page.text  # "Ny" is the status, not the title
    assert "<p>Done</p>" in page.text


async def test_emails_are_in_their_readers_language_whoever_caused_them(
    http: object, board: Personas, mailer: Mailer, sink: Sink
) -> None:
    await User.update({User.language: "da"}).where(User.id == board.mia.id)
    idea = await make_idea(board.mia, board.operations, "Shared calendar for the docks")
    await votes.set_vote(board.otto.actor, idea, voted=True)  # Otto follows it too
    # Mo, who reads English, posts the update; Mia reads Danish, Otto English.
    await status_updates.update_status(
        board.mo.actor, idea,
        status_updates.StatusUpdateInput(status="planned", message="Booked for **March**."),
    )  # fmt: skip
    later = now() + timedelta(minutes=10)
    await notification_emails.email_notifications(mailer, moment=later)
    await mailer.deliver()
    mia = sink.to(board.mia.email)[0]
    assert mia["Subject"] == "Mo Moderator satte “Shared calendar for the docks” til Planlagt."
    text, html = parts(mia)
    assert text.startswith("Hej Mia Member,")
    assert "Ny → Planlagt, Mo Moderator skrev:" in text
    assert "Booked for March." in text  # what Mo wrote stays as he wrote it
    assert '<html lang="da">' in html and "Åbn idéen" in html
    otto = sink.to(board.otto.email)[0]
    assert otto["Subject"] == "Mo Moderator moved “Shared calendar for the docks” to Planned."
    assert parts(otto)[0].startswith("Hello Otto Operator,")


async def test_the_digest_in_danish_from_a_real_smtp_server(
    http: object, board: Personas, mailer: Mailer, sink: Sink
) -> None:
    await Organisation.update({Organisation.language: "da"}).where(Organisation.id > 0)
    await User.update({User.language: "en"}).where(User.id == board.otto.id)
    calendar = await make_idea(board.mia, board.operations, "Shared calendar for the docks")
    for voter in (board.ada, board.mo, board.otto):
        await votes.set_vote(voter.actor, calendar, voted=True)
    await comments.add_comment(board.ada.actor, calendar, comments.CommentInput("Ja tak!"))
    organisation = await get_organisation()
    week = latest_digest_week(now() + timedelta(days=7), organisation.digest)
    run = await digest.queue_digests(week, mailer)
    assert run.queued == 4
    await mailer.deliver()
    mia = sink.to(board.mia.email)[0]
    assert mia["Subject"] == "Denne uge hos Acme: Shared calendar for the docks"
    text, html = parts(mia)
    assert "UGENS MEST POPULÆRE IDÉER" in text
    assert "+3 stemmer denne uge, 3 stemmer i alt · til Operations · Ny" in text
    assert "Du får denne e-mail én gang om ugen" in text
    assert '<html lang="da">' in html and "Hej Mia Member, her er din uge" in html
    # Otto chose English: his digest is in English on the same Danish board.
    otto_text, _ = parts(sink.to(board.otto.email)[0])
    assert "TOP IDEAS THIS WEEK" in otto_text


@pytest.mark.parametrize("language", ["en", "da"])
async def test_the_vote_button_counts_in_the_readers_language(
    client: Client, board: Personas, language: str
) -> None:
    await User.update({User.language: language}).where(User.id == board.mia.id)
    idea = await make_idea(board.otto, board.operations)
    await Idea.update({Idea.vote_count: 1233}).where(Idea.id == idea)
    await client.login(board.mia.email)
    response = await client.post(f"/ideas/{idea}/vote", {"voted": "1"}, htmx=True)
    expected = {"en": ("Voted", "1,234"), "da": ("Stemt", "1.234")}[language]
    assert expected[0] in response.text and expected[1] in response.text
