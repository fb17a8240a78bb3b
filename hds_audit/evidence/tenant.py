"""`tenant.yaml`: who is audited, what is allowed, and the policy the checks apply
(docs/user-guide.md "The evidence bundle")."""

from __future__ import annotations

import fnmatch
import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from hds_audit.evidence.bundle import Bundle
from hds_audit.evidence.yaml_errors import read_yaml
from hds_audit.calendar.instants import parse_instant

NAME = "tenant"
DESCRIPTION = "tenant.yaml: tenant, support plan, allowed regions, scope, contract dates, policy"
FILE = "tenant.yaml"

SupportPlan = Literal["basic", "standard", "business", "business_europe", "premium", "platinum"]


class TenantError(Exception):
    """tenant.yaml is absent or unusable: no report can be made (exit 2)."""


def _compiles(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"not a regular expression: {exc}") from exc
    return value


# the check travels with the type, so a check's parameters model built from Policy's fields keeps it
RegularExpression = Annotated[str, AfterValidator(_compiles)]


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid")
    trace_max_gap_hours: float = Field(24, gt=0)
    trace_retention_days: int = Field(365, gt=0)
    backup_rpo_hours: float = Field(24, gt=0)
    restore_test_max_age_days: int = Field(365, gt=0)
    attestation_max_age_days: int = Field(365, gt=0)
    support_invitation_max_days: float = Field(7, ge=0)
    generic_account_pattern: RegularExpression = r"^(admin|administrator|root|test|guest|shared|support|ops|demo|user[0-9]*)$"


class Scope(BaseModel):
    """`scope: all`, or `scope: {tag: "key=value", buckets: [names or globs]}`.

    OBS buckets carry no tags in the Flexible Engine provider, so the tag can never select one: `buckets`
    (names or shell globs, `chx-*`) does, and without it every bucket is in scope.
    """

    model_config = ConfigDict(extra="forbid")
    tag: str | None = None
    buckets: list[str] | None = None

    @field_validator("buckets", mode="before")
    @classmethod
    def _bucket_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [value]
        if isinstance(value, list) and not all(isinstance(v, str) and v.strip() for v in value):
            raise ValueError("scope buckets must be bucket names or globs (non-empty texts)")
        return value

    @field_validator("tag")
    @classmethod
    def _key_value(cls, value: str | None) -> str | None:
        if value is not None and "=" not in value:
            raise ValueError("scope tag must read key=value")
        return value

    @property
    def all(self) -> bool:
        return self.tag is None and self.buckets is None

    def matches(self, tags: dict[str, Any] | None) -> bool:
        if self.tag is None:
            return True
        key, value = self.tag.split("=", 1)
        return str((tags or {}).get(key.strip())) == value.strip()

    def matches_bucket(self, name: str | None) -> bool:
        """A bucket is in scope when `buckets` names it (case-sensitive, as OBS names are), or when `buckets` is not set."""
        if self.buckets is None:
            return True
        return name is not None and any(fnmatch.fnmatchcase(name, pattern.strip()) for pattern in self.buckets)

    def describe(self) -> str:
        """In English, as results.json keeps it (from_description reads it back)."""
        return str(self.describe_message())

    def describe_message(self):
        """The scope in the reports' languages."""
        from hds_audit.i18n.messages import msg

        if self.all:
            return msg("all resources")
        resources = msg("resources tagged {tag}", tag=self.tag) if self.tag else msg("all resources but buckets")
        if self.buckets is None:
            return msg("{resources} and every bucket", resources=resources)
        return msg("{resources} and buckets {buckets}", resources=resources, buckets=", ".join(self.buckets))

    @classmethod
    def from_description(cls, text: str) -> Scope:
        """The scope `describe()` wrote (results.json keeps that text): its exact inverse (a test proves it)."""
        if text == "all resources":
            return cls()
        subject, _, buckets = text.rpartition(" and ")  # bucket names hold no spaces; a tag may
        if subject == "all resources but buckets":
            tag = None
        elif subject.startswith("resources tagged "):
            tag = subject.removeprefix("resources tagged ")
        else:
            raise ValueError(f"not a scope description: {text!r}")
        if buckets == "every bucket":
            return cls(tag=tag)
        if not buckets.startswith("buckets"):
            raise ValueError(f"not a scope description: {text!r}")
        names = buckets.removeprefix("buckets").strip()
        return cls(tag=tag, buckets=names.split(", ") if names else [])


