"""hds-audit: audit a Flexible Engine tenant against its HDS duties."""

__version__ = "0.1.0"
