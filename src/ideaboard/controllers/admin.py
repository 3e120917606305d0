"""Running the instance: organisation settings, departments, people and roles."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.params import FromPath

from ideaboard.domain import Role
from ideaboard.services import departments, organisation, users
from ideaboard.services.errors import ValidationFailed
from ideaboard.web import render, see_other, signed_in_user

AnyRequest = Request[Any, Any, Any]


async def settings_page(
    request: AnyRequest,
    *,
    form: organisation.SettingsForm | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response[str]:
    org = await organisation.get_organisation()
    if form is None:
        form = organisation.SettingsForm(
            name=org.name,
            allowed_email_domains=", ".join(org.allowed_email_domains),
            vote_budget=str(org.vote_budget or ""),
        )
    return render(
        request,
        "admin/settings.html",
        status_code=status_code,
        section="settings",
        form=form,
        errors=errors or {},
        saved=request.query_params.get("saved") == "1",
    )


async def settings_index(request: AnyRequest) -> Response[str]:
    return await settings_page(request)


async def save_settings(request: AnyRequest) -> Response[Any]:
    user = signed_in_user(request)
    form = organisation.SettingsForm.from_form(await request.form())
    try:
        await organisation.update_settings(user.actor, form)
    except ValidationFailed as failed:
        return await settings_page(request, form=form, errors=failed.errors, status_code=422)
    return see_other(request.app.route_reverse("admin:settings") + "?saved=1")


async def departments_page(
    request: AnyRequest,
    *,
    errors: dict[str, str] | None = None,
    new_name: str = "",
    failed_id: int | None = None,
    failed_name: str = "",
    status_code: int = 200,
) -> Response[str]:
    return render(
        request,
        "admin/departments.html",
        status_code=status_code,
        section="departments",
        departments=await departments.list_departments(include_archived=True),
        use=await departments.count_department_use(),
        errors=errors or {},
        new_name=new_name,
        failed_id=failed_id,
        failed_name=failed_name,
    )


async def departments_index(request: AnyRequest) -> Response[str]:
    return await departments_page(request)


async def create_department(request: AnyRequest) -> Response[Any]:
    user = signed_in_user(request)
    name = str((await request.form()).get("name", ""))
    try:
        await departments.add_department(user.actor, name)
    except ValidationFailed as failed:
        return await departments_page(request, errors=failed.errors, new_name=name, status_code=422)
    return see_other(request.app.route_reverse("admin:departments"))


async def rename_department(request: AnyRequest, department_id: FromPath[int]) -> Response[Any]:
    user = signed_in_user(request)
    name = str((await request.form()).get("name", ""))
    try:
        await departments.rename_department(user.actor, department_id, name)
    except ValidationFailed as failed:
        return await departments_page(
            request,
            errors=failed.errors,
            failed_id=department_id,
            failed_name=name,
            status_code=422,
        )
    return see_other(request.app.route_reverse("admin:departments"))


async def archive_department(request: AnyRequest, department_id: FromPath[int]) -> Response[Any]:
    user = signed_in_user(request)
    archived = (await request.form()).get("archived") == "1"
    try:
        await departments.set_archived(user.actor, department_id, archived)
    except ValidationFailed as failed:
        return await departments_page(
            request, errors=failed.errors, failed_id=department_id, status_code=422
        )
    return see_other(request.app.route_reverse("admin:departments"))


async def users_page(
    request: AnyRequest,
    *,
    errors: dict[str, str] | None = None,
    failed_id: int | None = None,
    status_code: int = 200,
) -> Response[str]:
    user = signed_in_user(request)
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


async def users_index(request: AnyRequest) -> Response[str]:
    return await users_page(request)


async def set_role(request: AnyRequest, user_id: FromPath[int]) -> Response[Any]:
    user = signed_in_user(request)
    role = str((await request.form()).get("role", ""))
    try:
        await users.set_role(user.actor, user_id, role)
    except ValidationFailed as failed:
        return await users_page(request, errors=failed.errors, failed_id=user_id, status_code=422)
    return see_other(request.app.route_reverse("admin:users"))


async def set_active(request: AnyRequest, user_id: FromPath[int]) -> Response[Any]:
    user = signed_in_user(request)
    active = (await request.form()).get("active") == "1"
    try:
        await users.set_active(user.actor, user_id, active)
    except ValidationFailed as failed:
        return await users_page(request, errors=failed.errors, failed_id=user_id, status_code=422)
    return see_other(request.app.route_reverse("admin:users"))
