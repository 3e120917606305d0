"""Unsubscribing from an email without signing in: the weekly digest, or the emails of
one kind of notification (which stay in the app). The link carries an HMAC of the
person and of what it stops, so it works for them only, for that only."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

from ideaboard.db import write_transaction
from ideaboard.i18n import gettext
from ideaboard.notification_kinds import Delivery, NotificationKind, delivery_for
from ideaboard.services.errors import NotFound
from ideaboard.services.notifications import parse_prefs
from ideaboard.tables import User

DIGEST = "digest"


def stops(what: str) -> NotificationKind | None:
    """The kind of notification a link stops emailing; None for the digest's link."""
    return NotificationKind(what) if what in NotificationKind.__members__.values() else None


def unsubscribe_token(secret: str, user_id: int, what: str = DIGEST) -> str:
    # The digest's message is the one its links always had: old digests keep working.
    message = f"{what}-unsubscribe:{user_id}" if what == DIGEST else f"{what}:{user_id}"
    digest = hmac.new(secret.encode(), message.encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()[:18]).decode()


def unsubscribe_path(secret: str, user_id: int, what: str = DIGEST) -> str:
    path = f"/unsubscribe/{user_id}/{unsubscribe_token(secret, user_id, what)}"
    return path if what == DIGEST else f"{path}?from={what}"


def one_click_headers(url: str) -> dict[str, str]:
    """The headers that let a mail client stop an email in one click (RFC 8058)."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def token_is_valid(secret: str, user_id: int, token: str, what: str = DIGEST) -> bool:
    if what != DIGEST and stops(what) is None:
        return False
    return hmac.compare_digest(unsubscribe_token(secret, user_id, what), token)


async def unsubscribe(secret: str, user_id: int, token: str, what: str = DIGEST) -> bool:
    """Stop the digest, or the emails of one kind of notification, for the link's owner.
    True when this changed anything; False when it was already off. NotFound for a link
    that is not genuine."""
    if not token_is_valid(secret, user_id, token, what):
        raise NotFound(gettext("This unsubscribe link does not exist."))
    kind = stops(what)
    async with write_transaction():
        row = await User.select(User.digest_enabled, User.notification_prefs).where(
            User.id == user_id
        ).first()  # fmt: skip
        if row is None:
            raise NotFound(gettext("This unsubscribe link does not exist."))
        if kind is None:
            if not row["digest_enabled"]:
                return False
            await User.update({User.digest_enabled: False}).where(User.id == user_id)
            return True
        prefs = parse_prefs(row["notification_prefs"])
        if delivery_for(kind, prefs) is not Delivery.EMAIL:
            return False
        prefs[kind.value] = Delivery.APP.value  # still in the app, no more email
        await User.update({User.notification_prefs: json.dumps(prefs)}).where(User.id == user_id)
        return True
