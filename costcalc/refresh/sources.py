"""The refresh sources, defined once: the name used on the command line, in reports and in source-map.yaml, the
module that reads it and what it gives. Importing this imports no source module (`costcalc --help` stays fast).

Each source module (`costcalc.refresh.<module>`) has `NAME`, `DEFAULT_URL`, `HOME_URL`, `LABEL`, `parse(raw)`
and `normalise(...)`; a packaged source also has `DIST` and `read_package()`. A new source is one module and
one line here.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType
from typing import Literal

from costcalc.errors import RefreshError


@dataclass(frozen=True)
class Source:
    name: str
    module_name: str
    gives: Literal["prices", "fx"]  # price lists are diffed against the tables; fx against pricing/fx.yaml
    packaged: bool = False  # also readable from its installed Python package (--from-package)

    @property
    def module(self) -> ModuleType:
        return importlib.import_module(f"costcalc.refresh.{self.module_name}")


SOURCES: dict[str, Source] = {s.name: s for s in (
    Source("litellm", "litellm", "prices", packaged=True),
    Source("openrouter", "openrouter", "prices"),
    Source("genai-prices", "genai_prices", "prices", packaged=True),
    Source("ecb", "ecb", "fx"),
)}
NAMES = tuple(SOURCES)
PRICE_SOURCES = tuple(name for name, s in SOURCES.items() if s.gives == "prices")


def source(name: str) -> Source:
    try:
        return SOURCES[name]
    except KeyError:
        raise RefreshError(f"unknown source {name!r}", f"choose from {', '.join(NAMES)}") from None
