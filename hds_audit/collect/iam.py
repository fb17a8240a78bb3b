"""IAM (global): `iam/users.json`, `iam/virtual-mfa-devices.json`, `iam/login-protects.json`.

Users as `GET /v3/users` lists them, each merged with its details from
`GET /v3.0/OS-USER/users/{user_id}` (access_mode, is_domain_owner, last_login_time...): the
formats the IAM readers take (contract §2). A user whose details cannot be read makes the whole
file fail rather than a listing that would silently lack its access modes.
"""

from __future__ import annotations

from hds_audit.collect.api import Api, listing
from hds_audit.collect.interface import Unavailable, Unit


def users(api: Api, _region=None) -> dict:
    users_listed = listing(api, "iam", None, "keystone_list_users", "users", domain_id=api.domain_id())
    merged = []
    for user in users_listed["users"]:
        if not isinstance(user, dict) or not user.get("id"):
            raise Unavailable("iam: the user listing holds a record without an id")
        details = api.call("iam", None, "show_user", user_id=str(user["id"])).get("user") or {}
        merged.append({**user, **details})
    return {**users_listed, "users": merged}


def mfa_devices(api: Api, _region=None) -> dict:
    return listing(api, "iam", None, "list_user_mfa_devices", "virtual_mfa_devices")


def login_protects(api: Api, _region=None) -> dict:
    return listing(api, "iam", None, "list_user_login_protects", "login_protects")


def units(regions: list[str]) -> list[Unit]:
    return [Unit("iam", "iam", None, "iam/users.json", users),
            Unit("iam", "iam", None, "iam/virtual-mfa-devices.json", mfa_devices),
            Unit("iam", "iam", None, "iam/login-protects.json", login_protects)]
