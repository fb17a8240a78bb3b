"""`hds-audit collect traces|iam|backups|inventory|all`: evidence from the tenant into a bundle."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from hds_audit.cli.collect_api import api_options, collect_api, exit_code, regions_of, tracker_sources
from hds_audit.cli.common import Unusable
from hds_audit.exitcodes import ExitCode


@click.group()
def collect():
    """Collect evidence from the tenant's APIs and OBS into a bundle."""


@collect.command()
@click.option("--from", "source", required=True, metavar="s3://BUCKET[/PREFIX]",
              help="The OBS bucket (and file prefix) the CTS tracker writes to.")
@click.option("--to", "bundle", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The bundle folder; files go under BUNDLE/traces/.")
@click.option("--period", "period", help="YYYY-Qn or YYYY-MM (default: the last full quarter).")
@click.option("--from-date", "start", type=click.DateTime(["%Y-%m-%d"]), metavar="DATE", help="First day of the period, YYYY-MM-DD (instead of --period).")
@click.option("--to-date", "end", type=click.DateTime(["%Y-%m-%d"]), metavar="DATE", help="First day after the period, YYYY-MM-DD.")
@click.option("--s3-endpoint", envvar="HDS_AUDIT_S3_ENDPOINT",
              help="S3-compatible endpoint, e.g. https://oss.eu-west-0.prod-cloud-ocb.orange-business.com.")
def traces(source, bundle, period, start, end, s3_endpoint):
    """Copy the CTS files of the period from OBS into BUNDLE/traces/.

    Files are selected by the date in their key, one day of margin either side. Files already
    there with the same size and checksum are skipped, so an interrupted run resumes. Credentials
    come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. Exit 0 when the period's files are in
    the bundle, 1 when the bucket holds none for the period or some could not be copied, 2 when
    the bucket cannot be reached.
    """
    from hds_audit.calendar.period import PeriodError, choose_period
    from hds_audit.collect import CollectError, parse_source

    try:
        the_period = choose_period(period, start and start.date(), end and end.date(), ("--from-date", "--to-date"))
        where = parse_source(source)
    except (PeriodError, CollectError) as exc:
        raise Unusable(str(exc)) from None
    endpoint = s3_endpoint or os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    try:
        return _copy_traces(where, bundle, the_period, endpoint)
    except CollectError as exc:
        raise Unusable(str(exc)) from None


def _copy_traces(where, bundle: Path, the_period, endpoint: str | None, key: str | None = None, secret: str | None = None) -> int:
    """Copy one tracker's files; CollectError when the bucket cannot be used."""
    from hds_audit.collect import COLLECTION_LOG, collect_traces, day_window, open_fs

    first, last = day_window(the_period)
    click.echo(f"Collecting CTS files dated {first} to {last} (period {the_period.label}, one day of margin) "
               f"from {where.url} into {bundle / 'traces'}", err=True)
    try:
        with _Progress() as bar:
            outcome = collect_traces(open_fs(endpoint, key, secret), where, bundle, the_period, endpoint, bar.advance, bar.plan)
    except OSError as exc:
        raise Unusable(f"cannot write into {bundle}: {exc.strerror or exc}") from None
    mib = outcome.bytes_copied / 1024 / 1024
    click.echo(f"{len(outcome.copied)} file(s) copied ({mib:.1f} MiB), {outcome.present} already in the bundle, "
               f"{len(outcome.failed)} failed; {outcome.outside} day folder(s) outside the period left alone.")
    if outcome.copied:
        click.echo(f"Provenance recorded in {bundle / COLLECTION_LOG}.")
    for remote, reason in outcome.failed[:10]:
        click.secho(f"  not copied: {remote.key}: {reason}", fg="red", err=True)
    if outcome.aborted:
        from hds_audit.collect import CollectError

        raise CollectError(f"stopped: {outcome.aborted}; run the same command again to resume")
    if outcome.failed:
        click.secho("Some files were not copied: run the same command again to resume.", fg="red", err=True)
        return int(ExitCode.FAILED)
    if not outcome.selected:
        click.secho(f"No CTS file dated {first} to {last} in {where.url}: check the bucket, the prefix and the period.",
                    fg="yellow", err=True)
        return int(ExitCode.FAILED)
    return int(ExitCode.OK)


# -- from the APIs ------------------------------------------------------------------------------------
@collect.command(short_help="IAM users and their MFA, from the IAM API.")
@api_options
def iam(**options):
    """IAM users (with their details), virtual MFA devices and login protection into BUNDLE/iam/.

    Credentials come from HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (or OS_ACCESS_KEY and
    OS_SECRET_KEY). Exit 0 when everything was collected, 1 when something is missing (named;
    run again to resume), 2 when collection cannot start.
    """
    return exit_code(bool(collect_api(["iam"], **options)[1].failed))


@collect.command(short_help="CBR backup listings of every region.")
@api_options
def backups(**options):
    """CBR backup listings of every region into BUNDLE/backups/cbr-REGION.json. Exit codes as `collect iam`."""
    return exit_code(bool(collect_api(["backups"], **options)[1].failed))


@collect.command(short_help="The tenant's resources, read like a Terraform state.")
@api_options
def inventory(**options):
    """ECS servers, EVS volumes, OBS buckets, RDS instances, ELB listeners, CTS trackers, CBR vaults and
    policies into BUNDLE/inventory/: `run` reads them like a Terraform state. Exit codes as `collect iam`."""
    return exit_code(bool(collect_api(["inventory"], **options)[1].failed))


@collect.command(name="all", short_help="iam, backups, inventory, then the period's traces.")
@api_options
@click.option("--period", "period", help="The traces' period, YYYY-Qn or YYYY-MM (default: the last full quarter).")
@click.option("--traces-from", "trace_sources", multiple=True, metavar="s3://BUCKET[/PREFIX]",
              help="The CTS bucket (default: the bucket of every tracker collected; repeatable).")
def all_kinds(period, trace_sources, **options):
    """iam, backups and inventory, then the period's CTS files of every tracker found. Exit codes as `collect iam`."""
    from hds_audit.calendar.period import PeriodError, choose_period
    from hds_audit.collect import CollectError, parse_source

    try:
        the_period = choose_period(period, None, None, ("--period", "--period"))
        sources = [(parse_source(s), None) for s in trace_sources]
    except (PeriodError, CollectError) as exc:
        raise Unusable(str(exc)) from None
    api, result = collect_api(["iam", "backups", "inventory"], **options)
    failed = bool(result.failed)
    sources = sources or [(parse_source(url), region) for url, region in tracker_sources(options["bundle"])]
    if not sources:
        click.secho("  missing: traces/: no CTS tracker with a bucket was collected; give --traces-from", fg="red", err=True)
        failed = True
    home = regions_of(options["bundle"], options["regions"])[0]
    for where, region in sources:  # a tracker's bucket is read at its region's OBS endpoint
        try:
            failed |= _copy_traces(where, options["bundle"], the_period, api.endpoint("obs", region or home),
                                   api.credentials.ak, api.credentials.sk) != 0
        except CollectError as exc:
            click.secho(f"  missing: traces from {where.url}: {exc}", fg="red", err=True)
            failed = True
    return exit_code(failed)


class _Progress:
    """A byte progress bar on a terminal; silent when the output is a file or a pipe."""

    def __enter__(self):
        from rich.console import Console
        from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

        console = Console(stderr=True)
        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
                                 TimeRemainingColumn(), console=console, transient=True,
                                 disable=not (console.is_terminal and sys.stderr.isatty()))
        self.progress.__enter__()
        self.task = self.progress.add_task("listing", total=None)
        return self

    def plan(self, files) -> None:
        self.progress.update(self.task, description=f"{len(files)} CTS files", total=sum(f.size for f in files))

    def advance(self, _file, size: int) -> None:
        self.progress.advance(self.task, size)

    def __exit__(self, *exc) -> None:
        self.progress.__exit__(*exc)
