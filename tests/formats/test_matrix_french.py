"""The responsibility matrix in French in the French reports (hds_audit/i18n/matrix.py): every domain, rule,
detail and duty of controls/matrix.csv and commitments.csv has its French text in matrix.po; the PDF, the HTML
and the workbook quote them in French and say once that the English text is authoritative; the English reports
and the machine formats (results.json, JUnit, OSCAL, CISO Assistant) keep the catalog's English wording; a text
of a replaced matrix that the catalog does not hold is shown as written."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from hds_audit.catalog.load import load_catalog
from hds_audit.formats import ciso_assistant, html, json_results, junit, oscal, pdf, xlsx
from hds_audit.formats.interface import RenderContext
from hds_audit.i18n import _, language, read_catalog
from hds_audit.i18n.matrix import source_texts, text, translation_note, worded, worded_context
from hds_audit.paths import data_dir
from hds_audit.results.model import ControlResult, RunResult
from hds_audit.states import Status

CONTROLS = data_dir("controls")
MATRIX_PO = data_dir("report_templates") / "locale" / "fr" / "LC_MESSAGES" / "matrix.po"
NOTE_FR = "seul le texte anglais de la Description de service fait foi"
# French rule names a reader of the violations sample's reports meets (matrix rows and commitments)
FRENCH_RULES = ("Identifiants et habilitations", "Gestion des traces", "Sécurité des sauvegardes", "Périmètre du SMSI",
                "Aucune donnée de santé hors de l'Union européenne", "Un tracker Cloud Trace Service par région",
                "Conformité à la PGSSI-S", "Lieux d'hébergement")


def _texts() -> set[str]:
    return source_texts([CONTROLS / "matrix.csv", CONTROLS / "commitments.csv"])


def _french_catalog() -> dict[str, str]:
    catalog = read_catalog("fr")
    return {t: (catalog.get(t).string if catalog.get(t) else None) for t in _texts()}


def _english_in_reports() -> list[str]:
    """The English matrix texts a French report must not hold: all but those a French text contains (the
    domain "Backup" is in "Quotas du Volume Backup Service")."""
    french = " ".join(v for v in _french_catalog().values() if v)
    return sorted(t for t in _texts() if t not in french)


def french_words(message: str) -> str:
    with language("fr"):
        return _(message)


def _normalised(text: str) -> str:
    return " ".join(text.split())


# -- the catalog -----------------------------------------------------------------------------------------------------
def test_the_catalog_reads_every_text_of_both_csv_files():
    texts = _texts()
    assert len(texts) == 156
    with (CONTROLS / "matrix.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[2]["provider_responsibility"] in texts and "RGD" in rows[2]["provider_responsibility"]  # the typo stays
    assert "WSIS scope" in texts and "N/A" not in texts and "" not in texts
    assert "Backup security" in texts and "Data location" in texts  # a matrix rule, a commitment's domain


def test_every_matrix_text_has_a_french_translation_that_differs_from_the_english():
    french = _french_catalog()
    assert [t for t, f in french.items() if not f] == []
    assert [t for t, f in french.items() if f == t] == []
    assert [t for t, f in french.items() if "\n" in f] == []  # one paragraph, as the source
    assert french["Places of accommodation"] == "Lieux d'hébergement"
    assert french["WSIS scope"] == "Périmètre du SMSI"
    assert "RGPD" in french[next(t for t in french if "of the RGD" in t)]
    assert "PGSSI-S (Politique générale de sécurité des systèmes d'information de santé)" in french[
        "The Customer agrees to comply with the PGSSI-S (General Security Policy for Health Information Systems)"]


def test_the_translations_use_the_reports_terms_for_customer_and_provider():
    """hds_audit.po says Client and Hébergeur: the matrix says le Client and l'Hébergeur, never Fournisseur."""
    french = _french_catalog()
    assert (_("Customer"), _("Provider")) == ("Customer", "Provider")
    with language("fr"):
        assert (_("Customer"), _("Provider")) == ("Client", "Hébergeur")
    for english, words in french.items():
        assert "Fournisseur" not in words and "Prestataire" not in words, english
        if re.search(r"\bThe Provider\b", english):
            assert "Hébergeur" in words, english
        if re.search(r"\bThe Customer\b", english):
            assert "Client" in words, english
    assert any("données de santé à caractère personnel" in w for w in french.values())


def test_matrix_po_holds_the_matrix_texts_only_and_says_the_english_is_authoritative():
    from babel.messages.pofile import read_po

    def entries(path):
        with path.open("rb") as handle:
            return {m.id: m.string for m in read_po(handle) if m.id}

    mine = entries(MATRIX_PO)
    assert set(mine) == _texts()  # no stale entry of a row the CSV files no longer have
    head = MATRIX_PO.read_text(encoding="utf-8").split('msgid ""')[0]
    assert "The English text of the Service Description is authoritative" in head
    # a text another catalog also holds ("Backup", a heading of hds_audit.po) is translated alike in both
    shared = {(k, v, theirs[k]) for other in MATRIX_PO.parent.glob("*.po") if other != MATRIX_PO
              for theirs in [entries(other)] for k, v in mine.items() if k in theirs}
    assert shared and all(v == t for _k, v, t in shared), shared


