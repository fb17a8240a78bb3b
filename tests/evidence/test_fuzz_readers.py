"""Property tests of every evidence reader, and of the period and working-day arithmetic.

Two properties per reader:

* `load()` never raises, whatever the file holds (arbitrary JSON / YAML / CSV rows / bytes);
* no `pass` from nothing: the fuzzed file replaces its kind in the clean corpus base bundle,
  every other kind is the base's (preloaded, so only the fuzzed kind can change anything), and
  when the reader reports a problem, every check reading that kind is `error` or `fail`; when it
  yields no data, every check that needs the kind is not `pass`.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import tempfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml
from bundle_builder import REGISTER_COLUMNS, TICKET_COLUMNS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parents[1] / "corpus"))

from corpus_base import PERIOD, build_base  # noqa: E402

from hds_audit.evidence import KINDS, kind_module  # noqa: E402
from hds_audit.evidence.bundle import Bundle  # noqa: E402
from hds_audit.states import Status  # noqa: E402

# database=None: no example database written into the working tree
FAST = settings(max_examples=50, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SLOW = settings(max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# -- strategies ---------------------------------------------------------------------------------

NASTY = st.sampled_from(["", " ", "null", "true", "0", "-1", "1e309", "2026-02-30", "2026-07-01", "2026-07-01T10:00:00",
                         "2026-07-01T10:00:00+02:00", "24:00", "=1+1", "é", "\u202e", "\x00", "a,b;c", '"', "\n", "../x"])
TEXT = st.one_of(NASTY, st.text(max_size=12))
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-2**63, 2**64), st.floats(allow_nan=False, allow_infinity=False), TEXT)
JSON = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4)),
                    max_leaves=12)


def records(fields: list[str]):
    """Objects with the kind's own field names, each holding anything (or a plausible value)."""
    return st.dictionaries(st.sampled_from(fields), st.one_of(JSON, NASTY), max_size=len(fields))


USER_FIELDS = ["id", "name", "enabled", "access_mode", "is_domain_owner", "last_login_time", "pwd_status", "create_time"]
BACKUP_FIELDS = ["id", "resource_id", "volume_id", "resource_type", "status", "created_at", "expired_at", "updated_at",
                 "extend_info", "replication_records", "resource_az", "availability_zone", "region", "backup_data"]
TRACE_FIELDS = ["trace_id", "trace_name", "trace_rating", "trace_type", "service_type", "resource_type", "resource_id",
                "resource_name", "user", "user_name", "time", "code", "source_ip", "endpoint", "request", "response"]
DOC_FIELDS = ["control", "statement", "owner", "signed_at", "document", "sha256", "kind", "issuer", "valid_from", "valid_until"]
WAIVER_FIELDS = ["check", "object", "justification", "approved_by", "expires", "reference", "extra"]
TENANT_FIELDS = ["tenant_id", "name", "support_plan", "allowed_regions", "default_region", "declared_regions", "scope",
                 "contract_end", "tenant_deletion_requested_at", "tenant_deleted_at", "policy"]

# -- the clean base, read once ------------------------------------------------------------------


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    from hds_audit.catalog import load_catalog
    from hds_audit.checks.registry import all_checks
    from hds_audit.evidence.tenant import load as load_tenant
    from hds_audit.calendar.period import parse_period

    root = build_base(tmp_path_factory.mktemp("fuzz-base") / "bundle").root
    bundle = Bundle(str(root))
    tenant = load_tenant(bundle)
    preloaded = {kind: kind_module(kind).load(Bundle(str(root)), tenant) for kind in KINDS}
    for kind, evidence in preloaded.items():
        assert not evidence.problems, (kind, evidence.problems)
    return Base(root=root, tenant=tenant, preloaded=preloaded, catalog=load_catalog(), period=parse_period(PERIOD), specs=all_checks())


class Base(dict):
    """The base's pieces, by name; short to print in a falsifying example."""

    def __repr__(self) -> str:
        return "<corpus base>"


