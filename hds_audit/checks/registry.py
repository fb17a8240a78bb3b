"""The checks of docs/user-guide.md "The checks, one by one", by id.

Modules register their checks with `@check`.
"""

from __future__ import annotations

from importlib import import_module

from hds_audit.checks.interface import NO_PARAMS, Category, CheckDetails, CheckFunction, CheckParams, CheckSpec, Severity

# The contract's ids; one that no module registers yet runs as `error` "not implemented yet".
CONTRACT_CHECKS: tuple[str, ...] = (
    "trace.tracker_enabled", "trace.continuity", "trace.retention", "trace.access_entitlement",
    "access.nominative_accounts", "access.register_covers_activity", "access.no_activity_after_revocation",
    "access.credentials_not_reassigned", "access.mfa", "access.provider_support_removed",
    "backup.coverage", "backup.encrypted", "backup.restore_tested", "backup.quota",
    "residency.regions_allowed", "residency.resources", "residency.replication", "residency.activity",
    "transport.tls_only", "storage.encrypted_at_rest",
    "deletion.contract_end", "deletion.tenant_request",
    "support.plan_eligible", "support.response_times",
    "provider.certificates_valid", "attestation.current",
    "inventory.assessed",
)

# One module per family of checks; a missing module simply leaves its checks unimplemented.
CHECK_MODULES: tuple[str, ...] = (
    "hds_audit.checks.access",
    "hds_audit.checks.trace",
    "hds_audit.checks.activity",
    "hds_audit.checks.residency",
    "hds_audit.checks.configuration",
    "hds_audit.checks.backup",
    "hds_audit.checks.deletion",
    "hds_audit.checks.support",
    "hds_audit.checks.provider",
    "hds_audit.checks.attestation",
    "hds_audit.checks.inventory",
)

_REGISTRY: dict[str, CheckSpec] = {}


def check(check_id: str, title: str, needs: tuple[str, ...] = (), optional: tuple[str, ...] = (), applies=None, *,
          category: Category | None = None, severity: Severity | None = None,
          params: type[CheckParams] = NO_PARAMS, details: type[CheckDetails] | None = None):
    """Register a check function under its contract id, with its declared contract: what it judges
    (category), how grave its findings are (severity), the parameters it reads and its details' form."""

    def register(func: CheckFunction) -> CheckFunction:
        if check_id in _REGISTRY:
            raise RuntimeError(f"check {check_id} registered twice")
        _REGISTRY[check_id] = CheckSpec(check_id, title, tuple(needs), tuple(optional), func, applies,
                                        params, category, severity, details)
        return func

    return register


def all_checks() -> dict[str, CheckSpec]:
    for module in CHECK_MODULES:
        try:
            import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
    return _REGISTRY


def known_ids() -> set[str]:
    return set(CONTRACT_CHECKS) | set(all_checks())
