"""costcalc: multi-provider LLM cost and tokenizer-efficiency calculator.

The public API is imported lazily: `import costcalc` loads no heavy library (pandas, tiktoken, transformers,
sentencepiece); each name below is resolved on first use.

    import costcalc
    book = costcalc.load_prices(as_of="2023-12-14")
    book.lookup("mistral/mistral-medium").price(currency="USD").input   # Decimal('2.72975')
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "CostMatrix",
    "CostcalcError",
    "PriceBook",
    "Workload",
    "compare",
    "cost",
    "count_corpus",
    "get_tokenizer",
    "hosts_of",
    "list_tokenizers",
    "load_corpus",
    "load_prices",
]

_LAZY = {
    "CostcalcError": "costcalc.errors",
    "PriceBook": "costcalc.prices",
    "load_prices": "costcalc.prices",
    "get_tokenizer": "costcalc.tokenizers",
    "list_tokenizers": "costcalc.tokenizers",
    "load_corpus": "costcalc.corpus",
    "count_corpus": "costcalc.counting",
    "compare": "costcalc.costing",
    "cost": "costcalc.quick",
    "CostMatrix": "costcalc.matrix",
    "Workload": "costcalc.cost_model",
    "hosts_of": "costcalc.hosts",
}

if TYPE_CHECKING:
    from costcalc.corpus import load_corpus
    from costcalc.cost_model import Workload
    from costcalc.costing import compare
    from costcalc.counting import count_corpus
    from costcalc.errors import CostcalcError
    from costcalc.hosts import hosts_of
    from costcalc.matrix import CostMatrix
    from costcalc.prices import PriceBook, load_prices
    from costcalc.quick import cost
    from costcalc.tokenizers import get_tokenizer, list_tokenizers


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'costcalc' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
