"""A French report holds no English sentence of the tool's own: every finding, note, problem, waiver line and notice
it shows is a template the French catalog translates, and the PDF's text carries none of the English phrases the
tool writes, nor the English texts of the responsibility matrix (matrix.po translates them: see
test_matrix_french.py); the officer's own waiver justifications are evidence, not the tool's words."""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime

import pytest

from hds_audit.calendar.instants import PARIS
from hds_audit.calendar.period import as_of, parse_period
from hds_audit.formats import html, pdf, xlsx
from hds_audit.formats.interface import RenderContext, notice_messages, notices
from hds_audit.i18n import language, read_catalog
from hds_audit.i18n.messages import Country, Message, Quote, msg
from hds_audit.states import Status

PERIOD = parse_period("2026-Q3")
# English phrases of the tool (notices, engine, readers, charts, scope, waivers, countries): none in a French report
ENGLISH = (
    "made from the bundled fictional sample", "has not ended", "evidence absent", "the check could not run",
    "cannot be read", "not JSON", "resources tagged", "every bucket", "working hours, over", "objective of the", "no backup",
    "gap 90",
    "waived until", "not waived", "Jul 2026", "Aug 2026", "Sep 2026", "is not after", "appears twice", "has unknown value",
    "(Amsterdam, NL)", "in the period", "is neither true nor false", "not readable YAML",
    "is not in the bundle", "leaves the bundle", "carries no data of its own", "SAMPLE", "INTERIM",
    # the responsibility matrix's texts (a rule of each kind of evidence, a domain, the duties' openings)
    "Identifiers and authorizations", "Backup security", "Workstation safety", "Trace management", "Access control",
    "No health data outside the European Union", "The Customer is responsible", "The Provider undertakes",
)


def _run(root: str, period=PERIOD):
    from hds_audit.catalog import load_catalog
    from hds_audit.evidence.bundle import Bundle
    from hds_audit.evidence.tenant import load
    from hds_audit.pipeline.engine import run_checks

    bundle = Bundle(root)
    result = run_checks(load_catalog(), bundle, load(bundle), period)
    result.sample = True  # as on the bundled sample: the SAMPLE notice shows
    result.language = "fr"
    return result


def _sample() -> str:
    from hds_audit.paths import data_dir

    return str(data_dir("samples") / "violations")


@pytest.fixture(scope="module")
def violations():
    return _run(_sample())


@pytest.fixture(scope="module")
def interim():
    return _run(_sample(), as_of(PERIOD, datetime(2026, 9, 15, 12, tzinfo=PARIS)))


@pytest.fixture(scope="module")
def broken(tmp_path_factory):
    """The violations sample with a bad register row, a bad ticket, a listing that is not JSON, an attestation whose
    date does not exist, a certificate ending before it begins and a trace file that is not JSON."""
    root = tmp_path_factory.mktemp("broken") / "bundle"
    shutil.copytree(_sample(), root)
    with (root / "access_register.csv").open("a", encoding="utf-8") as f:
        f.write("x.y,Xavier Y,x@e.example,wizard,2026-13-01,,Bruno Carré,,\n")
    with (root / "tickets.csv").open("a", encoding="utf-8") as f:
        f.write("INC-9,incident,P1,2026-08-01T10:00:00+02:00,2026-07-01T10:00:00+02:00,,maybe\n")
    (root / "backups" / "broken.json").write_text('{"backups": [\n', encoding="utf-8")
    (root / "attestations" / "workstation.yaml").write_text(
        "control: Workstation safety\nstatement: ok\nowner: X\nsigned_at: 2026-02-30\ndocument: ../out.pdf\nsha256: ab\n")
    (root / "provider" / "hds-bis.yaml").write_text(
        "kind: hds_certificate\nissuer: X\nvalid_from: 2026-01-01\nvalid_until: 2025-01-01\ndocument: provider/none.pdf\n"
        "sha256: 00\n")
    (root / "traces" / "extra").mkdir()
    (root / "traces" / "extra" / "bad.json").write_text("not json\n")
    return _run(str(root))


# -- every text shown is a template French translates --------------------------------------------------------------
def _untranslated(message: Message, catalog) -> list[str]:
    entry = catalog.get(message.template)
    forms = entry.string if entry else None
    forms = forms if isinstance(forms, tuple) else (forms,)
    out = [] if all(forms) else [message.template]
    for value in message.values().values():
        for item in value if isinstance(value, tuple) else (value,):
            if isinstance(item, Message):
                out += _untranslated(item, catalog)
            elif isinstance(item, Quote) and catalog.get(item.text) is None and item.text != "N/A":
                out.append(item.text)
    return out


def _shown(result) -> list[tuple[str, Message | None]]:
    """(English text, its template) of every finding, waiver line and note a report shows."""
    out = []
    for check in result.unique_checks():
        for finding in check.findings:
            out.append((finding.message, finding.template))
            if finding.waiver:
                out.append((finding.waiver, finding.waiver_template))
        if check.note:
            out.append((check.note, check.note_template))
    out += [(str(sentence), sentence) for _word, sentence in notice_messages(result)]
    return out


@pytest.mark.parametrize("name", ["violations", "interim", "broken"])
def test_every_text_a_report_shows_is_a_template_french_translates(name, request):
    result = request.getfixturevalue(name)
    catalog = read_catalog("fr")
    shown = _shown(result)
    assert len(shown) > 200
    plain = sorted({text for text, template in shown if template is None})
    assert plain == [], plain[:5]
    missing = sorted({m for _text, template in shown for m in _untranslated(template, catalog)})
    assert missing == [], missing[:5]
    for text, template in shown:  # the English stays what results.json has always said
        assert template.render("en") == text