def load_kind(kind: str, bundle: Bundle, tenant):
    return kind_module(kind).load(bundle, tenant)


def judge(base: dict, kind: str, files: dict[str, bytes]) -> None:
    """Load `kind` from a bundle holding `files`, run the checks reading it over the base's other kinds."""
    from hds_audit.pipeline.engine import run_checks

    with tempfile.TemporaryDirectory(prefix="hds-fuzz-") as tmp:
        root = Path(tmp) / "bundle"
        (root).mkdir()
        (root / "tenant.yaml").write_bytes((base["root"] / "tenant.yaml").read_bytes())
        for rel, data in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        bundle = Bundle(str(root))
        evidence = load_kind(kind, bundle, base["tenant"])  # must not raise
        specs = base["specs"]
        reading = {c for c, s in specs.items() if kind in s.needs + s.optional}
        if not reading:
            return
        preloaded = {k: v for k, v in base["preloaded"].items() if k != kind} | {kind: evidence}
        result = run_checks(base["catalog"], bundle, base["tenant"], base["period"], only=reading, preloaded=preloaded)
        for check in result.unique_checks():
            for finding in check.findings:
                assert "could not run" not in finding.message, f"{check.id} crashed on fuzzed {kind}: {finding.message}"
            spec = specs[check.id]
            if spec.applies is not None and spec.applies(base["tenant"]):
                assert check.status is Status.NOT_APPLICABLE  # decided from tenant.yaml, before any evidence
            elif evidence.problems:
                assert check.status in (Status.ERROR, Status.FAIL), (check.id, check.status, evidence.problems[:2])
            elif evidence.data is None and kind in specs[check.id].needs:
                assert check.status is not Status.PASS, (check.id, evidence.note)


def dump_json(value) -> bytes:
    return json.dumps(value).encode()


def dump_yaml(value) -> bytes:
    return yaml.safe_dump(value, allow_unicode=True).encode()


# -- JSON listings ------------------------------------------------------------------------------

@FAST
@given(document=st.one_of(JSON, st.fixed_dictionaries({"users": st.one_of(JSON, st.lists(records(USER_FIELDS), max_size=4))})))
def test_iam_users_never_raise_nor_pass_from_garbage(base, document):
    judge(base, "iam_users", {"iam/users.json": dump_json(document)})


@FAST
@given(document=st.one_of(JSON, st.fixed_dictionaries({}, optional={
    "virtual_mfa_devices": st.one_of(JSON, st.lists(records(["user_id", "serial_number"]), max_size=3)),
    "login_protects": st.one_of(JSON, st.lists(records(["user_id", "enabled", "verification_method"]), max_size=3))})))
def test_iam_mfa_never_raise_nor_pass_from_garbage(base, document):
    judge(base, "iam_mfa", {"iam/mfa.json": dump_json(document)})


@FAST
@given(document=st.one_of(JSON, st.fixed_dictionaries({"backups": st.lists(records(BACKUP_FIELDS), max_size=4)}),
                          st.fixed_dictionaries({"checkpoint_items": st.lists(records(BACKUP_FIELDS), max_size=4)})))
def test_backups_never_raise_nor_pass_from_garbage(base, document):
    judge(base, "backups", {"backups/cbr.json": dump_json(document)})


def tf_entries():
    instance = st.fixed_dictionaries({}, optional={
        "attributes": st.one_of(JSON, records(["id", "region", "tags", "bucket", "metadata", "protocol", "status", "bucket_name"])),
        "index_key": st.one_of(JSON, st.integers(0, 3), TEXT), "deposed": TEXT, "attributes_flat": JSON})
    entry = st.fixed_dictionaries({}, optional={
        "mode": st.sampled_from(["managed", "data", "other"]), "type": st.one_of(TEXT, st.sampled_from([
            "flexibleengine_obs_bucket", "flexibleengine_compute_instance_v2", "flexibleengine_blockstorage_volume_v2",
            "flexibleengine_cts_tracker_v1", "flexibleengine_lb_listener_v2"])),
        "name": TEXT, "module": st.one_of(JSON, TEXT),
        "provider": st.one_of(TEXT, st.just('provider["registry.terraform.io/flexibleenginecloud/flexibleengine"]')),
        "instances": st.one_of(JSON, st.lists(instance, max_size=3))})
    return st.one_of(JSON, st.fixed_dictionaries({"version": st.one_of(st.just(4), JSON),
                                                  "resources": st.one_of(JSON, st.lists(entry, max_size=3))}))


