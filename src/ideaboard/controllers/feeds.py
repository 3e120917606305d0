"""Atom feeds at /feeds/…?token=…: private links, read without a session."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment
from litestar import Response
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from ideaboard import i18n
from ideaboard.security import BoardRequest, app_csrf_config
from ideaboard.services import board, feeds
from ideaboard.services.clock import now
from ideaboard.services.organisation import OrganisationRow
from ideaboard.services.validation import parse_id
from ideaboard.settings import Settings
from ideaboard.web import SignedIn, done

MEDIA_TYPE = "application/atom+xml; charset=utf-8"


async def _reader(request: BoardRequest) -> feeds.FeedReader:
    secret = app_csrf_config(request).secret
    reader = await feeds.reader_for(secret, str(request.query_params.get("token", "")))
    if reader is None:  # not genuine, revoked, or switched off: nothing to say more
        raise NotFoundException()
    return reader


def _atom(
    request: BoardRequest, reader: feeds.FeedReader, template: str, **context: Any
) -> Response[str]:
    org: OrganisationRow = request.state.organisation
    settings: Settings = request.app.state.settings
    env: Environment = request.app.state.templates
    with i18n.in_language(reader.language or org.language):
        xml = env.get_template(template).render(
            base=settings.effective_base_url,
            organisation_name=org.name,
            token=reader.token,
            iso=lambda moment: (moment or now()).isoformat(timespec="seconds"),
            **context,
        )
    # Feed readers poll: private (the link is personal), a few minutes fresh.
    headers = {"Cache-Control": "private, max-age=300", "X-Robots-Tag": "noindex"}
    return Response(xml, media_type=MEDIA_TYPE, headers=headers)


async def board_feed(request: BoardRequest) -> Response[str]:
    reader = await _reader(request)
    query = board.BoardQuery.from_params(request.query_params)
    feed = await feeds.board_feed(reader.actor, query)
    params = urlencode(query.to_params(after=""))
    return _atom(request, reader, "feeds/board.xml", feed=feed, query=query, params=params)


async def idea_feed(request: BoardRequest, file_name: FromPath[str]) -> Response[str]:
    number, _, extension = file_name.partition(".")
    idea_id = parse_id(number)
    if extension != "atom" or idea_id is None:
        raise NotFoundException()
    reader = await _reader(request)
    feed = await feeds.idea_feed(reader.actor, idea_id)
    return _atom(request, reader, "feeds/idea.xml", feed=feed)


async def renew(request: BoardRequest, user: SignedIn) -> Response[Any]:
    await feeds.renew_token(user.actor)
    return done(request, request.app.route_reverse("accounts:profile") + "#feeds", "feeds_renewed")
