"""Configuration checks from the Terraform state: encryption in transit and at rest
(docs/user-guide.md "Encryption").

`transport.tls_only`: every `flexibleengine_lb_listener_v2` / `_v3` (in scope or not: a listener
carries whatever its back ends send) uses protocol HTTPS or TERMINATED_HTTPS (any case) and a TLS
policy that admits nothing older than TLS 1.2:

* accepted `tls_ciphers_policy`: `tls-1-2`, `tls-1-2-strict`, `tls-1-2-fs`, `tls-1-2-fs-with-1-3`,
  `tls-1-3` and any later `tls-1-2-*` / `tls-1-3*` name (the pattern `^tls-1-[23](-|$)`);
* refused: `tls-1-0`, `tls-1-0-inherit`, `tls-1-0-with-1-3`, `tls-1-1`, `hybrid-policy-1-0`, any other
  name, and an empty or absent policy (the state then proves nothing about the TLS versions);
* a v3 listener with a `security_policy_id` (a custom policy, which takes precedence over
  `tls_ciphers_policy`) passes when that `flexibleengine_elb_security_policy` is in the state and
  lists only TLSv1.2 / TLSv1.3 in `protocols`; a policy not in the state is an `error`.

`storage.encrypted_at_rest`: every in-scope `flexibleengine_obs_bucket` has `encryption` true, or (no
`encryption` recorded) a `kms_key_id` / `sse_algorithm` / `server_side_encryption` setting; an explicit
`encryption: false` fails even with a key left set; every in-scope `flexibleengine_blockstorage_volume_v2`
has `metadata.__system__encrypted` equal to 1 ("1" or 1). No in-scope resource at all is an `error`
(a scope that matches nothing must not pass).
"""

from __future__ import annotations

import re
from typing import Any

from hds_audit.checks.interface import CheckInput, Finding, Outcome
from hds_audit.checks.registry import check
from hds_audit.evidence.interface import shown
from hds_audit.evidence.resources import BUCKET, DATABASE, VOLUME, Inventory, Resource
from hds_audit.i18n.messages import Message, msg, nmsg, note_fields
from hds_audit.states import Status

LISTENERS = ("flexibleengine_lb_listener_v2", "flexibleengine_lb_listener_v3")
CLASSIC_LISTENER = "flexibleengine_elb_listener"  # classic ELB: protocol HTTP, TCP, HTTPS or UDP; TLS in ssl_protocols
SECURITY_POLICY = "flexibleengine_elb_security_policy"
TLS_PROTOCOLS = ("HTTPS", "TERMINATED_HTTPS")
ACCEPTED_POLICY = re.compile(r"^tls-1-[23](-|$)")
ACCEPTED_EXAMPLES = ("tls-1-2", "tls-1-2-strict", "tls-1-2-fs", "tls-1-2-fs-with-1-3", "tls-1-3")
MODERN_TLS = {"TLSV1.2", "TLSV1.3"}


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def no_in_scope_resource(inp: CheckInput, consequence: Message) -> list[Finding]:
    """An `error` when no resource is in scope: a check of in-scope resources must not pass on none (absent evidence)."""
    reason = inp["resources"].scope_matches_nothing(inp.tenant.scope)
    return [Finding("resources", msg("{reason}: {consequence}", reason=reason, consequence=consequence), status=Status.ERROR)] if reason else []


def _empty_note(inventory: Inventory, what: Message) -> Message:
    return msg("the Terraform state was read ({files}) and holds no {what}: nothing to fault",
               files=", ".join(inventory.files) if inventory.files else msg("no file"), what=what)


def nor(items: list) -> Message:
    out = items[0]
    for item in items[1:]:
        out = msg("{first} nor {second}", first=out, second=item)
    return out


# -- transport.tls_only ------------------------------------------------------------------------
def _custom_policy_verdict(policy_id: str, inventory: Inventory) -> tuple[Status | None, Message]:
    policies = {p.id: p for p in inventory.of_type(SECURITY_POLICY)}
    policy = policies.get(policy_id)
    if policy is None:
        return Status.ERROR, msg("custom security policy {policy} is not in the Terraform state: its TLS versions cannot be shown",
                                 policy=policy_id)
    protocols = [str(p) for p in policy.attributes.get("protocols") or []]
    old = [p for p in protocols if p.upper() not in MODERN_TLS]
    if not protocols:
        return Status.FAIL, msg("custom security policy {policy} lists no protocols", policy=policy_id)
    if old:
        return Status.FAIL, msg("custom security policy {policy} admits {old} (only TLSv1.2 and TLSv1.3 are accepted)", policy=policy_id,
                                old=tuple(old))
    return None, msg("custom security policy {policy}: {protocols}", policy=policy_id, protocols=tuple(protocols))


