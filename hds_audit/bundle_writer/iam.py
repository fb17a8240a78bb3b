"""IAM listings: users as `GET /v3.0/OS-USER/users` returns them, virtual MFA devices and login protection."""

from __future__ import annotations

from datetime import datetime

from hds_audit.bundle_writer.clock import iam_time
from hds_audit.bundle_writer.recorder import TenantTraces
from hds_audit.bundle_writer.traces import FE_DOMAIN


def iam_user(t: TenantTraces, account: str, *, enabled: bool = True, mode: str = "default", owner: bool = False,
             created: datetime, last_login: datetime | None, email: str = "", description: str = "") -> dict:
    masked = ""
    if email:
        local, domain = email.split("@", 1)
        masked = local[0] + "*" * 6 + "@" + domain
    uid = t.user_id(account)
    return {
        "id": uid, "name": account, "domain_id": t.domain_id, "enabled": enabled, "access_mode": mode,
        "is_domain_owner": owner, "description": description, "email": masked, "pwd_status": False,
        "create_time": iam_time(created), "last_login_time": iam_time(last_login) if last_login else None,
        "xuser_id": "", "xuser_type": "",
        "links": {"self": f"https://iam.eu-west-0.{FE_DOMAIN}/v3.0/OS-USER/users/{uid}"},
    }


def short_user(name: str, **fields: object) -> dict:
    """An IAM user with only what the checks read; `fields` override or add."""
    return {"id": f"id-{name}", "name": name, "enabled": True, "access_mode": "default", "is_domain_owner": False, **fields}


def mfa_listing(devices: list[tuple[str, str]], protects: list[tuple[str, bool, str]] | None = None) -> dict:
    """Virtual MFA devices as (user id, serial number), login protection as (user id, enabled, method)."""
    out: dict = {"virtual_mfa_devices": [{"user_id": u, "serial_number": s} for u, s in devices]}
    if protects is not None:
        out["login_protects"] = [{"user_id": u, "enabled": e, "verification_method": m} for u, e, m in protects]
    return out
