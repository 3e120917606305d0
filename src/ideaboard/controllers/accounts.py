"""First-run setup, sign-up, sign-in and sign-out, password reset."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from litestar import Response
from litestar.background_tasks import BackgroundTask
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from ideaboard.i18n import gettext
from ideaboard.mail.transports import SmtpTransport
from ideaboard.notification_kinds import Delivery, NotificationKind
from ideaboard.oidc import OidcProvider
from ideaboard.passwords import Passwords
from ideaboard.security import BoardRequest, local_path
from ideaboard.services import (
    api_tokens,
    contributors,
    departments,
    erasure,
    feeds,
    limits,
    organisation,
    password_resets,
    personal_data,
    sessions,
    setup,
    signups,
    unsubscribe,
    users,
)
from ideaboard.services.errors import NotFound, ValidationFailed
from ideaboard.settings import Settings
from ideaboard.web import (
    POSTED,
    SignedIn,
    app_csrf_config,
    client_ip,
    csrf_cookie,
    current_user,
    done,
    render,
    see_other,
    session_cookie,
    session_csrf_token,
    session_token,
    too_many,
)


async def sign_in(
    request: BoardRequest,
    user_id: int,
    target: str,
    message: str = "",
    *,
    id_token: str = "",
    **params: Any,
) -> Response[Any]:
    """Start a fresh session (a new token on every sign-in) and replace any old one;
    the next page says `message` (flash.MESSAGES) when there is one."""
    settings: Settings = request.app.state.settings
    await sessions.remove_session(session_token(request))
    lifetime = timedelta(days=settings.session_days)
    token = await sessions.create_session(user_id, lifetime=lifetime, id_token=id_token)
    response = done(request, target, message, **params) if message else see_other(target)
    response.cookies.append(session_cookie(settings, token, max_age=int(lifetime.total_seconds())))
    # Forms from before signing in stop working: the new session has its own CSRF token.
    config = app_csrf_config(request)
    response.cookies.append(csrf_cookie(config, session_csrf_token(config.secret, token)))
    return response


async def setup_form(request: BoardRequest) -> Response[str]:
    if await organisation.is_set_up():
        raise NotFoundException()
    return render(request, "accounts/setup.html", form=None, errors={})


async def setup_submit(
    request: BoardRequest, data: Annotated[setup.SetupForm, POSTED]
) -> Response[Any]:
    if await organisation.is_set_up():
        raise NotFoundException()
    passwords: Passwords = request.app.state.passwords
    try:
        user_id = await setup.create_board(data, passwords)
    except ValidationFailed as failed:
        return render(
            request, "accounts/setup.html", status_code=422, form=data, errors=failed.errors
        )
    except NotFound:
        raise NotFoundException() from None
    return await sign_in(request, user_id, "/", "board_ready")


async def signup_form(request: BoardRequest) -> Response[Any]:
    if current_user(request):
        return see_other("/")
    return render(
        request,
        "accounts/signup.html",
        form=None,
        errors={},
        departments=await departments.list_departments(),
        organisation=await organisation.get_organisation(),
    )


async def signup_submit(
    request: BoardRequest, data: Annotated[users.SignUp, POSTED]
) -> Response[Any]:
    """Check the fields, then answer "check your email" for every address: the email,
    sent after the answer has gone, either confirms a new account or says there is one."""
    try:
        await limits.hit("signup:ip", client_ip(request))
        department_id = await users.check_sign_up(data)
        await limits.hit("signup:account", data.email)  # nobody mail-bombs an address
    except (ValidationFailed, limits.RateLimited) as failed:
        page = render(
            request,
            "accounts/signup.html",
            status_code=422,
            form=data,
            errors=failed.errors if isinstance(failed, ValidationFailed) else {"form": str(failed)},
            departments=await departments.list_departments(),
            organisation=await organisation.get_organisation(),
        )
        return too_many(page, failed) if isinstance(failed, limits.RateLimited) else page
    org = await organisation.get_organisation()
    transport = request.app.state.mailer.transport
    page = render(
        request,
        "accounts/signup_sent.html",
        email=data.email,
        hours=int(signups.LIFETIME.total_seconds() // 3600),
        # A board without a mail server says where its email goes (not whose it is).
        unsent_mail=None if isinstance(transport, SmtpTransport) else transport.description,
    )
    page.background = BackgroundTask(
        signups.request_sign_up_logged,
        data,
        department_id,
        request.app.state.passwords,
        request.app.state.mailer,
        organisation=org.name,
    )
    return page


async def confirm_signup_form(request: BoardRequest, token: FromPath[str]) -> Response[Any]:
    """What the emailed link opens: a button, since mail scanners open links too."""
    if current_user(request):
        return see_other("/")
    pending = await signups.find_sign_up(token)
    return render(
        request,
        "accounts/signup_confirm.html",
        status_code=200 if pending else 410,
        token=token,
        pending=pending,
        error=None if pending else str(signups.EXPIRED),
    )


async def confirm_signup(request: BoardRequest, token: FromPath[str]) -> Response[Any]:
    try:
        user_id = await signups.confirm_sign_up(token)
    except ValidationFailed as failed:
        return render(
            request,
            "accounts/signup_confirm.html",
            status_code=410,
            token=token,
            pending=None,
            error=failed.errors["token"],
        )
    person = await users.get_user(user_id)
    return await sign_in(request, user_id, "/", "welcome", name=person.name)


async def login_form(request: BoardRequest) -> Response[Any]:
    target = local_path(request.query_params.get("next"))
    if current_user(request):
        return see_other(target)
    return render(request, "accounts/login.html", email="", next=target, error=None)


async def login_submit(request: BoardRequest) -> Response[Any]:
    form = await request.form()
    email = str(form.get("email", "")).strip()
    target = local_path(form.get("next"))
    try:
        # Counted before the password hash runs: guessing costs the guesser, not us.
        await limits.hit("login:ip", client_ip(request))
        await limits.hit("login:account", email)
    except limits.RateLimited as limited:
        page = render(request, "accounts/login.html", email=email, next=target, error=str(limited))
        return too_many(page, limited)
    user_id = await users.authenticate(
        email, str(form.get("password", "")), request.app.state.passwords
    )
    if user_id is not None:
        # Only failures add up: a success clears the account's count and gives the
        # address its hit back.
        await limits.clear("login:account", email)
        await limits.forgive("login:ip", client_ip(request))
    if user_id is None:
        return render(
            request,
            "accounts/login.html",
            status_code=422,
            email=email,
            next=target,
            error=gettext("That email and password do not match an active account."),
        )
    return await sign_in(request, user_id, target)


async def logout(request: BoardRequest) -> Response[Any]:
    """End the board's session; after a company sign-in, the provider's too where it
    offers that (RP-initiated logout), which then sends the browser back to /login."""
    id_token = await sessions.remove_session(session_token(request))
    target = request.app.route_reverse("accounts:login")
    provider: OidcProvider | None = request.app.state.oidc
    if id_token and provider is not None:
        settings: Settings = request.app.state.settings
        target = await provider.logout_url(id_token, settings.effective_base_url + target) or target
    response = done(request, target, "signed_out")
    response.delete_cookie(request.app.state.settings.session_cookie_name, path="/")
    # The next page starts a visitor's CSRF token afresh.
    response.delete_cookie(app_csrf_config(request).cookie_name, path="/")
    return response


# What /account's forms show before anyone posts to them.
PROFILE_FORMS: dict[str, Any] = {
    "new_api_token": "",
    "api_token_form": {},
    "api_token_errors": {},
    "erase_remove_content": False,
}


async def profile_page(
    request: BoardRequest,
    user: SignedIn,
    *,
    form: users.ProfileForm | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    **tokens: Any,
) -> Response[str]:
    """/account; `tokens`: what the API token form says (controllers/api_tokens.py), and
    the erase form's choice (controllers/erasure.py)."""
    row = await users.get_user(user.id)
    if form is None:
        form = users.ProfileForm(
            name=row.name,
            department_id=str(row.department_id),
            digest_enabled=row.digest_enabled,
            listed_as_contributor=row.listed_as_contributor,
            notification_prefs={kind.value: row.delivery(kind).value for kind in NotificationKind},
            language=row.language,
        )
    return render(
        request,
        "accounts/profile.html",
        status_code=status_code,
        form=form,
        errors=errors or {},
        departments=await departments.list_departments(),
        notification_kinds=list(NotificationKind),
        deliveries=[(d.value, d.label) for d in Delivery],
        organisation_language=request.state.organisation.language,
        directory_linked=row.oidc_subject is not None,
        feed_token=feeds.feed_token(app_csrf_config(request).secret, user.id, row.feed_generation),
        base_url=request.app.state.settings.effective_base_url,
        api_tokens=await api_tokens.list_tokens(user.id),
        recognition=await contributors.recognition(user.id),
        has_password=await erasure.has_password(user.id),
        data_request=await personal_data.latest(user.actor, app_csrf_config(request).secret),
        **(PROFILE_FORMS | tokens),
    )