def test_the_broken_bundle_names_each_problem_in_french(broken):
    errors = {f.object: f for c in broken.unique_checks() for f in c.findings if f.status is Status.ERROR}
    with language("fr"):
        said = {obj: f.text() for obj, f in errors.items()}
    assert said["access_register.csv"].startswith("ligne 14 : 'role' a une valeur inconnue : 'wizard' ; 'granted_at' : ")
    assert said["tickets.csv"].startswith("ligne 6 : 'api_incident' : 'maybe' ne vaut ni vrai ni faux")
    assert said["backups/broken.json"] == "pas du JSON : Expecting value ligne 2, colonne 1"
    assert said["traces/extra/bad.json"] == "pas du JSON (ligne 1 : Expecting value)"
    assert said["attestations/workstation.yaml"].startswith("YAML illisible : ")  # a date PyYAML cannot build: no crash
    # the English, as results.json keeps it
    assert errors["backups/broken.json"].message == "not JSON: Expecting value at line 2 column 1"
    assert errors["access_register.csv"].message.startswith("row 14: 'role' has unknown value 'wizard'; ")


def test_a_certificate_issue_is_said_in_french(broken):
    finding = next(f for c in broken.unique_checks() if c.id == "provider.certificates_valid" for f in c.findings
                   if f.object == "hds_certificate" and f.status is Status.ERROR)
    assert finding.message == ("provider/hds-bis.yaml: 'valid_until' is not after 'valid_from'; document "
                               "'provider/none.pdf' is not in the bundle")
    assert finding.template.render("fr") == ("provider/hds-bis.yaml : 'valid_until' n'est pas postérieure à 'valid_from' ; "
                                             "le document 'provider/none.pdf' n'est pas dans le dossier de preuves")


# -- notices, scope, countries, quotes ------------------------------------------------------------------------------
def test_notices_are_french_with_dates_in_the_locale(interim):
    english = [(word, str(sentence)) for word, sentence in notice_messages(interim)]
    assert english[0][0] == "SAMPLE" and english[1] == (
        "INTERIM", "period 2026-Q3 has not ended: judged up to 2026-09-15T12:00:00+02:00, it ends 2026-10-01T00:00:00+02:00; "
                   "the results may still change")
    with language("fr"):
        words = notices(interim)
    assert [w for w, _s in words] == ["EXEMPLE", "PROVISOIRE"]
    assert words[1][1] == ("la période 2026-Q3 n'est pas terminée : jugée jusqu'au 15 septembre 2026 12:00:00 (UTC+2), "
                           "elle se termine le 1er octobre 2026 00:00:00 (UTC+2) ; les résultats peuvent encore changer")


def test_scope_in_french_and_english_as_results_json_keeps_it():
    from hds_audit.evidence.tenant import Scope

    for scope, fr in ((Scope(), "toutes les ressources"),
                      (Scope(tag="hds=true"), "les ressources étiquetées hds=true et tous les buckets"),
                      (Scope(tag="hds=true", buckets=["chx-*"]), "les ressources étiquetées hds=true et les buckets chx-*")):
        assert Scope.from_description(scope.describe()) == scope
        assert scope.describe() == str(scope.describe_message())
        assert scope.describe_message().render("fr") == fr


def test_countries_are_named_by_cldr_in_french_and_coded_in_english():
    where = msg("{region} ({city}, {country})", region="eu-west-1", city="Amsterdam", country=Country("NL"))
    assert str(where) == "eu-west-1 (Amsterdam, NL)" and where.render("fr") == "eu-west-1 (Amsterdam, Pays-Bas)"
    back = Message.from_json(where.to_json())
    assert back == where and where.to_json()["params"]["country"] == {"country": "NL"}


def test_a_quoted_objective_says_it_translates_the_contract():
    quoted = msg("{objective}", objective=Quote("12 working hours"))
    assert str(quoted) == "12 working hours" and Message.from_json(quoted.to_json()) == quoted
    assert quoted.render("fr") == "12 heures ouvrées (traduction de la Description de service : « 12 working hours »)"
    assert msg("{objective}", objective=Quote("N/A")).render("fr") == "N/A"


# -- the rendered reports -------------------------------------------------------------------------------------------
def _pdf_text(result, tmp_path) -> str:
    with language("fr"):
        content = pdf.render(RenderContext(result))
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    return " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout.split())


@pytest.mark.parametrize("name", ["violations", "interim", "broken"])
def test_the_french_pdf_holds_none_of_the_tools_english_phrases(name, request, tmp_path):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    page = _pdf_text(request.getfixturevalue(name), tmp_path)
    assert "EXEMPLE" in page
    assert [p for p in ENGLISH if p in page] == []


def test_the_french_html_and_workbook_hold_none_of_them(broken):
    import io
    import re

    from openpyxl import load_workbook

    with language("fr"):
        page = html.render(RenderContext(broken)).decode("utf-8")
        book = load_workbook(io.BytesIO(xlsx.render(RenderContext(broken))))
    text = " ".join(re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)).split())
    cells = " ".join(str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value)
    for where in (text, cells):
        assert [p for p in ENGLISH if p in where] == []
    assert "pas du JSON" in text and "pas du JSON" in cells
