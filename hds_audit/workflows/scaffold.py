"""`hds-audit init`: an evidence bundle to fill in (docs/user-guide.md "The evidence bundle"), from
`evidence/templates/`.

Nothing existing is ever overwritten, and nothing is added that would duplicate evidence already
there: a bundle holding `access_register.csv` gets no `access_register.xlsx`, a rule that already
has an attestation (under any file name) gets no template. Running it again on the same folder, or
on a bundle built by hand, therefore changes no file; it only adds what a newer catalog asks for.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from hds_audit.evidence import FOLDERS  # noqa: F401 - the folders init creates, declared with each kind
from hds_audit.outdir import temp_file
from hds_audit.paths import data_dir

PLACEHOLDER = "CHANGE-ME"  # doctor looks for this word in tenant.yaml
ATTESTATION_FIELDS = ("statement", "owner", "signed_at", "document", "sha256")
PROVIDER_FIELDS = ("issuer", "valid_from", "valid_until", "document", "sha256")


@dataclass(frozen=True)
class Item:
    path: str  # relative to the bundle, `/`-separated
    action: str  # "created" or "kept"
    note: str = ""  # why it was kept, when another file already serves


def templates_dir() -> Path:
    return data_dir("evidence") / "templates"


def scaffold(root: Path, tenant_name: str | None = None, catalog=None) -> list[Item]:
    """Create the bundle's folders and templates under `root`; returns what was created or kept."""
    from hds_audit.catalog import load_catalog

    catalog = catalog or load_catalog()
    root.mkdir(parents=True, exist_ok=True)
    items: list[Item] = []
    for folder in FOLDERS:
        (root / folder).mkdir(exist_ok=True)
    source = templates_dir() / "bundle"
    # tenant.yaml first: it is what the user must edit before anything else
    for path in sorted((p for p in source.rglob("*") if p.is_file()), key=lambda p: (p.name != "tenant.yaml", p.as_posix())):
        rel = path.relative_to(source).as_posix()
        if rel.startswith("provider/") and rel.endswith(".yaml"):
            items.append(_provider_template(root, rel, path))
            continue
        text = path.read_text(encoding="utf-8")
        if rel == "tenant.yaml":
            text = text.replace('"{{tenant_name}}"', json.dumps(tenant_name or PLACEHOLDER, ensure_ascii=False))
        items.append(_write(root, rel, text.encode("utf-8")))
    items.append(_tabular(root, "access_register", "access_register.xlsx", _register_workbook))
    items.append(_tabular(root, "tickets", "tickets.csv", _csv_header))
    items.append(_tabular(root, "restore_tests", "restore_tests.csv", _csv_header))
    items += _attestations(root, catalog)
    return items


def organisational_controls(catalog) -> list:
    """Controls evidenced by an attestation (bindings with `attestation: true`), in catalog order."""
    return [c for c in catalog.controls if (b := catalog.bindings.get(c.id)) is not None and b.attestation]


# --- writing ---------------------------------------------------------------------------------

def _write(root: Path, rel: str, data: bytes, note: str = "") -> Item:
    target = root / rel
    if target.exists():
        return Item(rel, "kept", note)
    target.parent.mkdir(parents=True, exist_ok=True)
    # temp file then an exclusive link: a concurrent writer or a crash never leaves half a file,
    # and a file appearing meanwhile is still not overwritten
    temp = temp_file(target.parent, target.name, data)
    try:
        try:
            os.link(temp, target)
        except FileExistsError:
            return Item(rel, "kept", note)
        except OSError:  # file systems without hard links
            if target.exists():
                return Item(rel, "kept", note)
            os.replace(temp, target)
            return Item(rel, "created")
    finally:
        temp.unlink(missing_ok=True)
    return Item(rel, "created")


def _tabular(root: Path, kind: str, rel: str, render) -> Item:
    from hds_audit.evidence.tabular import load_contract

    contract = load_contract(kind)
    existing = next((f for f in contract.files if (root / f).exists()), None)
    if existing is not None:
        return Item(existing, "kept", "" if existing == rel else f"serves as the {kind.replace('_', ' ')}")
    return _write(root, rel, render(contract))


def _csv_header(contract) -> bytes:
    return (",".join(contract.columns) + "\r\n").encode("utf-8")


