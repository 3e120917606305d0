"""Settings: the only module that reads the environment (`IDEABOARD_*`)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from ideaboard.files import private_directory
from ideaboard.webhooks.sender import parse_networks

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_DATABASE_URL = "sqlite:///var/ideaboard.sqlite3"
ENVIRONMENTS = ("development", "production")
LOG_FORMATS = ("text", "json")


class SettingsError(ValueError):
    """A setting has a value the application cannot run with."""


def _bundled_dir(name: str) -> Path:
    """Templates and static files: inside the wheel, or at the repository's top level."""
    inside_package = PACKAGE_DIR / name
    if inside_package.is_dir():
        return inside_package
    return PACKAGE_DIR.parents[1] / name


@dataclass(frozen=True)
class OidcSettings:
    """The company's OpenID provider, and how its claims map onto the board."""

    issuer: str = ""
    client_id: str = ""
    client_secret: str = ""
    name: str = ""  # the button reads "Sign in with NAME" ("your company account" if "")
    department_claim: str = "department"
    roles_claim: str = "groups"  # a dotted path: realm_access.roles for Keycloak
    admin_values: tuple[str, ...] = ()
    moderator_values: tuple[str, ...] = ()
    allowed_values: tuple[str, ...] = ()  # empty: everyone the provider signs in

    @property
    def enabled(self) -> bool:
        return bool(self.issuer)

    @property
    def metadata_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"

    @property
    def maps_roles(self) -> bool:
        """The directory decides roles only when told which values mean what."""
        return bool(self.admin_values or self.moderator_values)