class Tenant(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tenant_id: str
    name: str
    support_plan: SupportPlan
    allowed_regions: list[str] = Field(min_length=1)
    default_region: str | None = None
    declared_regions: dict[str, str] = Field(default_factory=dict)
    scope: Scope = Field(default_factory=Scope)
    contract_end: datetime | None = None
    tenant_deletion_requested_at: datetime | None = None
    tenant_deleted_at: datetime | None = None
    policy: Policy = Field(default_factory=Policy)
    language: str | None = None  # of the reports: en or fr (`--lang` overrides it)
    engine: Literal["duckdb", "spark"] = "duckdb"  # of the trace checks (`--engine` overrides it; docs/scaling.md)
    spark_master: str | None = None  # with engine spark: where it runs (`--spark-master`; default local[*])
    cache: bool = True  # the trace cache (`--no-cache` turns it off; docs/user-guide.md, "The trace cache")

    @field_validator("language", mode="before")
    @classmethod
    def _language(cls, value: Any) -> Any:
        from hds_audit.i18n import check

        return None if value in (None, "") else check(str(value))

    @field_validator("scope", mode="before")
    @classmethod
    def _scope_all(cls, value: Any) -> Any:
        if value in ("all", None):
            return {}
        return value

    @field_validator("declared_regions", mode="before")
    @classmethod
    def _norway(cls, value: Any) -> Any:
        # YAML 1.1 reads a bare NO (no, No) as false, and NO (Norway) is the only ISO country code it turns into a
        # boolean: a false country can only have been written NO
        if isinstance(value, dict):
            return {region: "NO" if country is False else country for region, country in value.items()}
        return value

    @field_validator("support_plan", mode="before")
    @classmethod
    def _plan_words(cls, value: Any) -> Any:
        return value.strip().lower().replace(" ", "_") if isinstance(value, str) else value

    @field_validator("contract_end", "tenant_deletion_requested_at", "tenant_deleted_at", mode="before")
    @classmethod
    def _instants(cls, value: Any) -> Any:
        if value is None or value == "":
            return None
        # everything else through parse_instant, which refuses a number: pydantic would read 20260331 as seconds
        return parse_instant(value)


def load(bundle: Bundle) -> Tenant:
    if not bundle.exists(FILE):
        raise TenantError(f"{FILE} is missing from bundle {bundle.url}; it is required (tenant, support plan, allowed regions): "
                          "`hds-audit init DIR` writes one to fill in and overwrites nothing; the bundle's layout is in "
                          "docs/user-guide.md, section \"The evidence bundle\"")
    document, problem = read_yaml(bundle, FILE)
    if problem is not None:
        raise TenantError(f"{FILE}{' ' + problem.record if problem.record else ''}: {problem.reason}")
    if not isinstance(document, dict):
        raise TenantError(f"{FILE} must be a mapping of keys (tenant_id, name, support_plan, ...)")
    try:
        return Tenant.model_validate(document)
    except ValidationError as exc:
        reasons = "; ".join(_reason(e) for e in exc.errors())
        raise TenantError(f"{FILE} breaks its contract: {reasons}") from exc


def _reason(error) -> str:
    where = ".".join(map(str, error["loc"]))
    if error["type"] == "extra_forbidden" and error["loc"][:1] == ("policy",):
        from difflib import get_close_matches

        close = get_close_matches(str(error["loc"][-1]), list(Policy.model_fields), n=1)
        return f"{where}: unknown policy key " + (f"(did you mean '{close[0]}'?)" if close else f"(known: {', '.join(Policy.model_fields)})")
    return f"{where}: {error['msg']}"
