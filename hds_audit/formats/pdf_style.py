"""What every PDF of hds-audit shares: wording, fonts, paragraph styles, status badges, page frame.

report.pdf and the customer proofs (residency, deletion) are built from these pieces, so they look
alike. Every string that came from evidence goes through `text()`, which escapes it: a reportlab
Paragraph parses markup, and an account name such as `<font size=80>` must print as written.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any
from xml.sax.saxutils import escape

import yaml

from hds_audit.i18n import _
from hds_audit.paths import data_dir

WORDING_FILE = "pdf.yaml"
PAGE_MARGIN = 42  # points (about 15 mm)
REF_INDENT = 6  # points: continuation lines of an evidence reference
CELL_PADDING = 7  # left + right padding of a grid() cell
_BREAK_AFTER = re.compile(r"[^/#]*[/#]|[^/#]+$")  # path and record separators
_BREAK_AFTER_LOOSE = re.compile(r"[^_\-.=]*[_\-.=]|[^_\-.=]+$")  # within a too long file name


@cache
def wording() -> dict[str, Any]:
    """report_templates/pdf.yaml: texts and colours, editable without touching code."""
    return yaml.safe_load((data_dir("report_templates") / WORDING_FILE).read_text(encoding="utf-8"))


def words(section: str, key: str, **values: Any) -> str:
    """A text of pdf.yaml in the report's language (hds_audit/i18n/__init__.py: the English text is the key)."""
    return _(str(wording()[section][key]), **values)


def colour(name: str):
    from reportlab.lib import colors

    return colors.HexColor(wording()["colours"][name])


def status_colours(status: str):
    from reportlab.lib import colors

    entry = wording()["statuses"].get(status, wording()["statuses"]["not_applicable"])
    return colors.HexColor(entry["fill"]), colors.HexColor(entry["ink"])


def status_label(status: str) -> str:
    return _(str(wording()["statuses"].get(status, {}).get("label", status)))


def chart_colour(name: str):
    from reportlab.lib import colors

    return colors.HexColor(wording()["chart_colours"][name])


# -- fonts ----------------------------------------------------------------------------------------

