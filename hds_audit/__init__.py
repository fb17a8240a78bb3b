"""hds-audit: audit a Flexible Engine tenant against its HDS duties."""

import sys as _sys

__version__ = "0.1.0"

# great-expectations imports pyspark's Spark Connect client when pyspark is installed (the `spark` extra); that
# client calls sys.exit(0) when `__main__` is no script (pytest-xdist workers, embedded interpreters). hds-audit
# never uses Spark Connect: where the client would exit, it is made unimportable, which great-expectations expects.
_main = _sys.modules.get("__main__")
if _main is not None and getattr(_main, "__spec__", None) is None and not hasattr(_main, "__file__") \
        and not hasattr(_sys, "ps1"):
    _sys.modules.setdefault("pyspark.sql.connect", None)
