"""How much a finding matters: `high`, `medium` or `low`, from the check that made it (contract §5).

The check's declaration (`CheckSpec.severity`) decides; this table stands in while a check declares
none, so a finding always has one, and it is read here only.
"""

from __future__ import annotations

from functools import cache

LEVELS: tuple[str, ...] = ("high", "medium", "low")
DEFAULT = "medium"

# High: health data may be exposed, leave the EU or be lost, or an action is untraceable.
# Medium: a safeguard is weakened or unproven. Low: a contractual or housekeeping gap.
FALLBACK: dict[str, str] = {
    "trace.tracker_enabled": "high", "trace.continuity": "high", "trace.retention": "medium",
    "trace.access_entitlement": "medium",
    "access.nominative_accounts": "medium", "access.register_covers_activity": "high",
    "access.no_activity_after_revocation": "high", "access.credentials_not_reassigned": "high",
    "access.mfa": "high", "access.provider_support_removed": "high",
    "backup.coverage": "high", "backup.encrypted": "high", "backup.restore_tested": "medium", "backup.quota": "low",
    "residency.regions_allowed": "high", "residency.resources": "high", "residency.replication": "high",
    "residency.activity": "high",
    "transport.tls_only": "high", "storage.encrypted_at_rest": "high",
    "deletion.contract_end": "high", "deletion.tenant_request": "medium",
    "support.plan_eligible": "medium", "support.response_times": "low",
    "provider.certificates_valid": "high", "attestation.current": "medium", "inventory.assessed": "low",
}


@cache
def severity_of(check_id: str) -> str:
    from hds_audit.checks.registry import all_checks

    declared = getattr(all_checks().get(check_id), "severity", None)
    if declared in LEVELS:
        return declared
    return FALLBACK.get(check_id, DEFAULT)


def rank(level: str) -> int:
    """0 for high: sorts the most severe first."""
    return LEVELS.index(level) if level in LEVELS else len(LEVELS)
