"""Exact offline tokenizers for every priced model, behind one small protocol.

    >>> from costcalc.tokenizers import get_tokenizer
    >>> get_tokenizer("mistral:spm").count("Ciao a tutti")

Importing this package imports no tokenizer library; each backend imports its own on first use.
"""

from __future__ import annotations

from costcalc.tokenizers.base import BaseTokenizer, Tokenizer, TokenizerInfo
from costcalc.tokenizers.registry import get_tokenizer, is_known, known_names, list_tokenizers

__all__ = ["BaseTokenizer", "Tokenizer", "TokenizerInfo", "get_tokenizer", "is_known", "known_names",
           "list_tokenizers"]
