"""The templates' environment: the functions and filters every page uses (dates worded
for people, the CSRF token, URLs by route name)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton, format_timedelta
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from litestar import Litestar
from litestar.template.base import csrf_token
from markupsafe import Markup, escape

from ideaboard.i18n import (
    LANGUAGES,
    TEMPLATE_GLOBALS,
    babel_locale,
    current_language,
    current_zone,
    day,
    decimal,
    file_size,
    gettext,
    number,
)
from ideaboard.oidc import provider_name
from ideaboard.security import CSRF_SCOPE_KEY
from ideaboard.settings import Settings
from ideaboard.vote_box import VoteBox
from ideaboard.wording import plural

# Babel's units for "3 days ago", largest first, and the share of a unit that counts as
# one (0.9: 27 days is "1 month ago").
UNITS = (
    ("year", 365 * 86400), ("month", 30 * 86400), ("week", 7 * 86400), ("day", 86400),
    ("hour", 3600), ("minute", 60), ("second", 1),
)  # fmt: skip
THRESHOLD = 0.9


def relative_time(moment: datetime, *, now: datetime | None = None) -> str:
    """'3 days ago', 'for 3 dage siden' (the exact time goes in the element's title)."""
    seconds = (moment - (now or datetime.now(UTC))).total_seconds()
    if abs(seconds) < 45:
        return gettext("just now")
    for unit, length in UNITS:
        value = abs(seconds) / length
        if value >= THRESHOLD:
            return _phrase(current_language(), unit, max(1, round(value)), seconds > 0)
    return gettext("just now")  # not reached: 45 seconds are past the last unit's threshold


@lru_cache(maxsize=4096)
def _phrase(language: str, unit: str, count: int, future: bool) -> str:
    """Babel's wording for a whole number of one unit: a board page has thirty dates,
    most of them alike ("2 days ago"), and Babel takes longer to word one than the
    rest of a card takes to render."""
    length = dict(UNITS)[unit]
    delta = timedelta(seconds=count * length * (1 if future else -1))
    # With `count` as the threshold, Babel words it in this unit: every larger unit
    # comes to less than `count` of itself.
    return format_timedelta(
        delta, add_direction=True, locale=babel_locale(language), threshold=count
    )


def exact_time(moment: datetime) -> str:
    """ "2 Dec 2026, 14:05" in English, "2. dec. 2026 14.05" in Danish: Babel's wording
    of the date and time, in the organisation's time zone."""
    return _exact(moment, current_language(), current_zone())


@lru_cache(maxsize=8192)
def _exact(moment: datetime, language: str, zone: str) -> str:
    zone_info, locale = ZoneInfo(zone), babel_locale(language)
    day = format_skeleton("yMMMd", moment, tzinfo=zone_info, locale=locale)
    return f"{day}, {format_skeleton('Hm', moment, tzinfo=zone_info, locale=locale)}"


def time_tag(moment: datetime) -> Markup:
    """A relative date with the exact time on hover. Every part is made here from
    numbers and Babel's wording, none from what a person typed."""
    opening, closing = _time_element(moment, current_language(), current_zone())
    return Markup(opening + relative_time(moment) + closing)  # noqa: S704 (see _time_element)


@lru_cache(maxsize=8192)
def _time_element(moment: datetime, language: str, zone: str) -> tuple[str, str]:
    """The parts of a moment's <time> element that stay as they are: worked out once per
    moment (an idea's date is on every board page that shows it), not on every page."""
    iso = moment.isoformat(timespec="seconds")
    title = escape(_exact(moment, language, zone))
    return f'<time datetime="{iso}" title="{title}">', "</time>"


def department_path(from_department: str | None, department: str) -> Markup:
    """ "from Sales → for **IT**" of a card: worded once per language and pair of
    departments (a board page draws thirty), the names escaped."""
    return _department_path(current_language(), from_department or "", department)


@lru_cache(maxsize=2048)
def _department_path(language: str, source: str, target: str) -> Markup:
    to = Markup(gettext("for <strong>%(department)s</strong>")) % {"department": target}  # noqa: S704
    if not source:
        return to
    origin = Markup(gettext("from %(department)s")) % {"department": source}  # noqa: S704
    arrow = Markup('<span aria-hidden="true">→</span><span class="visually-hidden">,</span>')
    return Markup(" ").join((origin, arrow, to))


@pass_context
def _csrf_token(context: Any) -> str:
    """The token forms carry: the signed-in session's own (see `session_csrf_token`), else
    the one Litestar's CSRF middleware keeps for a visitor."""
    bound: str | None = context["request"].scope.get(CSRF_SCOPE_KEY)
    return bound or csrf_token(context)


@pass_context
def _csrf_input(context: Any) -> Markup:
    return Markup('<input type="hidden" name="_csrf_token" value="{}">').format(
        _csrf_token(context)
    )


class UrlFor:
    """`url_for` in templates: the app's route_reverse, remembered (a board page asks for
    ~60 URLs). Not a `pass_context` function: Jinja copies a loop's variables into a new
    context for every call of one, which cost more than the rest of a card. (The
    parameters come in the order of the template's call: the same at every call.)"""

    def __init__(self, app: Litestar) -> None:
        self._reverse = lru_cache(maxsize=16384)(self._uncached)
        self._app = app

    def _uncached(self, route_name: str, parameters: tuple[tuple[str, Any], ...]) -> str:
        return self._app.route_reverse(route_name, **dict(parameters))

    def __call__(self, route_name: str, **parameters: Any) -> str:
        return self._reverse(route_name, tuple(parameters.items()))


def bind_app(templates: Environment, app: Litestar) -> Litestar:
    """Give the templates the app's routes (`url_for`, the vote control's address)."""
    url_for = UrlFor(app)
    templates.globals.update(url_for=url_for, vote_box=VoteBox(url_for))
    return app


def chart_points(
    values: list[float], left: float, step: float, top: float, height: float
) -> list[str]:
    """A line chart's "x,y" points for shares 0..1, one per step (the charts' macro)."""
    return [
        f"{left + step * n:.1f},{top + height * (1 - value):.1f}" for n, value in enumerate(values)
    ]


def chart_ticks(count: int) -> list[int]:
    """Which of a line chart's `count` points get a label under the axis: the first,
    the last, and every quarter of the way when there are more than eight."""
    marked = {0, count - 1} if count else set()
    if count > 8:
        marked |= set(range(0, count, count // 4))
    return sorted(marked)


def build_templates(settings: Settings) -> Environment:
    env = Environment(
        loader=FileSystemLoader(settings.templates_dir),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=settings.debug,
    )
    env.globals.update(TEMPLATE_GLOBALS)  # the reader's language (ideaboard.i18n)
    env.globals.update(
        language=current_language,
        languages=LANGUAGES,
        csrf_token=_csrf_token,
        csrf_input=_csrf_input,
        time=time_tag,
        date=day,
        days=lambda value: "\u2013" if value is None else decimal(value),  # an en dash
        department_path=department_path,
        # How people sign in: the company's provider (its name, or "" without one),
        # and whether passwords are on (IDEABOARD_PASSWORD_SIGNIN).
        company_sign_in=provider_name(settings.oidc) if settings.oidc.enabled else "",
        password_sign_in=settings.password_signin,
    )
    env.filters.update(
        relative_time=relative_time,
        exact_time=exact_time,
        plural=plural,
        number=lambda value: number(int(value)),
        file_size=lambda value: file_size(int(value)),
        urlquote=lambda value: quote(str(value), safe=""),
        chart_points=chart_points,
        chart_ticks=chart_ticks,
    )
    return env