def _classic_verdict(r: Resource) -> tuple[Status | None, Message]:
    """A classic listener: HTTPS with `ssl_protocols` "TLSv1.2" (the provider's other choice, "TLSv1.2 TLSv1.1 TLSv1",
    admits older versions); an empty `ssl_protocols` shows nothing."""
    protocol = _text(r.attributes.get("protocol"))
    if protocol.upper() != "HTTPS":
        return Status.FAIL, msg("classic ELB listener with protocol {protocol}: traffic is not encrypted (HTTPS required)",
                                protocol=protocol or msg("(none)"))
    versions = _text(r.attributes.get("ssl_protocols")).split()
    if not versions:
        return Status.FAIL, msg("HTTPS without ssl_protocols in the state: TLS 1.2+ is not shown")
    old = [v for v in versions if v.upper() not in MODERN_TLS]
    if old:
        return Status.FAIL, msg("HTTPS with ssl_protocols {versions}, which admits {old} (only TLSv1.2 and TLSv1.3 are accepted)",
                                versions=" ".join(versions), old=tuple(old))
    return None, msg("HTTPS with ssl_protocols {versions}", versions=" ".join(versions))


def _listener_verdict(r: Resource, inventory: Inventory) -> tuple[Status | None, Message]:
    if r.type == CLASSIC_LISTENER:
        return _classic_verdict(r)
    protocol = _text(r.attributes.get("protocol"))
    if protocol.upper() not in TLS_PROTOCOLS:
        return Status.FAIL, msg("protocol {protocol}: traffic is not encrypted (HTTPS or TERMINATED_HTTPS required)",
                                protocol=protocol or msg("(none)"))
    policy_id = _text(r.attributes.get("security_policy_id"))
    if policy_id:
        return _custom_policy_verdict(policy_id, inventory)
    policy = _text(r.attributes.get("tls_ciphers_policy"))
    if not policy:
        return Status.FAIL, msg("{protocol} without a TLS policy in the state (tls_ciphers_policy empty): TLS 1.2+ is not shown",
                                protocol=protocol)
    if not ACCEPTED_POLICY.match(policy.lower()):
        return Status.FAIL, msg("{protocol} with TLS policy {policy}, which admits versions older than TLS 1.2 (accepted: {accepted})",
                                protocol=protocol, policy=policy, accepted=ACCEPTED_EXAMPLES)
    return None, msg("{protocol} with TLS policy {policy}", protocol=protocol, policy=policy)


@check("transport.tls_only", "Load-balancer listeners speak TLS 1.2+ only", needs=("resources",),
       category="configuration", severity="high")
def tls_only(inp: CheckInput) -> Outcome:
    inventory: Inventory = inp["resources"]
    findings, rows = [], []
    for r in sorted(inventory.of_type(*LISTENERS, CLASSIC_LISTENER), key=lambda r: r.address):
        status, message = _listener_verdict(r, inventory)
        obj = r.id
        rows.append({"object": obj, "address": r.address, "protocol": r.attributes.get("protocol"),
                     "port": r.attributes.get("protocol_port"),
                     "tls_ciphers_policy": r.attributes.get("tls_ciphers_policy") or r.attributes.get("ssl_protocols"),
                     "ok": status is None, "ref": r.ref})
        if status is not None:
            findings.append(Finding(obj, msg("listener {name}: {problem}", name=str(r.attributes.get("name") or r.address),
                                             problem=message), (r.ref,), status))
    details: dict[str, Any] = {"listeners": rows, "accepted_policies": list(ACCEPTED_EXAMPLES)}
    if not rows:
        details |= note_fields(_empty_note(inventory, msg("load-balancer listener")))
    return Outcome(findings, details=details)


