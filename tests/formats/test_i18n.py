"""Reports, workbook, terminal summary and proofs in French or English (`--lang`, tenant.yaml
`language:`): the gettext catalog is complete, keeps every placeholder, and each format speaks the
chosen language with the locale's dates and numbers."""

from __future__ import annotations

import io
import re
import subprocess
import sys

import pytest
from bundle_builder import BundleBuilder
from openpyxl import load_workbook
from report_fixtures import sample_result

from hds_audit.evidence.tenant import Tenant
from hds_audit.formats import html, pdf, xlsx
from hds_audit.formats.interface import RenderContext
from hds_audit.i18n import LanguageError, _, check, day, every_language, language, number
from hds_audit.i18n.catalog import messages, missing

PLACEHOLDER = re.compile(r"\{\w+\}|%\(\w+\)s")


def french(message: str) -> str:
    with language("fr"):
        return _(message)


def test_the_french_catalog_translates_every_message():
    assert missing("fr") == []
    assert len(messages()) > 150


def test_every_translation_keeps_its_placeholders():
    """A plural form keeps them all; a French singular may leave one out (one action: its first is its last)."""
    from hds_audit.i18n import translations

    for message in messages():
        if isinstance(message, tuple):
            english = sorted(PLACEHOLDER.findall(message[1]))
            assert sorted(PLACEHOLDER.findall(translations("fr").ngettext(*message, 2))) == english, message
            assert set(PLACEHOLDER.findall(french(message[0]))) <= set(english), message
            continue
        assert sorted(PLACEHOLDER.findall(french(message))) == sorted(PLACEHOLDER.findall(message)), message


def test_the_seed_french_terms_are_used():
    assert "Hébergement de Données de Santé" in french("Health data hosting (HDS) duties of the tenant on Orange Flexible Engine")


def test_dates_and_numbers_in_the_locale_form():
    from datetime import UTC, date, datetime

    from hds_audit.i18n import moment

    with language("fr"):
        assert day(date(2026, 7, 1)) == "1er juillet 2026" and number(81234).replace("\u202f", " ") == "81 234"
        assert day(date(2026, 7, 2)) == "2 juillet 2026" and day(date(2026, 7, 11)) == "11 juillet 2026"
        assert moment(datetime(2026, 9, 30, 22, 0, tzinfo=UTC)) == "1er octobre 2026 00:00:00 (UTC+2)"
        assert moment(datetime(2026, 10, 1, 22, 0, tzinfo=UTC)) == "2 octobre 2026 00:00:00 (UTC+2)"
    assert day(date(2026, 7, 1)) == "1 July 2026" and number(81234) == "81,234"


def test_languages_are_checked():
    assert check("FR") == "fr" and check("fr_FR") == "fr" and check(None) == "en"
    with pytest.raises(LanguageError, match="not one of: en, fr"):
        check("de")
    with pytest.raises(Exception, match="language"):
        Tenant.model_validate({"tenant_id": "t", "name": "n", "support_plan": "business", "allowed_regions": ["eu-west-0"],
                               "language": "klingon"})
    assert every_language("Controls") == {"Controls", "Contrôles"}


def render(module, lang: str) -> bytes:
    result = sample_result()
    result.language = lang
    with language(lang):
        return module.render(RenderContext(result))


def test_html_in_both_languages():
    fr, en = render(html, "fr").decode(), render(html, "en").decode()
    assert '<html lang="fr">' in fr and "Synthèse pour la direction" in fr and "Causes racines" in fr and "1er juillet 2026" in fr
    assert '<html lang="en">' in en and "Executive summary" in en and "Root causes" in en and "1 July 2026" in en
    assert "Synthèse pour la direction" not in en and "Executive summary" not in fr


def test_workbook_in_both_languages():
    fr = load_workbook(io.BytesIO(render(xlsx, "fr")))
    en = load_workbook(io.BytesIO(render(xlsx, "en")))
    assert fr.sheetnames[:5] == ["Synthèse", "Causes racines", "Contrôles", "Constats", "Preuves"]
    assert en.sheetnames[:5] == ["Summary", "Root causes", "Controls", "Findings", "Evidence"]
    assert [c.value for c in fr["Contrôles"][1]][:3] == ["Contrôle", "Statut", "Avis de l'auditeur"]
    assert xlsx.find_sheet(fr, "Root causes").title == "Causes racines"


def test_pdf_in_both_languages(tmp_path):
    if not __import__("shutil").which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    texts = {}
    for lang in ("fr", "en"):
        path = tmp_path / f"{lang}.pdf"
        path.write_bytes(render(pdf, lang))
        texts[lang] = " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout.split())
    assert "Audit de conformité HDS" in texts["fr"] and "Synthèse pour la direction" in texts["fr"]
    assert "1er juillet 2026" in texts["fr"] and "Page 1 sur" in texts["fr"]
    assert "HDS compliance audit report" in texts["en"] and "Executive summary" in texts["en"] and "Page 1 of" in texts["en"]


def cli(*args):
    return subprocess.run([sys.executable, "-m", "hds_audit", *args], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def french_bundle(tmp_path_factory):
    builder = BundleBuilder(tmp_path_factory.mktemp("fr") / "bundle")
    builder.tenant(language="fr")
    builder.users({"name": "a.durand"})
    return builder.root


def test_tenant_language_is_the_default_and_lang_overrides_it(french_bundle, tmp_path):
    proc = cli("run", str(french_bundle), "--period", "2026-Q3", "--out", str(tmp_path / "fr"))
    assert proc.returncode in (0, 1), proc.stderr
    assert "Contrôles (" in proc.stdout and "Rapports écrits dans" in proc.stdout
    assert "Aucune --key fournie : signature avec une identité DÉMO jetable" in proc.stderr and "No --key" not in proc.stderr
    assert '<html lang="fr">' in (tmp_path / "fr" / "report.html").read_text(encoding="utf-8")
    proc = cli("run", str(french_bundle), "--period", "2026-Q3", "--out", str(tmp_path / "en"), "--lang", "en")
    assert "Controls (" in proc.stdout and "Reports written to" in proc.stdout and "No --key given" in proc.stderr
    assert '"language": "en"' in (tmp_path / "en" / "results.json").read_text(encoding="utf-8")
    proc = cli("residency", str(french_bundle), "--period", "2026-Q3", "--out", str(tmp_path / "proof"), "--lang", "fr")
    assert proc.returncode in (0, 1), proc.stderr
    assert "Aucune --key fournie" in proc.stderr
    pdf_text = " ".join(subprocess.run(["pdftotext", str(tmp_path / "proof" / "residency-proof.pdf"), "-"],
                                       capture_output=True, text=True).stdout.split())
    assert "Attestation de localisation des données" in pdf_text
