"""The checks' finding messages in the report's language: every check writes a gettext template and its values
(hds_audit/i18n/messages.py), the English text stays results.json's `message` byte for byte, French has every
template, and each format that shows a message (PDF, HTML, workbook, terminal, a run read back) speaks French."""

from __future__ import annotations

import ast
import io
import json
import re
import shutil
import subprocess
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from hds_audit.calendar.instants import PARIS
from hds_audit.calendar.period import parse_period
from hds_audit.checks.interface import Finding
from hds_audit.formats import html, pdf, xlsx
from hds_audit.formats.interface import RenderContext
from hds_audit.i18n import language, read_catalog
from hds_audit.i18n.catalog import messages, missing
from hds_audit.i18n.messages import Message, finding_text, msg, nmsg, semicolons
from hds_audit.states import Status

CHECKS = Path(__file__).resolve().parents[2] / "hds_audit" / "checks"
PLACEHOLDER = re.compile(r"(?<!\{)\{(\w+)\}(?!\})")
PERIOD = parse_period("2026-Q3")


# -- every message site is a template ---------------------------------------------------------------
def _calls(name: str):
    for path in sorted(CHECKS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name:
                yield path.name, node


def test_no_check_builds_a_finding_from_plain_text():
    """A Finding's message in checks/ is a msg()/nmsg() template (or a name bound to one), never a literal, an
    f-string or text glued together: those could not be translated."""
    sites = list(_calls("Finding"))
    assert len(sites) > 60
    for file, call in sites:
        message = call.args[1] if len(call.args) > 1 else next(k.value for k in call.keywords if k.arg == "message")
        assert not isinstance(message, ast.Constant | ast.JoinedStr | ast.BinOp), f"{file}:{call.lineno}"
        if isinstance(message, ast.Call) and isinstance(message.func, ast.Name):
            assert message.func.id in ("msg", "nmsg", "_absent", "_gap_message"), f"{file}:{call.lineno}"


def test_every_template_is_a_literal_babel_extracts():
    for name, count in (("msg", 1), ("nmsg", 2)):
        for file, call in _calls(name):
            for arg in call.args[:count]:
                assert isinstance(arg, ast.Constant) and isinstance(arg.value, str), f"{file}:{call.lineno}: not a literal"


@pytest.fixture(scope="module")
def violations():
    from hds_audit.catalog import load_catalog
    from hds_audit.evidence.bundle import Bundle
    from hds_audit.evidence.tenant import load
    from hds_audit.paths import data_dir
    from hds_audit.pipeline.engine import run_checks

    bundle = Bundle(str(data_dir("samples") / "violations"))
    return run_checks(load_catalog(), bundle, load(bundle), PERIOD)


def test_every_finding_of_the_sample_carries_its_template(violations):
    findings = [f for c in violations.unique_checks() for f in c.findings]
    assert len(findings) > 200
    assert all(f.template is not None for f in findings)
    assert all(f.template.render("en") == f.message for f in findings)


def test_results_json_renders_back_the_same_english(violations):
    """results.json keeps `message` as it was, and the template and values beside it say exactly that in English."""
    document = json.loads(json.dumps(violations.to_json()))
    rows = [f for c in document["controls"] for k in c["checks"] for f in k["findings"]]
    assert rows and all({"message_template", "message_params"} <= set(f) for f in rows)
    for row in rows:
        assert Finding.template_from_json(row).render("en") == row["message"]
    plural = next(f for f in rows if f["message"].startswith("3 action(s) with no authorization"))
    assert plural["message_plural"] and plural["message_params"]["n"] == 3
    assert plural["message_params"]["first"] == {"instant": "2026-08-20T21:14:26.526000+02:00"}


# -- the French catalog -------------------------------------------------------------------------------
def _checks_messages() -> list:
    from babel.messages.extract import extract

    found = []
    for path in sorted(CHECKS.glob("*.py")):
        with path.open("rb") as handle:
            found += [m for _l, m, _c, _x in extract("python", handle, keywords={"msg": None, "nmsg": (1, 2)})]
    return found


def test_every_template_has_a_french_translation():
    assert missing("fr") == []
    ids = {m if isinstance(m, str) else m[0] for m in messages()}
    assert len(_checks_messages()) > 150 and all((m if isinstance(m, str) else m[0]) in ids for m in _checks_messages())


def test_french_keeps_the_values_and_adds_none():
    """A translation uses only the English placeholders (a French singular may leave out `{last}`: it is `{first}`),
    and its plural form uses all of them."""
    catalog = read_catalog("fr")
    for message in _checks_messages():
        key = message if isinstance(message, str) else message[0]
        english = set(PLACEHOLDER.findall(key))
        forms = catalog[key].string
        forms = forms if isinstance(forms, tuple) else (forms,)
        for form in forms:
            assert set(PLACEHOLDER.findall(form)) <= english, (key, form)
        assert set(PLACEHOLDER.findall(forms[-1])) == english or not isinstance(message, tuple), (key, forms[-1])


# -- values in the locale's form, evidence as written -------------------------------------------------
def test_plurals_follow_the_count_in_french_while_english_keeps_its_text():
    one = nmsg("{n} action(s) with no authorization in the register at the time, from {first} to {last}",
               "{n} action(s) with no authorization in the register at the time, from {first} to {last}",
               n=1, first=datetime(2026, 8, 20, 21, 14, 26, tzinfo=PARIS), last=datetime(2026, 8, 20, 21, 14, 26, tzinfo=PARIS))
    assert str(one) == ("1 action(s) with no authorization in the register at the time, from 2026-08-20T21:14:26+02:00 "
                        "to 2026-08-20T21:14:26+02:00")
    assert one.render("fr") == ("1 action sans autorisation au registre des personnes autorisées à ce moment, "
                                "le 20 août 2026 21:14:26 (UTC+2)")
    many = Message(one.template, (("n", 1234),) + one.params[1:], one.plural)
    assert many.render("fr").startswith("1\u202f234 actions sans autorisation") and str(many).startswith("1234 action(s)")


def test_numbers_are_figures_of_the_locale_and_evidence_is_untouched():
    gap = msg("{what}: a gap of {gap}, over the {limit} hours allowed", what=msg("no trace between {start} and {end}",
              start=None, end=None), gap=msg("{hours} hours", hours=Decimal("90.5")), limit=Decimal("24"))
    assert str(gap) == "no trace between — and —: a gap of 90.5 hours, over the 24 hours allowed"
    assert gap.render("fr") == "aucune trace entre le — et le — : une interruption de 90,5 heures, au-delà des 24 heures admises"
    bucket = msg("in-scope OBS bucket {address} is not encrypted ({why})", address="flexibleengine_obs_bucket.exports",
                 why=msg("encryption is false"))
    assert bucket.render("fr") == ("le bucket OBS flexibleengine_obs_bucket.exports, dans le périmètre, n'est pas chiffré "
                                   "(encryption vaut false)")


def test_lists_and_joined_parts():
    parts = semicolons([msg("{file} valid from {start} until {end}", file="provider/iso.yaml", start=None, end=None)] * 2)
    assert str(parts) == "provider/iso.yaml valid from — until —; provider/iso.yaml valid from — until —"
    assert parts.render("fr") == "provider/iso.yaml valide du — au — ; provider/iso.yaml valide du — au —"
    who = msg("account granted to {n} different persons: {who}", n=2, who=[msg("{person} (from {granted})", person="A. Roy",
              granted=None), msg("{person} (from {granted})", person="B. Roy", granted=None)])
    assert str(who) == "account granted to 2 different persons: A. Roy (from —), B. Roy (from —)"
    back = Message.from_json(json.loads(json.dumps(who.to_json())))
    assert back == who and back.render("fr") == "compte attribué à 2 personnes différentes : A. Roy (depuis le —), B. Roy (depuis le —)"


def test_a_message_value_that_is_no_message_is_refused_on_reading():
    with pytest.raises(ValueError, match="not a message value"):
        Message.from_json({"template": "{x}", "params": {"x": {"unknown": 1}}})


def test_a_finding_without_template_renders_its_text():
    """Messages from outside the checks (the engine's evidence problems) and older results.json show as written."""
    plain = Finding("traces/a.json", "line 3: not JSON", status=Status.ERROR)
    assert plain.template is None and plain.text() == "line 3: not JSON"
    assert finding_text({"message": "line 3: not JSON"}) == "line 3: not JSON"
    with language("fr"):
        assert plain.text() == "line 3: not JSON"


# -- every format speaks French ---------------------------------------------------------------------
def _render(module, result, lang: str) -> bytes:
    result.language = lang
    with language(lang):
        return module.render(RenderContext(result))


FRENCH = ("sans autorisation au registre des personnes autorisées", "n'est pas chiffrée")
ENGLISH = ("with no authorization in the register at the time", "is not encrypted")


def _words(text: str) -> str:
    return " ".join(text.split())


def test_html_shows_french_finding_messages(violations):
    from html.parser import HTMLParser

    class Text(HTMLParser):
        parts: list[str] = []

        def handle_data(self, data):
            self.parts.append(data)

    for lang, expected, absent in (("fr", FRENCH, ENGLISH), ("en", ENGLISH, FRENCH)):
        reader = Text()
        reader.parts = []
        reader.feed(_render(html, violations, lang).decode("utf-8"))
        page = _words(" ".join(reader.parts))
        assert all(e in page for e in expected) and not any(a in page for a in absent), lang


def test_workbook_shows_french_finding_messages(violations):
    for lang, sheet, expected, absent in (("fr", "Constats", FRENCH, ENGLISH), ("en", "Findings", ENGLISH, FRENCH)):
        ws = load_workbook(io.BytesIO(_render(xlsx, violations, lang)))[sheet]
        cells = _words(" ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value))
        assert all(e in cells for e in expected) and not any(a in cells for a in absent), lang


def test_pdf_shows_french_finding_messages(violations, tmp_path):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    for lang, expected, absent in (("fr", FRENCH, ENGLISH), ("en", ENGLISH, FRENCH)):
        path = tmp_path / f"{lang}.pdf"
        path.write_bytes(_render(pdf, violations, lang))
        page = _words(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout)
        assert all(e in page for e in expected) and not any(a in page for a in absent), lang


def test_a_run_read_back_from_results_json_renders_in_french(violations):
    """`report` and `review import` render from results.json: the templates travel in it."""
    from hds_audit.formats import digest
    from hds_audit.workflows.review import load_result

    result, _extras = load_result(json.loads(json.dumps(violations.to_json())))
    with language("fr"):
        texts = [digest.cause_text(c).message for c in result.root_causes()]
    assert any(t.startswith("non valide sur toute la période : aucune couverture du 1er septembre 2026") for t in texts)
    assert all(f.text() == f.message for c in result.unique_checks() for f in c.findings)  # English by default


def test_a_kept_reason_reads_back_as_it_was_even_when_its_text_looks_kept():
    from hds_audit.i18n.messages import kept, msg, unkept

    message = msg("not a valid gzip file ({error})", error="bad")
    assert unkept(kept(message)) == message
    for text in ("cannot be read", 'msg:{"template": "forged"}', "msg:not json", "txt:x", ""):
        assert unkept(kept(text)) == text  # never a Message, never a traceback