@SLOW
@given(document=tf_entries())
def test_tfstate_never_raise_nor_pass_from_garbage(base, document):
    judge(base, "resources", {"resources/main.tfstate": dump_json(document)})


@FAST
@given(data=st.binary(max_size=200))
def test_json_readers_take_any_bytes(base, data):
    for kind, rel in (("iam_users", "iam/users.json"), ("iam_mfa", "iam/mfa.json"), ("backups", "backups/x.json"),
                      ("resources", "resources/x.tfstate")):
        with tempfile.TemporaryDirectory(prefix="hds-fuzz-") as tmp:
            path = Path(tmp) / rel
            path.parent.mkdir(parents=True)
            path.write_bytes(data)
            evidence = kind_module(kind).load(Bundle(tmp), base["tenant"])
            assert evidence.data is not None or evidence.problems or evidence.note, kind


# -- traces -------------------------------------------------------------------------------------

def trace_documents():
    plausible = st.fixed_dictionaries({"time": st.one_of(st.integers(1_751_320_800_000, 1_759_269_600_000), JSON),
                                       "trace_type": st.sampled_from(["ConsoleAction", "ApiCall", "SystemAction", "ObsSDK"]),
                                       "user": st.one_of(st.none(), records(["id", "name", "domain"]), JSON)},
                                      optional={k: JSON for k in TRACE_FIELDS if k not in ("time", "trace_type", "user")})
    listing = st.lists(st.one_of(plausible, records(TRACE_FIELDS), JSON), max_size=4)
    return st.one_of(JSON, listing, st.fixed_dictionaries({"traces": listing}))


@SLOW
@given(document=trace_documents(), name=st.sampled_from(["a.json", "a.json.gz", "a.jsonl", "CloudTraces/eu-west-0/2026/7/1/s/ECS/a.json.gz"]),
       lines=st.booleans())
def test_traces_never_raise_nor_pass_from_garbage(base, document, name, lines):
    import gzip

    if lines and isinstance(document, list):
        payload = "\n".join(json.dumps(r) for r in document).encode()
    else:
        payload = dump_json(document)
    data = gzip.compress(payload, mtime=0) if name.endswith(".gz") else payload
    judge(base, "traces", {f"traces/{name}": data})


@SLOW
@given(document=st.lists(trace_documents().filter(lambda d: isinstance(d, list)), min_size=1, max_size=1).map(lambda x: x[0]))
def test_every_trace_record_is_kept_or_reported(base, document):
    """Each record of a file is either a row of the table or a problem naming its index, never both, never lost."""
    with tempfile.TemporaryDirectory(prefix="hds-fuzz-") as tmp:
        path = Path(tmp) / "traces" / "t.json"
        path.parent.mkdir(parents=True)
        path.write_bytes(dump_json(document))
        evidence = load_kind("traces", Bundle(tmp), base["tenant"])
        problems = {p.record for p in evidence.problems}
        if None in problems:  # the whole file was refused
            return
        if evidence.data:
            evidence.data.materialize()
        kept = {f"record {r}" for (r,) in evidence.data.rows("SELECT record FROM traces")} if evidence.data else set()
        assert kept.isdisjoint(problems)
        assert kept | problems == {f"record {i}" for i in range(len(document))}


