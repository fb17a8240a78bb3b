"""A finding's message as a gettext template and its values, so that a report renders it in its language.

A check writes `msg("{n} backup(s) of {name} ...", n=3, name=...)`, or `nmsg(singular, plural, n=...)` where the
count decides the form. The English text (`str(message)`) is what results.json's `message` has always held, byte for
byte: values are written as the checks always wrote them (instants in ISO 8601, numbers as Python prints them). In
another language the template is translated (report_templates/locale/*/LC_MESSAGES/*.po) and numbers, dates and
instants take the locale's form (Babel); text values are evidence (file, account, bucket, region names) and are never
translated. A value may itself be a message: it is rendered in the same language.

results.json carries the template and the values beside the English `message` (`message_template`,
`message_plural`, `message_params`), so that `report` and `review import` re-render a read-back run in French.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from hds_audit import i18n

NONE = "—"  # an instant that is not known, as the checks always wrote it
TEMPLATE_KEYS = ("message_template", "message_plural", "message_params")  # a finding's message in results.json, but English


@dataclass(frozen=True)
class Message:
    template: str  # the English text with {placeholders}: the gettext message id
    params: tuple[tuple[str, Any], ...] = ()  # a tuple, not a dict: findings are frozen and hashable
    plural: str | None = None  # the plural form's id; the count is the value `n`

    def __str__(self) -> str:
        return self.render("en")

    def values(self) -> dict[str, Any]:
        return dict(self.params)

    def render(self, lang: str | None = None) -> str:
        """The text in `lang` (by default the language being rendered: hds_audit.i18n.language)."""
        lang = i18n.current() if lang is None else i18n.check(lang)
        values = self.values()
        words = i18n.translations(lang)
        if self.plural is None:
            pattern = words.gettext(self.template)
        else:
            pattern = words.ngettext(self.template, self.plural, int(values.get("n") or 0))
        return pattern.format(**{name: _value(value, lang) for name, value in values.items()})

    def naming(self, rule: Rule) -> Message:
        """This message with the plain text of `rule` (as read back from results.json) typed as that Rule again."""
        said = str(rule)
        return Message(self.template, tuple((k, rule if v == said else v) for k, v in self.params), self.plural)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"template": self.template}
        if self.plural is not None:
            out["plural"] = self.plural
        out["params"] = {name: _encode(value) for name, value in self.params}
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Message:
        params = tuple((str(k), _decode(v)) for k, v in (data.get("params") or {}).items())
        return cls(str(data["template"]), params, data.get("plural"))


KEPT, _PLAIN = "msg:", "txt:"  # a reason kept as text (trace cache, Spark rows) that is a message: its template and values as JSON


def kept(reason: Any) -> str:
    """A reason as text that keeps its template, so that it renders in the report's language once read back (unkept)."""
    if isinstance(reason, Message):
        return KEPT + json.dumps(reason.to_json(), ensure_ascii=False)
    text = str(reason)
    # a plain text that happens to begin like a kept one is escaped, so it is never read back as a message
    return _PLAIN + text if text.startswith((KEPT, _PLAIN)) else text


def unkept(text: str) -> Message | str:
    """A reason written by kept(): the Message again, or the plain text it was."""
    if text.startswith(_PLAIN):
        return text.removeprefix(_PLAIN)
    if not text.startswith(KEPT):
        return text
    return Message.from_json(json.loads(text.removeprefix(KEPT)))


@dataclass(frozen=True)
class Country:
    """An ISO 3166-1 country as a message value: its code in English (as the checks always wrote it), its name in
    another language (CLDR's territory names, through Babel)."""

    code: str

    def __str__(self) -> str:
        return self.code


@dataclass(frozen=True)
class Quote:
    """Words quoted from the Service Description (English, the contract's language) as a message value: as written in
    English; in another language its translation (the catalogs), saying it translates the contract's words."""

    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Rule:
    """A control named in a message: "rule (control id)" in English, as the checks always wrote it and as results.json
    keeps it (a plain string); in another language the rule's translation (hds_audit/i18n/matrix.py). Read back from
    results.json it is that plain string until its check types it again (checks/attestation.py rule_named)."""

    rule: str | None
    control: str

    def __str__(self) -> str:
        return f"{self.rule} ({self.control})" if self.rule and self.rule != self.control else self.control

    def render(self, lang: str) -> str:
        from hds_audit.i18n.matrix import text

        return str(Rule(text(self.rule, lang) if self.rule else self.rule, self.control))


def msg(template: str, **values: Any) -> Message:
    """A message to render later in the report's language (a gettext keyword: Babel extracts `template`)."""
    return Message(template, _frozen(values))


def nmsg(singular: str, plural: str, n: int, **values: Any) -> Message:
    """A message whose form follows the count `n` (a gettext keyword: Babel extracts both forms)."""
    return Message(singular, (("n", n), *_frozen(values)), plural)


