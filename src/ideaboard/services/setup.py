"""First-run setup: the organisation, its first department and the first admin."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ideaboard.db import write_transaction
from ideaboard.domain import Role
from ideaboard.passwords import Passwords, password_problem
from ideaboard.services import departments
from ideaboard.services.clock import now
from ideaboard.services.errors import NotFound, ValidationFailed
from ideaboard.services.organisation import NAME_MAX
from ideaboard.services.users import insert_user
from ideaboard.services.validation import check_email, check_text, normalise_email
from ideaboard.tables import Organisation


@dataclass(frozen=True)
class SetupForm:
    organisation_name: str
    name: str
    email: str
    password: str
    department_name: str

    @classmethod
    def from_form(cls, form: Any) -> SetupForm:
        return cls(
            organisation_name=form.get("organisation_name", "").strip(),
            name=form.get("name", "").strip(),
            email=normalise_email(form.get("email", "")),
            password=form.get("password", ""),
            department_name=form.get("department_name", "").strip(),
        )

    def errors(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        check_text(
            errors, "organisation_name", self.organisation_name,
            label="Organisation name", max_length=NAME_MAX,
        )  # fmt: skip
        check_text(errors, "name", self.name, label="Your name", max_length=80)
        check_email(errors, "email", self.email)
        problem = password_problem(self.password)
        if problem:
            errors["password"] = problem
        check_text(
            errors, "department_name", self.department_name,
            label="Your department", max_length=departments.NAME_MAX,
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
            raise NotFound("Setup")
        await Organisation.insert(Organisation(name=form.organisation_name, created_at=now()))
        department = await departments.create_department(form.department_name)
        return await insert_user(
            name=form.name,
            email=form.email,
            password_hash=password_hash,
            department_id=department.id,
            role=Role.ADMIN,
        )
