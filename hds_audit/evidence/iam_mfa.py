"""`iam/mfa.json` (optional): virtual MFA devices and login protection, per IAM user id."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from hds_audit.evidence.bundle import Bundle
from hds_audit.evidence.interface import Evidence, Problem
from hds_audit.evidence.records import load_json, validate_records

NAME = "iam_mfa"
DESCRIPTION = "iam/mfa.json: virtual MFA devices and login protection"
FILE = "iam/mfa.json"


class MfaDevice(BaseModel):
    model_config = ConfigDict(extra="ignore")
    user_id: str
    serial_number: str | None = None


class LoginProtect(BaseModel):
    model_config = ConfigDict(extra="ignore")
    user_id: str
    enabled: bool
    verification_method: str | None = None


def load(bundle: Bundle, tenant=None) -> Evidence[dict[str, str]]:
    """Data: user id -> how the user is protected (a device serial or a login-protection method)."""
    evidence: Evidence[dict[str, str]] = Evidence(NAME)
    if not bundle.exists(FILE):
        evidence.note = f"{FILE} is absent"
        return evidence
    document, problem = load_json(bundle, FILE)
    if problem is None and not (isinstance(document, dict) and ({"virtual_mfa_devices", "login_protects"} & document.keys())):
        problem = Problem(FILE, None, 'expected "virtual_mfa_devices" and/or "login_protects" lists')
    if problem:
        evidence.problems.append(problem)
        return evidence
    protected: dict[str, str] = {}
    count = 0
    for key, model in (("virtual_mfa_devices", MfaDevice), ("login_protects", LoginProtect)):
        items = document.get(key) or []
        if not isinstance(items, list):
            evidence.problems.append(Problem(FILE, key, "is not a list"))
            continue
        count += len(items)
        records, problems = validate_records(items, FILE, key, model, label="user_id")
        evidence.problems += problems
        for record in records:
            if isinstance(record, MfaDevice):
                protected.setdefault(record.user_id, f"virtual MFA device {record.serial_number or ''}".strip())
            elif record.enabled:
                protected.setdefault(record.user_id, f"login protection ({record.verification_method or 'enabled'})")
    read = bundle.record(FILE)
    read.records = count
    evidence.files.append(read)
    # a broken list or record may be the very device of a user found unprotected: with any
    # problem, nobody can be judged unprotected (the check says error, not a false fail)
    evidence.data = None if evidence.problems else protected
    return evidence