@cache
def fonts() -> tuple[str, str, str]:
    """(regular, bold, monospace). DejaVu when the system has it (it covers far more of Unicode
    than the PDF base fonts, so names in any script print), else Helvetica and Courier."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    try:
        pdfmetrics.registerFont(TTFont("HdsSans", "DejaVuSans.ttf"))
        pdfmetrics.registerFont(TTFont("HdsSans-Bold", "DejaVuSans-Bold.ttf"))
        pdfmetrics.registerFont(TTFont("HdsMono", "DejaVuSansMono.ttf"))
    except Exception:  # the font is not installed: the base fonts always work
        return "Helvetica", "Helvetica-Bold", "Courier"
    for italic in (0, 1):
        addMapping("HdsSans", 0, italic, "HdsSans")
        addMapping("HdsSans", 1, italic, "HdsSans-Bold")
    return "HdsSans", "HdsSans-Bold", "HdsMono"


@cache
def styles() -> dict[str, Any]:
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.styles import ParagraphStyle

    regular, bold, mono = fonts()
    ink, muted = colour("ink"), colour("muted")
    base = ParagraphStyle("base", fontName=regular, fontSize=9, leading=12, textColor=ink)
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=9.5),
        "muted": ParagraphStyle("muted", parent=base, fontSize=8, leading=10.5, textColor=muted),
        "cell": ParagraphStyle("cell", parent=base, fontSize=7.5, leading=9.2),
        "cell_bold": ParagraphStyle("cell_bold", parent=base, fontName=bold, fontSize=7.5, leading=9.2),
        "mono": ParagraphStyle("mono", parent=base, fontName=mono, fontSize=6.4, leading=8, wordWrap="CJK"),
        # an evidence reference: lines broken by refs() at / and #, continuation lines indented
        "ref": ParagraphStyle("ref", parent=base, fontName=mono, fontSize=6.4, leading=8, leftIndent=REF_INDENT,
                              firstLineIndent=-REF_INDENT, spaceAfter=2.5),
        "badge": ParagraphStyle("badge", parent=base, fontName=bold, fontSize=7.5, leading=9, alignment=TA_CENTER),
        "h1": ParagraphStyle("h1", parent=base, fontName=bold, fontSize=17, leading=21, spaceAfter=6, textColor=colour("accent")),
        "h2": ParagraphStyle("h2", parent=base, fontName=bold, fontSize=11.5, leading=15, spaceBefore=10, spaceAfter=4, textColor=colour("accent")),
        "h3": ParagraphStyle("h3", parent=base, fontName=bold, fontSize=9.5, leading=12.5, spaceBefore=8, spaceAfter=2),
        "title": ParagraphStyle("title", parent=base, fontName=bold, fontSize=26, leading=31, textColor=colour("accent")),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=12, leading=16, textColor=muted),
        "cover_label": ParagraphStyle("cover_label", parent=base, fontSize=8.5, leading=11, textColor=muted),
        "cover_value": ParagraphStyle("cover_value", parent=base, fontSize=10.5, leading=14),
        "verdict": ParagraphStyle("verdict", parent=base, fontName=bold, fontSize=11, leading=15),
    }


# -- building blocks ------------------------------------------------------------------------------

def text(value: Any, style: str = "base", bold: bool = False):
    """A Paragraph of plain text: escaped, so evidence never becomes markup."""
    from reportlab.platypus import Paragraph

    body = escape("" if value is None else str(value)).replace("\n", "<br/>")
    return Paragraph(f"<b>{body}</b>" if bold else body, styles()[style])


def refs(references: Iterable[str], width: float) -> list:
    """Evidence references for a table cell `width` points wide: one paragraph each (so they never
    run together), wrapped after '/' or '#' rather than anywhere in a token."""
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import Paragraph

    style = styles()["ref"]
    room = width - CELL_PADDING - REF_INDENT

    def fits(value: str) -> bool:
        return stringWidth(value, style.fontName, style.fontSize) <= room

    def wrap(pieces: list[str], loose: bool) -> list[str]:
        lines, line = [], ""
        for piece in pieces:
            if fits(line + piece):
                line += piece
                continue
            if line:
                lines.append(line)
            line = ""
            if fits(piece):
                line = piece
            elif not loose:
                *head, line = wrap(_BREAK_AFTER_LOOSE.findall(piece), True)
                lines += head
            else:  # one unbroken run wider than the cell (a hash): cut where the room ends
                while not fits(piece):
                    cut = next((i for i in range(len(piece), 0, -1) if fits(piece[:i])), 1)
                    lines.append(piece[:cut])
                    piece = piece[cut:]
                line = piece
        return lines + ([line] if line else [])

    return [Paragraph("<br/>".join(escape(line) for line in wrap(_BREAK_AFTER.findall(ref), False)) or " ", style)
            for ref in references]


def markup(fragment: str, style: str = "base"):
    """A Paragraph of trusted markup written by this tool (never pass evidence here)."""
    from reportlab.platypus import Paragraph

    return Paragraph(fragment, styles()[style])


def badge(status: str):
    """A status word on its colour, as a one-cell table (it keeps its colour when the row breaks)."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, Table, TableStyle

    fill, ink = status_colours(status)
    style = ParagraphStyle("b", parent=styles()["badge"], textColor=ink)
    table = Table([[Paragraph(escape(status_label(status)), style)]], colWidths=[58])
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), fill),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2),
    ]))
    return table


def grid(rows: list[list], widths: list[float], header: bool = True, extra: Iterable[tuple] = (), repeat: bool = True):
    """A table with the house style: thin rules, a shaded header row repeated on each page."""
    from reportlab.platypus import Table, TableStyle

    table = Table(rows, colWidths=widths, repeatRows=1 if (header and repeat) else 0)
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.4, colour("rule")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 3.5), ("RIGHTPADDING", (0, 0), (-1, -1), 3.5),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colour("header")))
    table.setStyle(TableStyle(commands + list(extra)))
    return table


def header_row(*labels: str) -> list:
    return [text(label, "cell_bold") for label in labels]


def demo_banner(message: str):
    from reportlab.platypus import Table, TableStyle

    table = Table([[text(message, "verdict")]], colWidths=[None])
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), colour("demo_fill")),
        ("BOX", (0, 0), (-1, -1), 1.2, colour("demo_border")),
        ("TOPPADDING", (0, 0), (-1, -1), 7), ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
        ("LEFTPADDING", (0, 0), (-1, -1), 9), ("RIGHTPADDING", (0, 0), (-1, -1), 9),
    ]))
    return table


def verdict_box(message: str, ok: bool):
    from reportlab.platypus import Table, TableStyle

    fill, ink = status_colours("pass" if ok else "fail")
    table = Table([[text(message, "verdict")]], colWidths=[None])
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), fill), ("TEXTCOLOR", (0, 0), (-1, -1), ink),
        ("BOX", (0, 0), (-1, -1), 1, ink),
        ("TOPPADDING", (0, 0), (-1, -1), 7), ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
        ("LEFTPADDING", (0, 0), (-1, -1), 9),
    ]))
    return table


