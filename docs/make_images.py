"""Regenerate the report images of docs/user-guide.md from the violations sample, in English and French.

PDF pages with pdftoppm (poppler-utils) at 55 dpi, found by their heading rather than by number (pages move
as the report grows); the French HTML report with headless Chromium, at two thirds of a 1100-pixel window.
Run from the repository's root: `python docs/make_images.py`; look at every image before committing it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

IMAGES = Path(__file__).resolve().parent / "images"
DPI = "55"
# image -> (language, the heading its page opens with, crop box or None)
PAGES = {
    "report-summary.png": ("en", "Executive summary", None),
    "report-overview.png": ("en", "Summary", None),
    "report-charts.png": ("en", "Audit trail volume per day", (0, 25, 455, 325)),
    "report-findings.png": ("en", "Findings per control", None),
    "report-executive-fr.png": ("fr", "Synthèse pour la direction", None),
    "report-findings-fr.png": ("fr", "Constats par contrôle", None),
    "report-cover-fr.png": ("fr", None, (0, 0, 455, 390)),  # the cover: the EXEMPLE notice, the scope in French
    "report-charts-fr.png": ("fr", "Indicateurs", (0, 25, 455, 345)),
}
STAMPS = {"SAMPLE", "EXEMPLE"}  # the notice at the top of every page of the sample's report


def run(sample: str, lang: str, out: Path) -> Path:
    subprocess.run([sys.executable, "-m", "hds_audit", "run", sample, "--period", "2026-Q3", "--lang", lang, "--out", str(out)],
                   check=False, capture_output=True)  # exit 1: the sample's controls fail on purpose
    return out


def page_with(pdf: Path, heading: str | None) -> int:
    """The page opening with `heading`; the cover for None."""
    if heading is None:
        return 1
    pages = int(next(line.split()[-1] for line in subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                                                                check=True).stdout.splitlines() if line.startswith("Pages:")))
    for page in range(2, pages + 1):  # the cover never
        text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"], capture_output=True, text=True).stdout
        lines = [line.strip() for line in text.splitlines() if line.strip() and line.strip() not in STAMPS]
        if lines and lines[0].startswith(heading):
            return page
    raise SystemExit(f"no page of {pdf} opens with {heading!r}")


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="hds-audit-images-"))
    folders = {lang: run("samples/violations", lang, work / lang) for lang in ("en", "fr")}
    for name, (lang, heading, box) in PAGES.items():
        pdf = folders[lang] / "report.pdf"
        page = page_with(pdf, heading)
        stem = work / name.removesuffix(".png")
        subprocess.run(["pdftoppm", "-f", str(page), "-l", str(page), "-r", DPI, "-png", "-singlefile", str(pdf), str(stem)], check=True)
        image = Image.open(f"{stem}.png")
        (image.crop(box) if box else image).save(IMAGES / name)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("chromium is not installed: report-html-fr.png was not made")
    shot = work / "html-fr.png"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
                    f"--user-data-dir={work / 'profile'}", "--window-size=1100,1500", f"--screenshot={shot}",
                    (folders["fr"] / "report.html").as_uri()], check=True, capture_output=True)
    Image.open(shot).resize((733, 1000), Image.LANCZOS).save(IMAGES / "report-html-fr.png")
    shutil.rmtree(work)
    print(f"images written to {IMAGES}")


if __name__ == "__main__":
    main()
