"""`ciso-assistant-audit.csv`: the run as a compliance assessment CISO Assistant imports.

The format is CISO Assistant's audit import (its CLI `import-audit` and Data Wizard): semicolon-
separated, header `urn;ref_id;name;description;compliance_result;requirement_progress;score;
observations`, one row per requirement (cli/README.md and cli/sample_audit.csv of
https://github.com/intuitem/ciso-assistant-community). Requirements are those of its HDS framework
(library `hds-v2`) that controls/ciso_assistant_hds.csv maps to a control; a requirement several
controls evidence takes the worst of their statuses, and its observations name each control.
"""

from __future__ import annotations

import csv
import io
from functools import cache

from hds_audit.formats.interface import RenderContext
from hds_audit.paths import data_dir
from hds_audit.states import Status, worst

FILENAME = "ciso-assistant-audit.csv"
MAPPING = "ciso_assistant_hds.csv"
HEADER = ("urn", "ref_id", "name", "description", "compliance_result", "requirement_progress", "score", "observations")
# a control's status as CISO Assistant's compliance_result (its values: compliant, non_compliant,
# partially_compliant, not_applicable, not_assessed) and requirement_progress (to_do, in_progress, in_review, done)
RESULT = {Status.PASS: ("compliant", "done"), Status.FAIL: ("non_compliant", "done"),
          Status.WAIVED: ("partially_compliant", "done"), Status.ERROR: ("not_assessed", "in_review"),
          Status.MANUAL: ("not_assessed", "to_do"), Status.NOT_APPLICABLE: ("not_applicable", "done")}


@cache
def mapping() -> tuple[dict[str, str], ...]:
    with (data_dir("controls") / MAPPING).open(encoding="utf-8", newline="") as handle:
        return tuple(dict(row) for row in csv.DictReader(handle))


def render(ctx: RenderContext) -> bytes:
    result = ctx.result
    controls = {c.control.id: c for c in result.controls}
    requirements: dict[str, dict] = {}
    for row in mapping():
        control = controls.get(row["control"])
        if control is None:  # a --matrix without this control: nothing evidences the requirement here
            continue
        entry = requirements.setdefault(row["urn"], {"ref_id": row["ref_id"], "controls": []})
        entry["controls"].append(control)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(HEADER)
    causes = result.root_causes()
    for urn, entry in requirements.items():
        status = worst(c.status for c in entry["controls"])
        compliance, progress = RESULT[status]
        names = ", ".join(c.control.rule for c in entry["controls"])
        notes = []
        for c in entry["controls"]:
            behind = [cause for cause in causes if c.control.id in cause.controls]
            line = f"{c.control.id}: {c.status.value}"
            if behind:
                line += " (" + ", ".join(f"{cause.id} {cause.object}" for cause in behind[:5]) + ")"  # no ";": the delimiter
            notes.append(line)
        notes.append(f"hds-audit {result.period.label}, run {result.run_id}")
        writer.writerow([urn, entry["ref_id"], "", _cell(f"hds-audit: {names}"), compliance, progress, "", _cell(" | ".join(notes))])
    return out.getvalue().encode("utf-8")


def _cell(text: str) -> str:
    """One line per cell (the importer reads rows), and no formula for a spreadsheet that opens it."""
    flat = " ".join(str(text).split())
    return "'" + flat if flat[:1] in ("=", "+", "-", "@") else flat