@FAST
@given(record=st.one_of(JSON, records(TRACE_FIELDS)))
def test_trace_row_never_raises(record):
    from hds_audit.evidence.traces import trace_row

    row, reason = trace_row("traces/x.json", 0, record)
    assert (row is None) != (reason is None)


# -- tables (CSV) -------------------------------------------------------------------------------

CELL = st.one_of(NASTY, st.text(max_size=10), st.sampled_from(["admin", "operator", "auditor", "trace_reader", "service",
                                                              "provider_support", "Admin ", "P1", "p4", "incident", "request",
                                                              "true", "false", "oui", "a.durand", "a@b.c"]))


def csv_bytes(columns: list[str], rows: list[list[str]], delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def table_rows(columns: list[str]):
    row = st.lists(CELL, min_size=len(columns), max_size=len(columns))
    return st.lists(st.one_of(row, st.just([""] * len(columns))), max_size=5)  # blank rows among them


@SLOW
@given(rows=table_rows(REGISTER_COLUMNS))
def test_register_rows_never_raise_nor_pass_from_garbage(base, rows):
    judge(base, "access_register", {"access_register.csv": csv_bytes(REGISTER_COLUMNS, rows)})


@SLOW
@given(rows=table_rows(TICKET_COLUMNS))
def test_ticket_rows_never_raise_nor_pass_from_garbage(base, rows):
    judge(base, "tickets", {"tickets.csv": csv_bytes(TICKET_COLUMNS, rows)})


@SLOW
@given(rows=table_rows(["tested_at", "resource_id", "backup_id", "result", "record"]))
def test_restore_test_rows_never_raise_nor_pass_from_garbage(base, rows):
    judge(base, "restore_tests", {"restore_tests.csv": csv_bytes(["tested_at", "resource_id", "backup_id", "result", "record"], rows)})


@SLOW
@given(rows=table_rows(REGISTER_COLUMNS))
def test_every_register_row_is_kept_or_reported(base, rows):
    """A non-blank row is a row of the table or a problem naming it by its row number: never dropped silently."""
    from hds_audit.evidence import access_register

    with tempfile.TemporaryDirectory(prefix="hds-fuzz-") as tmp:
        Path(tmp, "access_register.csv").write_bytes(csv_bytes(REGISTER_COLUMNS, rows))
        evidence = access_register.load(Bundle(tmp))
        if any(p.record is None for p in evidence.problems):
            return  # the whole file refused (and said why)
        expected = {n for n, row in enumerate(rows, start=2) if any(c.strip() for c in row)}
        kept = {r.number for r in evidence.data}
        reported = {int(p.record.split()[1]) for p in evidence.problems}
        assert kept.isdisjoint(reported) and kept | reported == expected


XLSX_CELL = st.one_of(st.none(), CELL, st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False, width=32),
                     st.booleans(), st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)),
                     st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 1, 1)))


@SLOW
@given(rows=st.lists(st.lists(XLSX_CELL, min_size=len(REGISTER_COLUMNS), max_size=len(REGISTER_COLUMNS)), max_size=4))
def test_register_workbooks_never_raise_nor_pass_from_garbage(base, rows):
    """Typed cells (numbers, booleans, dates) as a spreadsheet stores them, not only text."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(REGISTER_COLUMNS)
    for row in rows:
        sheet.append([_xlsx_safe(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    judge(base, "access_register", {"access_register.xlsx": buffer.getvalue()})


def _xlsx_safe(value):
    """openpyxl refuses control characters in cells: a spreadsheet cannot hold them anyway."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


@FAST
@given(data=st.binary(max_size=300), name=st.sampled_from(["access_register.csv", "access_register.xlsx", "tickets.csv"]))
def test_tables_take_any_bytes(base, data, name):
    kind = "tickets" if name.startswith("tickets") else "access_register"
    with tempfile.TemporaryDirectory(prefix="hds-fuzz-") as tmp:
        Path(tmp, name).write_bytes(data)
        evidence = kind_module(kind).load(Bundle(tmp))
        assert evidence.data is not None or evidence.problems


