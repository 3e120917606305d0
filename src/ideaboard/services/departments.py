"""Departments: the company's functions that ideas are aimed at."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from ideaboard.db import is_unique_violation, write_transaction
from ideaboard.domain import Actor, can_administer
from ideaboard.i18n import gettext
from ideaboard.services.audit import add_audit
from ideaboard.services.clock import now
from ideaboard.services.errors import NotFound, ValidationFailed, require
from ideaboard.services.validation import check_text, has_control_characters
from ideaboard.tables import Department, DepartmentManager, User

NAME_MAX = 80


@dataclass(frozen=True)
class DepartmentRow:
    id: int
    name: str
    slug: str
    archived: bool


def _row(record: dict[str, Any]) -> DepartmentRow:
    return DepartmentRow(
        id=record["id"], name=record["name"], slug=record["slug"], archived=record["archived"]
    )


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "department"


def check_name(name: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    check_text(errors, "name", name, label=gettext("Department name"), max_length=NAME_MAX)
    return errors


async def list_departments(*, include_archived: bool = False) -> list[DepartmentRow]:
    query = Department.select().order_by(Department.name)
    if not include_archived:
        query = query.where(Department.archived.eq(False))
    return [_row(record) for record in await query]


@dataclass(frozen=True)
class DepartmentUse:
    ideas: int
    people: int


ALL_DEPARTMENTS = "SELECT id, name, slug, archived FROM department ORDER BY name"


async def all_departments() -> list[DepartmentRow]:
    """Every department, archived ones too, as the board's filter lists them."""
    return [_row(record) for record in await Department.raw(ALL_DEPARTMENTS)]


async def count_department_use() -> dict[int, DepartmentUse]:
    """How many ideas are aimed at each department and how many people work there."""
    records = await Department.raw(
        "SELECT d.id,"
        " (SELECT COUNT(*) FROM idea i WHERE i.department = d.id) AS ideas,"
        " (SELECT COUNT(*) FROM account a WHERE a.department = d.id) AS people"
        " FROM department d"
    )
    return {r["id"]: DepartmentUse(ideas=r["ideas"], people=r["people"]) for r in records}


async def find_department(department_id: int) -> DepartmentRow | None:
    record = await Department.select().where(Department.id == department_id).first()
    return _row(record) if record else None


async def get_department(department_id: int) -> DepartmentRow:
    department = await find_department(department_id)
    if department is None:
        raise NotFound(gettext("This department does not exist."))
    return department


def _name_taken(name: str) -> ValidationFailed:
    return ValidationFailed({"name": f"A department called “{name}” (or very like it) exists."})


async def create_department(name: str) -> DepartmentRow:
    """Add a department; its slug is UNIQUE, so two names that read alike cannot coexist."""
    name = name.strip()
    errors = check_name(name)
    if errors:
        raise ValidationFailed(errors)
    department = Department(name=name, slug=slugify(name), created_at=now())
    try:
        async with write_transaction():
            await department.save()
    except Exception as error:
        if is_unique_violation(error):
            raise _name_taken(name) from None
        raise
    return await get_department(department.id)


async def department_named(name: str) -> int | None:
    """The department a company directory calls `name`, matched as the slug folds case,
    accents and punctuation ("R&D" is "r-d"), and made if new; None for a name the
    board cannot take. Runs inside the caller's transaction."""
    name = " ".join(name.split())[:NAME_MAX]
    if check_name(name):
        return None
    slug = slugify(name)
    record = await Department.select(Department.id).where(Department.slug == slug).first()
    if record is not None:
        return int(record["id"])
    department = Department(name=name, slug=slug, created_at=now())
    await department.save()
    return int(department.id)


async def add_department(actor: Actor, name: str) -> DepartmentRow:
    require(can_administer(actor))
    department = await create_department(name)
    async with write_transaction():
        await add_audit(
            actor, "department.create", target_type="department", target_id=department.id,
            summary=f"Added {department.name}", after=department.name,
        )  # fmt: skip
    return department


