"""`hds-audit run [BUNDLE]`: the quarterly job."""

from __future__ import annotations

from pathlib import Path

import click

from hds_audit.cli.common import (
    Unusable,
    apply,
    drop_option,
    hold,
    is_sample,
    lang_option,
    load_catalog,
    load_tenant,
    open_bundle,
    output_folder,
    period_options,
    report_language,
    resolve_period,
    s3_option,
    signing_identity,
    timestamped,
    tsa_option,
    warn_waiver_problems,
)
from hds_audit.exitcodes import ExitCode


@click.command()
@click.argument("bundle", required=False)
@apply(period_options)
@click.option("--out", "out", metavar="DIR", type=click.Path(path_type=Path), default=Path("reports"), show_default=True, help="Folder for the reports.")
@click.option("--matrix", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="CSV or XLSX matrix replacing the bundled one.")
@drop_option
@click.option("--key", type=click.Path(exists=True, dir_okay=False, path_type=Path), envvar="HDS_AUDIT_KEY", help="PKCS#12 signing identity; password from HDS_AUDIT_KEY_PASSWORD.")
@click.option("--snapshot", is_flag=True, help="Copy the evidence read into DIR/evidence/, covered by the manifest.")
@click.option("--previous", type=click.Path(exists=True, file_okay=False, path_type=Path), help="A previous run's folder, to show what changed.")
@lang_option
@tsa_option
@click.option("--force", is_flag=True, help="Replace --out even if it holds an auditor's imported review.")
@s3_option
@click.option("--engine", type=click.Choice(["duckdb", "spark"], case_sensitive=False), default=None,
              help="Engine of the trace checks (default: tenant.yaml `engine:`, else duckdb); spark needs hds-audit[spark].")
@click.option("--spark-master", metavar="URL", default=None,
              help="Where the spark engine runs (default: tenant.yaml `spark_master:`, else local[*]).")
@click.option("--no-cache", "no_cache", is_flag=True,
              help="Read every trace file, without the trace cache (or `cache: false` in tenant.yaml).")
def run(bundle, period, start, end, out, matrix, key, snapshot, previous, lang, tsa, force, s3_endpoint, engine=None,
        spark_master=None, no_cache=False):
    """Audit BUNDLE (default: the bundled sample) and write signed reports into the --out DIR.

    Exit 0 when nothing failed or errored, 1 when a control failed or errored (the reports are
    written all the same), 2 when no report could be made (bad usage, unreadable tenant.yaml or
    catalog, unwritable --out DIR).
    """
    if bundle is None and key is not None:  # the fictional sample must never carry a real signature
        given = "HDS_AUDIT_KEY" if click.get_current_context().get_parameter_source("key").name == "ENVIRONMENT" else "--key"
        raise Unusable(f"{given} is refused without a BUNDLE: the bundled sample is fictional and always signed by the DEMO "
                       "identity; give the evidence bundle to audit (hds-audit run BUNDLE --key ...)")
    the_period = resolve_period(period, start and start.date(), end and end.date())
    catalog = load_catalog(matrix)
    source = open_bundle(bundle, s3_endpoint)
    output_folder(out, source)
    with hold(out):  # for the whole run: a second run into the same --out is refused at once
        _keep_review(out, force)
        return _run(source, the_period, catalog, out, key, snapshot, previous, lang, tsa, (engine, spark_master),
                    cache=not no_cache)


def with_engine(tenant, engine: str | None, master: str | None):
    """The tenant with the trace engine the command line chose (it overrides tenant.yaml)."""
    update = {k: v for k, v in (("engine", engine and engine.lower()), ("spark_master", master)) if v}
    if update.get("spark_master") and update.get("engine", tenant.engine) != "spark":
        raise Unusable("--spark-master applies to the spark engine only: add --engine spark (or engine: spark in tenant.yaml)")
    return tenant.model_copy(update=update) if update else tenant


def _keep_review(out: Path, force: bool) -> None:
    """A reviewed folder holds the auditor's verdicts: a new run would erase them, so only with --force."""
    from hds_audit.signing.review_record import reviewed

    why = reviewed(out) if out.is_dir() and not force else None
    if why:
        raise Unusable(f"--out {out} is a reviewed folder ({why}): a new run would erase the auditor's verdicts; "
                       "choose another --out, or pass --force to replace it")


def _run(source, the_period, catalog, out, key, snapshot, previous, lang=None, tsa=None, engine=(None, None), cache=True):
    from hds_audit.catalog.load import CatalogError
    from hds_audit.cli.summary import print_summary
    from hds_audit.evidence.bundle import EvidenceChanged
    from hds_audit.pipeline.publish import AuditOptions, run_audit
    from hds_audit.signing import SigningError

    tenant = with_engine(load_tenant(source), *engine)
    if not cache:
        tenant = tenant.model_copy(update={"cache": False})
    preloaded = warn_waiver_problems(source, tenant)
    identity = timestamped(signing_identity(key, out, report_language(lang, tenant)), tsa)
    extras, previous_run = {}, None
    if previous is not None:
        from hds_audit.pipeline.compare import CompareError, comparison_from_dir

        try:
            previous_run = comparison_from_dir(previous, identity.certificate_pem if key is not None else None)
        except CompareError as exc:
            raise Unusable(str(exc)) from None
        if previous_run.verification.startswith("WARNING"):
            click.secho(f"hds-audit: {previous_run.verification}", fg="yellow", err=True)
    options = AuditOptions(source, tenant, catalog, the_period, out, identity, snapshot, extras, preloaded,
                           sample=is_sample(source), language=report_language(lang, tenant), previous=previous_run)
    try:
        result = run_audit(options)
    except CatalogError as exc:
        raise Unusable(f"catalog refused: {exc}") from None
    except EvidenceChanged as exc:
        raise Unusable(f"no report written: the evidence changed during the run: {exc}") from None
    except OSError as exc:
        raise Unusable(f"cannot write the reports into {out}: {exc}") from None
    except SigningError as exc:  # a timestamp authority that does not answer, a key pyHanko refuses
        raise Unusable(f"cannot sign the reports: {exc}") from None
    print_summary(result, out)
    for note in (result.trace_cache or {}).get("notes", ()):  # the cache changed no result, but was not used as it is
        click.secho(f"hds-audit: trace cache: {note}", fg="yellow", err=True)
    return int(ExitCode.FAILED if result.blocking else ExitCode.OK)
