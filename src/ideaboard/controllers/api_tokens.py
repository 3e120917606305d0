"""/account → API tokens: a person makes and revokes their personal access tokens."""

from __future__ import annotations

from typing import Any

from litestar import Response
from litestar.params import FromPath

from ideaboard.controllers.accounts import profile_page
from ideaboard.security import BoardRequest
from ideaboard.services import api_tokens
from ideaboard.services.errors import ValidationFailed
from ideaboard.web import SignedIn, done, see_other, shown_once


async def make(request: BoardRequest, user: SignedIn) -> Response[Any]:
    """The token is on this page and nowhere else, ever: no redirect, no flash."""
    form = await request.form()
    fields = {name: str(form.get(f"token_{name}", "")) for name in ("name", "scope", "days")}
    try:
        name, scope, days = api_tokens.check_token_form(**fields)
    except ValidationFailed as failed:
        return await profile_page(
            request, user, status_code=422, api_token_form=fields,
            api_token_errors={f"token_{k}": v for k, v in failed.errors.items()},
        )  # fmt: skip
    _, secret = await api_tokens.make_token(user.id, name, scope, days)
    page = await profile_page(request, user, new_api_token=secret)
    return shown_once(page, request.app.route_reverse("accounts:profile"))


async def back_to_account(request: BoardRequest) -> Response[Any]:
    """The form's address, opened (a reload, a bookmark): the page it belongs to."""
    return see_other(request.app.route_reverse("accounts:profile") + "#api-tokens")


async def revoke(request: BoardRequest, user: SignedIn, token_id: FromPath[int]) -> Response[Any]:
    token = await api_tokens.revoke_token(user.id, token_id)
    url = request.app.route_reverse("accounts:profile") + "#api-tokens"
    return done(request, url, "token_revoked", name=token.name)
