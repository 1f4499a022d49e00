"""Import a tokenizer library on demand; a missing one raises MissingDependencyError with the pip command."""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

from costcalc.errors import MissingDependencyError


def require(module: str, install: str, purpose: str) -> ModuleType:
    """`module`, imported; `install` is the exact command that provides it (e.g. "pip install 'costcalc[hf]'")."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise MissingDependencyError(f"{purpose} needs the Python package {module.split('.')[0]!r}, "
                                     f"which is not installed ({e})", f"install it: {install}") from None


def installed(module: str) -> bool:
    """Whether `module` can be imported, without importing it."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False
