"""Every URL of the board, in one place: path, method, name, guard, handler."""

from __future__ import annotations

from typing import Any

from litestar import Router, delete, get, patch, post, put, route
from litestar.di import Provide
from litestar.handlers import HTTPRouteHandler

from ideaboard.controllers import (
    accounts,
    admin,
    api,
    api_tokens,
    board_data,
    comments,
    erasure,
    feeds,
    files,
    ideas,
    insights,
    live,
    moderation,
    notifications,
    personal_data,
    roadmap,
    scim,
    sso,
    system,
    triage,
    webhooks,
)
from ideaboard.security import ATTACHMENTS
from ideaboard.web import (
    requires_admin,
    requires_moderator,
    requires_password_sign_in,
    requires_user,
)

# A form with pictures and files: the body's limit follows the settings
# (security.BoardRequest.stream), not Litestar's fixed one.
TAKES_FILES: dict[str, Any] = {"opt": {"file_field": ATTACHMENTS}, "request_max_body_size": None}

user = [requires_user]
passwords = [requires_password_sign_in]  # off with IDEABOARD_PASSWORD_SIGNIN=false
moderators = [requires_moderator]
admins = [requires_admin]

ROUTES: list[HTTPRouteHandler] = [
    # system
    get("/healthz", name="system:healthz", cache_control=None)(system.healthz),
    # accounts
    get("/setup", name="accounts:setup")(accounts.setup_form),
    post("/setup", name="accounts:setup_submit")(accounts.setup_submit),
    get("/signup", name="accounts:signup", guards=passwords)(accounts.signup_form),
    post("/signup", name="accounts:signup_submit", guards=passwords)(accounts.signup_submit),
    get("/signup/confirm/{token:str}", name="accounts:confirm_signup_form", guards=passwords)(
        accounts.confirm_signup_form
    ),
    post("/signup/confirm/{token:str}", name="accounts:confirm_signup", guards=passwords)(
        accounts.confirm_signup
    ),
    get("/login", name="accounts:login")(accounts.login_form),
    post("/login", name="accounts:login_submit", guards=passwords)(accounts.login_submit),
    post("/logout", name="accounts:logout")(accounts.logout),
    # company sign-in (OpenID Connect), when IDEABOARD_OIDC_ISSUER is set
    get("/auth/oidc/start", name="sso:start")(sso.start),
    get("/auth/oidc/callback", name="sso:callback")(sso.callback),
    get("/password/forgot", name="accounts:forgot", guards=passwords)(accounts.forgot_form),
    post("/password/forgot", name="accounts:forgot_submit", guards=passwords)(
        accounts.forgot_submit
    ),
    get("/password/reset/{token:str}", name="accounts:reset", guards=passwords)(
        accounts.reset_form
    ),
    post("/password/reset/{token:str}", name="accounts:reset_submit", guards=passwords)(
        accounts.reset_submit
    ),
    get("/account", name="accounts:profile", guards=user)(accounts.profile),
    # Opened from a digest without signing in; the link's signature is the proof.
    get("/unsubscribe/{user_id:int}/{token:str}", name="accounts:unsubscribe_form")(
        accounts.unsubscribe_form
    ),
    post("/unsubscribe/{user_id:int}/{token:str}", name="accounts:unsubscribe")(
        accounts.unsubscribe_submit
    ),
    post("/account", name="accounts:save_profile", guards=user)(accounts.save_profile),
    post("/account/password", name="accounts:change_password", guards=[*user, *passwords])(
        accounts.change_password
    ),
    # Atom feeds: a private link per person (?token=…), no session
    get("/feeds/ideas.atom", name="feeds:board")(feeds.board_feed),
    # "/feeds/ideas/12.atom": Litestar's parameters take whole path segments.
    get("/feeds/ideas/{file_name:str}", name="feeds:idea")(feeds.idea_feed),
    post("/account/feeds", name="feeds:renew", guards=user)(feeds.renew),
    post("/account/api-tokens", name="api_tokens:make", guards=user)(api_tokens.make),
    get("/account/api-tokens", name="api_tokens:page", guards=user)(api_tokens.back_to_account),
    post("/account/api-tokens/{token_id:int}/revoke", name="api_tokens:revoke", guards=user)(
        api_tokens.revoke
    ),
    # ideas
    get("/", name="ideas:index", guards=user)(ideas.index),
    get("/ideas/new", name="ideas:new", guards=user)(ideas.new_form),
    post("/ideas", name="ideas:create", guards=user, **TAKES_FILES)(ideas.create),
    get("/ideas/similar", name="ideas:similar", guards=user)(ideas.similar),
    get("/ideas/{idea_id:int}", name="ideas:show", guards=user)(ideas.show),
    get("/ideas/{idea_id:int}/edit", name="ideas:edit", guards=user)(ideas.edit_form),
    post("/ideas/{idea_id:int}/edit", name="ideas:update", guards=user, **TAKES_FILES)(
        ideas.update
    ),
    post("/ideas/{idea_id:int}/vote", name="ideas:vote", guards=user)(ideas.vote),
    post("/ideas/{idea_id:int}/follow", name="ideas:follow", guards=user)(ideas.follow),
    post("/ideas/{idea_id:int}/status", name="ideas:update_status", guards=user)(
        ideas.update_status
    ),
    post("/ideas/{idea_id:int}/merge", name="ideas:merge", guards=user)(ideas.merge),
    get("/ideas/{idea_id:int}/duplicates", name="ideas:duplicates", guards=user)(ideas.duplicates),
    post("/ideas/{idea_id:int}/unmerge", name="ideas:unmerge", guards=user)(ideas.unmerge),
    post("/ideas/{idea_id:int}/flag", name="ideas:flag", guards=user)(ideas.flag),
    get(
        "/ideas/{idea_id:int}/comments/{comment_id:int}/flag",
        name="ideas:flag_comment",
        guards=user,
    )(ideas.flag_comment_form),
    # roadmap
    get("/roadmap", name="roadmap:index", guards=user)(roadmap.index),
    # triage: managers route ideas to owners; owners answer
    get("/triage", name="triage:index", guards=user)(triage.index),
    post("/triage/ideas/{idea_id:int}", name="triage:save", guards=user)(triage.save),
    post("/triage/bulk", name="triage:bulk", guards=user)(triage.bulk),
    post(
        "/triage/departments/{department_id:int}/threshold",
        name="triage:set_threshold",
        guards=user,
    )(triage.set_threshold),
    get("/triage/people", name="triage:people", guards=user)(triage.people),
    # moderation
    get("/moderation", name="moderation:index", guards=moderators)(moderation.index),
    post(
        "/moderation/ideas/{idea_id:int}/approve", name="moderation:approve_idea", guards=moderators
    )(moderation.approve_idea),
    post(
        "/moderation/ideas/{idea_id:int}/reject", name="moderation:reject_idea", guards=moderators
    )(moderation.reject_idea),
    post("/moderation/ideas/{idea_id:int}/hide", name="moderation:hide_idea", guards=moderators)(
        moderation.hide_idea
    ),
    post(
        "/moderation/ideas/{idea_id:int}/restore", name="moderation:restore_idea", guards=moderators
    )(moderation.restore_idea),
    post(
        "/moderation/ideas/{idea_id:int}/dismiss",
        name="moderation:dismiss_idea_flags",
        guards=moderators,
    )(moderation.dismiss_idea_flags),
    post(
        "/moderation/comments/{comment_id:int}/approve",
        name="moderation:approve_comment",
        guards=moderators,
    )(moderation.approve_comment),
    post(
        "/moderation/comments/{comment_id:int}/reject",
        name="moderation:reject_comment",
        guards=moderators,
    )(moderation.reject_comment),
    post(
        "/moderation/comments/{comment_id:int}/hide",
        name="moderation:hide_comment",
        guards=moderators,
    )(moderation.hide_comment),
    post(
        "/moderation/comments/{comment_id:int}/restore",
        name="moderation:restore_comment",
        guards=moderators,
    )(moderation.restore_comment),
    post(
        "/moderation/comments/{comment_id:int}/dismiss",
        name="moderation:dismiss_comment_flags",
        guards=moderators,
    )(moderation.dismiss_comment_flags),
    post(
        "/moderation/edits/{edit_id:int}/approve", name="moderation:approve_edit", guards=moderators
    )(moderation.approve_edit),
    post(
        "/moderation/edits/{edit_id:int}/reject", name="moderation:reject_edit", guards=moderators
    )(moderation.reject_edit),
    # notifications
    get("/notifications", name="notifications:index", guards=user)(notifications.index),
    get("/notifications/bell", name="notifications:bell", guards=user)(notifications.bell),
    get("/live", name="live:stream", guards=user)(live.stream),
    get("/insights", name="insights:index", guards=user)(insights.index),
    get("/insights/{file_name:str}", name="insights:csv", guards=user)(insights.section_csv),
    post("/notifications/read", name="notifications:read_all", guards=user)(notifications.read_all),
    # A link (opens in a new tab too); following it marks the notification read.
    get("/notifications/{notification_id:int}", name="notifications:open", guards=user)(
        notifications.open_one
    ),
    # comments
    post("/ideas/{idea_id:int}/comments", name="comments:create", guards=user, **TAKES_FILES)(
        comments.create
    ),
    get("/files/{key:str}", name="files:show", guards=user)(files.show),
    get("/files/{key:str}/thumb", name="files:thumb", guards=user)(files.thumbnail),
    post("/files/{key:str}/remove", name="files:remove", guards=moderators)(files.remove),
    post("/files/{key:str}/restore", name="files:restore", guards=moderators)(files.restore),
    get("/comments/{comment_id:int}/edit", name="comments:edit", guards=user)(comments.edit_form),
    post("/comments/{comment_id:int}/edit", name="comments:update", guards=user)(comments.update),
    post("/comments/{comment_id:int}/delete", name="comments:delete", guards=user)(comments.delete),
    # admin
    get("/admin", name="admin:settings", guards=admins)(admin.settings_index),
    post("/admin", name="admin:save_settings", guards=admins)(admin.save_settings),
    post("/admin/scim-tokens", name="admin:make_scim_token", guards=admins)(admin.make_scim_token),
    post("/admin/scim-tokens/{token_id:int}/revoke", name="admin:revoke_scim_token", guards=admins)(
        admin.revoke_scim_token
    ),
    get("/admin/departments", name="admin:departments", guards=admins)(admin.departments_index),
    post("/admin/departments", name="admin:create_department", guards=admins)(
        admin.create_department
    ),
    post(
        "/admin/departments/{department_id:int}/rename",
        name="admin:rename_department",
        guards=admins,
    )(admin.rename_department),
    post(
        "/admin/departments/{department_id:int}/archive",
        name="admin:archive_department",
        guards=admins,
    )(admin.archive_department),
    get("/admin/webhooks", name="admin:webhooks", guards=admins)(webhooks.index),
    post("/admin/webhooks", name="admin:add_webhook", guards=admins)(webhooks.add),
    get("/admin/webhooks/{endpoint_id:int}", name="admin:webhook", guards=admins)(webhooks.show),
    post("/admin/webhooks/{endpoint_id:int}/rotate", name="admin:rotate_webhook", guards=admins)(
        webhooks.rotate
    ),
    post("/admin/webhooks/{endpoint_id:int}/switch", name="admin:switch_webhook", guards=admins)(
        webhooks.switch
    ),
    post("/admin/webhooks/{endpoint_id:int}/test", name="admin:test_webhook", guards=admins)(
        webhooks.send_test
    ),
    post("/admin/webhooks/{endpoint_id:int}/remove", name="admin:remove_webhook", guards=admins)(
        webhooks.remove
    ),
    post(
        "/webhooks/deliveries/{delivery_id:int}/redeliver", name="webhooks:redeliver", guards=user
    )(webhooks.redeliver),
    get("/departments/{department_id:int}/channels", name="channels:show", guards=user)(
        webhooks.channels
    ),
    post(
        "/departments/{department_id:int}/channels/{format:str}", name="channels:set", guards=user
    )(webhooks.set_channel),
    get("/admin/users/{user_id:int}/erase", name="admin:confirm_erase", guards=admins)(
        erasure.confirm
    ),
    post("/admin/users/{user_id:int}/erase", name="admin:erase", guards=admins)(erasure.erase),
    post("/account/erase", name="accounts:erase", guards=user)(erasure.erase_own),
    post("/account/data", name="accounts:ask_data", guards=user)(personal_data.ask),
    get("/account/data/{request_id:int}/{signed:str}", name="accounts:fetch_data", guards=user)(
        personal_data.fetch
    ),
    get("/ideas.csv", name="ideas:csv", guards=user)(ideas.board_csv),
    get("/admin/data", name="admin:data", guards=admins)(board_data.index),
    get("/admin/data/export.zip", name="admin:export", guards=admins)(board_data.export),
    post("/admin/data/import", name="admin:import", guards=admins, opt={"file_field": "file"})(
        board_data.import_file
    ),
    get("/admin/outbox", name="admin:outbox", guards=admins)(admin.outbox_index),
    post("/admin/outbox/{email_id:int}/retry", name="admin:retry_email", guards=admins)(
        admin.retry_email
    ),
    get("/admin/digest", name="admin:digest", guards=admins)(admin.digest_index),
    get("/admin/digest/preview", name="admin:digest_preview", guards=admins)(admin.digest_preview),
    post(
        "/admin/departments/{department_id:int}/managers",
        name="admin:add_manager",
        guards=admins,
    )(admin.add_manager),
    post(
        "/admin/departments/{department_id:int}/managers/{user_id:int}/remove",
        name="admin:remove_manager",
        guards=admins,
    )(admin.remove_manager),
    get("/admin/audit", name="admin:audit", guards=admins)(admin.audit_index),
    post("/admin/checklist/hide", name="admin:hide_checklist", guards=admins)(admin.hide_checklist),
    get("/admin/users", name="admin:users", guards=admins)(admin.users_index),
    post("/admin/users/{user_id:int}/role", name="admin:set_role", guards=admins)(admin.set_role),
    post("/admin/users/{user_id:int}/active", name="admin:set_active", guards=admins)(
        admin.set_active
    ),
]