async def profile(request: BoardRequest, user: SignedIn) -> Response[str]:
    return await profile_page(request, user)


async def save_profile(request: BoardRequest, user: SignedIn) -> Response[Any]:
    form = users.ProfileForm.from_form(await request.form())
    try:
        await users.update_profile(user.actor, form)
    except ValidationFailed as failed:
        return await profile_page(request, user, form=form, errors=failed.errors, status_code=422)
    return done(request, request.app.route_reverse("accounts:profile"), "profile_saved")


async def change_password(request: BoardRequest, user: SignedIn) -> Response[Any]:
    form = await request.form()
    try:
        await users.change_password(
            user.actor,
            current=str(form.get("current_password", "")),
            new=str(form.get("new_password", "")),
            passwords=request.app.state.passwords,
            keep_session=session_token(request),
        )
    except ValidationFailed as failed:
        return await profile_page(request, user, errors=failed.errors, status_code=422)
    return done(request, request.app.route_reverse("accounts:profile"), "password_changed")


async def unsubscribe_form(
    request: BoardRequest, user_id: FromPath[int], token: FromPath[str]
) -> Response[str]:
    """What the link in an email opens: a button, since mail scanners open links too."""
    what = request.query_params.get("from", unsubscribe.DIGEST)
    if not unsubscribe.token_is_valid(request.app.state.mailer.secret, user_id, token, what):
        raise NotFound(gettext("This unsubscribe link does not exist."))
    return _unsubscribe_page(request, what, done=None)


