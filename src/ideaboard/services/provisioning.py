"""The company directory provisions people (SCIM 2.0): creates them, keeps their name,
address and department, switches them off and on, deletes them. Switching someone off
ends their sessions at once. People are never duplicated: a person the board already
knows by address is taken over, and a person the directory deleted comes back as the
same account when it provisions them again."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from piccolo.columns.combination import WhereRaw
from piccolo.custom_types import Combinable
from pydantic import ValidationError
from scim2_models import Context, Meta, PatchOp, ResponseParameters, SCIMException

from ideaboard.db import write_transaction
from ideaboard.domain import Role
from ideaboard.scim import (
    MAX_RESULTS,
    POLICY,
    BoardEmail,
    BoardEnterpriseUser,
    BoardUser,
    ScimError,
    dump,
)
from ideaboard.services.audit import add_audit
from ideaboard.services.clock import now
from ideaboard.services.departments import department_named, list_departments
from ideaboard.services.sessions import remove_user_sessions
from ideaboard.services.validation import EMAIL_PATTERN, has_control_characters, normalise_email
from ideaboard.tables import User

NAME_MAX = 80
Params = ResponseParameters[Any] | None  # the attributes a client asked for
COLUMNS = (
    User.id, User.email, User.name, User.active, User.department,
    User.department.name.as_alias("department_name"), User.directory_user_name,
    User.external_id, User.created_at, User.directory_deleted_at, User.placeholder,
)  # fmt: skip


def _user_name_is(value: str) -> WhereRaw:
    """userName compares without regard to case (caseExact false)."""
    return WhereRaw("LOWER(account.directory_user_name) = {}", value.lower())


def _resource(record: dict[str, Any], base_url: str) -> BoardUser:
    user = BoardUser(
        id=str(record["id"]),
        external_id=record["external_id"] or None,
        user_name=record["directory_user_name"] or record["email"],
        display_name=record["name"],
        active=record["active"],
        emails=[BoardEmail(value=record["email"])],
        meta=Meta(
            resource_type="User",
            created=record["created_at"],
            last_modified=record["created_at"],
            location=f"{base_url}/Users/{record['id']}",
        ),
    )
    user[BoardEnterpriseUser] = BoardEnterpriseUser(department=record["department_name"])
    return user


def _answer(record: dict[str, Any], base_url: str, params: Params = None) -> dict[str, Any]:
    return dump(_resource(record, base_url), params=params)


async def _find(user_id: str) -> dict[str, Any]:
    if not user_id.isdigit() or len(user_id) > 10:
        raise ScimError(404, f"No user with id {user_id}.")
    record = (
        await User.select(*COLUMNS)
        .where(User.id == int(user_id), User.directory_deleted_at.is_null())
        .first()
    )
    if record is None:
        raise ScimError(404, f"No user with id {user_id}.")
    return record


async def get_user(user_id: str, base_url: str, params: Params = None) -> dict[str, Any]:
    return _answer(await _find(user_id), base_url, params)


async def list_users(
    found_by: tuple[str, str] | None,
    start_index: int,
    count: int,
    base_url: str,
    params: Params = None,
) -> dict[str, Any]:
    """A page of people (RFC 7644 §3.4.2), by id; `found_by` is a parsed filter."""
    query = User.select(*COLUMNS).where(User.directory_deleted_at.is_null())
    counting = User.count().where(User.directory_deleted_at.is_null())
    if found_by is not None:
        attribute, value = found_by
        match: Combinable
        if attribute == "username":
            # A person provisioned before has their userName; one who signed up is
            # found by address (userName is the address in most directories).
            match = _user_name_is(value) | (
                (User.directory_user_name == "") & (User.email == normalise_email(value))
            )
        elif attribute == "externalid":
            match = User.external_id == value
        elif attribute == "emails":
            match = User.email == normalise_email(value)
        else:
            match = User.id == (int(value) if value.isdigit() and len(value) < 10 else 0)
        query, counting = query.where(match), counting.where(match)
    start_index, count = max(start_index, 1), min(max(count, 0), MAX_RESULTS)
    records = await query.order_by(User.id).offset(start_index - 1).limit(count)
    return {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": await counting,
        "startIndex": start_index,
        "itemsPerPage": len(records),
        "Resources": [_answer(record, base_url, params) for record in records],
    }


def _read(payload: dict[str, Any], context: Context) -> BoardUser:
    try:
        return BoardUser.model_validate(payload, scim_ctx=context, scim_policy=POLICY)
    except (ValidationError, SCIMException) as error:
        raise ScimError(400, _first_problem(error), "invalidValue") from None


def _first_problem(error: Exception) -> str:
    if isinstance(error, ValidationError) and error.errors():
        first = error.errors()[0]
        return f"{'.'.join(str(part) for part in first['loc'])}: {first['msg']}"
    return str(error) or "The payload is not a valid User."


def _fields(user: BoardUser, payload: dict[str, Any]) -> dict[str, Any]:
    """The board's columns from a User resource (and `name`, which it does not keep)."""
    user_name = (user.user_name or "").strip()
    if not user_name or len(user_name) > 255 or has_control_characters(user_name):
        raise ScimError(400, "userName is required (at most 255 characters).", "invalidValue")
    addresses = [email.value for email in user.emails or [] if email.value]
    email = normalise_email(addresses[0] if addresses else user_name)
    if len(email) > 254 or not EMAIL_PATTERN.match(email) or has_control_characters(email):
        raise ScimError(
            400, "An email address is needed, in emails or as the userName.", "invalidValue"
        )
    name = user.display_name or ""
    raw_name = payload.get("name")
    if not name.strip() and isinstance(raw_name, dict):
        name = raw_name.get("formatted") or " ".join(
            str(raw_name.get(part) or "") for part in ("givenName", "familyName")
        )
    name = " ".join(str(name).split())[:NAME_MAX] or email.partition("@")[0]
    if has_control_characters(name):
        raise ScimError(
            400, "displayName contains characters that are not allowed.", "invalidValue"
        )
    external_id = user.external_id or ""
    if len(external_id) > 255 or has_control_characters(external_id):
        raise ScimError(400, "externalId has characters that are not allowed.", "invalidValue")
    extension = user[BoardEnterpriseUser]
    return {
        "user_name": user_name,
        "email": email,
        "name": name,
        "department": (extension.department if extension else None) or None,
        "active": True if user.active is None else bool(user.active),
        "external_id": external_id,
    }


