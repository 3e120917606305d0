"""Piccolo tables: the schema, and nothing else."""

from __future__ import annotations

from piccolo.columns import (
    Boolean,
    DoublePrecision,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

# Company sign-ins under way and bearer tokens: in a module of their own.
from ideaboard.tables_access import (
    ACCESS_TABLES,
    ApiToken,
    PasswordReset,
    RateLimit,
    ScimToken,
    SignInAttempt,
    SignupRequest,
)
from ideaboard.tables_data import DATA_TABLES, DataRequest, ImportKey
from ideaboard.tables_events import EVENT_TABLES, DomainEvent, WebhookDelivery, WebhookEndpoint
from ideaboard.tables_files import FILE_TABLES, Attachment
from ideaboard.tables_insights import (
    INSIGHT_TABLES,
    Contributor,
    OwnerLoad,
    PeriodFlow,
    PeriodFunnel,
    PeriodOwner,
    WeeklyFlow,
    WeeklyFunnel,
    WeeklyOwner,
    WeeklyParticipation,
)


class Organisation(Table):
    """The one row describing this board's company and its settings."""

    id: Serial
    name = Varchar(length=120)
    # Comma-separated, lower-cased; empty means anyone may sign up.
    allowed_email_domains = Text(default="")
    # Votes each person may have on open ideas at once (UserVoice-style); 0 = no limit.
    vote_budget = Integer(default=0)
    # When the weekly digest goes out, in the organisation's time zone (IANA name).
    digest_weekday = Integer(default=0)  # 0 = Monday, as datetime.weekday()
    digest_hour = Integer(default=8)
    time_zone = Varchar(length=64, default="UTC")
    # New ideas and comments by members wait for a moderator's approval.
    pre_moderation = Boolean(default=False)
    # An admin put away the first-run checklist before every step was done.
    checklist_dismissed = Boolean(default=False)
    # The board's language for people who chose none, emails to them and signed-out
    # pages no browser language matches (i18n.LANGUAGES).
    language = Varchar(length=8, default="en")
    # Deactivated people are erased (services.erasure) this many days later; 0: never.
    erase_deactivated_after_days = Integer(default=0)
    created_at = Timestamptz()


class Department(Table):
    """A function of the company that ideas are aimed at (Sales, IT, ...)."""

    id: Serial
    name = Varchar(length=80)
    slug = Varchar(length=80, unique=True)
    archived = Boolean(default=False)
    routing_threshold = Integer(default=10)
    created_at = Timestamptz()


class User(Table, tablename="account"):  # "user" is reserved in PostgreSQL
    id: Serial

    email = Varchar(length=254, unique=True)
    name = Varchar(length=80)
    department = ForeignKey(Department, on_delete=OnDelete.restrict, null=False)
    role = Varchar(length=16, default="member")
    active = Boolean(default=True)
    password_hash = Varchar(length=255)
    digest_enabled = Boolean(default=True)
    # JSON object: notification kind -> "email" | "app" | "off" (domain.NOTIFICATION_KINDS
    # holds the defaults for kinds not in it).
    notification_prefs = Text(default="{}")
    language = Varchar(length=8, default="")  # "" follows the organisation's
    # Named in /insights' contributors (their own choice at /account).
    listed_as_contributor = Boolean(default=True)
    # The company directory's names for this person: OpenID Connect's `sub` (set at
    # the first company sign-in; a unique index made by its migration), and SCIM's
    # `userName` and `externalId` (set by provisioning; "" for people it never named).
    oidc_subject = Varchar(length=255, null=True, default=None)
    directory_user_name = Varchar(length=255, default="")
    external_id = Varchar(length=255, default="")
    # The directory deleted them (SCIM DELETE): deactivated, and gone from SCIM's view
    # until it provisions the same person again.
    directory_deleted_at = Timestamptz(null=True, default=None)
    # Feed links carry an HMAC of the person and this number: a new one revokes them.
    feed_generation = Integer(default=0)
    # When they were last deactivated (for the retention period), and when they were
    # erased: the row stays, named "Former colleague", so their ideas keep an author.
    deactivated_at = Timestamptz(null=True, default=None)
    # Named by an import but never signed in: deactivated until they sign up or arrive
    # through the company sign-in with this address, which makes the account theirs.
    placeholder = Boolean(default=False)
    erased_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()


class Session(Table, tablename="auth_session"):
    """A server-side sign-in; the cookie holds a token whose SHA-256 is stored here."""

    id: Serial
    token_hash = Varchar(length=64, unique=True)
    account = ForeignKey(User, on_delete=OnDelete.cascade, null=False, index=True)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    # The provider's ID token, for signing out there too (OpenID RP-initiated logout).
    id_token = Text(default="")


class Idea(Table):
    id: Serial
    title = Varchar(length=160)
    body = Text()
    body_html = Text()
    author = ForeignKey(User, on_delete=OnDelete.restrict, null=False, index=True)
    # Where the author worked when proposing it: "from Customer Service".
    author_department = ForeignKey(Department, on_delete=OnDelete.restrict, null=False, index=True)
    # Which part of the company the idea is for: "for Operations".
    department = ForeignKey(Department, on_delete=OnDelete.restrict, null=False, index=True)
    status = Varchar(length=16, default="new", index=True)
    vote_count = Integer(default=0)
    comment_count = Integer(default=0)
    # Indexed with the id for the board (idea_hot_board): a second index on the score
    # alone would only make every vote write more pages.
    hot_score = DoublePrecision(default=0.0)
    # Votes received in the trending window (domain.TRENDING_WINDOW_DAYS): kept by the
    # vote transaction, and aged by services.ranking.refresh_trending.
    trending_votes = Integer(default=0)
    # The count last told to the event stream (services.events.announce_votes).
    announced_votes = Integer(default=0)
    # Who answers for it once routed from the triage.
    owner = ForeignKey(User, on_delete=OnDelete.set_null, null=True, index=True)
    # Shown as "Anonymous" to everyone but the author, moderators and admins.
    anonymous = Boolean(default=False)
    # domain.Approval: "approved", or "pending"/"rejected" under pre-moderation.
    approval = Varchar(length=16, default="approved")
    # Hidden by a moderator: kept, shown to moderators only.
    hidden = Boolean(default=False)
    # Why a moderator rejected or hid it, for its author (who alone still sees it).
    moderation_reason = Text(default="")
    # Set when the idea was marked a duplicate of another (services.merges).
    merged_into: ForeignKey[Idea] = ForeignKey("self", on_delete=OnDelete.set_null, null=True)
    # The key of its first picture shown to everyone (services.attachments): the board's
    # card shows its thumbnail without looking at the attachments.
    cover = Varchar(length=32, null=True, default=None)
    # When an open, unowned idea first reached its department's routing threshold.
    needs_owner_since = Timestamptz(null=True, default=None)
    # The last routing or official update: the triage shows how long an owner is silent.
    last_update_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Vote(Table):
    id: Serial
    voter = ForeignKey(User, on_delete=OnDelete.cascade, null=False)
    # Looked up through vote_idea_created (idea, created_at), which also serves trending.
    idea = ForeignKey(Idea, on_delete=OnDelete.cascade, null=False)
    created_at = Timestamptz()
    # UNIQUE (voter, idea) is a unique index made by the first migration:
    # Piccolo's table constraints use ALTER TABLE ADD CONSTRAINT, which SQLite lacks.


class Comment(Table):
    id: Serial
    idea = ForeignKey(Idea, on_delete=OnDelete.cascade, null=False, index=True)
    author = ForeignKey(User, on_delete=OnDelete.restrict, null=False)
    body = Text()
    body_html = Text()
    edited = Boolean(default=False)
    approval = Varchar(length=16, default="approved")
    hidden = Boolean(default=False)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class DepartmentManager(Table):
    """A manager triages the ideas aimed at their departments. UNIQUE (department,
    manager) is an index made by a migration."""

    id: Serial
    department = ForeignKey(Department, on_delete=OnDelete.cascade, null=False, index=True)
    manager = ForeignKey(User, on_delete=OnDelete.cascade, null=False, index=True)


class Subscription(Table):
    """A person following an idea: its author, voters and commenters follow it
    automatically. UNIQUE (account, idea) is an index made by a migration."""

    id: Serial
    account = ForeignKey(User, on_delete=OnDelete.cascade, null=False)
    idea = ForeignKey(Idea, on_delete=OnDelete.cascade, null=False, index=True)
    created_at = Timestamptz()


class StatusChange(Table):
    """One entry of an idea's public timeline: an official status update."""

    id: Serial
    idea = ForeignKey(Idea, on_delete=OnDelete.cascade, null=False, index=True)
    from_status = Varchar(length=16)
    to_status = Varchar(length=16)
    author = ForeignKey(User, on_delete=OnDelete.restrict, null=False)
    message = Text()
    message_html = Text()
    created_at = Timestamptz(index=True)


class OutboxEmail(Table):
    """An email waiting to be sent, or the record that it was (transactional outbox).

    Written in the same transaction as the event that caused it; `dedupe_key` is
    UNIQUE, so the same event can never queue the same email twice. A sender claims a
    row by setting `lease_until`; a row whose lease ran out is claimed again.
    """

    id: Serial
    dedupe_key = Varchar(length=200, unique=True)
    kind = Varchar(length=32)
    to_address = Varchar(length=254)
    subject = Varchar(length=250)
    text_body = Text()
    html_body = Text()
    # JSON object of extra headers (List-Unsubscribe, ...).
    headers = Text(default="{}")
    message_id = Varchar(length=250)
    created_at = Timestamptz()
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz()
    lease_until = Timestamptz(null=True, default=None)
    sent_at = Timestamptz(null=True, default=None)
    failed_at = Timestamptz(null=True, default=None)
    last_error = Text(default="")


class JobRun(Table):
    """A scheduled run claimed across processes: UNIQUE (job, period) is an index made
    by a migration, so one process wins each period; an unfinished run whose lease ran
    out (its process died) is claimed again and resumed."""

    id: Serial
    job = Varchar(length=64)
    period = Varchar(length=32)
    owner = Varchar(length=120)
    started_at = Timestamptz()
    lease_until = Timestamptz()
    finished_at = Timestamptz(null=True, default=None)
    outcome = Text(default="")


class Notification(Table):
    """Something that happened to an idea a person cares about, for their bell. What
    it says is made when it is read, from what it points at (so titles are current,
    and an idea hidden since is named to nobody who may not see it). The email for it
    (when their preferences want one) is made by the delivery loop: `emailed` is
    "pending" until then, "no" when none is wanted."""

    id: Serial
    account = ForeignKey(User, on_delete=OnDelete.cascade, null=False)
    kind = Varchar(length=32)
    idea = ForeignKey(Idea, on_delete=OnDelete.cascade, null=True)
    # A second idea the sentence names: the other end of a merge.
    other_idea = ForeignKey(Idea, on_delete=OnDelete.cascade, null=True, default=None)
    actor = ForeignKey(User, on_delete=OnDelete.set_null, null=True)
    # The status update a STATUS_CHANGED notification is about (its message, its move).
    status_change = ForeignKey(StatusChange, on_delete=OnDelete.cascade, null=True, default=None)
    # JSON: what else the sentence needs (a reason, a number of votes, a department, the
    # event: "merged", "unmerged", "edit", "comment_edit"; the merge's id).
    detail = Text(default="{}")
    # The sentence, for notifications written before they were composed when read.
    text = Text(default="")
    created_at = Timestamptz()
    read_at = Timestamptz(null=True, default=None)
    emailed = Varchar(length=8, default="no")


class Flag(Table):
    """Someone asking moderators to look at an idea or a comment."""

    id: Serial
    idea = ForeignKey(Idea, on_delete=OnDelete.cascade, null=False, index=True)
    comment = ForeignKey(Comment, on_delete=OnDelete.cascade, null=True)
    flagged_by = ForeignKey(User, on_delete=OnDelete.cascade, null=False)
    reason = Text()
    created_at = Timestamptz()
    resolved_at = Timestamptz(null=True, default=None)
    resolved_by = ForeignKey(User, on_delete=OnDelete.set_null, null=True)
    resolution = Varchar(length=16, default="")


class PendingEdit(Table):
    """A member's edit of approved content under pre-moderation: the approved text stays
    public until a moderator approves this one (services.edits). One per idea or comment
    (UNIQUE indexes made by a migration); a newer edit replaces it."""

    id: Serial
    idea = ForeignKey(Idea, on_delete=OnDelete.cascade, null=True, default=None)
    comment = ForeignKey(Comment, on_delete=OnDelete.cascade, null=True, default=None)
    author = ForeignKey(User, on_delete=OnDelete.cascade, null=False)
    title = Varchar(length=160, default="")  # an idea's; "" for a comment
    body = Text()
    body_html = Text()
    department = ForeignKey(Department, on_delete=OnDelete.cascade, null=True, default=None)
    created_at = Timestamptz()


class Merge(Table):
    """Idea `duplicate` merged into `target`: what moved, so that undo is exact."""

    id: Serial
    duplicate = ForeignKey(Idea, on_delete=OnDelete.cascade, null=False, index=True)
    target = ForeignKey(Idea, on_delete=OnDelete.cascade, null=False, index=True)
    merged_by = ForeignKey(User, on_delete=OnDelete.restrict, null=False)
    previous_status = Varchar(length=16)
    created_at = Timestamptz()
    undone_at = Timestamptz(null=True, default=None)


class MergedVote(Table):
    """A vote the duplicate had: `moved` when it became a vote on the target (the voter
    had not voted for the target already)."""

    id: Serial
    merge = ForeignKey(Merge, on_delete=OnDelete.cascade, null=False, index=True)
    voter = ForeignKey(User, on_delete=OnDelete.cascade, null=False)
    created_at = Timestamptz()
    moved = Boolean()


class MergedFollower(Table):
    """A follower of the duplicate who started following the target through the merge."""

    id: Serial
    merge = ForeignKey(Merge, on_delete=OnDelete.cascade, null=False, index=True)
    account = ForeignKey(User, on_delete=OnDelete.cascade, null=False)


class AuditEntry(Table):
    """One moderator or admin action, for /admin/audit."""

    id: Serial
    actor = ForeignKey(User, on_delete=OnDelete.set_null, null=True, index=True)
    action = Varchar(length=48, index=True)
    target_type = Varchar(length=24)
    target_id = Integer()
    summary = Text()
    # JSON: {"before": ..., "after": ...}
    details = Text(default="{}")
    created_at = Timestamptz(index=True)


TABLES: tuple[type[Table], ...] = (
    Organisation,
    Department,
    User,
    Session,
    Idea,
    Vote,
    Comment,
    DepartmentManager,
    Subscription,
    StatusChange,
    OutboxEmail,
    JobRun,
    Notification,
    Flag,
    PendingEdit,
    Merge,
    MergedVote,
    MergedFollower,
    AuditEntry,
    *ACCESS_TABLES,
    *EVENT_TABLES,
    *DATA_TABLES,
    *FILE_TABLES,
    *INSIGHT_TABLES,
)

__all__ = [
    "TABLES",
    "ApiToken",
    "Attachment",
    "Contributor",
    "DataRequest",
    "DomainEvent",
    "ImportKey",
    "OwnerLoad",
    "PasswordReset",
    "PeriodFlow",
    "PeriodFunnel",
    "PeriodOwner",
    "RateLimit",
    "ScimToken",
    "SignInAttempt",
    "SignupRequest",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WeeklyFlow",
    "WeeklyFunnel",
    "WeeklyOwner",
    "WeeklyParticipation",
]
