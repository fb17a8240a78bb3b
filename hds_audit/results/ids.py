"""Stable identifiers of findings and root causes (contract §5).

A finding is "the same" from one run to the next when its check and its object are the same (as
`compare` matches them: hds_audit/pipeline/compare.py), so its id is a digest of those two, not of the
message, which carries times and counts that change. Two findings of one check on one object (two
faults of one account) are told apart by their rank in the check's sorted findings.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable

ID_LENGTH = 10  # hex digits: collisions among a run's few thousand findings are negligible


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:ID_LENGTH]


def finding_id(check_id: str, obj: str, rank: int = 0) -> str:
    """`check.id/0123456789`, then `~2`, `~3` for further findings of one check on one object."""
    base = f"{check_id}/{_digest(check_id, obj)}"
    return base if rank == 0 else f"{base}~{rank + 1}"


def finding_ids(check_id: str, objects: Iterable[str]) -> list[str]:
    """The ids of a check's findings, in their (sorted) order."""
    seen: Counter = Counter()
    out = []
    for obj in objects:
        out.append(finding_id(check_id, obj, seen[obj]))
        seen[obj] += 1
    return out


def root_cause_id(scope: str, obj: str) -> str:
    """`rc-0123456789` for the cause `obj` within `scope` (a check id, or `evidence` for an unreadable file)."""
    return f"rc-{_digest(scope, obj)}"