# SCIM 2.0 provisioning: a bearer token on every request, answers in SCIM's JSON.
SCIM = Router(
    path="/scim/v2",
    before_request=scim.requires_token,
    exception_handlers=scim.EXCEPTION_HANDLERS,
    include_in_schema=False,
    route_handlers=[
        get("/ServiceProviderConfig", name="scim:config")(scim.get_config),
        get("/ResourceTypes", name="scim:resource_types")(scim.list_resource_types),
        get("/ResourceTypes/{name:str}", name="scim:resource_type")(scim.get_resource_type),
        get("/Schemas", name="scim:schemas")(scim.list_schemas),
        get("/Schemas/{urn:str}", name="scim:schema")(scim.get_schema),
        get("/Users", name="scim:users")(scim.list_users),
        post("/Users", name="scim:create_user")(scim.create_user),
        get("/Users/{user_id:str}", name="scim:user")(scim.get_user),
        put("/Users/{user_id:str}", name="scim:replace_user")(scim.replace_user),
        patch("/Users/{user_id:str}", name="scim:patch_user")(scim.patch_user),
        delete("/Users/{user_id:str}", name="scim:delete_user", status_code=204)(scim.delete_user),
        # Groups, Bulk, /Me: not provisioned here; a SCIM 404, not a page.
        route("/{rest:path}", http_method=["GET", "POST", "PUT", "PATCH", "DELETE"])(
            scim.not_found
        ),
    ],
)


