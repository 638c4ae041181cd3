"""Where moto differs from AWS for this stack, one module per fix.

Each module in this package defines ``apply(options)``, which patches moto in
moto's own style: state on moto's backend models (so ``/moto-api/reset``
clears it), operations as methods of moto's response classes. ``apply_all``
runs every module once, in name order, before the server starts.

The table in ``emulator/README.md`` lists each fix, the AWS behaviour it
reproduces, and whether it is worth contributing to moto.
"""

from __future__ import annotations

import importlib
import pkgutil

_applied = False


def apply_all(options) -> None:
    global _applied
    if _applied:
        return
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        module.apply(options)
    _applied = True
