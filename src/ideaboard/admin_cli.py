"""`ideaboard create-admin`: add an admin from the command line (e.g. a lost password)."""

from __future__ import annotations

import sys

from ideaboard import db
from ideaboard.domain import Role
from ideaboard.i18n import gettext
from ideaboard.passwords import Passwords, password_problem
from ideaboard.services import departments, organisation
from ideaboard.services.errors import ValidationFailed
from ideaboard.services.users import insert_user
from ideaboard.services.validation import check_email, check_text, normalise_email
from ideaboard.settings import Settings
from ideaboard.storage import open_store
from ideaboard.tables import Department


async def create_admin(
    settings: Settings, *, email: str, name: str, department: str, password: str
) -> int:
    errors: dict[str, str] = {}
    email = normalise_email(email)
    check_email(errors, "email", email)
    check_text(errors, "name", name.strip(), label=gettext("Name"), max_length=80)
    problem = password_problem(password)
    if problem:
        errors["password"] = problem
    if errors:
        for field, message in errors.items():
            print(f"{field}: {message}", file=sys.stderr)
        return 2
    async with db.connected(settings.database_url):
        return await _create(
            settings, email=email, name=name, department=department, password=password
        )


async def _create(
    settings: Settings, *, email: str, name: str, department: str, password: str
) -> int:
    if not await organisation.is_set_up():
        print("The board is not set up yet: open /setup in a browser first.", file=sys.stderr)
        return 2
    passwords = Passwords(
        memory_kib=settings.password_memory_kib, time_cost=settings.password_time_cost
    )
    password_hash = await passwords.hash(password)
    try:
        async with db.write_transaction():
            record = (
                await Department.select(Department.id)
                .where(Department.slug == departments.slugify(department))
                .first()
            )
            department_id = (
                record["id"] if record else (await departments.create_department(department)).id
            )
            await insert_user(
                name=name.strip(),
                email=email,
                password_hash=password_hash,
                department_id=department_id,
                role=Role.ADMIN,
            )
    except ValidationFailed as failed:
        for field, message in failed.errors.items():
            print(f"{field}: {message}", file=sys.stderr)
        return 2
    print(f"Admin {email} created.")
    return 0


async def erase(settings: Settings, *, email: str, remove_content: bool) -> int:
    """`ideaboard erase --email E`: as an admin's erasure, by the operator."""
    from ideaboard.mail.mailer import Mailer
    from ideaboard.services import erasure
    from ideaboard.services.errors import NotFound

    async with db.connected(settings.database_url):
        user_id = await erasure.find_by_email(normalise_email(email))
        if user_id is None:
            print(f"Nobody on the board has the address {email}.", file=sys.stderr)
            return 2
        try:
            erased = await erasure.erase_person(None, user_id, remove_content=remove_content)
        except (ValidationFailed, NotFound) as refused:
            print(str(refused), file=sys.stderr)
            return 2
        await erased.tidy(
            Mailer.from_settings(settings),
            settings.data_dir,
            open_store(settings.storage_url, settings.data_dir),
        )
    removed = (
        f"; removed {erased.ideas_removed} ideas and {erased.comments_removed} comments"
        if remove_content
        else "; their ideas and comments stay, signed Former colleague"
    )
    print(f"Erased {email}{removed}. The audit calls them:")
    print(erased.pseudonym)
    return 0
