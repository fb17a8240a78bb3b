"""The language of the reports, the terminal summary and the proofs: English or French.

Texts are written in English in the code and templates; the French ones are gettext catalogs,
report_templates/locale/fr/LC_MESSAGES/hds_audit.po (the reports) and findings.po (the checks'
finding messages, hds_audit/i18n/messages.py), compiled (Babel) when first needed, so a translator
edits plain files and nothing is generated into the tree. Dates and numbers take the locale's form
(CLDR, through Babel).

`with language("fr"): ...` sets the language of everything rendered inside; `_()` translates.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from functools import cache
from typing import Any

from hds_audit.paths import data_dir

LANGUAGES: tuple[str, ...] = ("en", "fr")
DEFAULT = "en"
DOMAIN = "hds_audit"
LOCALES = {"en": "en_GB", "fr": "fr_FR"}  # en_GB: day-month-year dates, as European readers expect

_current: ContextVar[str] = ContextVar("hds_audit_language", default=DEFAULT)


class LanguageError(ValueError):
    """A language the tool has no catalog for."""


def check(lang: str | None) -> str:
    """`lang` normalised ("FR", "fr_FR" -> "fr"); None is the default."""
    if lang is None:
        return DEFAULT
    short = str(lang).strip().lower().replace("-", "_").split("_")[0]
    if short not in LANGUAGES:
        raise LanguageError(f"language '{lang}' is not one of: {', '.join(LANGUAGES)}")
    return short


@cache
def translations(lang: str) -> gettext.NullTranslations:
    if lang == DEFAULT:
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo

    catalog = read_catalog(lang)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def catalog_files(lang: str) -> list:
    """The .po files of `lang`: the reports' texts (hds_audit.po) first, then the others (findings.po: the checks'
    finding messages), kept apart so that each has its translators and its reviews."""
    folder = data_dir("report_templates") / "locale" / lang / "LC_MESSAGES"
    main = folder / f"{DOMAIN}.po"
    return [main] + sorted(p for p in folder.glob("*.po") if p != main)


def read_catalog(lang: str):
    """Every .po of `lang` as one Babel catalog (its first file's header: plural forms)."""
    from babel.messages.pofile import read_po

    catalog = None
    for path in catalog_files(lang):
        with path.open("rb") as handle:
            part = read_po(handle, locale=LOCALES[lang], domain=DOMAIN)
        if catalog is None:
            catalog = part
            continue
        for message in part:
            if message.id:
                catalog[message.id] = message
    return catalog


@contextmanager
def language(lang: str | None) -> Iterator[str]:
    token = _current.set(check(lang))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def current() -> str:
    return _current.get()


def locale() -> str:
    return LOCALES[current()]


def _(message: str, **values: Any) -> str:
    """`message` in the current language, its {placeholders} filled in."""
    text = translations(current()).gettext(message)
    return text.format(**values) if values else text


def ngettext(singular: str, plural: str, n: int, **values: Any) -> str:
    text = translations(current()).ngettext(singular, plural, n)
    return text.format(n=number(n), **values)


def number(value: int | float) -> str:
    from babel.numbers import format_decimal

    return format_decimal(value, locale=locale())


def day(value: date | datetime | None) -> str:
    """A date as the locale writes it in full: 1 July 2026, 1 juillet 2026."""
    from babel.dates import format_date

    if value is None:
        return "—"
    if isinstance(value, datetime):
        from hds_audit.calendar.instants import PARIS

        value = value.astimezone(PARIS).date()
    return format_date(value, format=_first_of_month(value) or "long", locale=locale())


def moment(value: datetime | None) -> str:
    """A date and time in Paris time, as the locale writes it, with its offset (UTC+2)."""
    from babel.dates import format_datetime

    from hds_audit.calendar.instants import PARIS

    if value is None:
        return "—"
    local = value.astimezone(PARIS)
    pattern = (_first_of_month(local) or "d MMMM y") + " HH:mm:ss"
    return format_datetime(local, pattern, tzinfo=PARIS, locale=locale()) + " (" + _utc_offset(local) + ")"


def _first_of_month(value: date) -> str | None:
    """French writes the first of a month as an ordinal, "1er juillet 2026" (CLDR's pattern gives "1 juillet")."""
    return "d'er' MMMM y" if current() == "fr" and value.day == 1 else None


def _utc_offset(value: datetime) -> str:
    minutes = int(value.utcoffset().total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def every_language(message: str) -> set[str]:
    """`message` as each language writes it: a workbook filled in French is read back by its English names."""
    return {message} | {translations(lang).gettext(message) for lang in LANGUAGES}
