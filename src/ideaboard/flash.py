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

from ideaboard.i18n import lazy_gettext
from ideaboard.security import local_path

FLASH_COOKIE = "ideaboard_flash"
LIFETIME_SECONDS = 60

# Worded in the reader's language when shown; the parameters are named placeholders.
MESSAGES: dict[str, Any] = {
    "welcome": lazy_gettext("Welcome, %(name)s! Vote for the ideas you like, or propose your own."),
    "board_ready": lazy_gettext(
        "Your board is ready. Four steps make it useful: see the list below."
    ),
    "signed_out": lazy_gettext("You are signed out."),
    "welcome_choose_department": lazy_gettext(
        "Welcome, %(name)s! Your company account named no department: choose yours here."
    ),
    "profile_saved": lazy_gettext("Your account is saved."),
    "password_changed": lazy_gettext("Your password is changed. Your other sessions have ended."),
    "password_reset": lazy_gettext("Your new password is set, and you are signed in."),
    "idea_created": lazy_gettext("Your idea is on the board. Colleagues can vote for it now."),
    "idea_waiting": lazy_gettext(
        "Thanks! A moderator looks at new ideas before everyone sees them."
    ),
    "idea_updated": lazy_gettext("Your changes are saved."),
    "edit_waiting": lazy_gettext(
        "Thanks! A moderator looks at your edit; until then everyone sees the version before it."
    ),
    "comment_waiting": lazy_gettext(
        "Thanks! A moderator looks at new comments before everyone sees them."
    ),
    "comment_updated": lazy_gettext("Your comment is saved."),
    "comment_deleted": lazy_gettext("The comment is deleted."),
    "file_removed": lazy_gettext("The file is removed: only moderators see it now."),
    "file_restored": lazy_gettext("The file is back for everyone who can see its idea."),
    "flagged": lazy_gettext("Thank you: a moderator will look at it."),
    "following": lazy_gettext("You follow this idea: you will hear of its updates."),
    "unfollowed": lazy_gettext("You no longer follow this idea."),
    "status_posted": lazy_gettext("Update posted: %(followers)s will hear of it."),
    "merged": lazy_gettext(
        "“%(title)s” is merged into this idea: its votes and followers are here now."
    ),
    "unmerged": lazy_gettext("The merge is undone: the idea stands on its own again."),
    "approved": lazy_gettext("Approved: everyone can see it now."),
    "rejected": lazy_gettext("Rejected: its author can read your reason."),
    "hidden": lazy_gettext("Hidden: only moderators and its author can see it now."),
    "restored": lazy_gettext("Restored: everyone can see it again."),
    "flags_dismissed": lazy_gettext("The flags are dismissed."),
    "edit_approved": lazy_gettext("The edit is approved and shown."),
    "edit_rejected": lazy_gettext("The edit is rejected: its author can read your reason."),
    "role_changed": lazy_gettext("%(name)s is now %(role)s."),
    "feeds_renewed": lazy_gettext("Your feed links are new: the old ones no longer work."),
    "token_revoked": lazy_gettext("The token “%(name)s” is revoked: it no longer works."),
    "deactivated": lazy_gettext("%(name)s is deactivated and signed out everywhere."),
    "reactivated": lazy_gettext("%(name)s can sign in again."),
    "data_asked": lazy_gettext(
        "Your data is being gathered. Come back to this page in a minute for the link."
    ),
    "erased": lazy_gettext("%(name)s is erased. The audit now calls them %(pseudonym)s."),
    "account_erased": lazy_gettext(
        "Your account is erased: your name and email address are gone from the board."
        " Thank you for your ideas."
    ),
    "department_added": lazy_gettext(
        "%(name)s is added. Give it a manager, who will triage its ideas."
    ),
    "department_renamed": lazy_gettext("The department is now called %(name)s."),
    "department_archived": lazy_gettext("%(name)s is archived: it takes no new ideas."),
    "department_restored": lazy_gettext("%(name)s takes ideas again."),
    "manager_added": lazy_gettext("%(name)s now triages the ideas for %(department)s."),
    "manager_removed": lazy_gettext("%(name)s no longer triages the ideas for %(department)s."),
    "settings_saved": lazy_gettext("The board's settings are saved."),
    "email_retried": lazy_gettext("The email will be sent again in a moment."),
    "webhook_on": lazy_gettext("The webhook is on: it hears of new events from now on."),
    "webhook_off": lazy_gettext("The webhook is off: nothing is sent to it."),
    "webhook_test_queued": lazy_gettext("A test message is on its way; its delivery shows below."),
    "webhook_removed": lazy_gettext("The webhook is removed."),
    "webhook_redelivered": lazy_gettext("The message will be sent again in a moment."),
    "channel_connected": lazy_gettext("The %(kind)s channel is connected."),
    "channel_disconnected": lazy_gettext("The %(kind)s channel is disconnected."),
    "all_read": lazy_gettext("All notifications are marked read."),
    "triage_saved": lazy_gettext("Saved: “%(title)s”."),
    "bulk_saved": lazy_gettext("%(count)s saved."),
    "threshold_saved": lazy_gettext("The routing threshold of %(name)s is %(votes)s."),
    "checklist_hidden": lazy_gettext(
        "The checklist is put away. Everything in it stays under Admin."
    ),
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
        text = str(MESSAGES[data["k"]]) % dict(data["p"])
    except (ValueError, KeyError, TypeError, IndexError):
        return None
    undo = local_path(data.get("u"), default="")
    if not undo:
        return Flash(text=text)
    fields = {str(k): str(v) for k, v in dict(data.get("f") or {}).items()}
    return Flash(text=text, undo=undo, undo_fields=fields)
