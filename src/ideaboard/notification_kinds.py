"""The kinds of notification, and how each person wants to hear of each. Pure: no I/O."""

from __future__ import annotations

from enum import StrEnum


class Delivery(StrEnum):
    EMAIL = "email"  # in the app and by email
    APP = "app"  # in the app only
    OFF = "off"

    @property
    def label(self) -> str:
        return {"email": "App and email", "app": "App only", "off": "Off"}[self.value]


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
        return NOTIFICATION_LABELS[self]

    @property
    def default_delivery(self) -> Delivery:
        # Comments are chatty: in the app only unless asked for.
        return Delivery.APP if self is NotificationKind.NEW_COMMENT else Delivery.EMAIL


NOTIFICATION_LABELS: dict[NotificationKind, str] = {
    NotificationKind.STATUS_CHANGED: "Status updates on ideas I follow",
    NotificationKind.NEW_COMMENT: "New comments on ideas I follow",
    NotificationKind.ROUTED_TO_YOU: "An idea is routed to me",
    NotificationKind.NEEDS_OWNER: "An idea for my department needs an owner (managers)",
    NotificationKind.REROUTED: "An idea was re-routed to my department (managers)",
    NotificationKind.IDEA_APPROVED: "My idea was approved",
    NotificationKind.IDEA_REJECTED: "My idea was rejected",
    NotificationKind.IDEA_MERGED: "My idea was merged into another",
}


def delivery_for(kind: NotificationKind, prefs: dict[str, str]) -> Delivery:
    """A person's choice for this kind of notification, or the default."""
    chosen = prefs.get(kind.value, "")
    return Delivery(chosen) if chosen in Delivery.__members__.values() else kind.default_delivery
