"""Erasing a person: an admin at /admin/users/{id}/erase, or anyone at /account."""

from __future__ import annotations

from typing import Any

from litestar import Response
from litestar.params import FromPath

from ideaboard.controllers.accounts import profile_page
from ideaboard.mail.mailer import Mailer
from ideaboard.security import BoardRequest
from ideaboard.services import erasure
from ideaboard.services.errors import ValidationFailed
from ideaboard.web import SignedIn, app_csrf_config, done, render


async def confirm_page(
    request: BoardRequest,
    user: SignedIn,
    user_id: int,
    *,
    errors: dict[str, str] | None = None,
    remove_content: bool = False,
    status_code: int = 200,
) -> Response[str]:
    return render(
        request,
        "admin/erase.html",
        status_code=status_code,
        section="users",
        person=await erasure.preview(user.actor, user_id),
        errors=errors or {},
        remove_content=remove_content,
    )


async def confirm(request: BoardRequest, user: SignedIn, user_id: FromPath[int]) -> Response[str]:
    return await confirm_page(request, user, user_id)


async def erase(request: BoardRequest, user: SignedIn, user_id: FromPath[int]) -> Response[Any]:
    """An admin erases someone else."""
    form = await request.form()
    remove_content = form.get("remove_content") == "1"
    person = await erasure.preview(user.actor, user_id)
    try:
        erased = await erasure.erase_person(user.actor, user_id, remove_content=remove_content)
    except ValidationFailed as failed:
        return await confirm_page(
            request, user, user_id, errors=failed.errors, remove_content=remove_content,
            status_code=422,
        )  # fmt: skip
    await _forget_emails(request, erased)
    return done(
        request, request.app.route_reverse("admin:users"), "erased",
        name=person.name, pseudonym=erased.pseudonym,
    )  # fmt: skip


async def erase_own(request: BoardRequest, user: SignedIn) -> Response[Any]:
    """Someone erases their own account, with their password (or address) to prove it."""
    form = await request.form()
    remove_content = form.get("remove_content") == "1"
    try:
        erased = await erasure.erase_own_account(
            user.actor,
            password=str(form.get("password", "")),
            confirm_email=str(form.get("confirm_email", "")),
            passwords=request.app.state.passwords,
            remove_content=remove_content,
        )
    except ValidationFailed as failed:
        return await profile_page(
            request, user, errors=failed.errors, status_code=422,
            erase_remove_content=remove_content,
        )  # fmt: skip
    await _forget_emails(request, erased)
    response = done(request, "/", "account_erased")
    response.delete_cookie(request.app.state.settings.session_cookie_name, path="/")
    response.delete_cookie(app_csrf_config(request).cookie_name, path="/")
    return response


async def _forget_emails(request: BoardRequest, erased: erasure.Erased) -> None:
    mailer: Mailer = request.app.state.mailer
    await erased.tidy(mailer, request.app.state.settings.data_dir, request.app.state.store)