# -- storage.encrypted_at_rest -----------------------------------------------------------------
def _bucket_encryption(attributes: dict) -> Message | None:
    """Why a bucket is not encrypted, or None when it is."""
    flag = attributes.get("encryption")
    words = flag.strip().lower() if isinstance(flag, str) else flag
    if words is True or words == "true":
        return None
    settings = [f"{name} {_text(attributes.get(name))}" for name in ("kms_key_id", "sse_algorithm") if _text(attributes.get(name))]
    sse = attributes.get("server_side_encryption")
    sse = [sse] if isinstance(sse, dict) else sse
    if isinstance(sse, list) and any(isinstance(s, dict) and _text(s.get("algorithm")) for s in sse):
        settings.append("server_side_encryption")
    if words is False or words == "false":
        # the provider applies a key only with encryption on: a key left over after it was switched off encrypts nothing
        if not settings:
            return msg("encryption is false")
        named = settings[0]
        for setting in settings[1:]:
            named = msg("{first} and {second}", first=named, second=setting)
        return nmsg("encryption is false although {settings} is set: encryption is off",
                    "encryption is false although {settings} are set: encryption is off", n=len(settings), settings=named)
    return None if settings else msg("encryption is not true and no KMS key is set")


def volume_encrypted(attributes: dict) -> bool:
    metadata = attributes.get("metadata")
    if not isinstance(metadata, dict):
        return False
    flag = metadata.get("__system__encrypted")
    if isinstance(flag, bool):
        return False  # the API writes "1"; a boolean is not what EVS records
    return flag == 1 or (isinstance(flag, str) and flag.strip() == "1")


def database_unencrypted(attributes: dict) -> Message | None:
    """Why an RDS instance's storage is not encrypted (every `volume[]` block needs a `disk_encryption_id`), or None."""
    volumes = attributes.get("volume")
    if not isinstance(volumes, list) or not volumes:
        return msg("no volume block recorded in the state")
    if any(not isinstance(v, dict) or not _text(v.get("disk_encryption_id")) for v in volumes):
        return msg("volume[].disk_encryption_id is empty: no KMS key encrypts its storage")
    return None


@check("storage.encrypted_at_rest", "In-scope buckets, volumes and databases are encrypted", needs=("resources",),
       category="configuration", severity="high")
def encrypted_at_rest(inp: CheckInput) -> Outcome:
    inventory: Inventory = inp["resources"]
    in_scope = inventory.in_scope()
    findings, rows = [], []
    buckets = sorted((r for r in in_scope if r.type == BUCKET), key=lambda r: r.address)
    volumes = sorted((r for r in in_scope if r.type == VOLUME), key=lambda r: r.address)
    for r in sorted((r for r in in_scope if r.type == DATABASE), key=lambda r: r.address):
        why = database_unencrypted(r.attributes)
        rows.append({"object": r.id, "kind": "database", "encrypted": why is None, "ref": r.ref})
        if why:
            findings.append(Finding(r.id, msg("in-scope RDS instance {name} is not encrypted ({why})",
                                              name=str(r.attributes.get("name") or r.address), why=why), (r.ref,)))
    for r in buckets:
        name = _text(r.attributes.get("bucket")) or r.id
        why = _bucket_encryption(r.attributes)
        rows.append({"object": name, "kind": "bucket", "encrypted": why is None, "kms_key_id": r.attributes.get("kms_key_id") or None, "ref": r.ref})
        if why:
            findings.append(Finding(name, msg("in-scope OBS bucket {address} is not encrypted ({why})", address=r.address, why=why), (r.ref,)))
    for r in volumes:
        ok = volume_encrypted(r.attributes)
        rows.append({"object": r.id, "kind": "volume", "encrypted": ok, "ref": r.ref})
        if not ok:
            value = (r.attributes.get("metadata") or {}).get("__system__encrypted") if isinstance(r.attributes.get("metadata"), dict) else None
            flag = (msg("metadata.__system__encrypted is {value}, not 1", value=shown(value)) if value is not None
                    else msg("no metadata.__system__encrypted"))
            findings.append(Finding(r.id, msg("in-scope EVS volume {name} is not encrypted ({flag})",
                                              name=str(r.attributes.get("name") or r.address), flag=flag), (r.ref,)))
    findings += no_in_scope_resource(inp, msg("no bucket, volume or database was checked"))
    details: dict[str, Any] = {"objects": rows, "scope": inp.tenant.scope.describe()}
    missing = [what for what, found in ((msg("in-scope bucket"), buckets), (msg("in-scope volume"), volumes)) if not found]
    if missing:
        details |= note_fields(_empty_note(inventory, nor(missing)))
    return Outcome(findings, details=details)