def _frozen(values: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple((name, tuple(value) if isinstance(value, list) else value) for name, value in values.items())


def semicolons(items: list[Any]) -> Any:
    """Items one after the other, each ended by a semicolon but the last, as the checks list unlike things."""
    out = items[0]
    for item in items[1:]:
        out = msg("{first}; {second}", first=out, second=item)
    return out


def finding_text(finding: Any) -> str:
    """A finding's message in the language being rendered: a Finding, or a finding as results.json holds it."""
    if isinstance(finding, dict):
        if "message_template" not in finding:
            return str(finding.get("message") or "")
        return Message.from_json({"template": finding["message_template"], "plural": finding.get("message_plural"),
                                  "params": finding.get("message_params")}).render()
    return finding.text()


def note_fields(message: Message) -> dict[str, Any]:
    """A check's `details["note"]` in English, its template and values beside it (as a finding's message)."""
    words = message.to_json()
    return {"note": str(message), "note_template": words["template"], "note_params": words["params"]}


def details_note(details: dict[str, Any]) -> str | None:
    """A `details` note (note_fields) in the language being rendered, or as written."""
    if "note_template" not in details:
        return details.get("note")
    return Message.from_json({"template": details["note_template"], "params": details.get("note_params")}).render()


def waiver_text(finding: Any) -> str:
    """A finding's waiver line in the language being rendered: a Finding, or a finding as results.json holds it."""
    if not isinstance(finding, dict):
        return finding.waiver_text()
    if "waiver_template" not in finding:
        return str(finding.get("waiver") or "")
    return Message.from_json({"template": finding["waiver_template"], "params": finding.get("waiver_params")}).render()


def note_text(check: Any) -> str:
    """A check's note (why it does not apply, what a person must attest) in the language being rendered: a
    CheckResult, or a check as results.json holds it."""
    if not isinstance(check, dict):
        return check.note_text() or ""
    if "note_template" not in check:
        return str(check.get("note") or "")
    return Message.from_json({"template": check["note_template"], "params": check.get("note_params")}).render()


def text(message: Message | str | None) -> str:
    """A message (or a plain text) in the language being rendered."""
    if isinstance(message, Message):
        return message.render()
    return "" if message is None else str(message)


def _value(value: Any, lang: str) -> str:
    english = lang == i18n.DEFAULT
    if isinstance(value, Message):
        return value.render(lang)
    if value is None:
        return NONE
    if isinstance(value, tuple | list):  # items of one kind, as the checks list them
        return ", ".join(_value(item, lang) for item in value)
    if isinstance(value, datetime):
        from hds_audit.calendar.instants import iso

        return iso(value) if english else _in(lang, i18n.moment, value)
    if isinstance(value, date):
        return value.isoformat() if english else _in(lang, i18n.day, value)
    if isinstance(value, Country):
        return value.code if english else _country(value.code, lang)
    if isinstance(value, Quote):
        return value.text if english else _quote(value.text, lang)
    if isinstance(value, Rule):
        return str(value) if english else value.render(lang)
    if isinstance(value, bool) or isinstance(value, str) or english:
        return str(value)
    if isinstance(value, int | float | Decimal):
        from babel.numbers import format_decimal

        return format_decimal(value, locale=i18n.LOCALES[lang], decimal_quantization=False)
    return str(value)


def _quote(text: str, lang: str) -> str:
    words = i18n.translations(lang)
    translated = words.gettext(text)
    if translated == text:  # nothing to translate (N/A, a figure)
        return text
    return msg("{translation} (the Service Description: “{original}”)", translation=translated, original=text).render(lang)


def _country(code: str, lang: str) -> str:
    from babel import Locale

    return Locale.parse(i18n.LOCALES[lang]).territories.get(code.upper(), code)


def _in(lang: str, helper, value) -> str:
    with i18n.language(lang):
        return helper(value)


def _encode(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_encode(item) for item in value]
    if isinstance(value, Message):
        return value.to_json()
    if isinstance(value, datetime):
        from hds_audit.calendar.instants import iso

        return {"instant": iso(value)}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, Country):
        return {"country": value.code}
    if isinstance(value, Quote):
        return {"quote": value.text}
    if isinstance(value, Rule):
        return str(value)  # results.json as it has always been
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_decode(item) for item in value)
    if not isinstance(value, dict):
        return value
    if "template" in value:
        return Message.from_json(value)
    if "instant" in value:
        from hds_audit.calendar.instants import parse_instant

        return parse_instant(value["instant"])
    if "date" in value:
        return date.fromisoformat(value["date"])
    if "decimal" in value:
        return Decimal(value["decimal"])
    if "country" in value:
        return Country(str(value["country"]))
    if "quote" in value:
        return Quote(str(value["quote"]))
    raise ValueError(f"not a message value: {value!r}")
