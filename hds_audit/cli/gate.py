"""`hds-audit baseline`, `gate` and `compare`: the CI gate on new findings and configuration drift.

baseline BUNDLE --out FILE            records the accepted findings and configuration (exit 0; 2 cannot run)
gate BUNDLE --baseline FILE [--plan]  0 no new problem and no drift; 1 otherwise; 2 cannot run
compare OLD NEW [--json FILE]         new, fixed and persisting findings between two runs (0; 2 cannot read)
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from hds_audit.cli.common import (
    Unusable,
    apply,
    drop_option,
    load_catalog,
    load_tenant,
    open_bundle,
    period_options,
    resolve_period,
    s3_option,
    warn_waiver_problems,
)
from hds_audit.exitcodes import ExitCode

matrix_option = click.option("--matrix", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                             help="CSV or XLSX matrix replacing the bundled one.")
config_only_option = click.option("--config-only", is_flag=True,
                                  help="Run only the configuration checks (no traces, IAM, registers or listings): seconds.")


def _setup(bundle, period, start, end, matrix, s3_endpoint):
    the_period = resolve_period(period, start and start.date(), end and end.date())
    catalog = load_catalog(matrix)
    for dropped in catalog.dropped:  # the gate and the baseline write no report: say it here
        click.secho(f"note: binding {dropped.binding} dropped on purpose ({dropped.by}): "
                    f"{', '.join(dropped.checks)} not run", fg="yellow", err=True)
    source = open_bundle(bundle, s3_endpoint)
    tenant = load_tenant(source)
    return the_period, catalog, source, tenant, warn_waiver_problems(source, tenant)


def _configuration(source, tenant, plan: Path | None):
    """The `resources` evidence: the plan's planned configuration, else the bundle's Terraform state."""
    if plan is not None:
        from hds_audit.evidence.terraform_json import TerraformJsonError, read_file

        try:
            document = read_file(plan, tenant)
        except TerraformJsonError as exc:
            raise Unusable(f"--plan: {exc}") from None
        return document.evidence(), document
    from hds_audit.evidence import resources

    return resources.load(source, tenant), None


def nothing_to_judge(evidence, plan: Path | None) -> str | None:
    """Why there is no configuration to judge, or None: a gate or a baseline on none would pass on nothing."""
    where = f"plan {plan.name}" if plan is not None else "the bundle"
    if evidence.data is None:
        why = "; ".join(str(p) for p in evidence.problems[:3]) or evidence.note or "no Terraform state"
        return f"no configuration to judge in {where} ({why}); give resources/*.tfstate or --plan"
    if not evidence.data.resources:
        return f"no configuration to judge: {where} holds no Flexible Engine resource"
    return None


def _run(catalog, source, tenant, the_period, evidence, config_only: bool, waivers: dict):
    from hds_audit.catalog.load import CatalogError
    from hds_audit.evidence import KINDS
    from hds_audit.evidence.interface import Evidence
    from hds_audit.pipeline.engine import run_checks
    from hds_audit.workflows.baseline import CONFIG_CHECKS, CONFIG_KINDS

    preloaded = {"resources": evidence, **waivers}
    if config_only:
        for kind in set(KINDS) - CONFIG_KINDS:
            preloaded[kind] = Evidence(kind, note="not read: --config-only judges the configuration only")
    try:
        return run_checks(catalog, source, tenant, the_period, only=set(CONFIG_CHECKS) if config_only else None,
                          preloaded=preloaded)
    except CatalogError as exc:
        raise Unusable(f"catalog refused: {exc}") from None


def _write(path: Path, data: bytes, what: str) -> None:
    from hds_audit.outdir import write_atomic

    try:
        write_atomic(path, data)
    except OSError as exc:
        raise Unusable(f"cannot write {what} {path}: {exc.strerror or exc}") from None


plan_option = click.option("--plan", type=click.Path(dir_okay=False, path_type=Path),
                           help="`terraform show -json` of a saved plan (or of a state): judged instead of the bundle's state.")


@click.command()
@click.argument("bundle")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Baseline file to write (JSON).")
@plan_option
@apply(period_options)
@config_only_option
@matrix_option
@drop_option
@s3_option
def baseline(bundle, out, plan, period, start, end, config_only, matrix, s3_endpoint):
    """Record BUNDLE's current (or --plan's planned) findings and configuration as the accepted baseline.

    Exit 0 when written, 2 when it cannot be (no configuration to record among them).
    """
    from hds_audit.pipeline.engine import now
    from hds_audit.workflows import baseline as base
    from hds_audit.workflows.drift import fingerprints, scope_key

    the_period, catalog, source, tenant, waivers = _setup(bundle, period, start, end, matrix, s3_endpoint)
    evidence, document = _configuration(source, tenant, plan)
    if reason := nothing_to_judge(evidence, plan):
        raise Unusable(f"baseline not written: {reason}")
    result = _run(catalog, source, tenant, the_period, evidence, config_only, waivers)
    resources = fingerprints(evidence.data, scope_key(tenant), document.unknown if document else None)
    sources = [document.file] if document else [f.path for f in evidence.files]
    document = base.build(result, resources, now(), config_only, sources)
    _write(out, (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8"), "the baseline")
    counts = {}
    for f in document["findings"]:
        counts[f["status"]] = counts.get(f["status"], 0) + 1
    listed = ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "none"
    click.echo(f"Baseline for {tenant.name} ({the_period.label}, {'configuration checks only' if config_only else 'all checks'}) written to {out}: "
               f"accepted findings: {listed}; {len(resources)} resources fingerprinted.")
    return int(ExitCode.OK)


@click.command()
@click.argument("bundle")
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The accepted baseline (from `hds-audit baseline`).")
@plan_option
@config_only_option
@click.option("--junit", "junit_file", type=click.Path(dir_okay=False, path_type=Path), default=Path("junit.xml"), show_default=True, help="Where to write the JUnit report.")
@click.option("--json", "json_file", type=click.Path(dir_okay=False, path_type=Path), help="Also write the verdict as JSON.")
@apply(period_options)
@matrix_option
@drop_option
@s3_option
def gate(bundle, baseline_file, plan, config_only, junit_file, json_file, period, start, end, matrix, s3_endpoint):
    """Fail (exit 1) on findings or configuration drift that the baseline does not accept.

    Exit 0 when there is no new finding and no drift, 1 otherwise, 2 when the gate cannot run.
    """
    from hds_audit.workflows import baseline as base
    from hds_audit.workflows.drift import diff, fingerprints, scope_key

    try:
        accepted = base.load(baseline_file)
    except base.BaselineError as exc:
        raise Unusable(str(exc)) from None
    the_period, catalog, source, tenant, waivers = _setup(bundle, period, start, end, matrix, s3_endpoint)
    if accepted.tenant_id != tenant.tenant_id:
        raise Unusable(f"baseline {baseline_file} was recorded for tenant {accepted.tenant_id}, the bundle is tenant {tenant.tenant_id}")
    if accepted.document.get("checks") == "configuration only" and not config_only:
        click.secho("note: the baseline covers the configuration checks only; findings of the other checks count as new "
                    "(add --config-only, or record the baseline without it)", fg="yellow", err=True)
    evidence, document = _configuration(source, tenant, plan)
    result = _run(catalog, source, tenant, the_period, evidence, config_only, waivers)
    key = scope_key(tenant)
    unknown = document.unknown if document else None
    # no usable configuration: every resource of the baseline shows as removed, so the gate cannot pass
    drift = diff(accepted.resources, fingerprints(evidence.data, key, unknown),
                 fingerprints(evidence.data, key, unknown, everything=True), document.changed if document else None)
    verdict = base.judge(result, accepted, drift)
    verdict.nothing_judged = nothing_to_judge(evidence, plan)
    source = f"plan {plan.name}" if plan else "the bundle's Terraform state"
    _write(junit_file, base.junit(verdict, result, source, accepted), "the JUnit report")
    if json_file:
        _write(json_file, (json.dumps(verdict.to_json(), indent=2, ensure_ascii=False, default=str) + "\n").encode(), "the verdict")
    _print(verdict, accepted, source, config_only)
    click.echo(f"JUnit report: {junit_file}")
    return int(ExitCode.OK if verdict.green else ExitCode.FAILED)


def _print(verdict, accepted, source, config_only) -> None:
    click.echo(f"Gate against baseline {accepted.path} (recorded {accepted.document.get('created_at')}), "
               f"configuration from {source}, {'configuration checks' if config_only else 'all checks'}.")
    if verdict.drift:
        click.secho(f"\nConfiguration drift ({len(verdict.drift)}):", bold=True)
        address = None
        for d in verdict.drift:
            if d.address != address:
                address = d.address
                planned = f", plan: {d.planned}" if d.planned else ""
                click.echo(f"  {d.address} ({d.type}, {d.change}{planned})")
            click.echo(f"      {d.attribute}: was {_show(d.was)}, now {_show(d.now)}"
                       + (f"   [affects {', '.join(d.checks)}]" if d.checks else ""))
    if verdict.new:
        click.secho(f"\nNew findings not in the baseline ({len(verdict.new)}):", bold=True)
        for f in verdict.new:
            click.echo(f"  [{f['status']}] {f['check']}  {f['object']}: {f['message']}")
    if verdict.accepted:
        click.echo(f"\n{len(verdict.accepted)} finding(s) accepted by the baseline.")
    if verdict.gone:
        click.echo(f"{len(verdict.gone)} baseline finding(s) no longer seen (record a new baseline to drop them).")
    if verdict.nothing_judged:
        click.secho(f"\nGate: FAILED - {verdict.nothing_judged}.", fg="red", bold=True)
    elif verdict.green:
        click.secho("\nGate: PASSED - no new finding, no drift.", fg="green", bold=True)
    else:
        click.secho(f"\nGate: FAILED - {len(verdict.new)} new finding(s), {len(verdict.drift)} drifted attribute(s).", fg="red", bold=True)


def _show(value) -> str:
    from hds_audit.workflows.drift import show

    return show(value)


@click.command()
@click.argument("old", type=click.Path(exists=True, path_type=Path))
@click.argument("new", type=click.Path(exists=True, path_type=Path))
@click.option("--json", "json_file", type=click.Path(dir_okay=False, path_type=Path), help="Also write the comparison as JSON.")
@click.option("--all", "every", is_flag=True, help="List every persisting finding, not only those whose status changed.")
def compare(old, new, json_file, every):
    """Compare two runs (report folders or results.json): new, fixed and persisting findings."""
    from hds_audit.pipeline.compare import CompareError, compare_results, format_table, load_results

    try:
        comparison = compare_results(load_results(old), load_results(new))
    except CompareError as exc:
        raise Unusable(str(exc)) from None
    click.echo(format_table(comparison, every), nl=False)
    if json_file:
        _write(json_file, (json.dumps(comparison, indent=2, ensure_ascii=False) + "\n").encode("utf-8"), "the comparison")
    return int(ExitCode.OK)