def _values(raw: str) -> tuple[str, ...]:
    return tuple(value.strip() for value in raw.split(",") if value.strip())


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    host: str = "127.0.0.1"
    port: int = 8000
    base_url: str = ""
    secret_key: str = ""
    data_dir: Path = Path("var")
    debug: bool = False
    # "production" turns unsafe defaults into refusals at start (see ideaboard.checks).
    environment: str = "development"
    # Processes `ideaboard serve` starts (uvicorn workers); one with SQLite.
    workers: int = 1
    # Addresses whose X-Forwarded-For / X-Forwarded-Proto uvicorn believes (the proxy).
    forwarded_allow_ips: str = "127.0.0.1"
    # One log line per request (request id, user, route, status, duration), as text or
    # JSON; and a Prometheus /metrics endpoint for scrapers that reach the process.
    log_format: str = "text"
    access_log: bool = True
    metrics: bool = False
    session_days: int = 30
    db_pool_size: int = 10
    trending_refresh_seconds: int = 60
    # Email: where it goes (see mail.transports), who it is from, and how hard to try.
    smtp_url: str = ""
    mail_from: str = ""
    mail_max_attempts: int = 8
    mail_poll_seconds: int = 5
    # How long a sender holds the emails it claimed before others may take them.
    mail_lease_seconds: int = 120
    # How long a notification waits for its email: what happens to one idea within it
    # (an update and its correction, a merge and its undo) is one email, or none.
    notification_delay_seconds: int = 180
    # Background loops (outbox delivery, weekly digest, nightly recount) in this
    # process; off for app servers when `ideaboard worker` runs them elsewhere.
    background_jobs: bool = True
    templates_dir: Path = field(default_factory=lambda: _bundled_dir("templates"))
    static_dir: Path = field(default_factory=lambda: _bundled_dir("static"))
    # Argon2id cost. The defaults are argon2-cffi's RFC 9106 profile (64 MiB, t=3),
    # above OWASP's minimum (19 MiB, t=2). Not read from the environment: only the
    # test suite lowers them, to keep thousands of sign-ups fast.
    password_memory_kib: int = 65536
    password_time_cost: int = 3
    # Company sign-in (OpenID Connect; see ideaboard.oidc): on when an issuer is set.
    oidc: OidcSettings = field(default_factory=lambda: OidcSettings())
    # Off: only the company sign-in; no password sign-in, sign-up or reset
    # (`ideaboard create-admin` still makes a password for break-glass access).
    password_signin: bool = True
    # Webhooks, Slack and Teams: networks that may be sent to although private (an
    # intranet's receivers; comma-separated, e.g. "10.20.0.0/16, 192.168.1.5"), how long
    # a receiver has to answer, and how often the outgoing queue is looked at.
    webhook_allowed_networks: str = ""
    webhook_timeout_seconds: int = 10
    webhook_poll_seconds: int = 2
    # Pictures and files (services.attachments): where they are kept ("": the data
    # directory's `files` folder; or s3://bucket/prefix?endpoint=…&region=…), and the
    # limits: megabytes a file, files an idea and a comment, megabytes a person may
    # keep in all, and files a person may send an hour.
    storage_url: str = ""
    upload_max_mb: int = 10
    files_per_idea: int = 10
    files_per_comment: int = 3
    upload_quota_mb: int = 500
    uploads_per_hour: int = 60

    def __post_init__(self) -> None:
        try:
            parse_networks(self.webhook_allowed_networks)
        except ValueError as error:
            raise SettingsError(f"IDEABOARD_WEBHOOK_ALLOWED_NETWORKS: {error}") from None
        if self.oidc.enabled and not self.oidc.client_id:
            raise SettingsError("IDEABOARD_OIDC_CLIENT_ID is needed with IDEABOARD_OIDC_ISSUER")
        if not self.password_signin and not self.oidc.enabled:
            raise SettingsError(
                "IDEABOARD_PASSWORD_SIGNIN=false needs the company sign-in"
                " (IDEABOARD_OIDC_ISSUER): nobody could sign in"
            )
        for name in ("upload_max_mb", "files_per_idea", "files_per_comment", "upload_quota_mb"):
            if getattr(self, name) < 0:
                raise SettingsError(f"IDEABOARD_{name.upper()} cannot be negative")

    @property
    def upload_body_max(self) -> int:
        """Bytes a form with files may send: every file at its largest, and the text."""
        files = max(self.files_per_idea, self.files_per_comment, 1)
        return (self.upload_max_mb * files + 1) * 1024 * 1024

    @property
    def effective_base_url(self) -> str:
        return (self.base_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def mail_domain(self) -> str:
        host = urlsplit(self.effective_base_url).hostname or "localhost"
        return "localhost" if host.replace(".", "").isdigit() or ":" in host else host

    @property
    def effective_mail_from(self) -> str:
        return self.mail_from or f"ideaboard <noreply@{self.mail_domain}>"

    @property
    def secure_cookies(self) -> bool:
        return self.effective_base_url.startswith("https://")

    @property
    def session_cookie_name(self) -> str:
        """Over https the `__Host-` prefix: the browser then only accepts the cookie from
        this exact host, over TLS, for every path (no subdomain can plant one)."""
        return "__Host-ideaboard_session" if self.secure_cookies else "ideaboard_session"

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ

        def get(name: str, default: str) -> str:
            return env.get(f"IDEABOARD_{name}", "").strip() or default

        def get_bool(name: str, default: bool) -> bool:
            raw = get(name, "true" if default else "false").lower()
            if raw in {"1", "true", "yes", "on"}:
                return True
            if raw in {"0", "false", "no", "off"}:
                return False
            raise SettingsError(f"IDEABOARD_{name} must be true or false, not {raw!r}")

        def get_choice(name: str, choices: tuple[str, ...]) -> str:
            raw = get(name, choices[0]).lower()
            if raw not in choices:
                raise SettingsError(f"IDEABOARD_{name} must be one of {', '.join(choices)},"
                                    f" not {raw!r}")  # fmt: skip
            return raw

        def get_int(name: str, default: int) -> int:
            raw = get(name, str(default))
            try:
                return int(raw)
            except ValueError:
                raise SettingsError(
                    f"IDEABOARD_{name} must be a whole number, not {raw!r}"
                ) from None

        data_dir = Path(get("DATA_DIR", "var"))
        defaults = cls()
        return cls(
            database_url=get("DATABASE_URL", DEFAULT_DATABASE_URL),
            host=get("HOST", "127.0.0.1"),
            port=get_int("PORT", 8000),
            base_url=get("BASE_URL", ""),
            secret_key=get("SECRET_KEY", ""),
            data_dir=data_dir,
            debug=get_bool("DEBUG", False),
            environment=get_choice("ENV", ENVIRONMENTS),
            workers=get_int("WORKERS", 1),
            forwarded_allow_ips=get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
            log_format=get_choice("LOG_FORMAT", LOG_FORMATS),
            access_log=get_bool("ACCESS_LOG", True),
            metrics=get_bool("METRICS", False),
            session_days=get_int("SESSION_DAYS", 30),
            db_pool_size=get_int("DB_POOL_SIZE", 10),
            trending_refresh_seconds=get_int("TRENDING_REFRESH_SECONDS", 60),
            smtp_url=get("SMTP_URL", ""),
            mail_from=get("MAIL_FROM", ""),
            mail_max_attempts=get_int("MAIL_MAX_ATTEMPTS", 8),
            mail_poll_seconds=get_int("MAIL_POLL_SECONDS", 5),
            mail_lease_seconds=get_int("MAIL_LEASE_SECONDS", 120),
            notification_delay_seconds=get_int("NOTIFICATION_DELAY_SECONDS", 180),
            background_jobs=get_bool("BACKGROUND_JOBS", True),
            templates_dir=Path(get("TEMPLATES_DIR", str(defaults.templates_dir))),
            static_dir=Path(get("STATIC_DIR", str(defaults.static_dir))),
            password_signin=get_bool("PASSWORD_SIGNIN", True),
            webhook_allowed_networks=get("WEBHOOK_ALLOWED_NETWORKS", ""),
            webhook_timeout_seconds=get_int("WEBHOOK_TIMEOUT_SECONDS", 10),
            webhook_poll_seconds=get_int("WEBHOOK_POLL_SECONDS", 2),
            storage_url=get("STORAGE_URL", ""),
            upload_max_mb=get_int("UPLOAD_MAX_MB", 10),
            files_per_idea=get_int("FILES_PER_IDEA", 10),
            files_per_comment=get_int("FILES_PER_COMMENT", 3),
            upload_quota_mb=get_int("UPLOAD_QUOTA_MB", 500),
            uploads_per_hour=get_int("UPLOADS_PER_HOUR", 60),
            oidc=OidcSettings(
                issuer=get("OIDC_ISSUER", ""),
                client_id=get("OIDC_CLIENT_ID", ""),
                client_secret=get("OIDC_CLIENT_SECRET", ""),
                name=get("OIDC_NAME", ""),
                department_claim=get("OIDC_DEPARTMENT_CLAIM", "department"),
                roles_claim=get("OIDC_ROLES_CLAIM", "groups"),
                admin_values=_values(get("OIDC_ADMIN_VALUES", "")),
                moderator_values=_values(get("OIDC_MODERATOR_VALUES", "")),
                allowed_values=_values(get("OIDC_ALLOWED_VALUES", "")),
            ),
        )


def resolve_secret_key(settings: Settings) -> str:
    """The configured key, or one generated once and kept in the data directory.

    Every process serving the same data directory reads the same file, so CSRF
    tokens and unsubscribe links stay valid whichever process answers.
    """
    if settings.secret_key:
        return settings.secret_key
    path = settings.data_dir / "secret_key"
    if not path.exists():
        private_directory(settings.data_dir)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process won the race; use its key
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()
