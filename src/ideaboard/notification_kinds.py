"""The kinds of notification, and how each person wants to hear of each. Pure: no I/O."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from ideaboard.i18n import gettext, lazy_gettext


class Delivery(StrEnum):
    EMAIL = "email"  # in the app and by email
    APP = "app"  # in the app only
    OFF = "off"

    @property
    def label(self) -> str:
        return {
            "email": gettext("App and email"),
            "app": gettext("App only"),
            "off": gettext("Off"),
        }[self.value]


class NotificationKind(StrEnum):
    STATUS_CHANGED = "status_changed"
    NEW_COMMENT = "new_comment"
    ROUTED_TO_YOU = "routed_to_you"
    NEEDS_OWNER = "needs_owner"
    REROUTED = "rerouted"
    IDEA_APPROVED = "idea_approved"
    IDEA_REJECTED = "idea_rejected"
    IDEA_MERGED = "idea_merged"

    @property
    def label(self) -> str:
        return str(NOTIFICATION_LABELS[self])

    @property
    def default_delivery(self) -> Delivery:
        # Comments are chatty: in the app only unless asked for.
        return Delivery.APP if self is NotificationKind.NEW_COMMENT else Delivery.EMAIL


NOTIFICATION_LABELS: dict[NotificationKind, Any] = {
    NotificationKind.STATUS_CHANGED: lazy_gettext("Status updates on ideas I follow"),
    NotificationKind.NEW_COMMENT: lazy_gettext("New comments on ideas I follow"),
    NotificationKind.ROUTED_TO_YOU: lazy_gettext("An idea is routed to me"),
    NotificationKind.NEEDS_OWNER: lazy_gettext(
        "An idea for my department needs an owner (managers)"
    ),
    NotificationKind.REROUTED: lazy_gettext("An idea was re-routed to my department (managers)"),
    NotificationKind.IDEA_APPROVED: lazy_gettext("My idea was approved"),
    NotificationKind.IDEA_REJECTED: lazy_gettext("My idea was rejected"),
    NotificationKind.IDEA_MERGED: lazy_gettext("My idea was merged into another"),
}


def delivery_for(kind: NotificationKind, prefs: dict[str, str]) -> Delivery:
    """A person's choice for this kind of notification, or the default."""
    chosen = prefs.get(kind.value, "")
    return Delivery(chosen) if chosen in Delivery.__members__.values() else kind.default_delivery
