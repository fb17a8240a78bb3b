"""Evidence kinds, one module each; the engine loads only the kinds its checks need."""

from __future__ import annotations

from importlib import import_module

# kind name -> module implementing NAME, DESCRIPTION and load(bundle, tenant) -> Evidence
KINDS: dict[str, str] = {
    "iam_users": "hds_audit.evidence.iam_users",
    "iam_mfa": "hds_audit.evidence.iam_mfa",
    "access_register": "hds_audit.evidence.access_register",
    "tickets": "hds_audit.evidence.tickets",
    "traces": "hds_audit.evidence.traces",
    "resources": "hds_audit.evidence.resources",
    "backups": "hds_audit.evidence.backups",
    "restore_tests": "hds_audit.evidence.restore_tests",
    "attestations": "hds_audit.evidence.attestations",
    "provider_docs": "hds_audit.evidence.provider_docs",
    "waivers": "hds_audit.evidence.waivers",
}


def kind_module(name: str):
    return import_module(KINDS[name])
