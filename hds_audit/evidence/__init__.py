"""Evidence kinds, one module each; the engine loads only the kinds its checks need.

`DESCRIPTORS` is the one place a kind is declared: its reader module, the bundle folder it lives in
(`hds-audit init` creates those folders), how it is read, whether it describes the tenant's
configuration (what `gate --config-only` reads) and the advice `doctor` gives when it is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Literal


@dataclass(frozen=True)
class Kind:
    name: str
    module: str  # implements NAME, DESCRIPTION and load(bundle, tenant) -> Evidence
    folder: str | None  # its folder in the bundle; None for a file at the bundle's top
    reading: Literal["traces", "json", "tabular", "yaml", "documents"]
    advice: str  # doctor's one line when the kind is missing
    configuration: bool = False  # describes the tenant's configuration (a plan or state can stand for it)


DESCRIPTORS: tuple[Kind, ...] = (
    Kind("iam_users", "hds_audit.evidence.iam_users", "iam", "json",
         "hds-audit collect iam --to BUNDLE, or export the IAM users (GET /v3/users, with each user's details) into iam/users.json (see iam/README.md)"),
    Kind("iam_mfa", "hds_audit.evidence.iam_mfa", "iam", "json",
         "hds-audit collect iam --to BUNDLE, or save the answers of GET /v3.0/OS-MFA/virtual-mfa-devices and GET /v3.0/OS-USER/login-protects as iam/virtual-mfa-devices.json and iam/login-protects.json, or both in iam/mfa.json (see iam/README.md)"),
    Kind("access_register", "hds_audit.evidence.access_register", None, "tabular",
         "fill in access_register.xlsx (or .csv): one row per authorization period of every IAM user"),
    Kind("tickets", "hds_audit.evidence.tickets", None, "tabular",
         "list the support tickets opened with the provider in tickets.csv (the header alone if there were none)"),
    Kind("traces", "hds_audit.evidence.traces", "traces", "traces",
         "copy the CTS files of the period into traces/: hds-audit collect traces --from s3://TRACE-BUCKET --to BUNDLE --period YYYY-Qn (see traces/README.md)"),
    Kind("resources", "hds_audit.evidence.resources", "resources", "json",
         "hds-audit collect inventory --to BUNDLE, or put the Terraform state in resources/: terraform state pull > resources/main.tfstate (see resources/README.md)",
         configuration=True),
    Kind("backups", "hds_audit.evidence.backups", "backups", "json",
         "hds-audit collect backups --to BUNDLE (CBR), or save the CBR, CSBS and VBS backup listings as JSON in backups/ (see backups/README.md)",
         configuration=True),
    Kind("restore_tests", "hds_audit.evidence.restore_tests", None, "tabular",
         "record the restore tests in restore_tests.csv: tested_at, resource_id, backup_id, result, record"),
    Kind("attestations", "hds_audit.evidence.attestations", "attestations", "documents",
         "fill in one attestation per organisational rule in attestations/ (hds-audit init writes the templates)"),
    Kind("provider_docs", "hds_audit.evidence.provider_docs", "provider", "documents",
         "put the provider's HDS and ISO 27001 certificates in provider/ (see provider/README.md)"),
    Kind("waivers", "hds_audit.evidence.waivers", None, "yaml", "optional: list accepted risks in waivers.yaml",
         configuration=True),
)
BY_NAME: dict[str, Kind] = {k.name: k for k in DESCRIPTORS}
# kind name -> reader module (what the engine imports)
KINDS: dict[str, str] = {k.name: k.module for k in DESCRIPTORS}
FOLDERS: tuple[str, ...] = tuple(dict.fromkeys(k.folder for k in DESCRIPTORS if k.folder))
TABULAR_KINDS: frozenset[str] = frozenset(k.name for k in DESCRIPTORS if k.reading == "tabular")
CONFIG_KINDS: frozenset[str] = frozenset(k.name for k in DESCRIPTORS if k.configuration)


def kind_module(name: str):
    return import_module(KINDS[name])