# -- YAML documents -----------------------------------------------------------------------------

def doc_entries():
    entry = st.one_of(records(DOC_FIELDS), st.fixed_dictionaries(
        {"control": st.one_of(TEXT, st.just("Workstation safety")), "kind": st.sampled_from(["hds_certificate", "iso27001_certificate"])},
        optional={"document": st.one_of(TEXT, st.sampled_from(["../x", "/etc/hostname", "docs/d.pdf", "docs/../../x", "docs\\..\\x"])),
                  "sha256": TEXT, "signed_at": st.one_of(TEXT, st.dates().map(str)), "valid_from": st.one_of(TEXT, st.dates().map(str)),
                  "valid_until": st.one_of(TEXT, st.dates().map(str)), "owner": TEXT, "statement": TEXT, "issuer": TEXT}))
    return st.one_of(JSON, entry, st.lists(entry, max_size=3), st.fixed_dictionaries({"attestations": st.lists(entry, max_size=3)}),
                     st.fixed_dictionaries({"documents": st.lists(entry, max_size=3)}))


@SLOW
@given(document=doc_entries())
def test_attestations_never_raise_nor_pass_from_garbage(base, document):
    judge(base, "attestations", {"attestations/a.yaml": dump_yaml(document), "docs/d.pdf": b"%PDF"})


@SLOW
@given(document=doc_entries())
def test_provider_docs_never_raise_nor_pass_from_garbage(base, document):
    judge(base, "provider_docs", {"provider/p.yaml": dump_yaml(document), "docs/d.pdf": b"%PDF"})


@FAST
@given(document=st.one_of(JSON, st.lists(records(WAIVER_FIELDS), max_size=3),
                          st.fixed_dictionaries({"waivers": st.one_of(JSON, st.lists(records(WAIVER_FIELDS), max_size=3))})),
       raw=st.one_of(st.none(), st.binary(max_size=100)))
def test_waivers_never_raise_and_never_apply_without_approver(base, document, raw):
    from hds_audit.evidence import waivers

    with tempfile.TemporaryDirectory(prefix="hds-fuzz-") as tmp:
        Path(tmp, "waivers.yaml").write_bytes(raw if raw is not None else dump_yaml(document))
        evidence = waivers.load(Bundle(tmp))
        assert isinstance(evidence.data, list)
        for waiver in evidence.data:
            assert waiver.approved_by.strip() and waiver.justification.strip() and waiver.check.strip()
            assert waiver.expires.tzinfo is not None
        if evidence.problems:
            assert evidence.note and "not applied" in evidence.note, "refused waivers are reported"


@FAST
@given(document=st.one_of(JSON, records(TENANT_FIELDS)), raw=st.one_of(st.none(), st.binary(max_size=100)))
def test_tenant_is_read_or_refused_with_tenant_error(base, document, raw):
    from hds_audit.evidence.tenant import Tenant, TenantError, load

    with tempfile.TemporaryDirectory(prefix="hds-fuzz-") as tmp:
        Path(tmp, "tenant.yaml").write_bytes(raw if raw is not None else dump_yaml(document))
        try:
            tenant = load(Bundle(tmp))
        except TenantError as exc:
            assert str(exc).startswith("tenant.yaml")
        else:
            assert isinstance(tenant, Tenant) and tenant.allowed_regions


@FAST
@given(rel=st.one_of(TEXT, st.text(alphabet="./\\:~ab", max_size=12)))
def test_bundle_contains_never_lets_a_path_out(base, rel):
    """What `contains` accepts resolves inside the bundle (the attestation document rule)."""
    with tempfile.TemporaryDirectory(prefix="hds-fuzz-") as tmp:
        root = Path(tmp) / "bundle"
        (root / "docs").mkdir(parents=True)
        (root / "docs" / "out").symlink_to(Path(tmp))
        if Bundle(str(root)).contains(rel):
            resolved = Path(os.path.realpath(root / rel))
            assert resolved == root.resolve() or root.resolve() in resolved.parents


