"""`iam/users.json`: IAM users as the IAM API lists them.

`GET /v3/users` (KeystoneListUsers) gives `id`, `name`, `enabled`, `domain_id`, `pwd_status`,
`password_expires_at`, `links`, `description`; `access_mode`, `is_domain_owner`, `last_login_time` and
`create_time` (UTC `YYYY-MM-DD HH:mm:ss.f`, no offset) come from `GET /v3.0/OS-USER/users/{id}`
(ShowUser), merged into each item where available. A user without `access_mode` (or with null) has
IAM's default mode, `default` (console and programmatic); without `is_domain_owner` it is not taken
for the domain owner.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, field_validator

from hds_audit.evidence.bundle import Bundle
from hds_audit.evidence.interface import Evidence, Problem
from hds_audit.evidence.records import listing, load_json, validate_records
from hds_audit.calendar.instants import parse_api_instant
from hds_audit.i18n.messages import msg

NAME = "iam_users"
DESCRIPTION = "iam/users.json: IAM users"
FILE = "iam/users.json"


class IamUser(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str
    name: str
    enabled: bool
    access_mode: Literal["default", "programmatic", "console"] = "default"
    is_domain_owner: bool = False
    last_login_time: datetime | None = None
    pwd_status: bool | None = None
    create_time: datetime | None = None

    @field_validator("access_mode", "is_domain_owner", mode="before")
    @classmethod
    def _null_is_default(cls, value, info):
        # ShowUser (GET /v3.0/OS-USER/users/{id}) always names these keys, with null where IAM keeps its default
        if value is None:
            return "default" if info.field_name == "access_mode" else False
        return value

    @field_validator("last_login_time", "create_time", mode="before")
    @classmethod
    def _api_time(cls, value):
        return None if value in (None, "") else parse_api_instant(value)

    @property
    def console_access(self) -> bool:
        return self.access_mode in ("default", "console")


def _without_duplicates(users: list[IamUser], items: list, problems: list[Problem]) -> list[IamUser]:
    """The users listed once; a user listed twice (by id or name) is a problem and neither record is kept:
    keeping either (one enabled, one not) would be a guess about which is current."""
    first: dict[tuple[str, str], int] = {}
    twice: set[int] = set()
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        for field in ("id", "name"):
            value = item.get(field)
            if not isinstance(value, str) or not value:
                continue
            key = (field, value.casefold())
            if key in first:
                twice.update((first[key], index))
                name = item.get("name")
                problems.append(Problem(FILE, f"users[{index}]" + (f" name={name}" if isinstance(name, str) else ""),
                                        f"{field} '{value}' is listed twice (users[{first[key]}] and users[{index}]): "
                                        "which record is current cannot be told"))
                break
            first[key] = index
    # only strings can name a kept user; a list or a dict in the field is not hashable
    refused = {v for i in twice for v in (items[i].get("id"), items[i].get("name")) if isinstance(v, str)}
    return [u for u in users if u.id not in refused and u.name not in refused]


def load(bundle: Bundle, tenant=None) -> Evidence[list[IamUser]]:
    evidence: Evidence[list[IamUser]] = Evidence(NAME)
    if not bundle.exists(FILE):
        evidence.absent_because(msg("{file} is absent", file=FILE))
        return evidence
    document, problem = load_json(bundle, FILE)
    items, problem = (None, problem) if problem else listing(document, FILE, "users")
    if problem:
        evidence.problems.append(problem)
        return evidence
    users, evidence.problems = validate_records(items, FILE, "users", IamUser)
    if not items:  # an export cut short, or of the wrong account: no tenant is without users
        evidence.problems.append(Problem(FILE, "users", msg("the listing is empty, yet every tenant has its domain owner; "
                                                             "list the users again")))
        return evidence
    users = _without_duplicates(users, items, evidence.problems)
    read = bundle.record(FILE)
    read.records = len(items)
    evidence.files.append(read)
    evidence.data = users
    evidence.note = _details_note(items)
    return evidence


def _details_note(items: list) -> str | None:
    """Say so when the listing was not merged with the users' details: IAM's defaults are then assumed."""
    bare = [i.get("name") for i in items if isinstance(i, dict) and not ({"access_mode", "is_domain_owner"} & i.keys())]
    if not bare:
        return None
    named = ", ".join(str(n) for n in bare[:5]) + (f" and {len(bare) - 5} more" if len(bare) > 5 else "")
    return (f"{len(bare)} user(s) without the details of GET /v3.0/OS-USER/users/{{id}} (no access_mode nor "
            f"is_domain_owner: IAM's default mode assumed, not taken for the domain owner): {named}")