async def unsubscribe_submit(
    request: BoardRequest, user_id: FromPath[int], token: FromPath[str]
) -> Response[str]:
    """The button, or a mail client's one-click POST (RFC 8058): no sign-in, no CSRF
    token; the link's signature is the proof."""
    what = request.query_params.get("from", unsubscribe.DIGEST)
    secret = request.app.state.mailer.secret
    changed = await unsubscribe.unsubscribe(secret, user_id, token, what)
    return _unsubscribe_page(request, what, done=changed)


def _unsubscribe_page(request: BoardRequest, what: str, *, done: bool | None) -> Response[str]:
    action = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    kind = unsubscribe.stops(what)
    return render(request, "accounts/unsubscribe.html", done=done, action=action, kind=kind)


# --- Password reset --------------------------------------------------------------------


async def forgot_form(request: BoardRequest) -> Response[str]:
    return render(request, "accounts/forgot.html", email="", sent=False, error=None)


async def forgot_submit(request: BoardRequest) -> Response[str]:
    """The same answer for every address, known or not (no account enumeration)."""
    email = str((await request.form()).get("email", "")).strip()[:254]
    try:
        await limits.hit("reset:ip", client_ip(request))
        await limits.hit("reset:account", email)
    except limits.RateLimited as limited:
        page = render(request, "accounts/forgot.html", email=email, sent=False, error=str(limited))
        return too_many(page, limited)
    org = await organisation.get_organisation()
    page = render(request, "accounts/forgot.html", email=email, sent=True, error=None)
    # After the answer has gone, so that it takes as long for every address.
    page.background = BackgroundTask(
        password_resets.request_reset_logged,
        email,
        request.app.state.mailer,
        organisation_name=org.name,
    )
    return page


async def reset_form(request: BoardRequest, token: FromPath[str]) -> Response[str]:
    link = await password_resets.find_reset(token)
    return render(
        request,
        "accounts/reset.html",
        status_code=200 if link else 410,
        token=token,
        link=link,
        errors={} if link else {"token": str(password_resets.EXPIRED)},
    )


async def reset_submit(request: BoardRequest, token: FromPath[str]) -> Response[Any]:
    form = await request.form()
    try:
        user_id = await password_resets.reset_password(
            token, str(form.get("new_password", "")), request.app.state.passwords
        )
    except ValidationFailed as failed:
        return render(
            request,
            "accounts/reset.html",
            status_code=422,
            token=token,
            link=await password_resets.find_reset(token),
            errors=failed.errors,
        )
    return await sign_in(request, user_id, "/", "password_reset")