# The REST API: a personal access token on every request, JSON and problem details.
API = Router(
    path="/api/v1",
    dependencies={"caller": Provide(api.provide_caller)},
    before_request=api.refuse_impossible,
    exception_handlers=api.EXCEPTION_HANDLERS,
    security=[{"bearer": []}],
    route_handlers=[
        get("/me", name="api:me", responses=api.PROBLEMS)(api.me),
        get("/departments", name="api:departments", responses=api.PROBLEMS)(api.list_departments),
        get("/ideas", name="api:ideas", responses=api.PROBLEMS)(api.list_ideas),
        post("/ideas", name="api:create_idea", responses=api.PROBLEMS)(api.create_idea),
        get("/ideas/{idea_id:int}", name="api:idea", responses=api.PROBLEMS)(api.get_idea),
        put("/ideas/{idea_id:int}/vote", name="api:vote", responses=api.PROBLEMS)(api.vote),
        delete(
            "/ideas/{idea_id:int}/vote", name="api:unvote", responses=api.PROBLEMS, status_code=200
        )(api.unvote),
        get("/ideas/{idea_id:int}/comments", name="api:comments", responses=api.PROBLEMS)(
            api.list_comments
        ),
        post("/ideas/{idea_id:int}/comments", name="api:create_comment", responses=api.PROBLEMS)(
            api.create_comment
        ),
        post(
            "/ideas/{idea_id:int}/status",
            name="api:status",
            responses=api.PROBLEMS,
            status_code=200,
        )(api.post_status),
    ],
)
