"""The rich summary a user sees at the end of `run`."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from hds_audit.formats import digest
from hds_audit.i18n import _, language, ngettext, number
from hds_audit.results.model import RunResult
from hds_audit.states import SEVERITY, Status, worst

SHOWN = 10  # lines per list on screen; report.html and results.json hold them all
COLOURS = {
    Status.PASS: "green", Status.FAIL: "red", Status.ERROR: "dark_orange", Status.MANUAL: "blue",
    Status.WAIVED: "magenta", Status.NOT_APPLICABLE: "grey50",
}


def print_summary(result: RunResult, out: Path | None) -> None:
    with language(result.language):
        _print_summary(result, out)


def _print_summary(result: RunResult, out: Path | None) -> None:
    console = Console(stderr=False, highlight=False)
    # soft_wrap: a pipe gets 80 columns, and a CI log should keep the period on one line
    console.print(f"[bold]{escape(result.tenant.name)}[/] · " + escape(_("period {label}", label=result.period.label))
                  + f" ({result.period.start.isoformat()} → {result.period.end.isoformat()})", soft_wrap=True)
    from hds_audit.formats.interface import notices

    for word, sentence in notices(result):
        console.print(f"[bold red]{word}[/]{escape(_(': '))}{escape(sentence)}", soft_wrap=True)
    table = Table(title=_("Checks"), show_lines=False)
    table.add_column(_("check"))
    table.add_column(_("status"))
    table.add_column(_("findings"), justify="right")
    by_id: dict[str, list] = {}
    for check in result.unique_checks():
        by_id.setdefault(check.id, []).append(check)
    for check_id, runs in by_id.items():
        # attestation.current runs once per organisational rule: one line, its worst status
        status = worst(r.status for r in runs)
        label = check_id if len(runs) == 1 else f"{check_id} ({ngettext('{n} rule', '{n} rules', len(runs))})"
        table.add_row(label, f"[{COLOURS[status]}]{escape(digest.status_word(status.value))}[/]", number(sum(len(r.findings) for r in runs)))
    console.print(table)
    summary = result.summary()
    parts = [f"[{COLOURS[s]}]{escape(digest.status_word(s.value))} {summary[s.value]}[/]" for s in SEVERITY]
    console.print(escape(_("Controls ({n})", n=number(len(result.controls))) + _(": ")) + " · ".join(parts), soft_wrap=True)
    _print_root_causes(console, result)
    _print_errors(console, result, out)
    for dropped in result.dropped:
        console.print(f"[yellow]{escape(_('Dropped on purpose ({by})', by=dropped.by) + _(': '))}[/]"
                      + escape(_("binding {binding}, checks {checks} not run", binding=dropped.binding,
                                 checks=", ".join(dropped.checks))), soft_wrap=True)
    if out is not None:
        files = ", ".join(sorted(p.name for p in out.iterdir() if p.is_file()))
        console.print(escape(_("Reports written to {folder}: {files}", folder=str(out.resolve()), files=files)), soft_wrap=True)


def _print_root_causes(console: Console, result: RunResult) -> None:
    """The headline and the first root causes: what a person fixes first, and how many controls it clears."""
    console.print("[bold]" + escape(digest.headline(result)) + "[/]", soft_wrap=True)
    causes = result.root_causes()
    if not causes:
        return
    console.print(escape(digest.cause_counts(result)), soft_wrap=True)
    for cause in causes[:digest.TOP]:
        words = digest.cause_text(cause)
        controls = ngettext("{n} control", "{n} controls", len(cause.controls))
        line = f"  [{digest.severity_label(cause.severity)}] {words.object} → {controls}{_(': ')}{words.message}"
        if words.related:
            line += f" ({words.related})"
        console.print(escape(line), soft_wrap=True)
    if len(causes) > digest.TOP:
        console.print("  " + escape(_("… {n} more root causes in report.html and results.json", n=number(len(causes) - digest.TOP))),
                      soft_wrap=True)


def _print_errors(console: Console, result: RunResult, out: Path | None) -> None:
    """Why checks are `error`, so that a CI log names the broken file without opening the reports."""
    problems, others = error_reasons(result)
    where = f"{out.resolve() / 'report.html'} / results.json" if out is not None else "the reports"
    for title, lines in ((_("Evidence problems"), problems), (_("Other errors"), others)):
        if not lines:
            continue
        console.print(f"[bold]{escape(title)} ({len(lines)}):[/]", soft_wrap=True)
        for line in lines[:SHOWN]:
            # evidence names and reasons are data: never read as rich markup
            console.print("  " + escape(line), soft_wrap=True)
        if len(lines) > SHOWN:
            console.print("  " + escape(_("… {n} more in {where}", n=number(len(lines) - SHOWN), where=where)), soft_wrap=True)


def error_reasons(result: RunResult) -> tuple[list[str], list[str]]:
    """`file#record: reason` of each unreadable evidence, once however many checks it stopped; then the checks' own
    errors (the engine also turns each evidence problem into an error finding of every check that needs it)."""
    problems = {p: None for ps in result.evidence_problems.values() for p in ps}
    made = {(p.file, p.message) for p in problems}  # the engine's finding of each problem
    others: dict[str, list[str]] = {}
    for check in result.unique_checks():
        for finding in check.findings:
            if finding.status is Status.ERROR and (finding.object, finding.message) not in made:
                others.setdefault(f"{finding.object}{_(': ')}{finding.text()}", []).append(check.id)
    return ([f"{p.reference}{_(': ')}{p.text()}" for p in problems],
            [f"{line} ({_checks(ids)})" for line, ids in others.items()])


def _checks(ids: list[str]) -> str:
    unique = list(dict.fromkeys(ids))
    if len(unique) == 1:
        return unique[0]
    return ngettext("{first} and {n} other check(s)", "{first} and {n} other check(s)", len(unique) - 1, first=unique[0])