def test_an_empty_or_not_applicable_text_is_never_looked_up():
    with language("fr"):
        assert text("") == "" and text("N/A") == "N/A" and text("  ") == "  "
        assert text("Backup security") == "Sécurité des sauvegardes"
        assert text("A rule no catalog knows") == "A rule no catalog knows"
    assert text("Backup security") == "Backup security"


def test_a_worded_control_keeps_its_id_section_and_responsibility():
    control = load_catalog().get("backup-security")
    with language("fr"):
        french = worded(control)
    assert (french.id, french.section, french.responsibility, french.source) == (control.id, control.section,
                                                                                 control.responsibility, control.source)
    assert french.rule == "Sécurité des sauvegardes" and french.provider_responsibility == "N/A"
    assert french.customer_responsibility.startswith("Les sauvegardes de données de santé")
    assert control.rule == "Backup security"  # the catalog's own control is unchanged
    assert worded(control) is control  # English: the same object


def test_the_extraction_lists_the_matrix_texts():
    from hds_audit.i18n.catalog import messages

    found = messages()
    assert _texts() <= found
    with language("fr"):
        assert NOTE_FR in translation_note()
    assert translation_note() is None


# -- the reports ------------------------------------------------------------------------------------------------------
def _run(lang: str) -> RunResult:
    from hds_audit.calendar.period import parse_period
    from hds_audit.evidence.bundle import Bundle
    from hds_audit.evidence.tenant import load
    from hds_audit.pipeline.engine import run_checks

    bundle = Bundle(str(data_dir("samples") / "violations"))
    result = run_checks(load_catalog(), bundle, load(bundle), parse_period("2026-Q3"))
    result.language = lang
    return result


@pytest.fixture(scope="module")
def violations() -> RunResult:
    return _run("fr")


def _html(result, lang: str) -> str:
    with language(lang):
        page = html.render(RenderContext(result)).decode("utf-8")
    return _normalised(re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S))
                       .replace("&#39;", "'").replace("&quot;", '"').replace("&amp;", "&"))


def _cells(result, lang: str) -> str:
    with language(lang):
        book = load_workbook(io.BytesIO(xlsx.render(RenderContext(result))))
    return _normalised(" ".join(str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value))


