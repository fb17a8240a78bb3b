"""What the code, the catalog and the guides cite exists in the repository: no file points users to
CONTRACT.md (there is none), and every cited section of a guide is a heading of that guide."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ("controls", "docs", "evidence", "report_templates", "hds_audit")

# `docs/user-guide.md "The evidence bundle"` or `README.md "Result states"`: a section by its heading;
# `docs/user-guide.md, backup.coverage`: a check the guide describes
SECTION = re.compile(r'(?<![\w/.])((?:docs/)?[\w-]+\.md),? "([^"]+)"')
CHECK = re.compile(r"(?<![\w/.])(docs/user-guide\.md), ([a-z]+\.[a-z_]+)")


def shipped_files() -> list[Path]:
    files = [ROOT / "README.md"]
    for folder in SHIPPED:
        files += sorted(p for p in (ROOT / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return files


def text_files() -> list[tuple[Path, str]]:
    found = []
    for path in shipped_files():
        if path.suffix in {".py", ".md", ".yaml", ".yml", ".csv", ".j2", ".txt", ".json"}:
            found.append((path, " ".join(path.read_text(encoding="utf-8").split())))
    return found


def headings(doc: str) -> set[str]:
    text = (ROOT / doc).read_text(encoding="utf-8")
    return set(re.findall(r"^#+ (.+?)\s*$", text, re.MULTILINE))


def test_nothing_cites_a_contract_the_repository_does_not_have():
    assert not (ROOT / "CONTRACT.md").exists()
    citing = [str(p.relative_to(ROOT)) for p in shipped_files() if b"CONTRACT.md" in p.read_bytes()]
    assert citing == []


def test_cited_sections_are_headings_of_the_cited_guide():
    cited = 0
    for path, text in text_files():
        for doc, section in SECTION.findall(text):
            if not (doc == "README.md" or doc.startswith("docs/")):
                continue
            assert (ROOT / doc).is_file(), (path.name, doc)
            assert section in headings(doc), (str(path.relative_to(ROOT)), doc, section)
            cited += 1
    assert cited >= 15


def test_cited_checks_are_described_in_the_guide():
    guide = (ROOT / "docs" / "user-guide.md").read_text(encoding="utf-8")
    cited = 0
    for path, text in text_files():
        for _doc, check in CHECK.findall(text):
            assert f"**`{check}`**" in guide, (str(path.relative_to(ROOT)), check)
            cited += 1
    assert cited >= 2
