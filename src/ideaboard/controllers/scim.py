"""SCIM 2.0 at /scim/v2: the company directory's provisioning, with a bearer token.

JSON in and out (application/scim+json), errors in SCIM's format, never a page.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.params import FromPath

from ideaboard.error_pages import EXCEPTION_HANDLERS as PAGE_ERROR_HANDLERS
from ideaboard.scim import (
    MEDIA_TYPE,
    ScimError,
    parse_filter,
    read_json,
    resource_types,
    response_parameters,
    schemas,
    service_provider_config,
)
from ideaboard.security import refuse_impossible_input
from ideaboard.services import provisioning, scim_tokens
from ideaboard.services.errors import Forbidden, NotFound, ServiceError
from ideaboard.services.limits import RateLimited
from ideaboard.settings import Settings

log = logging.getLogger("ideaboard.scim")

BODY_MAX = 256 * 1024


def _json(body: Any, status_code: int = 200, **headers: str) -> Response[Any]:
    return Response(body, status_code=status_code, media_type=MEDIA_TYPE, headers=headers)


def _base_url(request: Request[Any, Any, Any]) -> str:
    settings: Settings = request.app.state.settings
    return settings.effective_base_url + "/scim/v2"


async def requires_token(request: Request[Any, Any, Any]) -> None:
    """Every SCIM request carries a live token (before_request, so also for 404s), and
    passes the board's check of impossible input, which this replaces at this layer."""
    try:
        await refuse_impossible_input(request)
    except HTTPException as error:
        raise ScimError(error.status_code, str(error.detail), "invalidValue") from None
    if not await scim_tokens.authenticate(request.headers.get("authorization", "")):
        raise ScimError(401, "A valid bearer token is needed (made at /admin).")


async def _payload(request: Request[Any, Any, Any]) -> dict[str, Any]:
    body = await request.body()
    if len(body) > BODY_MAX:
        raise ScimError(413, "The request is too large.")
    return read_json(body)


def _number(request: Request[Any, Any, Any], name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ScimError(400, f"{name} must be a number.", "invalidValue") from None


async def get_config(request: Request[Any, Any, Any]) -> Response[Any]:
    return _json(service_provider_config())


def _listed(resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": len(resources),
        "startIndex": 1,
        "itemsPerPage": len(resources),
        "Resources": resources,
    }


async def list_resource_types(request: Request[Any, Any, Any]) -> Response[Any]:
    return _json(_listed(resource_types(_base_url(request))))


async def get_resource_type(request: Request[Any, Any, Any], name: FromPath[str]) -> Response[Any]:
    for found in resource_types(_base_url(request)):
        if found["id"] == name:
            return _json(found)
    raise ScimError(404, f"No resource type {name}.")


async def list_schemas(request: Request[Any, Any, Any]) -> Response[Any]:
    return _json(_listed(schemas(_base_url(request))))


async def get_schema(request: Request[Any, Any, Any], urn: FromPath[str]) -> Response[Any]:
    for found in schemas(_base_url(request)):
        if found["id"] == urn:
            return _json(found)
    raise ScimError(404, f"No schema {urn}.")


async def list_users(request: Request[Any, Any, Any]) -> Response[Any]:
    expression = request.query_params.get("filter")
    found_by = parse_filter(expression) if expression else None
    page = await provisioning.list_users(
        found_by,
        start_index=_number(request, "startIndex", 1),
        count=_number(request, "count", 100),
        base_url=_base_url(request),
        params=response_parameters(request.query_params),
    )
    return _json(page)


async def get_user(request: Request[Any, Any, Any], user_id: FromPath[str]) -> Response[Any]:
    params = response_parameters(request.query_params)
    return _json(await provisioning.get_user(user_id, _base_url(request), params))


async def create_user(request: Request[Any, Any, Any]) -> Response[Any]:
    params = response_parameters(request.query_params)
    created = await provisioning.create_user(await _payload(request), _base_url(request), params)
    return _json(created, 201, Location=created["meta"]["location"])


async def replace_user(request: Request[Any, Any, Any], user_id: FromPath[str]) -> Response[Any]:
    payload, params = await _payload(request), response_parameters(request.query_params)
    return _json(await provisioning.replace_user(user_id, payload, _base_url(request), params))


async def patch_user(request: Request[Any, Any, Any], user_id: FromPath[str]) -> Response[Any]:
    payload, params = await _payload(request), response_parameters(request.query_params)
    return _json(await provisioning.patch_user(user_id, payload, _base_url(request), params))


async def delete_user(request: Request[Any, Any, Any], user_id: FromPath[str]) -> None:
    await provisioning.delete_user(user_id)


async def not_found(request: Request[Any, Any, Any]) -> Response[Any]:
    if request.url.path.endswith("/.search"):
        raise ScimError(501, "Search with POST is not supported: use GET with a filter.")
    raise ScimError(404, "The board provisions Users only.")


def on_scim_error(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    if isinstance(error, ScimError):
        problem = error
    elif isinstance(error, HTTPException):  # 405, a body Litestar could not read
        problem = ScimError(error.status_code, str(error.detail))
    elif isinstance(error, ServiceError):  # the services' refusals
        status = {NotFound: 404, Forbidden: 403, RateLimited: 429}.get(type(error), 400)
        problem = ScimError(status, str(error))
    else:
        log.exception("SCIM %s %s failed", request.method, request.url.path, exc_info=error)
        problem = ScimError(500, "Something went wrong on the board's side.")
    headers = {"WWW-Authenticate": 'Bearer realm="scim"'} if problem.status == 401 else {}
    return _json(problem.payload(), problem.status, **headers)


# Every class the app answers with a page (error_pages), answered here in SCIM's format:
# Litestar takes the most specific class across layers, not the nearest layer.
EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    error: on_scim_error for error in [*PAGE_ERROR_HANDLERS, ScimError, Exception]
}