async def _check_unique(fields: dict[str, Any], user_id: int | None) -> dict[str, Any] | None:
    """The deleted person (or the import's placeholder) these fields bring back, if any;
    409 if someone else has them."""
    query = User.select(*COLUMNS).where(
        (User.email == fields["email"]) | _user_name_is(fields["user_name"])
    )
    for record in await query:
        if record["id"] == user_id:
            continue
        if (record["directory_deleted_at"] or record["placeholder"]) and user_id is None:
            return record  # deleted by the directory, or named by an import: theirs now
        raise ScimError(409, "A user with this userName or email exists.", "uniqueness")
    return None


async def _save(user_id: int, fields: dict[str, Any], before: dict[str, Any]) -> None:
    changes: dict[Any, Any] = {
        User.email: fields["email"],
        User.name: fields["name"],
        User.directory_user_name: fields["user_name"],
        User.external_id: fields["external_id"],
        User.active: fields["active"],
        User.directory_deleted_at: None,
        User.placeholder: False,
    }
    if fields["department"]:
        department = await department_named(fields["department"])
        if department is not None:
            changes[User.department] = department
    if before["active"] != fields["active"]:
        changes[User.deactivated_at] = None if fields["active"] else now()
    await User.update(changes).where(User.id == user_id)
    if before["active"] and not fields["active"]:
        await remove_user_sessions(user_id)
    summary = f"{fields['name']} <{fields['email']}>"
    if before["active"] != fields["active"]:
        summary += " switched on" if fields["active"] else " switched off"
    await add_audit(
        None, "scim.user", target_type="user", target_id=user_id, summary=summary,
        before={k: before.get(k) for k in ("email", "name", "active")},
        after={k: fields[k] for k in ("email", "name", "active", "department")},
    )  # fmt: skip


async def create_user(
    payload: dict[str, Any], base_url: str, params: Params = None
) -> dict[str, Any]:
    fields = _fields(_read(payload, Context.RESOURCE_CREATION_REQUEST), payload)
    async with write_transaction():
        deleted = await _check_unique(fields, None)
        if deleted is not None:  # provisioned again: the same account comes back
            await _save(deleted["id"], fields, deleted)
            return _answer(await _find(str(deleted["id"])), base_url, params)
        department = await department_named(fields["department"] or "") if fields[
            "department"
        ] else None  # fmt: skip
        user = User(
            email=fields["email"],
            name=fields["name"],
            password_hash="",  # they sign in with the company account
            department=department or (await list_departments())[0].id,
            role=Role.MEMBER.value,
            active=fields["active"],
            directory_user_name=fields["user_name"],
            external_id=fields["external_id"],
            created_at=now(),
        )
        await user.save()
        await add_audit(
            None, "scim.user", target_type="user", target_id=user.id,
            summary=f"{fields['name']} <{fields['email']}> provisioned",
            after={k: fields[k] for k in ("email", "name", "active", "department")},
        )  # fmt: skip
    return _answer(await _find(str(user.id)), base_url, params)


async def replace_user(
    user_id: str, payload: dict[str, Any], base_url: str, params: Params = None
) -> dict[str, Any]:
    fields = _fields(_read(payload, Context.RESOURCE_REPLACEMENT_REQUEST), payload)
    async with write_transaction():
        record = await _find(user_id)
        await _check_unique(fields, record["id"])
        await _save(record["id"], fields, record)
    return await get_user(user_id, base_url, params)


async def patch_user(
    user_id: str, payload: dict[str, Any], base_url: str, params: Params = None
) -> dict[str, Any]:
    try:
        patch = PatchOp[BoardUser].model_validate(
            payload, scim_ctx=Context.RESOURCE_PATCH_REQUEST, scim_policy=POLICY
        )
    except (ValidationError, SCIMException) as error:
        raise ScimError(400, _first_problem(error), "invalidValue") from None
    async with write_transaction():
        record = await _find(user_id)
        user = _resource(record, base_url)
        try:
            patch.patch(user, scim_policy=POLICY)
        except (ValidationError, SCIMException) as error:
            raise ScimError(400, _first_problem(error), "invalidValue") from None
        fields = _fields(user, {})
        await _check_unique(fields, record["id"])
        await _save(record["id"], fields, record)
    return await get_user(user_id, base_url, params)


async def delete_user(user_id: str) -> None:
    """Deleted in the directory: switched off and out of SCIM's view; their ideas and
    comments stay on the board (erasing a person is another matter)."""
    async with write_transaction():
        record = await _find(user_id)
        deleted: datetime = now()
        changes: dict[Any, Any] = {User.active: False, User.directory_deleted_at: deleted}
        if record["active"]:
            changes[User.deactivated_at] = deleted
        await User.update(changes).where(User.id == record["id"])
        await remove_user_sessions(record["id"])
        await add_audit(
            None, "scim.user", target_type="user", target_id=record["id"],
            summary=f"{record['name']} <{record['email']}> deleted by the directory",
            before={"active": record["active"]}, after={"active": False, "deleted": True},
        )  # fmt: skip
