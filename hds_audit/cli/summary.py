"""The rich summary a user sees at the end of `run`."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from hds_audit.results.model import RunResult
from hds_audit.states import SEVERITY, Status, worst

COLOURS = {
    Status.PASS: "green", Status.FAIL: "red", Status.ERROR: "dark_orange", Status.MANUAL: "blue",
    Status.WAIVED: "magenta", Status.NOT_APPLICABLE: "grey50",
}


def print_summary(result: RunResult, out: Path | None) -> None:
    console = Console(stderr=False, highlight=False)
    # soft_wrap: a pipe gets 80 columns, and a CI log should keep the period on one line
    console.print(f"[bold]{escape(result.tenant.name)}[/] · period {result.period.label} "
                  f"({result.period.start.isoformat()} → {result.period.end.isoformat()})", soft_wrap=True)
    table = Table(title="Checks", show_lines=False)
    table.add_column("check")
    table.add_column("status")
    table.add_column("findings", justify="right")
    by_id: dict[str, list] = {}
    for check in result.unique_checks():
        by_id.setdefault(check.id, []).append(check)
    for check_id, runs in by_id.items():
        # attestation.current runs once per organisational rule: one line, its worst status
        status = worst(r.status for r in runs)
        label = check_id if len(runs) == 1 else f"{check_id} ({len(runs)} rules)"
        table.add_row(label, f"[{COLOURS[status]}]{status.value}[/]", str(sum(len(r.findings) for r in runs)))
    console.print(table)
    summary = result.summary()
    parts = [f"[{COLOURS[s]}]{s.value} {summary[s.value]}[/]" for s in SEVERITY]
    console.print(f"Controls ({len(result.controls)}): " + " · ".join(parts), soft_wrap=True)
    if out is not None:
        files = ", ".join(sorted(p.name for p in out.iterdir() if p.is_file()))
        console.print(f"Reports written to [bold]{out.resolve()}[/]: {files}", soft_wrap=True)
