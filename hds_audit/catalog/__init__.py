"""The control catalog: the HDS responsibility matrix and the Service Description's commitments."""

from hds_audit.catalog.load import CatalogError, load_catalog
from hds_audit.catalog.models import Binding, CheckRef, Control

__all__ = ["Binding", "CatalogError", "CheckRef", "Control", "load_catalog"]
