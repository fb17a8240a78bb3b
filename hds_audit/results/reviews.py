"""An auditor's verdicts as the reports show them: per finding (by its stable id) and per control,
and the verdicts that disagree with the tool, which every report puts in its headline.

A verdict disagrees when the auditor rejects the tool's conclusion, asks for evidence, or calls
not applicable what the tool judged: a report that says "No control fails" while the
auditor rejected three conclusions must say so where a reader looks first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from hds_audit.results.ids import finding_ids

# The drop-down of the workbook's "Auditor verdict" column (no commas: Excel lists are comma-separated).
VERDICTS: tuple[str, ...] = ("accepted", "accepted with reservations", "rejected", "needs evidence", "not applicable")
DISAGREEING = frozenset({"rejected", "needs evidence"})
NOT_APPLICABLE = "not applicable"


def findings_by_id(result) -> dict[str, tuple[Any, Any]]:
    """finding id -> (check result, finding), over the run's unique checks."""
    out: dict[str, tuple[Any, Any]] = {}
    for check in result.unique_checks():
        for fid, finding in zip(finding_ids(check.id, (f.object for f in check.findings)), check.findings):
            out[fid] = (check, finding)
    return out


def disagrees(verdict: str | None, status: str) -> bool:
    if verdict == NOT_APPLICABLE:
        return status != "not_applicable"
    return verdict in DISAGREEING


def disagreements(result) -> list[dict[str, Any]]:
    """Every verdict that disagrees with the tool: controls first, then findings, in the run's order."""
    out = [{"kind": "control", "id": c.control.id, "status": c.status.value, "verdict": c.review.get("verdict"),
            "reviewer": c.review.get("reviewer")}
           for c in result.controls if c.review and disagrees(c.review.get("verdict"), c.status.value)]
    for fid, review in _finding_reviews(result):
        status = review.get("status") or "fail"
        if disagrees(review.get("verdict"), status):
            out.append({"kind": "finding", "id": fid, "status": status, "verdict": review.get("verdict"),
                        "reviewer": review.get("reviewer")})
    return out


def headline(result) -> str | None:
    """One sentence for the top of every report, or None when no verdict disagrees."""
    items = disagreements(result)
    if not items:
        return None
    kinds = Counter(i["kind"] for i in items)
    verdicts = Counter(i["verdict"] for i in items)
    parts = [f"{n} {kind}{'' if n == 1 else 's'}" for kind, n in (("control", kinds["control"]), ("finding", kinds["finding"])) if n]
    reviewers = sorted({str(i["reviewer"]) for i in items if i.get("reviewer")})
    return (f"The auditor disagrees with the tool on {' and '.join(parts)}: "
            + ", ".join(f"{n} {verdict}" for verdict, n in sorted(verdicts.items()))
            + (f" (reviewed by {', '.join(reviewers)})" if reviewers else "") + ".")


def review_json(result) -> dict[str, Any]:
    """The review part of results.json: present only once a review was imported."""
    out: dict[str, Any] = {}
    reviews = dict(_finding_reviews(result))
    if reviews:
        out["finding_reviews"] = reviews
    text = headline(result)
    if text:
        out["review_disagreements"] = {"headline": text, "items": disagreements(result)}
    return out


def _finding_reviews(result) -> Iterator[tuple[str, dict[str, Any]]]:
    yield from sorted((getattr(result, "finding_reviews", None) or {}).items())
