"""The organisation: first-run setup and the board-wide settings."""

from __future__ import annotations

from contextvars import ContextVar, Token
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from ideaboard.db import write_transaction
from ideaboard.domain import Actor, can_administer, needs_approval
from ideaboard.i18n import LANGUAGES, gettext, number
from ideaboard.services.audit import add_audit
from ideaboard.services.errors import NotFound, ValidationFailed, require
from ideaboard.services.forms import Form
from ideaboard.services.validation import check_text
from ideaboard.tables import Organisation
from ideaboard.weeks import DigestSchedule

NAME_MAX = 120


VOTE_BUDGET_MAX = 1000
RETENTION_MAX_DAYS = 3650


@dataclass(frozen=True)
class OrganisationRow:
    id: int
    name: str
    allowed_email_domains: tuple[str, ...]
    vote_budget: int = 0  # votes per person on open ideas; 0 means no limit
    digest: DigestSchedule = field(default_factory=DigestSchedule)
    pre_moderation: bool = False  # members' new ideas and comments wait for approval
    language: str = "en"  # for people who chose none (i18n.LANGUAGES)
    created_at: datetime | None = None
    erase_deactivated_after_days: int = 0  # the retention period (services.erasure); 0: never


def parse_domains(raw: str) -> tuple[str, ...]:
    parts = (part.strip().lower().lstrip("@") for part in raw.replace("\n", ",").split(","))
    return tuple(dict.fromkeys(part for part in parts if part))


def organisation_row(record: dict[str, Any]) -> OrganisationRow:
    return OrganisationRow(
        id=record["id"],
        name=record["name"],
        allowed_email_domains=parse_domains(record["allowed_email_domains"]),
        vote_budget=record["vote_budget"],
        digest=DigestSchedule(
            weekday=record["digest_weekday"],
            hour=record["digest_hour"],
            time_zone=record["time_zone"],
        ),
        pre_moderation=bool(record["pre_moderation"]),
        language=record["language"],
        created_at=record["created_at"],
        erase_deactivated_after_days=record["erase_deactivated_after_days"],
    )


async def find_organisation() -> OrganisationRow | None:
    record = await Organisation.select().order_by(Organisation.id).first()
    return organisation_row(record) if record else None


# The organisation as this request found it (`sessions.find_visit`, with the session):
# what the request does reads it from here, not from the database again.
_this_request: ContextVar[OrganisationRow | None] = ContextVar("ideaboard_organisation")


def set_for_request(organisation: OrganisationRow | None) -> Token[OrganisationRow | None]:
    return _this_request.set(organisation)


def end_of_request(token: Token[OrganisationRow | None]) -> None:
    _this_request.reset(token)


async def current_organisation() -> OrganisationRow | None:
    """The organisation: as the request read it at its start, or (outside a request,
    or once it changed) from the database."""
    organisation = _this_request.get(None)
    return organisation if organisation is not None else await find_organisation()


async def writing_waits(actor: Actor) -> bool:
    """Does what this person writes now (an idea, a comment, an edit of approved content)
    wait for a moderator? Only under pre-moderation, and never for moderators."""
    organisation = await current_organisation()
    return needs_approval(actor, pre_moderation=bool(organisation and organisation.pre_moderation))


async def get_organisation() -> OrganisationRow:
    organisation = await find_organisation()
    if organisation is None:
        raise NotFound(gettext("This board is not set up yet."))
    return organisation


async def is_set_up() -> bool:
    return bool(await Organisation.exists())


