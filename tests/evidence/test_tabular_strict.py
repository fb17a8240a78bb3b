"""Tables that would pass by accident: a column given twice, a formula without its value, a table past its limit."""

from __future__ import annotations

from openpyxl import Workbook

from hds_audit.evidence import access_register, limits, tabular
from hds_audit.evidence.bundle import Bundle
from hds_audit.states import Status

HEADER = ["account", "person", "email", "role", "granted_at", "revoked_at", "approved_by", "ticket", "owner"]
ROW = ["j.martin", "Jeanne Martin", "", "operator", "2026-01-05", "2026-08-14T18:00:00+02:00", "Paul Roche", "", ""]
ACTION = "2026-08-20T10:00:00+02:00"  # after the revocation: no_activity_after_revocation fails on it


def _csv(builder, header, *rows):
    lines = [",".join(header)] + [",".join(r) for r in rows]
    builder.write("access_register.csv", "\r\n".join(lines) + "\r\n")


def _xlsx(path, header, *rows):
    book = Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append([v if v != "" else None for v in row])
    book.save(path)


def _reasons(root):
    return [p.reason for p in access_register.load(Bundle(str(root))).problems]


def test_a_register_with_a_column_twice_is_an_error_not_a_pass(builder, run_checks_on):
    builder.traces([__import__("bundle_builder").trace("j.martin", ACTION)])
    _csv(builder, HEADER, ROW)
    assert run_checks_on(builder.root, "access.no_activity_after_revocation")["access.no_activity_after_revocation"].status is Status.FAIL
    # an extra "Revoked_at " column (trailing space), left empty, would hide the revocation
    _csv(builder, HEADER + ["Revoked_at "], ROW + [""])
    result = run_checks_on(builder.root, "access.no_activity_after_revocation")["access.no_activity_after_revocation"]
    assert result.status is Status.ERROR
    assert any("column 'revoked_at' appears twice in the header (columns F and J)" in f.message
               and f.object == "access_register.csv" for f in result.findings)


def test_an_xlsx_register_with_a_column_twice_is_an_error(builder):
    _xlsx(builder.root / "access_register.xlsx", HEADER + ["REVOKED_AT"], ROW + [None])
    assert _reasons(builder.root) == ["column 'revoked_at' appears twice in the header (columns F and J); keep one"]


def test_blank_header_cells_are_not_duplicates(builder):
    _csv(builder, HEADER + ["", ""], ROW + ["", ""])
    assert _reasons(builder.root) == []


def _formula_register(path, cached: str | None):
    """A register a script wrote: revoked_at as a formula; `cached` is the value a spreadsheet would have saved."""
    _xlsx(path, HEADER, ROW[:5] + ["=DATE(2026,8,14)+TIME(18,0,0)"] + ROW[6:])
    if cached is None:
        return
    # openpyxl writes no cached value; put one in the sheet's XML as a spreadsheet does (<c><f>..</f><v>..</v></c>)
    import zipfile

    data = {}
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            data[info.filename] = archive.read(info)
    sheet = "xl/worksheets/sheet1.xml"
    xml = data[sheet].replace(b'<c r="F2"', b'<c r="F2" t="str"')  # a formula whose result is text
    data[sheet] = xml.replace(b"<v></v>", f"<v>{cached}</v>".encode()).replace(b"<v />", f"<v>{cached}</v>".encode())
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in data.items():
            archive.writestr(name, content)


def test_a_formula_without_a_computed_value_is_an_error_naming_sheet_row_and_column(builder):
    _formula_register(builder.root / "access_register.xlsx", cached=None)
    [reason] = _reasons(builder.root)
    assert reason.startswith("sheet 'Sheet' row 2 column 'revoked_at' (F2) holds a formula without a computed value")


def test_a_formula_with_a_cached_value_reads_that_value(builder):
    _formula_register(builder.root / "access_register.xlsx", cached="2026-08-14T18:00:00+02:00")
    evidence = access_register.load(Bundle(str(builder.root)))
    assert not evidence.problems
    [row] = evidence.data
    assert row.values["revoked_at"].isoformat() == "2026-08-14T18:00:00+02:00"


