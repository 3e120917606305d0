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
from ideaboard.services import sso
from ideaboard.settings import Settings
from ideaboard.web import render

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


def _problem_page(
    request: BoardRequest, provider: OidcProvider, reason: str, **params: str
) -> Response[str]:
    status, sentence = sso.REASONS[reason]
    page = render(
        request,
        "accounts/sso_problem.html",
        status_code=status,
        message=str(sentence) % {"provider": provider_name(provider.settings), **params},
        provider_name=provider_name(provider.settings),
    )
    settings: Settings = request.app.state.settings
    page.cookies.append(_state_cookie(settings, "", max_age=0))
    return page


async def start(request: BoardRequest) -> Response[Any]:
    """The "Sign in with NAME" link: remember the attempt, send the browser on."""
    provider = _provider(request)
    target = local_path(request.query_params.get("next"))
    try:
        authorization = await provider.start()
    except ProviderProblem as problem:
        log.warning("company sign-in could not start: %s", problem)
        await sso.refuse(problem.reason, {}, problem.detail)
        return _problem_page(request, provider, problem.reason)
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
        await sso.refuse("cancelled", {}, f"{query.get('error')}: {query.get('error_description')}")
        return _problem_page(request, provider, "cancelled")
    expected = request.cookies.get(STATE_COOKIE, "")
    if not state or not expected or not hmac.compare_digest(state, expected):
        await sso.refuse("wrong_state", {}, "the state does not match this browser's")
        return _problem_page(request, provider, "wrong_state")
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
        await sso.refuse(refused.reason, claims)
        return _problem_page(request, provider, refused.reason, **refused.params)
    except ProviderProblem as problem:
        log.warning("company sign-in failed: %s", problem)
        await sso.refuse(problem.reason, claims, problem.detail)
        return _problem_page(request, provider, problem.reason)
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
