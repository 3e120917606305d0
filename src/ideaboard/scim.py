"""SCIM 2.0 (RFC 7643/7644) as the board speaks it: the User resource it keeps, the
discovery documents that describe it, filters, and errors. Payloads are read and
written by scim2-models, which also applies PATCH operations (Microsoft Entra ID's
"Replace" and "False" included). No database here: services.provisioning is the rest.

The board keeps less than the standard User: userName, displayName, active, one email,
externalId and the enterprise extension's department. The schema it publishes says so,
and attributes it does not keep (title, phone numbers, manager…) are accepted and
ignored, as directories send them whatever the schema says.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import ValidationError
from scim2_models import (
    URN,
    AuthenticationScheme,
    Bulk,
    CaseExact,
    ChangePassword,
    ComplexAttribute,
    Context,
    ETag,
    Extension,
    Filter,
    Patch,
    Required,
    Resource,
    ResourceType,
    ResponseParameters,
    ScimPolicy,
    ServiceProviderConfig,
    Sort,
    Uniqueness,
)

from ideaboard.services.validation import has_control_characters

MEDIA_TYPE = "application/scim+json"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
MAX_RESULTS = 200

# Directories send more than the board keeps: read it, drop what has no place here.
POLICY = ScimPolicy(unknown=ScimPolicy.Unknown.ignore)


class BoardEnterpriseUser(Extension):
    __schema__ = URN("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")

    department: str | None = None


class BoardEmail(ComplexAttribute):
    """The one address the board keeps; it is the person's primary, work address."""

    value: str | None = None


class BoardUser(Resource[BoardEnterpriseUser]):
    """A person on the board, as SCIM sees them."""

    __schema__ = URN("urn:ietf:params:scim:schemas:core:2.0:User")

    user_name: Annotated[str | None, Required.true, Uniqueness.server, CaseExact.false] = None
    display_name: str | None = None
    active: bool | None = None
    emails: list[BoardEmail] | None = None


class ScimError(Exception):
    """An answer in SCIM's error format (RFC 7644 §3.12)."""

    def __init__(self, status: int, detail: str, scim_type: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.scim_type = scim_type

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "schemas": [ERROR_SCHEMA], "status": str(self.status), "detail": self.detail,
        }  # fmt: skip
        if self.scim_type:
            body["scimType"] = self.scim_type
        return body


def service_provider_config() -> dict[str, Any]:
    config = ServiceProviderConfig(
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_RESULTS),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=False),
        authentication_schemes=[
            AuthenticationScheme(
                type=AuthenticationScheme.Type.oauthbearertoken,
                name="Bearer token",
                description="A token made at /admin or by `ideaboard scim-token create`.",
                primary=True,
            )
        ],
    )
    return dump(config)


def resource_types(base_url: str) -> list[dict[str, Any]]:
    user = ResourceType.from_resource(BoardUser)
    body = dump(user)
    for extension in body["schemaExtensions"]:
        extension["required"] = True  # everyone has a department (BOARD_REQUIRES)
    body["meta"] = {"resourceType": "ResourceType", "location": f"{base_url}/ResourceTypes/User"}
    return [body]


# What the board cannot keep a person without. Published as required, so directories
# send them and do not try to remove them; read leniently all the same (a missing
# displayName is made from name, a missing active is true, a missing department keeps
# the person where they are), because directories send what their mapping says.
BOARD_REQUIRES = ("displayName", "active", "emails", "department")


def _require(attributes: list[dict[str, Any]]) -> None:
    for attribute in attributes:
        if attribute["name"] in BOARD_REQUIRES:
            attribute["required"] = True
            for part in attribute.get("subAttributes", []):
                part["required"] = part["required"] or part["name"] == "value"


def schemas(base_url: str) -> list[dict[str, Any]]:
    found = []
    for model in (BoardUser, BoardEnterpriseUser):
        schema = dump(model.to_schema())
        _require(schema["attributes"])
        schema["name"] = "User" if model is BoardUser else "EnterpriseUser"
        schema["description"] = (
            "A person on the board" if model is BoardUser else "The person's department"
        )
        schema["meta"] = {
            "resourceType": "Schema",
            "location": f"{base_url}/Schemas/{schema['id']}",
        }
        found.append(schema)
    return found


def dump(
    model: Any,
    context: Context = Context.RESOURCE_QUERY_RESPONSE,
    params: ResponseParameters[Any] | None = None,
) -> dict[str, Any]:
    result: dict[str, Any] = model.model_dump(
        scim_ctx=context, scim_policy=POLICY, response_parameters=params
    )
    return result


def response_parameters(query: Mapping[str, str]) -> ResponseParameters[Any] | None:
    """`attributes` and `excludedAttributes` from the query (RFC 7644 §3.4.2.5)."""
    wanted = {name: query[name] for name in ("attributes", "excludedAttributes") if query.get(name)}
    if not wanted:
        return None
    try:
        return ResponseParameters.model_validate(wanted)
    except ValidationError:
        raise ScimError(
            400, "attributes and excludedAttributes take attribute paths.", "invalidPath"
        ) from None


def read_json(body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise ScimError(400, "The body is not JSON.", "invalidSyntax") from None
    if not isinstance(payload, dict):
        raise ScimError(400, "The body must be a JSON object.", "invalidSyntax")
    return payload


# The filters directories send to find a person before creating them.
_FILTER = re.compile(
    r'^\s*(userName|externalId|emails(?:\.value)?|id)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$',
    re.IGNORECASE,
)


def parse_filter(expression: str) -> tuple[str, str]:
    """`userName eq "x"` → ("username", "x"); SCIMError invalidFilter for the rest."""
    match = _FILTER.match(expression)
    if not match:
        raise ScimError(
            400,
            'Only "eq" on userName, externalId, emails or id is supported, e.g.'
            ' userName eq "ada@example.com".',
            "invalidFilter",
        )
    attribute = match.group(1).lower()
    value = json.loads(f'"{match.group(2)}"')
    if has_control_characters(value):
        raise ScimError(
            400, "The filter's value has characters no attribute holds.", "invalidFilter"
        )
    return ("emails" if attribute.startswith("emails") else attribute), value
