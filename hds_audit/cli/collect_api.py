"""`hds-audit collect iam|backups|inventory|all`: the evidence from the tenant's APIs, into a bundle."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from hds_audit.cli.common import Unusable
from hds_audit.exitcodes import ExitCode


def api_options(command):
    """The options every API collection takes."""
    for option in reversed([
        click.option("--to", "bundle", required=True, type=click.Path(file_okay=False, path_type=Path),
                     help="The bundle folder (its tenant.yaml names the allowed regions)."),
        click.option("--region", "regions", multiple=True, metavar="REGION",
                     help="A region to collect, beside tenant.yaml's allowed_regions (repeatable)."),
        click.option("--endpoint", "endpoint_overrides", multiple=True, metavar="SERVICE=URL",
                     help="Replace a service's endpoint, e.g. ecs=https://ecs.eu-west-0.example (repeatable; "
                          "{region} in the URL is replaced)."),
        click.option("--fresh", is_flag=True, help="Collect every file again instead of resuming."),
        click.option("--timeout", type=click.FloatRange(0.1, 600), default=30.0, show_default=True, metavar="SECONDS",
                     help="Seconds to wait for each answer."),
    ]):
        command = option(command)
    return command


def regions_of(bundle: Path, named: tuple[str, ...]) -> list[str]:
    """tenant.yaml's allowed regions (when the bundle has one) followed by those named."""
    regions: list[str] = []
    if (bundle / "tenant.yaml").is_file():
        from hds_audit.cli.common import load_tenant
        from hds_audit.evidence.bundle import Bundle

        regions += [str(r) for r in load_tenant(Bundle(str(bundle))).allowed_regions]
    for region in named:
        if region.strip() and region.strip() not in regions:
            regions.append(region.strip())
    if not regions:
        raise Unusable(f"no region to collect: {bundle / 'tenant.yaml'} is absent or allows none; name one with --region")
    return regions


def collect_api(kinds: list[str], bundle: Path, regions: tuple[str, ...], endpoint_overrides: tuple[str, ...],
                fresh: bool, timeout: float):
    """Collect `kinds`; returns the Api (for the traces that follow) and the run's result."""
    from hds_audit.collect.api import Api, Credentials, endpoints
    from hds_audit.collect.interface import CannotStart
    from hds_audit.collect.run import collect, logger, plan

    try:
        import huaweicloudsdkcore  # noqa: F401
    except ImportError:
        raise Unusable("the Huawei Cloud SDK is not installed: pip install 'hds-audit[collect]'") from None
    try:
        api = Api(Credentials.from_env(), endpoints(list(endpoint_overrides)), logger(bundle), timeout=timeout)
    except CannotStart as exc:
        raise Unusable(str(exc)) from None
    chosen = regions_of(bundle, regions)
    units = plan(kinds, chosen)
    click.echo(f"Collecting {', '.join(kinds)} for region(s) {', '.join(chosen)} into {bundle}", err=True)
    try:
        with UnitProgress(units) as progress:
            result = collect(api, units, bundle, fresh=fresh, progress=progress.done)
    except OSError as exc:
        raise Unusable(f"cannot write into {bundle}: {exc.strerror or exc}") from None
    click.echo(f"{len(result.written)} file(s) collected, {len(result.skipped)} already collected, "
               f"{len(result.failed)} failed; requests logged in {bundle / 'collection-log.jsonl'}.")
    for unit, reason in result.empty:
        click.echo(f"  none: {unit.path} not written: {reason}")
    for unit, reason in result.failed:
        click.secho(f"  missing: {unit.path}: {reason}", fg="red", err=True)
    if result.failed:
        click.secho("Some evidence could not be collected: fix the cause and run the same command again "
                    "(files already collected are kept).", fg="red", err=True)
    return api, result


def exit_code(failed: bool) -> int:
    return int(ExitCode.FAILED if failed else ExitCode.OK)


def tracker_sources(bundle: Path) -> list[tuple[str, str | None]]:
    """(s3://BUCKET/PREFIX, region) of every CTS tracker of the collected inventory."""
    sources: list[tuple[str, str | None]] = []
    for path in sorted((bundle / "inventory").glob("cts-*.json")):
        try:
            listing = json.loads(path.read_text(encoding="utf-8"))
            trackers, region = listing["answer"]["trackers"], listing.get("region")
        except (OSError, ValueError, KeyError, TypeError):
            continue
        for tracker in trackers:
            obs = tracker.get("obs_info") if isinstance(tracker, dict) else None
            if isinstance(obs, dict) and obs.get("bucket_name"):
                url = f"s3://{obs['bucket_name']}/{obs.get('file_prefix_name') or ''}".rstrip("/")
                if url not in [u for u, _ in sources]:
                    sources.append((url, region))
    return sources


class UnitProgress:
    """One bar per service and region on a terminal; one quiet line per file elsewhere (CI logs)."""

    def __init__(self, units):
        self.units = units

    def __enter__(self):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        console = Console(stderr=True)
        self.live = console.is_terminal and sys.stderr.isatty()
        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console,
                                 transient=True, disable=not self.live)
        self.progress.__enter__()
        self.tasks = {}
        for unit in self.units:
            if unit.label not in self.tasks:
                total = sum(1 for u in self.units if u.label == unit.label)
                self.tasks[unit.label] = self.progress.add_task(unit.label, total=total)
        return self

    def done(self, unit, state: str) -> None:
        if self.live:
            self.progress.advance(self.tasks[unit.label])
        else:
            click.echo(f"{state}: {unit.path}", err=True)

    def __exit__(self, *exc) -> None:
        self.progress.__exit__(*exc)