def _pdf(result, lang: str, tmp_path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    with language(lang):
        content = pdf.render(RenderContext(result))
    path = tmp_path / f"{lang}.pdf"
    path.write_bytes(content)
    return _normalised(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout)


def test_the_french_html_quotes_the_matrix_in_french_and_no_english_text_of_it(violations):
    page = _html(violations, "fr")
    assert [r for r in FRENCH_RULES if r not in page] == []
    assert [t for t in _english_in_reports() if _normalised(t) in page] == []
    assert page.count(NOTE_FR) == 1
    french = _french_catalog()
    for english in ("Access to personal data or to the systems used for their processing must be made through nominative "
                    "accounts", "The Provider does not move the Customer's data to a Region other than the one(s) chosen by "
                    "the Customer."):  # a detail and a provider's duty: the HTML quotes all five texts
        assert _normalised(french[english]) in page


def test_the_french_workbook_quotes_the_matrix_in_french(violations):
    cells = _cells(violations, "fr")
    assert [r for r in FRENCH_RULES if r not in cells] == []
    assert [t for t in _english_in_reports() if _normalised(t) in cells] == []
    assert "Contrôle d'accès" in cells and "Access control" not in cells


def test_the_french_pdf_quotes_the_matrix_in_french_and_says_so_once(violations, tmp_path):
    page = _pdf(violations, "fr", tmp_path)
    assert [r for r in FRENCH_RULES if r not in page] == []
    assert [t for t in _english_in_reports() if _normalised(t) in page] == []
    assert page.count(NOTE_FR) == 1
    assert "Client : Le Client est responsable de la traçabilité de l'ensemble de l'activité" in page


def test_an_english_render_is_unchanged(violations, tmp_path):
    english = _run("en")
    page, cells, text_pdf = _html(english, "en"), _cells(english, "en"), _pdf(english, "en", tmp_path)
    for where in (page, cells, text_pdf):
        assert "Identifiers and authorizations" in where and "Backup security" in where
        assert [r for r in FRENCH_RULES if r in where] == [] and "Hébergeur" not in where
        assert "authoritative" not in where
    assert "The Customer is responsible for the traceability of all activity" in text_pdf
    with language("en"):
        ctx = RenderContext(english)
        assert worded_context(ctx) is ctx


def test_the_machine_formats_keep_the_english_wording_in_a_french_run(violations):
    with language("fr"):
        for module in (html, xlsx, pdf):
            module.render(RenderContext(violations))  # a render copies the result: it never rewords the run's own
        french = {m: m.render(RenderContext(violations)) for m in (json_results, junit, oscal, ciso_assistant)}
    doc = json.loads(french[json_results])
    rules = {c["id"]: c for c in doc["controls"]}
    assert rules["backup-security"]["rule"] == "Backup security" and rules["backup-security"]["domain"] == "Backup"
    assert rules["trace-management"]["customer_responsibility"].startswith("The Customer is responsible for the traceability")
    assert violations.controls[0].control.rule == "Presentation of the services to the people concerned"
    for module, content in french.items():
        words = content.decode("utf-8")
        assert [r for r in FRENCH_RULES if r in words] == [], module.__name__
    assert "Backup security" in french[oscal].decode() and "Identifiers and authorizations" in french[ciso_assistant].decode()
    with language("en"):
        assert json_results.render(RenderContext(violations)) == french[json_results]  # byte-identical in both languages


# -- a replaced matrix -------------------------------------------------------------------------------------------------
def _replaced(tmp_path) -> RunResult:
    """The bundled matrix with one rule and one duty reworded (a newer edition), a new row no binding names, and the
    row of Workstation safety gone (its binding dropped on purpose)."""
    with (CONTROLS / "matrix.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row["id"] == "backup-security":
            row["rule"] = "Security of backups (2027 edition)"
            row["customer_responsibility"] = "Backups of health data are encrypted at rest and in transit."
    rows = [row for row in rows if row["id"] != "workstation-safety"]
    rows.append({"id": "ai-usage", "domain": "Artificial intelligence", "rule": "Use of AI on health data", "detail": "",
                 "responsibility": "Customer", "customer_responsibility": "The Customer documents every model it runs.",
                 "provider_responsibility": "N/A"})
    path = tmp_path / "matrix-2027.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    from report_fixtures import sample_result

    catalog = load_catalog(path, drop=["workstation-safety"])
    base = sample_result()
    controls = [ControlResult(c, Status.MANUAL, [], unbound=c.id not in catalog.bindings) for c in catalog.controls]
    return RunResult(base.tenant, base.period, controls, base.evidence_files, {}, run_id=base.run_id,
                     generated_at=base.generated_at, language="fr", dropped=catalog.dropped)


def test_a_replaced_matrix_text_absent_from_the_catalog_is_shown_as_written(tmp_path):
    result = _replaced(tmp_path)
    page, cells = _html(result, "fr"), _cells(result, "fr")
    for where in (page, cells):
        assert "Security of backups (2027 edition)" in where and "Use of AI on health data" in where
        assert "Identifiants et habilitations" in where  # the rows worded as the bundled matrix are still French
        assert "Artificial intelligence" in where
    assert "Backups of health data are encrypted at rest and in transit." in page
    assert "The Customer documents every model it runs." in page
    # the new row has no binding: said in French, not as results.json's English note
    assert "Aucune preuve n'est rattachée à cette règle dans controls/bindings.yaml." in page
    assert "no evidence is bound to this rule" not in page
    # the dropped binding's bundled rule, in the list of checks dropped on purpose
    dropped = page[page.index(_normalised(french_words("Checks dropped on purpose"))):]
    assert "Sécurité du poste de travail" in dropped and "Workstation safety" not in page
    assert "Règle (matrice fournie avec hds-audit)" in dropped and "Checks not run" not in page


def test_a_replaced_matrix_renders_in_the_french_pdf(tmp_path):
    page = _pdf(_replaced(tmp_path), "fr", tmp_path)
    assert "Security of backups (2027 edition)" in page and "Use of AI on health data" in page
    assert "Gestion des traces" in page and page.count(NOTE_FR) == 1


def test_a_rule_named_in_a_finding_is_worded_in_french_and_kept_in_english_in_results_json(violations):
    from hds_audit.i18n.messages import Message, Rule, msg

    label = Rule("Workstation safety", "workstation-safety")
    said = msg("no signed attestation for {label} in attestations/", label=label)
    assert str(said) == "no signed attestation for Workstation safety (workstation-safety) in attestations/"
    assert said.render("fr") == ("aucune attestation signée pour Sécurité du poste de travail (workstation-safety) "
                                 "dans attestations/")
    assert said.to_json()["params"] == {"label": "Workstation safety (workstation-safety)"}  # as results.json always was
    assert Message.from_json(said.to_json()).render("en") == str(said)  # read back: the plain text, as written
    assert str(Rule(None, "x")) == "x" and Rule("x", "x").render("fr") == "x"
    with language("fr"):
        notes = [k.note_text() for c in violations.controls for k in c.checks if k.id == "attestation.current" and k.note]
    assert any("Sécurité du poste de travail (workstation-safety)" in n for n in notes)


def test_a_run_read_back_from_results_json_still_names_its_rules_in_french(violations):
    from hds_audit.workflows.review import load_result

    doc = violations.to_json()
    back, _extras = load_result(doc)
    assert back.to_json()["controls"] == doc["controls"]  # their results.json form as it was
    page = _html(back, "fr")
    assert "aucune attestation signée pour Sécurité du poste de travail (workstation-safety)" in page
    assert "Identifiants et habilitations" in page and "Workstation safety" not in page