# -- periods and working days -------------------------------------------------------------------

@FAST
@given(year=st.integers(1971, 2200), quarter=st.integers(1, 4))
def test_quarters_round_trip_and_tile(year, quarter):
    from hds_audit.calendar.period import parse_period
    from hds_audit.calendar.instants import PARIS

    period = parse_period(f"{year}-Q{quarter}")
    assert period.label == f"{year}-Q{quarter}"
    assert period.start.tzinfo is PARIS and period.start.time().hour == 0 and period.start.day == 1
    months = [parse_period(f"{year}-{m:02d}") for m in range(3 * quarter - 2, 3 * quarter + 1)]
    assert months[0].start == period.start and months[-1].end == period.end
    assert all(a.end == b.start for a, b in zip(months, months[1:]))
    nxt = parse_period(f"{year + quarter // 4}-Q{quarter % 4 + 1}")
    assert nxt.start == period.end  # quarters tile the time line
    assert 90 * 24 - 1 <= period.hours <= 92 * 24 + 1


@FAST
@given(year=st.integers(1971, 2200), month=st.integers(1, 12))
def test_months_round_trip(year, month):
    from hds_audit.calendar.period import parse_period, period_between

    period = parse_period(f"{year}-{month:02d}")
    again = period_between(period.start.date(), period.end.date())
    assert (again.start, again.end) == (period.start, period.end)
    assert parse_period(f" {period.label} ") == period
    assert 28 * 24 - 1 <= period.hours <= 31 * 24 + 1


@FAST
@given(text=st.text(max_size=10))
def test_parse_period_accepts_only_its_forms(text):
    import re

    from hds_audit.calendar.period import PeriodError, parse_period

    try:
        period = parse_period(text)
    except PeriodError:
        assert not re.fullmatch(r"\d{4}-(Q[1-4]|0[1-9]|1[0-2])", text.strip())
    else:
        assert period.label == text.strip() and period.start < period.end


INSTANTS = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(timezone.utc))


@FAST
@given(start=INSTANTS, n=st.integers(0, 40), k=st.integers(0, 40))
def test_add_working_days_is_monotonic(start, n, k):
    from hds_audit.calendar.working_days import add_working_days, is_working_day, working_days_between
    from hds_audit.calendar.instants import PARIS

    due = add_working_days(start, n)
    assert due > start and due.astimezone(PARIS).time().hour == 0
    assert add_working_days(start, n + k) >= due
    if k:
        assert add_working_days(start, n + k) > due
    assert add_working_days(start + timedelta(hours=k), n) >= due  # a later request is never due earlier
    assert working_days_between(start, due) <= n
    last_day = (due.astimezone(PARIS) - timedelta(hours=12)).date()
    assert n == 0 or is_working_day(last_day)  # a limit of working days ends at the end of a working day


@FAST
@given(a=INSTANTS, b=INSTANTS, c=INSTANTS, hours=st.floats(0, 200))
def test_working_time_is_additive_and_inverts_add_working_hours(a, b, c, hours):
    from hds_audit.calendar.working_days import add_working_hours, working_time_between

    a, b, c = sorted((a, b, c))
    assert working_time_between(a, c) == working_time_between(a, b) + working_time_between(b, c)
    end = add_working_hours(a, hours)
    assert end >= a
    assert abs(working_time_between(a, end) - timedelta(hours=hours)) < timedelta(microseconds=2)


@FAST
@given(day=st.dates(min_value=date(1971, 1, 1), max_value=date(2200, 12, 31)), end_of_day=st.booleans())
def test_a_date_alone_is_paris_midnight(day, end_of_day):
    from hds_audit.calendar.instants import PARIS, parse_instant

    instant = parse_instant(day.isoformat(), end_of_day=end_of_day)
    local = instant.astimezone(PARIS)
    assert local.time().hour == 0 and local.time().minute == 0
    assert local.date() == (day + timedelta(days=1) if end_of_day else day)
