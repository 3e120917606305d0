"""Flash messages: one line that says what an action did, shown once on the next page.

An action that changes something answers POST → 303; the sentence rides along in a
short-lived cookie, signed (its words and its Undo are the board's own), and the next
full page shows it and clears it. Some carry an Undo: a small form posting back to
the action that reverses it (checked like any other request).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any

from litestar.datastructures import Cookie

from ideaboard.security import local_path

FLASH_COOKIE = "ideaboard_flash"
LIFETIME_SECONDS = 60

MESSAGES: dict[str, str] = {
    "welcome": "Welcome, {name}! Vote for the ideas you like, or propose your own.",
    "board_ready": "Your board is ready. Four steps make it useful: see the list below.",
    "signed_out": "You are signed out.",
    "profile_saved": "Your account is saved.",
    "password_changed": "Your password is changed. Your other sessions have ended.",
    "password_reset": "Your new password is set, and you are signed in.",
    "idea_created": "Your idea is on the board. Colleagues can vote for it now.",
    "idea_waiting": "Thanks! A moderator looks at new ideas before everyone sees them.",
    "idea_updated": "Your changes are saved.",
    "edit_waiting": "Thanks! A moderator looks at your edit; until then everyone sees the"
    " version before it.",
    "comment_waiting": "Thanks! A moderator looks at new comments before everyone sees them.",
    "comment_updated": "Your comment is saved.",
    "comment_deleted": "The comment is deleted.",
    "flagged": "Thank you: a moderator will look at it.",
    "following": "You follow this idea: you will hear of its updates.",
    "unfollowed": "You no longer follow this idea.",
    "status_posted": "Update posted: {followers} will hear of it.",
    "merged": "“{title}” is merged into this idea: its votes and followers are here now.",
    "unmerged": "The merge is undone: the idea stands on its own again.",
    "approved": "Approved: everyone can see it now.",
    "rejected": "Rejected: its author can read your reason.",
    "hidden": "Hidden: only moderators and its author can see it now.",
    "restored": "Restored: everyone can see it again.",
    "flags_dismissed": "The flags are dismissed.",
    "edit_approved": "The edit is approved and shown.",
    "edit_rejected": "The edit is rejected: its author can read your reason.",
    "role_changed": "{name} is now {role}.",
    "deactivated": "{name} is deactivated and signed out everywhere.",
    "reactivated": "{name} can sign in again.",
    "department_added": "{name} is added. Give it a manager, who will triage its ideas.",
    "department_renamed": "The department is now called {name}.",
    "department_archived": "{name} is archived: it takes no new ideas.",
    "department_restored": "{name} takes ideas again.",
    "manager_added": "{name} now triages the ideas for {department}.",
    "manager_removed": "{name} no longer triages the ideas for {department}.",
    "settings_saved": "The board's settings are saved.",
    "email_retried": "The email will be sent again in a moment.",
    "all_read": "All notifications are marked read.",
    "triage_saved": "Saved: “{title}”.",
    "bulk_saved": "{count} saved.",
    "threshold_saved": "The routing threshold of {name} is {votes}.",
    "checklist_hidden": "The checklist is put away. Everything in it stays under Admin.",
}


@dataclass(frozen=True)
class Flash:
    text: str
    undo: str = ""  # where the Undo button posts, if there is one
    undo_fields: dict[str, str] = field(default_factory=dict)  # and what it sends


def _sign(secret: str, payload: bytes) -> str:
    return hmac.new(secret.encode(), b"flash:" + payload, hashlib.sha256).hexdigest()[:32]


def flash_cookie(
    secret: str,
    key: str,
    *,
    undo: str = "",
    undo_fields: dict[str, str] | None = None,
    **params: Any,
) -> Cookie:
    assert key in MESSAGES, key
    data = {"k": key, "u": undo, "f": undo_fields or {}, "p": params}
    payload = json.dumps(data, separators=(",", ":")).encode()
    encoded = base64.urlsafe_b64encode(payload).decode().rstrip("=")
    return Cookie(
        key=FLASH_COOKIE, value=f"{encoded}.{_sign(secret, payload)}", max_age=LIFETIME_SECONDS,
        httponly=True, samesite="lax", path="/",
    )  # fmt: skip


def read_flash(secret: str, value: str) -> Flash | None:
    """The message a cookie carries, or None for one that is not the board's."""
    encoded, _, signature = value.partition(".")
    try:
        payload = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        if not hmac.compare_digest(_sign(secret, payload), signature):
            return None
        data = json.loads(payload)
        text = MESSAGES[data["k"]].format(**data["p"])
    except (ValueError, KeyError, TypeError, IndexError):
        return None
    undo = local_path(data.get("u"), default="")
    if not undo:
        return Flash(text=text)
    fields = {str(k): str(v) for k, v in dict(data.get("f") or {}).items()}
    return Flash(text=text, undo=undo, undo_fields=fields)
