"""What a check is: a pure function of evidence tables, parameters and the period, returning findings.

Checks never read files; the engine hands them the evidence kinds they declare in `needs`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, create_model

from hds_audit.calendar.period import Period
from hds_audit.evidence.tenant import Policy, Tenant
from hds_audit.i18n.messages import Message
from hds_audit.ordering import natural_key
from hds_audit.states import Status


@dataclass(frozen=True)
class Finding:
    object: str  # the thing at fault, as the evidence names it
    message: str  # in English: a check passes a Message (msg/nmsg), kept as `template` for the reports' languages
    evidence: tuple[str, ...] = ()  # "file#record" references
    status: Status = Status.FAIL
    waiver: str | None = None  # why a failing finding is waived
    cause: str | None = None  # the object this one stems from (a backup's server): its root cause
    template: Message | None = field(default=None, compare=False)  # the message to render in another language
    waiver_template: Message | None = field(default=None, compare=False)  # `waiver` likewise (its justification as written)

    def __post_init__(self) -> None:
        if isinstance(self.message, Message):
            object.__setattr__(self, "template", self.message)
            object.__setattr__(self, "message", str(self.message))
        if isinstance(self.waiver, Message):
            object.__setattr__(self, "waiver_template", self.waiver)
            object.__setattr__(self, "waiver", str(self.waiver))

    def text(self) -> str:
        """The message in the language being rendered (hds_audit.i18n.language)."""
        return self.template.render() if self.template is not None else self.message

    def waiver_text(self) -> str:
        """`waiver` in the language being rendered; the officer's justification stays as written."""
        if self.waiver_template is not None:
            return self.waiver_template.render()
        return self.waiver or ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"object": self.object, "message": self.message, "evidence": list(self.evidence)}
        if self.status is not Status.FAIL:
            out["status"] = self.status.value
        if self.waiver:
            out["waiver"] = self.waiver
            if self.waiver_template is not None:  # additive, as message_template
                words = self.waiver_template.to_json()
                out["waiver_template"], out["waiver_params"] = words["template"], words["params"]
        if self.cause:
            out["cause"] = self.cause
        if self.template is not None:  # additive: what `report` needs to render a read-back run in French
            words = self.template.to_json()
            out["message_template"] = words["template"]
            if "plural" in words:
                out["message_plural"] = words["plural"]
            out["message_params"] = words["params"]
        return out

    @staticmethod
    def waiver_from_json(data: dict[str, Any]) -> Message | str | None:
        if "waiver_template" not in data:
            return data.get("waiver")
        return Message.from_json({"template": data["waiver_template"], "params": data.get("waiver_params")})

    @staticmethod
    def template_from_json(data: dict[str, Any]) -> Message | None:
        if "message_template" not in data:
            return None
        return Message.from_json({"template": data["message_template"], "plural": data.get("message_plural"),
                                  "params": data.get("message_params")})

    def sort_key(self) -> tuple:
        # messages naturally (`row 9999: ...` before `row 10000: ...`, as the file shows them); objects as written
        # (resource ids and hex names are no numbers)
        return (self.status.value, self.object, natural_key(self.message))


@dataclass
class Outcome:
    findings: list[Finding] = field(default_factory=list)
    not_applicable: str | Message | None = None  # reason the check does not apply
    manual: str | Message | None = None  # what a human must attest
    details: dict[str, Any] = field(default_factory=dict)  # tables for reports (gaps, deletion timeline...)


@dataclass(frozen=True)
class CheckInput:
    evidence: dict[str, Any]  # kind name -> its data (None for an absent optional kind)
    params: dict[str, Any]  # tenant policy with binding overrides
    period: Period
    tenant: Tenant
    files: dict[str, list[str]] = field(default_factory=dict)  # kind name -> files it was read from

    def file(self, kind: str, default: str = "") -> str:
        """The (first) file a kind was read from, for evidence references."""
        return (self.files.get(kind) or [default])[0]

    def __getitem__(self, kind: str) -> Any:
        return self.evidence[kind]


CheckFunction = Callable[[CheckInput], Outcome]

# What a check judges: the tenant's configuration (settings in the Terraform state or the inventory),
# activity (traces), tabular evidence (listings, registers, tickets) or documents (tenant.yaml,
# attestations, certificates). `gate --config-only` runs the configuration checks.
Category = Literal["configuration", "activity", "tabular", "document"]
Severity = Literal["high", "medium", "low"]  # carried by each finding of the check (contract §5)


class CheckParams(BaseModel):
    """The parameters a check reads: unknown keys and wrong types are refused when the catalog loads."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def policy_params(*names: str) -> type[CheckParams]:
    """A parameters model of the tenant policy's fields `names`, types, bounds and defaults included,
    so that a binding's `params:` is held to what tenant.yaml's `policy:` would be."""
    fields = {name: (Policy.model_fields[name].annotation, Policy.model_fields[name]) for name in names}
    return create_model("Params_" + "_".join(names or ("none",)), __base__=CheckParams, **fields)


NO_PARAMS = policy_params()


class CheckDetails(BaseModel):
    """The `details` of a check that reports or proofs read: the keys they rely on, typed. Other keys
    (notes, counts) pass through untouched."""

    model_config = ConfigDict(extra="allow")


@dataclass(frozen=True)
class CheckSpec:
    id: str
    title: str
    needs: tuple[str, ...]  # evidence kinds without which the check is `error`
    optional: tuple[str, ...]  # kinds used when present
    run: CheckFunction
    # whether the check applies to this tenant at all (e.g. only after a contract end): decided
    # from tenant.yaml before any evidence is read, so broken evidence cannot make it `error`
    applies: Callable[[Tenant], str | Message | None] | None = None  # returns the reason it does not apply
    params: type[CheckParams] = NO_PARAMS  # what a binding's `params:` may set
    category: Category | None = None  # None only for a check that has not declared it yet (a test catches it)
    severity: Severity | None = None
    details: type[CheckDetails] | None = None  # the typed form of Outcome.details, for its readers

    def read_details(self, details: dict[str, Any] | None) -> CheckDetails:
        """A result's details in this check's typed form (an empty one when there are none)."""
        model = self.details or CheckDetails
        return model.model_validate(details or {})
