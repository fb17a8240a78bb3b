"""Catalog records, validated by pydantic: a control is a matrix row (or a commitment) plus its binding."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Responsibility = Literal["customer", "provider", "shared"]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("'", "")).strip("-")


class Control(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.\-]*$")
    domain: str = Field(min_length=1)
    rule: str = Field(min_length=1)
    detail: str = ""
    responsibility: Responsibility
    customer_responsibility: str = ""
    provider_responsibility: str = ""
    section: str = "9.1"  # where the Service Description states it
    source: Literal["matrix", "commitment"] = "matrix"

    @field_validator("responsibility", mode="before")
    @classmethod
    def _words(cls, value: Any) -> Any:
        if isinstance(value, str):
            word = value.strip().lower()
            return word.removeprefix("the ").strip()
        return value


class CheckRef(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    params: dict[str, Any] = Field(default_factory=dict)


class Binding(BaseModel):
    model_config = ConfigDict(extra="forbid")
    checks: list[CheckRef] = Field(default_factory=list)
    attestation: bool = False
    provider: bool = False

    @field_validator("checks", mode="before")
    @classmethod
    def _short_form(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"id": item} if isinstance(item, str) else item for item in value]
        return value

    @model_validator(mode="after")
    def _evidenced(self) -> Binding:
        if not (self.checks or self.attestation or self.provider):
            raise ValueError("a binding needs checks, attestation: true or provider: true")
        return self

    def check_ids(self) -> list[str]:
        """The ids of check_refs, without needing the control (for a binding that matches no rule)."""
        return [ref.id for ref in self.check_refs(None)]

    def check_refs(self, control: Control | None) -> list[CheckRef]:
        """Every check this control runs; attestation and provider evidence are checks too."""
        refs = list(self.checks)
        if self.provider:
            refs.append(CheckRef(id="provider.certificates_valid"))
        if self.attestation:
            refs.append(CheckRef(id="attestation.current", params={"control": control.id, "rule": control.rule} if control else {}))
        return refs
