"""Running the instance: organisation settings, departments, people and roles, email."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Response
from litestar.params import FromPath

from ideaboard.domain import Role
from ideaboard.i18n import gettext, week_days
from ideaboard.mail import outbox
from ideaboard.security import BoardRequest
from ideaboard.services import (
    audit,
    departments,
    digest,
    organisation,
    scim_tokens,
    setup,
    users,
)
from ideaboard.services.clock import now
from ideaboard.services.errors import ValidationFailed
from ideaboard.services.validation import parse_id
from ideaboard.settings import Settings
from ideaboard.web import POSTED, SignedIn, done, render, shown_once
from ideaboard.weeks import latest_digest_week, parse_week


async def settings_page(
    request: BoardRequest,
    user: SignedIn,
    *,
    form: organisation.SettingsForm | None = None,
    errors: dict[str, str] | None = None,
    new_token: str = "",
    token_name: str = "",
    token_errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response[str]:
    """The organisation's settings, and the company directory's: the sign-in's set-up
    (read from the environment) and the provisioning tokens (`new_token`, shown once)."""
    org = await organisation.get_organisation()
    settings: Settings = request.app.state.settings
    return render(
        request,
        "admin/settings.html",
        status_code=status_code,
        section="settings",
        form=form or organisation.SettingsForm.of(org),
        weekdays=list(enumerate(week_days())),
        hours=[(hour, f"{hour:02d}:00") for hour in range(24)],
        errors=errors or {},
        oidc=settings.oidc,
        base_url=settings.effective_base_url,
        scim_tokens=await scim_tokens.list_tokens(user.actor),
        new_token=new_token,
        token_name=token_name,
        token_errors=token_errors or {},
    )


async def settings_index(request: BoardRequest, user: SignedIn) -> Response[str]:
    return await settings_page(request, user)


async def make_scim_token(request: BoardRequest, user: SignedIn) -> Response[Any]:
    """The token is on this page and nowhere else, ever: no redirect, no flash."""
    name = str((await request.form()).get("token_name", ""))
    try:
        _, secret = await scim_tokens.make_token(user.actor, name)
    except ValidationFailed as failed:
        errors = {"token_name": " ".join(failed.errors.values())}  # the page's field
        return await settings_page(
            request, user, token_name=name, token_errors=errors, status_code=422
        )
    page = await settings_page(request, user, new_token=secret)
    return shown_once(page, request.app.route_reverse("admin:settings"))


async def revoke_scim_token(
    request: BoardRequest, user: SignedIn, token_id: FromPath[int]
) -> Response[Any]:
    token = await scim_tokens.revoke_token(user.actor, token_id)
    url = f"{request.app.route_reverse('admin:settings')}#provisioning"
    return done(request, url, "token_revoked", name=token.name)


async def save_settings(
    request: BoardRequest, user: SignedIn, data: Annotated[organisation.SettingsForm, POSTED]
) -> Response[Any]:
    try:
        await organisation.update_settings(user.actor, data)
    except ValidationFailed as failed:
        return await settings_page(request, user, form=data, errors=failed.errors, status_code=422)
    return done(request, request.app.route_reverse("admin:settings"), "settings_saved")


async def departments_page(
    request: BoardRequest,
    *,
    errors: dict[str, str] | None = None,
    new_name: str = "",
    failed_id: int | None = None,
    failed_name: str = "",
    manager_errors: dict[int, str] | None = None,
    manager_email: str = "",
    status_code: int = 200,
) -> Response[str]:
    return render(
        request,
        "admin/departments.html",
        managers=await departments.list_managers(),
        manager_errors=manager_errors or {},
        manager_email=manager_email,
        status_code=status_code,
        section="departments",
        departments=await departments.list_departments(include_archived=True),
        use=await departments.count_department_use(),
        errors=errors or {},
        new_name=new_name,
        failed_id=failed_id,
        failed_name=failed_name,
    )


async def departments_index(request: BoardRequest) -> Response[str]:
    return await departments_page(request)


async def create_department(request: BoardRequest, user: SignedIn) -> Response[Any]:
    name = str((await request.form()).get("name", ""))
    try:
        added = await departments.add_department(user.actor, name)
    except ValidationFailed as failed:
        return await departments_page(request, errors=failed.errors, new_name=name, status_code=422)
    url = f"{request.app.route_reverse('admin:departments')}#department-{added.id}"
    return done(request, url, "department_added", name=added.name)


async def rename_department(
    request: BoardRequest, user: SignedIn, department_id: FromPath[int]
) -> Response[Any]:
    name = str((await request.form()).get("name", ""))
    try:
        renamed = await departments.rename_department(user.actor, department_id, name)
    except ValidationFailed as failed:
        return await departments_page(
            request,
            errors=failed.errors,
            failed_id=department_id,
            failed_name=name,
            status_code=422,
        )
    url = f"{request.app.route_reverse('admin:departments')}#department-{department_id}"
    return done(request, url, "department_renamed", name=renamed.name)


async def archive_department(
    request: BoardRequest, user: SignedIn, department_id: FromPath[int]
) -> Response[Any]:
    archived = (await request.form()).get("archived") == "1"
    try:
        department = await departments.set_archived(user.actor, department_id, archived)
    except ValidationFailed as failed:
        return await departments_page(
            request, errors=failed.errors, failed_id=department_id, status_code=422
        )
    url = f"{request.app.route_reverse('admin:departments')}#department-{department_id}"
    message = "department_archived" if archived else "department_restored"
    return done(request, url, message, name=department.name)


async def users_page(
    request: BoardRequest,
    user: SignedIn,
    *,
    errors: dict[str, str] | None = None,
    failed_id: int | None = None,
    status_code: int = 200,
) -> Response[str]:
    search = request.query_params.get("q", "")[:100]
    return render(
        request,
        "admin/users.html",
        status_code=status_code,
        section="users",
        people=await users.list_users(user.actor, query=search),
        total=await users.count_users(),
        roles=list(Role),
        search=search,
        errors=errors or {},
        failed_id=failed_id,
    )


async def users_index(request: BoardRequest, user: SignedIn) -> Response[str]:
    return await users_page(request, user)


async def set_role(request: BoardRequest, user: SignedIn, user_id: FromPath[int]) -> Response[Any]:
    role = str((await request.form()).get("role", ""))
    try:
        person = await users.set_role(user.actor, user_id, role)
    except ValidationFailed as failed:
        return await users_page(
            request, user, errors=failed.errors, failed_id=user_id, status_code=422
        )
    role_name = {"member": "a member", "moderator": "a moderator", "admin": "an admin"}
    return done(
        request, request.app.route_reverse("admin:users"), "role_changed",
        name=person.name, role=role_name[person.role.value],
    )  # fmt: skip


async def set_active(
    request: BoardRequest, user: SignedIn, user_id: FromPath[int]
) -> Response[Any]:
    active = (await request.form()).get("active") == "1"
    try:
        person = await users.set_active(user.actor, user_id, active)
    except ValidationFailed as failed:
        return await users_page(
            request, user, errors=failed.errors, failed_id=user_id, status_code=422
        )
    url = request.app.route_reverse("admin:users")
    if active:
        return done(request, url, "reactivated", name=person.name)
    undo = request.app.route_reverse("admin:set_active", user_id=user_id)
    return done(
        request, url, "deactivated", undo=undo, undo_fields={"active": "1"}, name=person.name
    )


async def outbox_index(request: BoardRequest) -> Response[str]:
    failed_only = request.query_params.get("show") == "failed"
    return render(
        request,
        "admin/outbox.html",
        section="outbox",
        counts=await outbox.count_outbox(),
        emails=await outbox.list_outbox(failed_only=failed_only),
        failed_only=failed_only,
        transport=request.app.state.mailer.transport.description,
    )


async def retry_email(
    request: BoardRequest, user: SignedIn, email_id: FromPath[int]
) -> Response[Any]:
    await outbox.retry_email(user.actor, email_id)
    return done(
        request, request.app.route_reverse("admin:outbox") + "?show=failed", "email_retried"
    )


async def _week_asked(raw: str) -> str | None:
    """The ISO week asked for, the latest due one when none was, None when it is no week."""
    if not raw.strip():
        org = await organisation.get_organisation()
        return latest_digest_week(now(), org.digest)
    try:
        parse_week(raw)
    except ValueError:
        return None
    return raw.strip()


async def _digest_choice(
    request: BoardRequest, user: SignedIn
) -> tuple[str | None, int | None, dict[str, str]]:
    """The week and person asked for, with a message for each that makes no sense."""
    params = request.query_params
    errors: dict[str, str] = {}
    week = await _week_asked(params.get("week", ""))
    if week is None:
        errors["week"] = gettext("Write an ISO week like 2026-W47.")
    user_id = None
    email = params.get("email", "").strip()
    if email:
        found = await users.find_user_by_email(email)
        if found is None:
            errors["email"] = gettext("No one on the board has this address.")
        else:
            user_id = found.id
    else:
        user_id = user.id
    return week, user_id, errors


async def digest_index(request: BoardRequest, user: SignedIn) -> Response[str]:
    week, user_id, errors = await _digest_choice(request, user)
    preview = None
    if user_id is not None and week is not None:
        preview = await digest.preview_digest(user_id, week, request.app.state.mailer)
    return render(
        request,
        "admin/digest.html",
        section="digest",
        week=request.query_params.get("week", "") if week is None else week,
        email=request.query_params.get("email", ""),
        errors=errors,
        preview=preview,
        preview_query={"week": week, "user": user_id},
        status_code=422 if errors else 200,
    )


# The email's own HTML, framed by /admin/digest: inline styles (as in every email) but
# no script, no plugin, no form, and only this site may frame it.
EMAIL_PREVIEW_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:;"
    " frame-ancestors 'self'; form-action 'none'; base-uri 'none'"
)


async def digest_preview(request: BoardRequest, user: SignedIn) -> Response[str]:
    week = await _week_asked(request.query_params.get("week", "")) or await _week_asked("")
    assert week is not None
    user_id = parse_id(request.query_params.get("user", "")) or user.id
    preview = await digest.preview_digest(user_id, week, request.app.state.mailer)
    return Response(
        preview.html,
        media_type="text/html",
        headers={
            "Content-Security-Policy": EMAIL_PREVIEW_POLICY,
            "X-Frame-Options": "SAMEORIGIN",
        },
    )


async def add_manager(
    request: BoardRequest, user: SignedIn, department_id: FromPath[int]
) -> Response[Any]:
    email = str((await request.form()).get("manager_email", ""))
    try:
        name, department = await departments.add_manager(user.actor, department_id, email)
    except ValidationFailed as failed:
        return await departments_page(
            request,
            status_code=422,
            manager_errors={department_id: failed.errors["manager_email"]},
            manager_email=email,
        )
    url = f"{request.app.route_reverse('admin:departments')}#department-{department_id}"
    return done(request, url, "manager_added", name=name, department=department)


async def remove_manager(
    request: BoardRequest, user: SignedIn, department_id: FromPath[int], user_id: FromPath[int]
) -> Response[Any]:
    name, department = await departments.remove_manager(user.actor, department_id, user_id)
    url = f"{request.app.route_reverse('admin:departments')}#department-{department_id}"
    return done(request, url, "manager_removed", name=name, department=department)


async def hide_checklist(request: BoardRequest, user: SignedIn) -> Response[Any]:
    await setup.dismiss_checklist(user.actor)
    return done(request, "/", "checklist_hidden")


async def audit_index(request: BoardRequest) -> Response[str]:
    params = request.query_params
    action = params.get("action", "")
    actor_id = parse_id(params.get("actor", ""))
    page = await audit.list_audit(
        action=action, actor_id=actor_id, before=parse_id(params.get("before", ""))
    )
    return render(
        request,
        "admin/audit.html",
        section="audit",
        page=page,
        actions=audit.ACTIONS,
        auditors=await audit.list_auditors(),
        action=action,
        actor_id=actor_id,
    )