def _register_workbook(contract) -> bytes:
    """The register as a workbook people can fill in without breaking its contract."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = "Register"  # the reader takes the first sheet
    columns = list(contract.columns)
    sheet.append(columns)
    last = 2000  # validations and formats cover this many rows
    help_text = _register_help()
    for index, name in enumerate(columns, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        spec = contract.columns[name]
        header = sheet.cell(row=1, column=index)
        header.font = Font(bold=True, color="FFFFFF")
        header.fill = PatternFill("solid", fgColor="1F4E79")
        header.alignment = Alignment(vertical="center")
        sheet.column_dimensions[letter].width = 22 if spec.type != "datetime" else 18
        cells = f"{letter}2:{letter}{last}"
        if spec.type == "datetime":
            sheet.column_dimensions[letter].number_format = "yyyy-mm-dd"
            rule = DataValidation(type="date", operator="greaterThan", formula1="DATE(2000,1,1)", allow_blank=True)
            rule.error = "A date (YYYY-MM-DD); a date alone means 00:00 Europe/Paris."
        elif spec.allowed:
            rule = DataValidation(type="list", formula1='"' + ",".join(spec.allowed) + '"', allow_blank=spec.nullable)
            rule.error = "One of: " + ", ".join(spec.allowed)
        else:
            sheet.column_dimensions[letter].number_format = "@"  # text: Excel must not turn ids into numbers
            rule = DataValidation(type="textLength", operator="lessThanOrEqual", formula1="200", allow_blank=True)
        rule.showErrorMessage = True
        rule.errorTitle = name
        rule.prompt = help_text.get(name, "")[:255]
        rule.promptTitle = name
        rule.showInputMessage = bool(rule.prompt)
        rule.add(cells)
        sheet.add_data_validation(rule)
    sheet.freeze_panes = "A2"
    notes = book.create_sheet("Help")
    notes.append(["column", "what to write"])
    for name in columns:
        notes.append([name, help_text.get(name, "")])
    notes.column_dimensions["A"].width = 14
    notes.column_dimensions["B"].width = 110
    for cell in notes[1]:
        cell.font = Font(bold=True)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _register_help() -> dict[str, str]:
    return {
        "account": "The IAM user name, exactly as in iam/users.json.",
        "person": "Full name of the person the account belongs to (empty only for a service account).",
        "email": "The person's e-mail address.",
        "role": "admin, operator, auditor, trace_reader, provider_support or service.",
        "granted_at": "First day of the authorization (YYYY-MM-DD, 00:00 Europe/Paris).",
        "revoked_at": "Day it ended; empty while active. A new period of the same account is a new row.",
        "approved_by": "Who approved the authorization.",
        "ticket": "For provider_support: the support ticket that justified the invitation.",
        "owner": "For service accounts: the person responsible for it.",
    }


# --- attestations and provider documents -----------------------------------------------------

def _attestations(root: Path, catalog) -> list[Item]:
    existing = _existing_attestations(root)
    template = (templates_dir() / "attestation.yaml").read_text(encoding="utf-8")
    items = []
    for control in organisational_controls(catalog):
        rel = f"attestations/{control.id}.yaml"
        holder = next((f for f, names in existing if _words(control.id) in names or _words(control.rule) in names), None)
        if holder is not None:
            items.append(Item(holder, "kept", "" if holder == rel else f"attests {control.id}"))
            continue
        duty = control.customer_responsibility.strip()
        wording = _comment(duty if duty and duty.upper() != "N/A" else "(the matrix gives no wording for the customer)")
        text = (template.replace("{{rule}}", control.rule).replace("{{domain}}", control.domain)
                .replace("{{customer_responsibility}}", wording).replace("{{control}}", control.id))
        items.append(_write(root, rel, text.encode("utf-8")))
    return items


def _existing_attestations(root: Path) -> list[tuple[str, set[str]]]:
    """(file, the controls it names) for every attestation file already in the bundle."""
    found = []
    for path in sorted((root / "attestations").glob("*.y*ml")):
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            document = None  # unreadable: doctor reports it; its name still counts below
        entries = document.get("attestations") if isinstance(document, dict) and "attestations" in document else document
        entries = entries if isinstance(entries, list) else [entries]
        names = {_words(str(e["control"])) for e in entries if isinstance(e, dict) and e.get("control")}
        names.add(_words(path.stem))
        found.append((f"attestations/{path.name}", names))
    return found


def _provider_template(root: Path, rel: str, path: Path) -> Item:
    kind = yaml.safe_load(path.read_text(encoding="utf-8"))["kind"]
    for other in sorted((root / "provider").glob("*.y*ml")):
        try:
            document = yaml.safe_load(other.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        entries = document.get("documents") if isinstance(document, dict) and "documents" in document else document
        entries = entries if isinstance(entries, list) else [entries]
        if any(isinstance(e, dict) and str(e.get("kind", "")).strip().lower() == kind for e in entries):
            other_rel = f"provider/{other.name}"
            return Item(other_rel, "kept", "" if other_rel == rel else f"holds the {kind}")
    return _write(root, rel, path.read_bytes())


def _comment(text: str, width: int = 96) -> str:
    import textwrap

    return "\n".join("#   " + line for line in textwrap.wrap(" ".join(text.split()), width))


def _words(text: str) -> str:
    return " ".join(text.casefold().replace("-", " ").replace("_", " ").split())
