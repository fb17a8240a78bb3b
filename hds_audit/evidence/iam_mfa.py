"""MFA per IAM user id: `iam/mfa.json` holding both API answers, or the two answers in their own files,
`iam/virtual-mfa-devices.json` (`{"virtual_mfa_devices": [{user_id, serial_number}]}`) and
`iam/login-protects.json` (`{"login_protects": [{user_id, enabled, verification_method}]}`). A
login-protect entry with `enabled: false` (method `none`) is no MFA. One of the two files alone is a
problem: whoever it does not protect may be protected by the other."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from hds_audit.evidence.bundle import Bundle
from hds_audit.evidence.interface import Evidence, Problem
from hds_audit.evidence.records import load_json, validate_records
from hds_audit.i18n.messages import msg

NAME = "iam_mfa"
DESCRIPTION = "iam/mfa.json, or iam/virtual-mfa-devices.json and iam/login-protects.json: MFA devices and login protection"
FILE = "iam/mfa.json"  # both answers in one file
DEVICES_FILE = "iam/virtual-mfa-devices.json"  # GET /v3.0/OS-MFA/virtual-mfa-devices (ListUserMfaDevices)
PROTECTS_FILE = "iam/login-protects.json"  # GET /v3.0/OS-USER/login-protects (ListUserLoginProtects)
DEVICES, PROTECTS = "virtual_mfa_devices", "login_protects"
BOTH = (DEVICES, PROTECTS)


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
    parts = [(rel, keys) for rel, keys in ((FILE, BOTH), (DEVICES_FILE, (DEVICES,)), (PROTECTS_FILE, (PROTECTS,))) if bundle.exists(rel)]
    if not parts:
        evidence.absent_because(msg("{file} is absent (nor {devices} and {protects})", file=FILE, devices=DEVICES_FILE, protects=PROTECTS_FILE))
        return evidence
    separate = {rel for rel, _ in parts} & {DEVICES_FILE, PROTECTS_FILE}
    if len(separate) == 1:
        missing = ({DEVICES_FILE, PROTECTS_FILE} - separate).pop()
        evidence.problems.append(Problem(missing, None, msg("absent beside {other}: the two answers go together (a user "
                                                            "without a device may have login protection, and the reverse)",
                                                            other=separate.pop())))
    protected: dict[str, str] = {}
    for rel, keys in parts:
        _read(bundle, rel, keys, protected, evidence)
    # a broken list or record may be the very device of a user found unprotected: with any
    # problem, nobody can be judged unprotected (the check says error, not a false fail)
    evidence.data = None if evidence.problems else protected
    return evidence


def _read(bundle: Bundle, rel: str, keys: tuple[str, ...], protected: dict[str, str], evidence: Evidence) -> None:
    document, problem = load_json(bundle, rel)
    if problem is None and not (isinstance(document, dict) and (set(keys) & document.keys())):
        if len(keys) > 1:
            problem = Problem(rel, None, msg("expected {keys} lists", keys=" and/or ".join('"' + k + '"' for k in keys)))
        else:
            problem = Problem(rel, None, msg("expected {key} list", key='"' + keys[0] + '"'))
    if problem:
        evidence.problems.append(problem)
        return
    count = 0
    for key in keys:
        model = MfaDevice if key == DEVICES else LoginProtect
        items = document.get(key) or []
        if not isinstance(items, list):
            evidence.problems.append(Problem(rel, key, msg("is not a list")))
            continue
        count += len(items)
        records, problems = validate_records(items, rel, key, model, label="user_id")
        evidence.problems += problems
        for record in records:
            if isinstance(record, MfaDevice):
                protected.setdefault(record.user_id, f"virtual MFA device {record.serial_number or ''}".strip())
            elif record.enabled:
                protected.setdefault(record.user_id, f"login protection ({record.verification_method or 'enabled'})")
    read = bundle.record(rel)
    read.records = count
    evidence.files.append(read)
