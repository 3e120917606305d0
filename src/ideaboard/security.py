"""What keeps requests honest: the CSRF token bound to the session, the form that refuses
what cannot be read, input no row can match, and the security headers on every answer."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import AsyncGenerator
from typing import Any
from urllib.parse import urlsplit

from litestar import Request
from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, FormMultiDict, UploadFile
from litestar.enums import ScopeType
from litestar.exceptions import ClientException, NotFoundException
from litestar.middleware import ASGIMiddleware
from litestar.middleware.csrf import generate_csrf_hash
from litestar.plugins.htmx import HTMXRequest
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from ideaboard.i18n import gettext
from ideaboard.services.validation import INTEGER_MAX, without_bidi_controls
from ideaboard.settings import Settings
from ideaboard.uploads import Upload

# The `file_field` of the routes that take pictures and files (services.attachments).
ATTACHMENTS = "files"

# One-click unsubscribe is a POST from a mail client: the signed link is its proof.
# SCIM and API requests carry a bearer token and no cookie is ever taken for one: a
# browser cannot be made to send it.
CSRF_EXEMPT = ("/unsubscribe/", "/scim/", "/api/")


def content_security_policy(form_targets: str = "") -> str:
    """Scripts, styles and everything else from this board only. `form_targets`: other
    origins a form may end at (the company sign-in's provider, for signing out there)."""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            # blob: the preview of a picture chosen for a form (static/attach.js).
            "img-src 'self' data: blob:",
            "font-src 'self'",
            "connect-src 'self'",
            f"form-action 'self'{' ' + form_targets if form_targets else ''}",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "object-src 'none'",
        ]
    )


# Where SessionMiddleware leaves the signed-in session's CSRF token for the templates.
CSRF_SCOPE_KEY = "ideaboard_csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def session_csrf_token(secret: str, session: str) -> str:
    """The CSRF token of a signed-in session, in the form Litestar's CSRF middleware checks
    (a nonce and its HMAC), the nonce derived from the session's token. Bound to the
    session: a token planted in the browser (over plain http a neighbouring site can set
    cookies) or kept from before signing in is refused, and every sign-in changes it."""
    digest = hmac.new(secret.encode(), b"csrf:" + session.encode(), hashlib.sha256)
    nonce = digest.hexdigest()
    return nonce + generate_csrf_hash(nonce, secret)


def app_csrf_config(connection: ASGIConnection[Any, Any, Any, Any]) -> CSRFConfig:
    config = connection.app.csrf_config
    assert config is not None, "create_app always configures CSRF"
    return config


def csrf_cookie(config: CSRFConfig, value: str) -> Cookie:
    """The CSRF cookie as Litestar's middleware sets it."""
    return Cookie(
        key=config.cookie_name,
        value=value,
        path=config.cookie_path,
        secure=config.cookie_secure,
        httponly=config.cookie_httponly,
        samesite=config.cookie_samesite,
    )


# Bad input that must never reach a handler or the database ---------------------