@dataclass(frozen=True)
class SettingsForm(Form):
    name: str = ""
    allowed_email_domains: str = ""
    vote_budget: str = ""
    digest_weekday: str = "0"
    digest_hour: str = "8"
    time_zone: str = "UTC"
    pre_moderation: bool | str = False
    language: str = "en"
    erase_after_days: str = ""

    CHECKBOXES = frozenset({"pre_moderation"})

    @classmethod
    def of(cls, organisation: OrganisationRow) -> SettingsForm:
        return cls(
            name=organisation.name,
            allowed_email_domains=", ".join(organisation.allowed_email_domains),
            vote_budget=str(organisation.vote_budget or ""),
            digest_weekday=str(organisation.digest.weekday),
            digest_hour=str(organisation.digest.hour),
            time_zone=organisation.digest.time_zone,
            pre_moderation=organisation.pre_moderation,
            language=organisation.language,
            erase_after_days=str(organisation.erase_deactivated_after_days or ""),
        )

    @property
    def budget(self) -> int | None:
        """The vote budget asked for (blank is 0, no limit), or None when it is no number."""
        if not self.vote_budget:
            return 0
        if not self.vote_budget.isascii() or not self.vote_budget.isdigit():
            return None
        return int(self.vote_budget) if len(self.vote_budget) <= 6 else None

    @property
    def retention(self) -> int | None:
        """Days after which deactivated people are erased (blank is 0, never), or None
        when it is no number."""
        if not self.erase_after_days:
            return 0
        if not self.erase_after_days.isascii() or not self.erase_after_days.isdigit():
            return None
        return int(self.erase_after_days) if len(self.erase_after_days) <= 6 else None

    def errors(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        check_text(
            errors, "name", self.name, label=gettext("Organisation name"), max_length=NAME_MAX
        )
        check_text(
            errors, "allowed_email_domains", self.allowed_email_domains,
            label=gettext("Allowed email domains"), max_length=2000, required=False, multiline=True,
        )  # fmt: skip
        bad = [
            domain
            for domain in parse_domains(self.allowed_email_domains)
            if "." not in domain or " " in domain or "@" in domain
        ]
        if bad and "allowed_email_domains" not in errors:
            errors["allowed_email_domains"] = gettext(
                "These are not domains: %(domains)s. Write them like example.com.",
                domains=", ".join(bad),
            )
        budget = self.budget
        if budget is None or budget > VOTE_BUDGET_MAX:
            errors["vote_budget"] = gettext(
                "Write a whole number from 1 to %(max)s, or leave it empty for no limit.",
                max=number(VOTE_BUDGET_MAX),
            )
        retention = self.retention
        if retention is None or retention > RETENTION_MAX_DAYS:
            errors["erase_after_days"] = gettext(
                "Write a number of days from 1 to %(max)s, or leave it empty to keep"
                " deactivated people.",
                max=number(RETENTION_MAX_DAYS),
            )
        if self.digest_weekday not in {str(day) for day in range(7)}:
            errors["digest_weekday"] = gettext("Pick a day of the week.")
        if self.digest_hour not in {str(hour) for hour in range(24)}:
            errors["digest_hour"] = gettext("Pick an hour from 0 to 23.")
        if self.language not in LANGUAGES:
            errors["language"] = gettext("Choose one of the languages in the list.")
        if self.time_zone not in time_zones():
            errors["time_zone"] = gettext(
                "Write a time zone like Europe/Copenhagen or America/New_York."
            )
        return errors


async def update_settings(actor: Actor, form: SettingsForm) -> OrganisationRow:
    require(can_administer(actor))
    errors = form.errors()
    if errors:
        raise ValidationFailed(errors)
    async with write_transaction():
        organisation = await get_organisation()
        await Organisation.update(
            {
                Organisation.name: form.name,
                Organisation.allowed_email_domains: ",".join(
                    parse_domains(form.allowed_email_domains)
                ),
                Organisation.vote_budget: form.budget or 0,
                Organisation.digest_weekday: int(form.digest_weekday),
                Organisation.digest_hour: int(form.digest_hour),
                Organisation.time_zone: form.time_zone,
                Organisation.pre_moderation: form.pre_moderation,
                Organisation.language: form.language,
                Organisation.erase_deactivated_after_days: form.retention or 0,
            }
        ).where(Organisation.id == organisation.id)
        await add_audit(
            actor, "settings.update", target_type="organisation", target_id=organisation.id,
            summary="Changed the board's settings",
            before=asdict(SettingsForm.of(organisation)), after=asdict(form),
        )  # fmt: skip
    _this_request.set(None)  # the rest of this request reads the new settings
    return await get_organisation()


@cache
def time_zones() -> frozenset[str]:
    """IANA names the board accepts (from the tzdata package, the same on every machine)."""
    return frozenset(available_timezones())


async def email_domain_problem(email: str) -> str | None:
    """Why sign-up is refused for this email's domain, or None."""
    organisation = await find_organisation()
    allowed = organisation.allowed_email_domains if organisation else ()
    if not allowed:
        return None
    domain = email.rpartition("@")[2]
    if domain in allowed:
        return None
    return gettext("Sign-up is open to addresses at %(domains)s.", domains=", ".join(allowed))
