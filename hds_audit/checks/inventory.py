"""`inventory.assessed`: no in-scope resource is left out silently (docs/user-guide.md, inventory.assessed).

Every in-scope resource of a type that some check judges on its substance (encryption, backups,
replication, TLS, traces, deletion) is counted under the checks that judge it; so are the types that
hold no health data of their own (network, load balancers, keys, vaults: NO_DATA_OF_THEIR_OWN, each with
its reason). Every other in-scope
resource (a DCS cache, a DDS database, an SFS share...) is listed as `manual`, one finding each: only
its region is placed (residency.resources), and a person must judge how it protects health data.
`results.json` carries the list as `not_assessed`.
"""

from __future__ import annotations

from collections import defaultdict

from hds_audit.checks.configuration import no_in_scope_resource
from hds_audit.checks.interface import CheckInput, Finding, Outcome
from hds_audit.checks.registry import check
from hds_audit.i18n.messages import Message, msg
from hds_audit.states import Status

CHECK_ID = "inventory.assessed"

# resource type -> the checks that judge it beyond its region (keep in step with the checks' own type lists)
ASSESSED: dict[str, tuple[str, ...]] = {
    "flexibleengine_compute_instance_v2": ("backup.coverage", "backup.encrypted", "deletion.contract_end"),
    "flexibleengine_blockstorage_volume_v2": ("storage.encrypted_at_rest", "backup.coverage", "backup.encrypted", "deletion.contract_end"),
    "flexibleengine_obs_bucket": ("storage.encrypted_at_rest", "trace.retention", "deletion.contract_end"),
    "flexibleengine_obs_bucket_replication": ("residency.replication",),
    "flexibleengine_rds_instance_v3": ("storage.encrypted_at_rest", "backup.coverage", "residency.replication", "deletion.contract_end"),
    "flexibleengine_rds_cross_region_backup_strategy": ("residency.replication",),
    "flexibleengine_cbr_policy": ("residency.replication",),
    "flexibleengine_cts_tracker_v1": ("trace.tracker_enabled", "trace.retention"),
    "flexibleengine_lb_listener_v2": ("transport.tls_only",),
    "flexibleengine_lb_listener_v3": ("transport.tls_only",),
    "flexibleengine_elb_listener": ("transport.tls_only",),
    "flexibleengine_elb_security_policy": ("transport.tls_only",),
    # IAM users are judged from iam/users.json, which lists every user of the domain
    "flexibleengine_identity_user_v3": ("access.nominative_accounts", "access.mfa"),
}

# Types that hold no health data of their own, by name prefix: counted as assessed, with the reason
NO_DATA_OF_THEIR_OWN: dict[str, Message] = {  # reports show them translated (the English is the id)
    "flexibleengine_vpc": msg("network: carries no data of its own"),
    "flexibleengine_networking_": msg("network: carries no data of its own"),
    "flexibleengine_nat_": msg("network: carries no data of its own"),
    "flexibleengine_dns_": msg("network: carries no data of its own"),
    "flexibleengine_lb_loadbalancer": msg("load balancer: its listeners are judged by transport.tls_only"),
    "flexibleengine_elb_loadbalancer": msg("load balancer: its listeners are judged by transport.tls_only"),
    "flexibleengine_lb_pool": msg("load balancer: its listeners are judged by transport.tls_only"),
    "flexibleengine_lb_member": msg("load balancer: its listeners are judged by transport.tls_only"),
    "flexibleengine_lb_monitor": msg("load balancer: its listeners are judged by transport.tls_only"),
    "flexibleengine_kms_key": msg("an encryption key: holds no data"),
    "flexibleengine_cbr_vault": msg("holds backups, which backup.encrypted and residency.resources judge one by one"),
    "flexibleengine_compute_keypair": msg("an SSH key pair: holds no data"),
    "flexibleengine_identity_": msg("IAM configuration: judged from iam/users.json by the access checks"),
}


def no_data_reason(rtype: str) -> str | None:
    return next((str(why) for prefix, why in NO_DATA_OF_THEIR_OWN.items() if rtype.startswith(prefix)), None)


@check(CHECK_ID, "Every in-scope resource is assessed by some check, or listed for a person to judge", needs=("resources",),
       category="configuration", severity="medium")
def assessed(inp: CheckInput) -> Outcome:
    in_scope = sorted(inp["resources"].in_scope(), key=lambda r: (r.type, r.id, r.address))
    counted: dict[str, int] = defaultdict(int)
    findings, left = [], []
    for r in in_scope:
        if r.type in ASSESSED or no_data_reason(r.type):
            counted[r.type] += 1
            continue
        left.append({"object": r.id, "type": r.type, "address": r.address, "region": r.region, "ref": r.ref})
        findings.append(Finding(r.id, msg("{type} {address} holds health data per the scope, and no check assesses this type "
                                          "(only its region is placed, by residency.resources): a person must judge how it "
                                          "protects the data", type=r.type, address=r.address), (r.ref,), Status.MANUAL))
    findings += no_in_scope_resource(inp, msg("nothing was assessed"))
    assessed_rows = [{"type": t, "resources": n, "checks": list(ASSESSED[t])} if t in ASSESSED else
                     {"type": t, "resources": n, "checks": [], "why": no_data_reason(t)} for t, n in sorted(counted.items())]
    details = {"assessed": assessed_rows, "not_assessed": left, "scope": inp.tenant.scope.describe()}
    return Outcome(findings, details=details)
