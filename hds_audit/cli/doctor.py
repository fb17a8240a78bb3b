"""`hds-audit doctor BUNDLE`: what is present, missing or broken, and what to do, before a run."""

from __future__ import annotations

import json

import click

from hds_audit.cli.common import open_bundle, s3_option
from hds_audit.exitcodes import ExitCode

MARK = {"present": ("ok", "green"), "absent": ("absent", "yellow"), "broken": ("broken", "red"),
        "reader not available": ("no reader", "yellow")}


@click.command()
@click.argument("bundle")
@click.option("--period", "period", help="YYYY-Qn or YYYY-MM: also check the traces and documents cover it.")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), metavar="DATE", help="First day of the period, YYYY-MM-DD.")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), metavar="DATE", help="First day after the period, YYYY-MM-DD.")
@click.option("--json", "as_json", is_flag=True, help="Print the diagnosis as JSON.")
@s3_option
def doctor(bundle, period, start, end, as_json, s3_endpoint):
    """Check BUNDLE before a run, without running the checks.

    Exit 0 when everything the checks need is present and valid, 1 otherwise.
    """
    from hds_audit.cli.common import load_catalog, resolve_period
    from hds_audit.workflows.doctor import diagnose

    checked = period is not None or start or end  # an empty --period is refused, not taken for "none"
    the_period = resolve_period(period, start and start.date(), end and end.date()) if checked else None
    catalog = load_catalog(None)
    diagnosis = diagnose(open_bundle(bundle, s3_endpoint), catalog, the_period)
    if as_json:
        click.echo(json.dumps(diagnosis.to_json(), indent=2, ensure_ascii=False, default=str))
    else:
        _print(diagnosis)
    return int(ExitCode.OK if diagnosis.ready else ExitCode.FAILED)


def _print(d) -> None:
    from hds_audit.workflows.doctor import MAX_PROBLEMS

    echo = click.echo
    echo(click.style(f"Bundle {d.bundle}", bold=True))
    if d.tenant_problem:
        echo(click.style(f"  {d.tenant_problem}", fg="red"))
        echo("    the evidence below was read without it (no default_region, scope: all)")
    else:
        echo(f"  tenant.yaml: {d.tenant.name} (tenant {d.tenant.tenant_id}, plan {d.tenant.support_plan})")
    if d.period is not None:
        echo(f"  period: {d.period.label} ({d.period.start.isoformat()} to {d.period.end.isoformat()})")
        if d.period.interim:
            echo(f"  interim: the period ends {d.period.scheduled_end.isoformat()}; it is judged up to now")
    if d.placeholders:
        echo(click.style(f"\nLeft to fill in ({len(d.placeholders)})", bold=True))
        for line in _grouped(d.placeholders):
            echo(f"  {line}")
    echo(click.style("\nEvidence", bold=True))
    for k in d.kinds:
        word, colour = MARK.get(k.status, (k.status, None))
        optional = "" if k.needed_by or k.status != "absent" else " (optional)"
        count = f"{k.records} record{'' if k.records == 1 else 's'}" if k.records is not None else ""
        if len(k.files) > 2:
            line = f"{_folder(k.files)} ({len(k.files)} files{', ' + count if count else ''})"
        else:
            line = ", ".join(k.files) + (f" ({count})" if count else "") if k.files else (k.note or "")
        echo(f"  {click.style(f'{word:10}', fg=colour)} {k.kind:16}{optional} {line}".rstrip())
        for problem in k.problems[:MAX_PROBLEMS]:
            echo(f"             - {problem}")
        if len(k.problems) > MAX_PROBLEMS:
            echo(f"             ... and {len(k.problems) - MAX_PROBLEMS} more problem(s) (--json lists them all)")
        if k.status != "present":
            checks = k.needed_by or k.used_by
            if checks:
                label = "needed by" if k.needed_by else "used by"
                echo(f"             {label}: {', '.join(checks)}")
            if k.advice:
                echo(click.style(f"             to do: {k.advice}", fg="cyan"))
    if d.unattested:
        echo(click.style(f"\nOrganisational rules without an attestation ({len(d.unattested)})", bold=True))
        for control in d.unattested:
            echo(f"  {control.id}: {control.rule}")
        echo(click.style("  to do: hds-audit init BUNDLE writes a template for each; fill it in (see attestations/README.md)", fg="cyan"))
    if d.period_problems or d.warnings:
        echo(click.style("\nPeriod", bold=True))
        for problem in d.period_problems:
            echo(click.style("  " + problem, fg="red"))
        for warning in d.warnings:
            echo(f"  {warning}")
    echo("")
    if d.ready:
        echo(click.style("Ready: every evidence the checks need is present and valid.", fg="green", bold=True))
    else:
        count = (bool(d.tenant_problem) + len(d.placeholders) + len(d.unattested) + len(d.period_problems)
                 + sum(k.blocking for k in d.kinds))
        echo(click.style(f"Not ready: {count} thing(s) to fix before hds-audit run.", fg="red", bold=True))


def _folder(files: list[str]) -> str:
    import posixpath

    common = posixpath.commonpath(files)
    return (common + "/") if common else "the bundle"


def _grouped(placeholders) -> list[str]:
    """One line per file, except many templates of one folder left alike: one line for them all."""
    groups: dict[tuple, list] = {}
    for p in placeholders:
        folder = p.file.rsplit("/", 1)[0] + "/" if "/" in p.file else ""
        groups.setdefault((folder, tuple(p.fields)), []).append(p)
    lines = []
    for (folder, fields), members in groups.items():
        if folder and len(members) > 3:
            lines.append(f"{folder}: {len(members)} files still as init wrote them: fill in {', '.join(fields)} in each")
        else:
            lines += [str(m) for m in members]
    return lines
