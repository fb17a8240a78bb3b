"""The typed `details` of the checks whose details reports and proofs read.

Each model names the keys a reader relies on, with the form the check writes them in; a reader takes
`spec.read_details(result.details)` instead of guessing which list is the table. Rows stay mappings
(their columns are the reader's business); keys a model does not name pass through.
"""

from __future__ import annotations

from typing import Any

from hds_audit.checks.interface import CheckDetails

Row = dict[str, Any]


class RegionsAllowedDetails(CheckDetails):
    regions: list[Row] = []  # one per allowed region: region, country, EU or not
    note: str | None = None


class PlacementsDetails(CheckDetails):
    placements: list[Row] = []  # one per resource or backup: where it lies
    note: str | None = None


class ReplicationsDetails(CheckDetails):
    replications: list[Row] = []  # one per replication, backup policy or copy: where it goes
    note: str | None = None


class ActivityDetails(CheckDetails):
    regions: list[Row] = []  # one per region traces come from


class ContinuityDetails(CheckDetails):
    gaps: list[Row] = []
    daily: list[Row] = []  # traces per region and day (Paris), for the report's chart
    max_gap_hours: float | None = None


class CoverageDetails(CheckDetails):
    rpo_hours: float | None = None
    resources: list[Row] = []  # per in-scope resource: its backups' longest interval


class ContractEndDetails(CheckDetails):
    contract_end: str | None = None
    deadline: str | None = None
    deadline_rule: str | None = None
    deadline_passed: bool | None = None
    timeline: list[Row] = []
    note: str | None = None


class TenantRequestDetails(CheckDetails):
    requested_at: str | None = None
    deadline: str | None = None
    deleted_at: str | None = None
    verdict: str | None = None
    note: str | None = None


class AttestationDetails(CheckDetails):
    control: str | None = None
    rule: str | None = None
    since: str | None = None
    max_age_days: int | None = None
    attestations: list[Row] = []
