"""Ready-to-review YAML for a model a source lists and the tables do not have ("new upstream").

The stanza is in the price-table format (docs/pricing-format.md): ids, prices, context window, the day it was first
seen and the source it came from. Whatever the source cannot tell (the product name, the class, the exact
tokenizer) is marked for the reviewer in a comment; nothing is invented.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from costcalc.refresh.apply import PLAIN
from costcalc.refresh.model import NewModel

# Billing provider (or Bedrock id prefix) -> the tokenizer its current models most likely use; a reviewer checks.
_TOKENIZERS = {"openai": "openai:o200k_base", "anthropic": "anthropic:claude-4.7", "google": "google:gemini-2",
               "mistral": "mistral:closed", "anthropic.": "anthropic:claude-4.7", "amazon.nova": "amazon:nova",
               "amazon.titan": "amazon:titan", "meta.llama4": "meta:llama-4", "meta.llama3": "meta:llama-3",
               "mistral.": "mistral:closed"}


def yaml_scalar(value: object) -> str:
    """One scalar as the tables write it: exact decimals, ISO dates, identifiers plain, prose double-quoted."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and PLAIN.fullmatch(value):
        return value
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a valid double-quoted YAML scalar


_PRICES = ("input", "output", "cached_input", "batch_input", "batch_output")
_CLASSES = "flagship | mid | small | reasoning | code | embedding | audio | other"


def _bare(model_id: str) -> str:
    """A Bedrock id without its cross-region prefix (us., eu., apac., global.)."""
    head, _, rest = model_id.partition(".")
    return rest if head in ("us", "eu", "apac", "global") and rest else model_id


def _tokenizer(new: NewModel) -> str:
    bare = _bare(new.model_id)
    for prefix, name in sorted(_TOKENIZERS.items(), key=lambda kv: -len(kv[0])):
        if (new.provider != "aws-bedrock" and new.provider == prefix) or \
                (new.provider == "aws-bedrock" and bare.startswith(prefix)):
            return name
    return "estimate:openai:o200k_base"


def stanza(new: NewModel, source_id: str, day: date) -> str:
    """The model as a `models:` item of pricing/providers/<provider>.yaml, with review notes as comments."""
    ref = f"{new.provider}/{new.model_id}"
    lines = [f"# {ref}: new in {new.source} ({new.upstream_id}). Review, then add to "
             f"pricing/providers/{new.provider}.yaml and map it in pricing/source-map.yaml:",
             f"#   {yaml_scalar(ref)}: {{{new.source}: {yaml_scalar(new.upstream_id)}}}",
             f"- id: {yaml_scalar(new.model_id)}",
             f"  name: {yaml_scalar(new.model_id)}   # the vendor's product name",
             f"  creator: {_bare(new.model_id).split('.')[0] if new.provider == 'aws-bedrock' else new.provider}",
             f"  # class: {_CLASSES}",
             f"  tokenizer: {_tokenizer(new)}   # guessed from the provider; check `costcalc tokenizers list`"]
    if new.context_window:
        lines.append(f"  context_window: {new.context_window}")
    if new.max_output:
        lines.append(f"  max_output: {new.max_output}")
    lines += ["  prices:", f"    - from: {day}   # the day first seen; use the launch day if a vendor page gives it",
              "      from_basis: first-seen", "      currency: USD"]
    for name in _PRICES:
        value = getattr(new, name)
        if value is not None:
            note = "   # omit if the provider file has a batch rule" if name.startswith("batch") else ""
            lines.append(f"      {name}: {yaml_scalar(value)}{note}")
    lines += [f"      source: [{source_id}]", "      confidence: medium", f"  checked: {day}"]
    return "".join(f"  {line}\n" for line in lines)  # indented as an item under `models:`
