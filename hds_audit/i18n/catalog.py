"""The texts to translate, gathered where they are written (Babel's extractors), so a test and a
translator see the same list: `_()` and `ngettext()` in the code, the checks' `msg()` and `nmsg()`
(hds_audit/i18n/messages.py), `_()` in the HTML template, every text of report_templates/pdf.yaml
and actions.yaml (the English text is the gettext key), the response-time cells quoted from the Service
Description (controls/support_plans.yaml), and the texts of the responsibility matrix that the human reports
quote (controls/matrix.csv and commitments.csv: hds_audit/i18n/matrix.py).

`python -m hds_audit.i18n.catalog` prints the messages the French catalog lacks.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from hds_audit.paths import data_dir

KEYWORDS = {"_": None, "ngettext": (1, 2), "msg": None, "nmsg": (1, 2), "TimeParseError": None}  # msg/nmsg: the checks' finding messages
_PACKAGE = Path(__file__).resolve().parents[1]  # every module of hds_audit/
WORDED_SECTIONS = ("report", "residency", "deletion")  # pdf.yaml sections of texts (not colours)


def _yaml_texts() -> set[str]:
    templates = data_dir("report_templates")
    wording = yaml.safe_load((templates / "pdf.yaml").read_text(encoding="utf-8"))
    texts = {str(v) for section in WORDED_SECTIONS for v in (wording.get(section) or {}).values()}
    texts |= {str(entry["label"]) for entry in wording["statuses"].values()}
    actions = yaml.safe_load((templates / "actions.yaml").read_text(encoding="utf-8"))
    return texts | {str(v) for v in actions["actions"].values()} | _seed_quotes() | _matrix_texts()


def _matrix_texts() -> set[str]:
    from hds_audit.i18n.matrix import source_texts

    controls = data_dir("controls")
    return source_texts([controls / "matrix.csv", controls / "commitments.csv"])


def _seed_quotes() -> set[str]:
    """The Service Description's response-time cells (controls/support_plans.yaml `seed`), which findings quote
    (messages.Quote): translated, the report says they are the contract's words."""
    plans = yaml.safe_load((data_dir("controls") / "support_plans.yaml").read_text(encoding="utf-8"))
    found = set()

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "seed" and isinstance(value, str) and any(c.isalpha() for c in value) and value != "N/A":
                    found.add(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(plans)
    return found


def messages() -> set[str | tuple[str, str]]:
    """Every message id: a string, or (singular, plural)."""
    from babel.messages.extract import extract

    found: set[str | tuple[str, str]] = set()
    sources = [(p, "python") for p in sorted(_PACKAGE.rglob("*.py"))]
    sources += [(p, "jinja2.ext:babel_extract") for p in sorted(data_dir("report_templates").glob("*.j2"))]
    for path, method in sources:
        with path.open("rb") as handle:
            options = {"extensions": "jinja2.ext.i18n"} if method != "python" else {}
            for _line, message, _comments, _context in extract(method, handle, keywords=KEYWORDS, options=options):
                if isinstance(message, tuple):
                    found.add((message[0], message[1]) if len(message) > 1 and message[1] else message[0])
                elif message:
                    found.add(message)
    return found | _yaml_texts()


def missing(lang: str = "fr") -> list[str]:
    from hds_audit.i18n import read_catalog

    catalog = read_catalog(lang)
    out = []
    for message in sorted(messages(), key=str):
        key = message[0] if isinstance(message, tuple) else message
        entry = catalog.get(key)
        strings = entry.string if entry else None
        if not strings or (isinstance(strings, tuple) and not all(strings)):
            out.append(str(message))
    return out


if __name__ == "__main__":
    for line in missing():
        print(line)
