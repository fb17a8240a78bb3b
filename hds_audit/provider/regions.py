"""Regions and their countries (§3.2), and which countries are in the European Union (§6.11.1).

The table is data, in `controls/regions.yaml`. A region is known when the table lists it or the
tenant declares it in `tenant.yaml` `declared_regions` ({region: ISO country}); the table wins when
both name a region (a declaration cannot move Paris).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

FILE_NAME = "regions.yaml"
ISO_ALIASES = {"EL": "GR", "UK": "GB"}  # abbreviations people write instead of ISO 3166-1 alpha-2


class RegionsError(ValueError):
    """The regions table cannot be read or breaks its schema."""


class _Region(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    city: str
    country: str = Field(pattern=r"^[A-Z]{2}$")
    note: str | None = None


class RegionsTable(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    schema_: Literal["hds-audit/regions/v1"] = Field(alias="schema")
    source: str
    eea_counts_as_eu: Literal[False]
    eu_member_states: frozenset[str] = Field(min_length=27, max_length=27)
    regions: dict[str, _Region]

    @field_validator("regions")
    @classmethod
    def _lowercase_names(cls, value: dict[str, _Region]) -> dict[str, _Region]:
        return {name.strip().lower(): region for name, region in value.items()}


@dataclass(frozen=True)
class RegionInfo:
    region: str
    country: str  # as known or declared, normalised to upper case
    city: str | None
    source: Literal["table", "declared"]
    note: str | None = None

    @property
    def eu(self) -> bool:
        return is_eu(self.country)

    def describe(self) -> str:
        where = f"{self.city}, {self.country}" if self.city else self.country
        return f"{self.region} ({where})"


def default_path() -> Path:
    from hds_audit.paths import data_dir

    return data_dir("controls") / FILE_NAME


@lru_cache(maxsize=4)
def load_table(path: str | Path | None = None) -> RegionsTable:
    path = Path(path) if path else default_path()
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        return RegionsTable.model_validate(document)
    except (OSError, yaml.YAMLError) as exc:
        raise RegionsError(f"{path}: cannot be read: {exc}") from exc
    except ValidationError as exc:
        reasons = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise RegionsError(f"{path}: {reasons}") from exc


def norm(region: str | None) -> str | None:
    """Region names compare without case or surrounding blanks."""
    if region is None:
        return None
    text = str(region).strip().lower()
    return text or None


def norm_country(country: Any) -> str | None:
    if country is None:
        return None
    text = str(country).strip().upper()
    return ISO_ALIASES.get(text, text) or None


def region_info(region: str | None, tenant: Any = None) -> RegionInfo | None:
    """What is known of `region`: from the table, else from the tenant's declaration, else None."""
    key = norm(region)
    if key is None:
        return None
    known = load_table().regions.get(key)
    if known is not None:
        return RegionInfo(key, known.country, known.city, "table", known.note)
    for name, country in (getattr(tenant, "declared_regions", None) or {}).items():
        if norm(name) == key:
            return RegionInfo(key, norm_country(country) or "", None, "declared")
    return None


def country_of(region: str | None, tenant: Any = None) -> str | None:
    info = region_info(region, tenant)
    return info.country if info else None


def is_eu(country: str | None) -> bool:
    """Whether an ISO 3166-1 alpha-2 code is a member state of the European Union (EEA excluded)."""
    code = norm_country(country)
    return code is not None and code in load_table().eu_member_states


def known_regions() -> dict[str, RegionInfo]:
    return {name: RegionInfo(name, r.country, r.city, "table", r.note) for name, r in load_table().regions.items()}


def conflicting_declarations(tenant: Any) -> list[tuple[str, str, str]]:
    """(region, declared country, table country) where tenant.yaml contradicts the table."""
    out = []
    table = load_table().regions
    for name, country in (getattr(tenant, "declared_regions", None) or {}).items():
        known = table.get(norm(name) or "")
        if known is not None and norm_country(country) != known.country:
            out.append((name, str(country), known.country))
    return out
