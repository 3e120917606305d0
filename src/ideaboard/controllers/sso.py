"""Company sign-in (OpenID Connect): off to the provider, and back."""

from __future__ import annotations

import hmac
import logging
from typing import Any

from litestar import Response
from litestar.datastructures import Cookie
from litestar.exceptions import NotFoundException
from litestar.response import Redirect

from ideaboard.controllers.accounts import sign_in
from ideaboard.oidc import OidcProvider, ProviderProblem, provider_name
from ideaboard.security import BoardRequest, local_path
from ideaboard.services import limits, sso
from ideaboard.settings import Settings
from ideaboard.web import client_ip, render, too_many

log = logging.getLogger("ideaboard.sso")

# The attempt's `state`, in the browser that started it: a callback arriving in
# another browser (someone else's link, login CSRF) is refused.
STATE_COOKIE = "ideaboard_oidc_state"
STATE_PATH = "/auth/oidc"


def _provider(request: BoardRequest) -> OidcProvider:
    provider: OidcProvider | None = request.app.state.oidc
    if provider is None:
        raise NotFoundException()
    return provider


def _state_cookie(settings: Settings, value: str, max_age: int) -> Cookie:
    return Cookie(
        key=STATE_COOKIE, value=value, max_age=max_age, path=STATE_PATH, httponly=True,
        samesite="lax", secure=settings.secure_cookies,
    )  # fmt: skip


async def _refused(
    request: BoardRequest,
    provider: OidcProvider,
    reason: str,
    *,
    claims: dict[str, Any] | None = None,
    detail: str = "",
    **params: str,
) -> Response[str]:
    """The page that says why, with a way back; and an audit line, at most `sso:ip`'s
    worth per network (anyone can make a callback fail, nobody may fill the log)."""
    status, sentence = sso.REASONS[reason]
    message = str(sentence) % {"provider": provider_name(provider.settings), **params}
    limited: limits.RateLimited | None = None
    try:
        await limits.hit("sso:ip", client_ip(request))
    except limits.RateLimited as error:
        limited, status, message = error, 429, str(error)
    else:
        await sso.refuse(reason, claims or {}, detail)
    page = render(
        request,
        "accounts/sso_problem.html",
        status_code=status,
        message=message,
        provider_name=provider_name(provider.settings),
    )
    settings: Settings = request.app.state.settings
    page.cookies.append(_state_cookie(settings, "", max_age=0))
    return too_many(page, limited) if limited else page


async def start(request: BoardRequest) -> Response[Any]:
    """The "Sign in with NAME" link: remember the attempt, send the browser on."""
    provider = _provider(request)
    target = local_path(request.query_params.get("next"))
    try:
        authorization = await provider.start()
    except ProviderProblem as problem:
        log.warning("company sign-in could not start: %s", problem)
        return await _refused(request, provider, problem.reason, detail=problem.detail)
    await sso.begin(authorization, target)
    response = Redirect(authorization.url, status_code=303)
    lifetime = int(sso.ATTEMPT_LIFETIME.total_seconds())
    settings: Settings = request.app.state.settings
    response.cookies.append(_state_cookie(settings, authorization.state, max_age=lifetime))
    return response


async def callback(request: BoardRequest) -> Response[Any]:
    """Where the provider sends the browser back: every check, then a session."""
    provider = _provider(request)
    query = request.query_params
    state = str(query.get("state", ""))[:200]
    if query.get("error"):
        detail = f"{query.get('error')}: {query.get('error_description')}"[:500]
        return await _refused(request, provider, "cancelled", detail=detail)
    expected = request.cookies.get(STATE_COOKIE, "")
    if not state or not expected or not hmac.compare_digest(state.encode(), expected.encode()):
        return await _refused(request, provider, "wrong_state", detail="not this browser's")
    claims: dict[str, Any] = {}
    try:
        attempt = await sso.take_attempt(state)
        identity = await provider.finish(
            str(query.get("code", ""))[:2000],
            nonce=attempt.nonce,
            code_verifier=attempt.code_verifier,
        )
        claims = identity.claims
        person = await sso.sign_in(claims, provider.settings)
    except sso.SignInRefused as refused:
        return await _refused(request, provider, refused.reason, claims=claims, **refused.params)
    except ProviderProblem as problem:
        log.warning("company sign-in failed: %s", problem)
        return await _refused(
            request, provider, problem.reason, claims=claims, detail=problem.detail
        )
    if person.needs_department:
        target, message = request.app.route_reverse("accounts:profile"), "welcome_choose_department"
    else:
        target, message = attempt.target, ("welcome" if person.created else "")
    response = await sign_in(
        request,
        person.user_id,
        target,
        message,
        id_token=identity.id_token,
        name=person.name,
    )
    response.cookies.append(_state_cookie(request.app.state.settings, "", max_age=0))
    return response