def key_values(pairs: list[tuple[str, Any]], label_width: float = 120):
    """Label / value lines (the cover); values are escaped text."""
    from reportlab.platypus import Table, TableStyle

    rows = [[text(label, "cover_label"), text(value, "cover_value")] for label, value in pairs]
    table = Table(rows, colWidths=[label_width, None])
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LINEBELOW", (0, 0), (-1, -1), 0.3, colour("rule")),
    ]))
    return table


# -- the document ---------------------------------------------------------------------------------

def pdf_date(instant) -> str:
    """A PDF date string (D:YYYYMMDDHHmmSS+HH'mm') of an aware datetime."""
    offset = int(instant.utcoffset().total_seconds() // 60) if instant.utcoffset() is not None else 0
    sign = "+" if offset >= 0 else "-"
    return f"{instant:D:%Y%m%d%H%M%S}{sign}{abs(offset) // 60:02d}'{abs(offset) % 60:02d}'"


def numbered_canvas(footer: str, created=None):
    """A canvas class that writes `footer` and "Page n of N" on every page but the cover.

    N is only known at the end, so pages are kept and drawn in `save()`. `created` (an aware
    datetime) becomes the document's creation and modification dates.
    """
    from reportlab.pdfgen.canvas import Canvas

    regular = fonts()[0]

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._saved: list[dict] = []
            if created is not None:  # /CreationDate and /ModDate: the run's own time, not reportlab's clock
                stamp = pdf_date(created)
                self.setDateFormatter(lambda *_: stamp)

        def showPage(self):  # noqa: N802 - reportlab's name
            self._saved.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._saved)
            for state in self._saved:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            width, _ = self._pagesize
            self.saveState()
            self.setFont(regular, 7)
            self.setFillColor(colour("muted"))
            self.setStrokeColor(colour("rule"))
            self.setLineWidth(0.4)
            self.line(PAGE_MARGIN, 30, width - PAGE_MARGIN, 30)
            self.drawString(PAGE_MARGIN, 20, _fit(self, footer, regular, 7, width - 2 * PAGE_MARGIN - 80))
            self.drawRightString(width - PAGE_MARGIN, 20, words("report", "page", page=self._pageNumber, pages=total))
            self.restoreState()

    return NumberedCanvas


def _fit(canvas, value: str, font: str, size: float, width: float) -> str:
    if canvas.stringWidth(value, font, size) <= width:
        return value
    while value and canvas.stringWidth(value + "…", font, size) > width:
        value = value[:-1]
    return value + "…"


def notice_stamp(marks: list[tuple[str, str]]):
    """SAMPLE / INTERIM at the top of every page, cover included: a page printed alone still says it."""
    if not marks:
        return None
    line = " · ".join(word for word, _ in marks)

    def stamp(canvas, document) -> None:
        from reportlab.lib.pagesizes import A4

        canvas.saveState()
        canvas.setFont(fonts()[1], 11)
        canvas.setFillColorRGB(0.63, 0.14, 0.11)
        canvas.drawRightString(A4[0] - 36, A4[1] - 24, line)
        canvas.restoreState()
    return stamp


def build_pdf(story: list, *, title: str, author: str, subject: str, footer: str,
              on_page: Callable | None = None, created=None) -> bytes:
    """Lay out `story` on A4 and return the PDF bytes.

    invariant=1: the bytes depend on the content only, not on the clock (the signature that
    audit.py adds afterwards carries its own time). The dates in /Info are `created` (the run's
    generation time), so they are true yet the same on every rendering of one run; without it,
    reportlab's fixed 2000-01-01.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, invariant=1,
        leftMargin=PAGE_MARGIN, rightMargin=PAGE_MARGIN, topMargin=PAGE_MARGIN, bottomMargin=48,
        title=title, author=author, subject=subject, creator="hds-audit", producer="hds-audit (reportlab)",
    )
    hook = on_page or (lambda canvas, document: None)
    doc.build(story, onFirstPage=hook, onLaterPages=hook, canvasmaker=numbered_canvas(footer, created))
    return buffer.getvalue()


def content_width() -> float:
    from reportlab.lib.pagesizes import A4

    return A4[0] - 2 * PAGE_MARGIN - 12  # the frame pads 6 points on each side