class BoardRequest(HTMXRequest):
    """htmx's request, with a form that turns an unreadable body into a 400 with a
    sentence: a part in a charset that does not exist, or bytes not in the one it names
    (both fail while Litestar decodes, in the CSRF check before any handler), and a file
    where the board takes only text (the CSRF token, a title). Bidi controls are taken
    out of every value on the way in (`validation.without_bidi_controls`)."""

    async def form(self) -> FormMultiDict:
        """The form's text. Only a route whose `opt` names a `file_field` takes files
        (read with `form_with_files`); the CSRF check reads this first."""
        text, _ = await self.form_with_files()
        return text

    async def form_with_file(self) -> tuple[FormMultiDict, bytes | None]:
        """The form's text, and the bytes of its one file (None: none sent)."""
        text, uploads = await self.form_with_files()
        return text, uploads[0].data if uploads else None

    async def form_with_files(self) -> tuple[FormMultiDict, list[Upload]]:
        """The form's text, and the files sent as the route's `file_field`. They are
        read and closed at the first look (the CSRF check's), even when a guard then
        refuses the request. On an attachment route (`ATTACHMENTS`) a file is read up to
        one byte past the size limit and marked too large, so the form is kept."""
        handler = self.scope.get("route_handler")
        name = handler.opt.get("file_field") if handler else None
        try:
            form = await super().form()
        except (UnicodeDecodeError, LookupError):  # LookupError: "unknown encoding: x"
            raise ClientException(
                gettext("This form could not be read: send it as UTF-8 text from the page.")
            ) from None
        files = [(key, value) for key, value in form.multi_items() if isinstance(value, UploadFile)]
        if not hasattr(self.state, "uploads"):
            self.state.uploads = [await self._read(upload) for key, upload in files
                                  if key == name and upload.filename]  # fmt: skip
            for _, upload in files:
                await upload.close()
        if any(key != name for key, _ in files):
            raise ClientException(gettext("This form takes text only, not files."))
        text = [(key, value) for key, value in form.multi_items() if isinstance(value, str)]
        fields = FormMultiDict([(key, without_bidi_controls(value)) for key, value in text])
        return fields, [upload for upload in self.state.uploads if upload.data or upload.too_large]

    async def _read(self, upload: UploadFile) -> Upload:
        if self.route_handler.opt.get("file_field") != ATTACHMENTS:
            return Upload(upload.filename, await upload.read())
        most = self.app.state.settings.upload_max_mb * 1024 * 1024
        data = await upload.read(most + 1)
        if len(data) > most:
            return Upload(upload.filename, b"", too_large=True)
        return Upload(upload.filename, data)

    async def stream(self) -> AsyncGenerator[bytes, None]:
        """The body; on an attachment route (which Litestar's own limit leaves alone) at
        most `settings.upload_body_max` bytes: every file at its largest, and the text."""
        if self.route_handler.opt.get("file_field") != ATTACHMENTS:
            async for chunk in super().stream():
                yield chunk
            return
        most = self.app.state.settings.upload_body_max
        too_large = ClientException(
            gettext("These files are too large to send: at most %(size)s MB each.")
            % {"size": self.app.state.settings.upload_max_mb},
            status_code=413,
        )
        if (self.content_length or 0) > most:
            raise too_large
        sent = 0
        async for chunk in super().stream():
            sent += len(chunk)
            if sent > most:
                raise too_large
            yield chunk


async def refuse_impossible_input(request: Request[Any, Any, Any]) -> None:
    """Before every handler: an id no row can have (past a database integer, zero or
    negative) is a missing page, and a NUL in the query is refused; either would
    otherwise be a database error (PostgreSQL refuses NUL in text). Text in the path
    (the tokens of emailed links) is only ever hashed."""
    for value in request.path_params.values():
        if isinstance(value, int) and not 0 < value <= INTEGER_MAX:
            raise NotFoundException()
    if b"%00" in request.scope["query_string"]:
        raise ClientException(gettext("This address contains a character that cannot be used."))


class SecurityHeadersMiddleware(ASGIMiddleware):
    """Security headers (`security_headers`) on every response: pages, redirects,
    errors and static files.

    A middleware, not an after-request hook: Litestar remembers a handler's hooks on
    the handler, and the route handlers are shared by every app made in one process.
    """

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        extra = scope["app"].state.security_headers

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                message["headers"] = headers + [(k, v) for k, v in extra if k not in present]
            await send(message)

        await next_app(scope, receive, sending)


def security_headers(settings: Settings) -> tuple[tuple[bytes, bytes], ...]:
    """The headers of every answer; over https also HSTS (a year, subdomains too)."""
    issuer = urlsplit(settings.oidc.issuer) if settings.oidc.enabled else None
    policy = content_security_policy(f"{issuer.scheme}://{issuer.netloc}" if issuer else "")
    headers = [
        (b"content-security-policy", policy.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
        (b"x-frame-options", b"DENY"),
    ]
    if settings.secure_cookies:
        headers.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
    return tuple(headers)


LOCAL_PATH_MAX = 2000


def local_path(target: object, default: str = "/") -> str:
    """Where a page may send the person next (a form's `next` or `back`, an Undo): a path
    on this board ("/ideas/3?sort=new#c2"), never another site ("//evil.example",
    "/\\evil.example", "https://…"), else `default`. The one rule for all of them."""
    path = str(target or "")
    if (
        path.startswith("/")
        and not path.startswith(("//", "/\\"))
        and len(path) <= LOCAL_PATH_MAX
        and path.isprintable()
    ):
        return path
    return default