def test_a_table_past_its_row_limit_is_refused_naming_the_limit(builder, monkeypatch):
    monkeypatch.setattr(limits, "TABLE_MAX_ROWS", 3)
    rows = [[f"u{i}", f"Person {i}", "", "operator", "2026-01-05", "", "Paul Roche", "", ""] for i in range(4)]
    _csv(builder, HEADER, *rows[:3])
    assert _reasons(builder.root) == []
    _csv(builder, HEADER, *rows)
    assert _reasons(builder.root) == ["more than 3 data rows, the limit of one table (raise HDS_AUDIT_TABLE_MAX_ROWS to read it)"]
    (builder.root / "access_register.csv").unlink()
    _xlsx(builder.root / "access_register.xlsx", HEADER, *rows)
    assert _reasons(builder.root) == ["more than 3 data rows, the limit of one table (raise HDS_AUDIT_TABLE_MAX_ROWS to read it)"]


def test_a_table_file_past_the_size_limit_is_refused_before_it_is_read(builder, monkeypatch):
    monkeypatch.setattr(limits, "FILE_MAX_BYTES", 100)
    _csv(builder, HEADER, ROW, ROW[:1] + ["x" * 200] + ROW[2:])
    [reason] = _reasons(builder.root)
    assert reason.startswith("the file is ") and reason.endswith(
        "past the limit of 100 bytes for one evidence file (raise HDS_AUDIT_EVIDENCE_FILE_MAX_BYTES to read it)")


def test_an_xlsx_that_unzips_past_the_limit_is_refused(builder, monkeypatch):
    _xlsx(builder.root / "access_register.xlsx", HEADER, ROW)
    size = (builder.root / "access_register.xlsx").stat().st_size
    monkeypatch.setattr(limits, "FILE_MAX_BYTES", size + 100)  # the file is under the limit, its unzipped parts are not
    [reason] = _reasons(builder.root)
    assert reason.startswith("the workbook unzips to ") and "past the limit of" in reason, reason
    assert "HDS_AUDIT_EVIDENCE_FILE_MAX_BYTES" in reason


def test_header_normalisation_is_shared_by_csv_and_xlsx():
    assert tabular._header([" Account", "ROLE ", None, ""]) == ["account", "role", "", ""]


def test_a_plain_trace_file_past_the_limit_is_refused_unread(builder, run_checks_on, monkeypatch):
    from bundle_builder import trace

    from hds_audit.evidence.traces import files as trace_files

    monkeypatch.setattr(trace_files, "MAX_DECOMPRESSED", 2000)
    builder.traces([trace("a.durand", "2026-08-10T10:00:00+02:00")] * 20, name="big.json")
    builder.traces([trace("a.durand", "2026-08-10T11:00:00+02:00")], name="small.json")
    result = run_checks_on(builder.root, "residency.activity")["residency.activity"]
    assert result.status is Status.ERROR
    [finding] = [f for f in result.findings if f.object == "traces/big.json"]
    assert "past the limit of 2.0 KiB for one trace file (raise HDS_AUDIT_TRACE_FILE_MAX_BYTES to read it)" in finding.message


def test_a_large_trace_file_with_a_bad_trace_is_refused_not_parsed_whole_in_python(builder, run_checks_on, monkeypatch):
    from bundle_builder import trace

    from hds_audit.evidence.traces import files as trace_files

    monkeypatch.setattr(trace_files, "PYTHON_MAX_BYTES", 3000)
    good = [trace("a.durand", "2026-08-10T10:00:00+02:00") for _ in range(20)]
    builder.traces(good + [{**good[0], "time": "yesterday"}], name="big.json")
    builder.traces(good + [{**good[0], "time": "yesterday"}], name="big.json.gz")
    result = run_checks_on(builder.root, "residency.activity")["residency.activity"]
    assert result.status is Status.ERROR
    for name in ("traces/big.json", "traces/big.json.gz"):
        [finding] = [f for f in result.findings if f.object == name]
        assert "past the limit of 2.9 KiB for reading one trace file in Python (raise HDS_AUDIT_TRACE_PYTHON_MAX_BYTES)" in finding.message
