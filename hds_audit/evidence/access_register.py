"""`access_register.csv|.xlsx`: the register of authorized persons, one row per authorization period."""

from __future__ import annotations

from hds_audit.evidence.bundle import Bundle
from hds_audit.evidence.interface import Evidence, Problem
from hds_audit.evidence.tabular import Row, read_table

NAME = "access_register"
DESCRIPTION = "access_register.csv|.xlsx: register of authorized persons"


def load(bundle: Bundle, tenant=None) -> Evidence[list[Row]]:
    evidence = read_table(bundle, NAME)
    if evidence.data is None:
        return evidence
    kept = []
    for row in evidence.data:
        v = row.values
        file = evidence.files[0].path
        if v["revoked_at"] is not None and v["revoked_at"] <= v["granted_at"]:
            evidence.problems.append(Problem(file, f"row {row.number}", f"revoked_at {v['revoked_at'].isoformat()} is not after granted_at {v['granted_at'].isoformat()}"))
        elif v["role"] == "service" and not v.get("owner"):
            evidence.problems.append(Problem(file, f"row {row.number}", f"service account '{v['account']}' has no owner"))
        else:
            kept.append(row)
    evidence.data = kept
    return evidence
