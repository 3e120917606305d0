"""First-run setup: the organisation, its first department and the first admin."""

from __future__ import annotations

from dataclasses import dataclass

from ideaboard.db import write_transaction
from ideaboard.domain import Actor, Role, can_administer
from ideaboard.i18n import current_language, gettext
from ideaboard.passwords import Passwords, password_problem
from ideaboard.services import departments
from ideaboard.services.clock import now
from ideaboard.services.errors import NotFound, ValidationFailed, require
from ideaboard.services.forms import Form
from ideaboard.services.organisation import NAME_MAX
from ideaboard.services.users import insert_user
from ideaboard.services.validation import check_email, check_text, normalise_email
from ideaboard.tables import Organisation


@dataclass(frozen=True)
class SetupForm(Form):
    organisation_name: str = ""
    name: str = ""
    email: str = ""
    password: str = ""
    department_name: str = ""

    UNSTRIPPED = frozenset({"password"})

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "email", normalise_email(self.email))

    def errors(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        check_text(
            errors, "organisation_name", self.organisation_name,
            label=gettext("Organisation name"), max_length=NAME_MAX,
        )  # fmt: skip
        check_text(errors, "name", self.name, label=gettext("Your name"), max_length=80)
        check_email(errors, "email", self.email)
        problem = password_problem(self.password)
        if problem:
            errors["password"] = problem
        check_text(
            errors, "department_name", self.department_name,
            label=gettext("Your department"), max_length=departments.NAME_MAX,
        )  # fmt: skip
        return errors


async def create_board(form: SetupForm, passwords: Passwords) -> int:
    """First run: the organisation, its first department and the admin, all or nothing."""
    errors = form.errors()
    if errors:
        raise ValidationFailed(errors)
    password_hash = await passwords.hash(form.password)
    async with write_transaction():
        # Checked inside the write lock so two people racing through /setup get one board.
        if await Organisation.exists():
            raise NotFound(gettext("This board is set up already."))
        # The board speaks the language its set-up page was read in (the browser's, where
        # the board speaks it); the admin changes it under Admin.
        await Organisation.insert(
            Organisation(name=form.organisation_name, language=current_language(), created_at=now())
        )
        department = await departments.create_department(form.department_name)
        return await insert_user(
            name=form.name,
            email=form.email,
            password_hash=password_hash,
            department_id=department.id,
            role=Role.ADMIN,
        )


# --- The first-run checklist ---------------------------------------------------------


@dataclass(frozen=True)
class ChecklistStep:
    key: str
    done: bool


@dataclass(frozen=True)
class Checklist:
    """What makes a new board useful, for its admins, until done or put away."""

    steps: list[ChecklistStep]

    @property
    def left(self) -> int:
        return sum(not step.done for step in self.steps)


CHECKLIST = """
SELECT (SELECT COUNT(*) FROM department WHERE NOT archived) AS departments,
       (SELECT COUNT(*) FROM department_manager) AS managers,
       (SELECT COUNT(*) FROM account WHERE active) AS people,
       o.allowed_email_domains, o.checklist_dismissed
FROM organisation o ORDER BY o.id LIMIT 1
"""


async def find_checklist(actor: Actor) -> Checklist | None:
    """The steps for an admin while any is left and it was not put away; else None."""
    if not actor.is_admin:
        return None
    rows = await Organisation.raw(CHECKLIST)
    if not rows or rows[0]["checklist_dismissed"]:
        return None
    row = rows[0]
    checklist = Checklist(
        steps=[
            ChecklistStep("departments", row["departments"] > 1),
            ChecklistStep("domains", bool(row["allowed_email_domains"].strip())),
            ChecklistStep("managers", row["managers"] > 0),
            ChecklistStep("people", row["people"] > 1),
        ]
    )
    return checklist if checklist.left else None


async def dismiss_checklist(actor: Actor) -> None:
    require(can_administer(actor))
    async with write_transaction():
        await Organisation.update({Organisation.checklist_dismissed: True}, force=True)
