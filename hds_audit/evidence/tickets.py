"""`tickets.csv|.xlsx`: support tickets opened with the provider."""

from __future__ import annotations

from hds_audit.evidence.bundle import Bundle
from hds_audit.evidence.interface import Evidence, Problem
from hds_audit.evidence.tabular import Row, read_table
from hds_audit.i18n.messages import msg

NAME = "tickets"
DESCRIPTION = "tickets.csv|.xlsx: support tickets"


def load(bundle: Bundle, tenant=None) -> Evidence[list[Row]]:
    evidence = read_table(bundle, NAME)
    if evidence.data is None:
        return evidence
    kept, seen = [], set()
    for row in evidence.data:
        v = row.values
        file = evidence.files[0].path
        where = f"row {row.number}"
        if v["ticket_id"] in seen:
            evidence.problems.append(Problem(file, where, msg("ticket {ticket} appears twice", ticket=v["ticket_id"])))
        elif v["responded_at"] is not None and v["responded_at"] < v["opened_at"]:
            evidence.problems.append(Problem(file, where, msg("responded_at is before opened_at")))
        elif v["resolved_at"] is not None and v["resolved_at"] < v["opened_at"]:
            evidence.problems.append(Problem(file, where, msg("resolved_at is before opened_at")))
        else:
            seen.add(v["ticket_id"])
            kept.append(row)
    evidence.data = kept
    return evidence