async def rename_department(actor: Actor, department_id: int, name: str) -> DepartmentRow:
    require(can_administer(actor))
    name = name.strip()
    errors = check_name(name)
    if errors:
        raise ValidationFailed(errors)
    try:
        async with write_transaction():
            before = await get_department(department_id)
            await Department.update({Department.name: name, Department.slug: slugify(name)}).where(
                Department.id == department_id
            )
            await add_audit(
                actor, "department.rename", target_type="department", target_id=department_id,
                summary=f"{before.name} → {name}", before=before.name, after=name,
            )  # fmt: skip
    except Exception as error:
        if is_unique_violation(error):
            raise _name_taken(name) from None
        raise
    return await get_department(department_id)


async def set_archived(actor: Actor, department_id: int, archived: bool) -> DepartmentRow:
    require(can_administer(actor))
    async with write_transaction():
        department = await get_department(department_id)
        if archived:
            remaining = await Department.count().where(
                Department.archived.eq(False), Department.id != department_id
            )
            if remaining == 0:
                raise ValidationFailed({"archived": gettext("Keep at least one department open.")})
        await Department.update({Department.archived: archived}).where(
            Department.id == department_id
        )
        await add_audit(
            actor, "department.archive", target_type="department", target_id=department_id,
            summary=f"{department.name} {'archived' if archived else 'restored'}",
            before=department.archived, after=archived,
        )  # fmt: skip
    return await get_department(department_id)


# --- Managers ------------------------------------------------------------------------


@dataclass(frozen=True)
class Manager:
    user_id: int
    name: str
    email: str


async def list_managers() -> dict[int, list[Manager]]:
    """Each department's managers, by department id."""
    rows = await DepartmentManager.select(
        DepartmentManager.department,
        DepartmentManager.manager.id.as_alias("user_id"),
        DepartmentManager.manager.name.as_alias("name"),
        DepartmentManager.manager.email.as_alias("email"),
    ).order_by(DepartmentManager.manager.name)
    managers: dict[int, list[Manager]] = {}
    for row in rows:
        department = row.pop("department")
        managers.setdefault(department, []).append(Manager(**row))
    return managers


async def add_manager(actor: Actor, department_id: int, email: str) -> tuple[str, str]:
    """Make someone, named by their email, a manager of the department. Returns their
    name and the department's."""
    require(can_administer(actor))
    email = email.strip().lower()
    department = await get_department(department_id)
    if not email or has_control_characters(email) or len(email) > 254:
        raise ValidationFailed({"manager_email": gettext("Write the email of the person to add.")})
    person = await User.select(User.id, User.name, User.active).where(User.email == email).first()
    if person is None:
        raise ValidationFailed(
            {"manager_email": gettext("No one on the board has the email %(email)s.", email=email)}
        )
    if not person["active"]:
        raise ValidationFailed({"manager_email": f"{email} is deactivated."})
    async with write_transaction():
        added = (
            await DepartmentManager.insert(
                DepartmentManager(department=department_id, manager=person["id"])
            )
            .on_conflict(action="DO NOTHING")
            .returning(DepartmentManager.id)
        )
        if added:
            await add_audit(
                actor, "department.managers", target_type="department", target_id=department_id,
                summary=f"{person['name']} now manages {department.name}",
                before=None, after=person["name"],
            )  # fmt: skip
    return person["name"], department.name


async def remove_manager(actor: Actor, department_id: int, user_id: int) -> tuple[str, str]:
    """Returns the person's name and the department's."""
    require(can_administer(actor))
    department = await get_department(department_id)
    async with write_transaction():
        removed = (
            await DepartmentManager.delete()
            .where(
                DepartmentManager.department == department_id, DepartmentManager.manager == user_id
            )
            .returning(DepartmentManager.id)
        )
        person = await User.select(User.name).where(User.id == user_id).first()
        name = person["name"] if person else f"person {user_id}"
        if removed:
            await add_audit(
                actor, "department.managers", target_type="department", target_id=department_id,
                summary=f"{name} no longer manages {department.name}",
                before=name, after=None,
            )  # fmt: skip
    return name, department.name
