"""The responsibility matrix's own texts in the report's language, for the human reports only.

The controls' domain, rule, detail and duties are quoted from the English Service Description
(controls/matrix.csv, controls/commitments.csv); their French texts are the catalog
report_templates/locale/fr/LC_MESSAGES/matrix.po, keyed by the English text. A text the catalog does not
hold (a matrix replaced with `--matrix FILE`) is shown as written. results.json, JUnit, OSCAL and the
CISO Assistant export keep the catalog's own wording in every language: only the PDF, the HTML and the
workbook call `worded_context()`.
"""

from __future__ import annotations

import csv
import dataclasses
from typing import TYPE_CHECKING

from hds_audit.i18n import DEFAULT, _, current, translations

if TYPE_CHECKING:  # i18n sits below the catalog and the results (tests/test_architecture.py): duck-typed here
    from hds_audit.catalog.models import Control
    from hds_audit.formats.interface import RenderContext
    from hds_audit.results.model import RunResult

FIELDS = ("domain", "rule", "detail", "customer_responsibility", "provider_responsibility")
NOT_WORDS = ("", "N/A")  # never looked up: gettext("") is the catalog's header


def text(value: str, lang: str | None = None) -> str:
    """One matrix text in `lang` (by default the current language), or as written when the catalog has none."""
    lang = current() if lang is None else lang
    if value.strip() in NOT_WORDS or lang == DEFAULT:
        return value
    return translations(lang).gettext(value)


def worded(control: Control) -> Control:
    """`control` with its texts in the current language (its id, section and responsibility unchanged)."""
    if current() == DEFAULT:
        return control
    return control.model_copy(update={name: text(getattr(control, name)) for name in FIELDS})


def worded_result(result: RunResult) -> RunResult:
    """A copy of a RunResult whose controls (and dropped bindings' rules) speak the current language; its
    checks are the same objects, so that a check shared by several controls stays one."""
    if current() == DEFAULT:
        return result
    controls = [dataclasses.replace(c, control=worded(c.control)) for c in result.controls]
    dropped = [dataclasses.replace(d, rule=text(d.rule)) for d in result.dropped]
    return dataclasses.replace(result, controls=controls, dropped=dropped)


def worded_context(ctx: RenderContext) -> RenderContext:
    """A RenderContext whose result speaks the current language (formats/interface.py)."""
    if current() == DEFAULT:
        return ctx
    return dataclasses.replace(ctx, result=worded_result(ctx.result))


def translation_note() -> str | None:
    """What a translated report says once of the matrix's texts; None in English."""
    if current() == DEFAULT:
        return None
    return _("The texts of the responsibility matrix (domains, rules, details and duties) are translated by hds-audit: "
             "the English text of the Service Description is authoritative. It is in controls/matrix.csv and "
             "controls/commitments.csv, and in the report in English (--lang en).")


def source_texts(paths) -> set[str]:
    """Every text of FIELDS in the CSV files `paths` that a reader sees (the catalog's extraction)."""
    found: set[str] = set()
    for path in paths:
        with open(path, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                found |= {row[name] for name in FIELDS if (row.get(name) or "").strip() not in NOT_WORDS}
    return found
