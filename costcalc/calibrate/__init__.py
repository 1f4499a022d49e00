"""Calibrations for closed tokenizers: tables (schema, store), vendor counting clients and usage-log fitting.

Importing this package imports no HTTP client; `costcalc calibrate` loads them when it runs.
"""

from __future__ import annotations

from costcalc.calibrate.store import CalibrationSet, Resolved, active, load_set, resolve, using

__all__ = ["CalibrationSet", "Resolved", "active", "load_set", "resolve", "using"]
