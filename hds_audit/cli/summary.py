"""The rich summary a user sees at the end of `run`."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from hds_audit.results.model import RunResult
from hds_audit.states import SEVERITY, Status

COLOURS = {
    Status.PASS: "green", Status.FAIL: "red", Status.ERROR: "dark_orange", Status.MANUAL: "blue",
    Status.WAIVED: "magenta", Status.NOT_APPLICABLE: "grey50",
}


def print_summary(result: RunResult, out: Path | None) -> None:
    console = Console(stderr=False, highlight=False)
    console.print(f"[bold]{result.tenant.name}[/] · period {result.period.label} "
                  f"({result.period.start.isoformat()} → {result.period.end.isoformat()})", markup=True)
    table = Table(title="Checks", show_lines=False)
    table.add_column("check")
    table.add_column("status")
    table.add_column("findings", justify="right")
    for check in result.unique_checks():
        colour = COLOURS[check.status]
        table.add_row(check.id, f"[{colour}]{check.status.value}[/]", str(len(check.findings)))
    console.print(table)
    summary = result.summary()
    parts = [f"[{COLOURS[s]}]{s.value} {summary[s.value]}[/]" for s in SEVERITY]
    console.print(f"Controls ({len(result.controls)}): " + " · ".join(parts), soft_wrap=True)
    if out is not None:
        files = ", ".join(sorted(p.name for p in out.iterdir() if p.is_file()))
        console.print(f"Reports written to [bold]{out.resolve()}[/]: {files}", soft_wrap=True)
