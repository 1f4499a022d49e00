"""The `costcalc` command: a thin click layer. Each command parses options, makes one library call and
renders the result through `costcalc.cli._output`. Library errors become one line on stderr and exit 1."""

from __future__ import annotations

import sys

import click

from costcalc.cli._lazy import LazyGroup

EXAMPLES = """
\b
Examples:
  costcalc report                                   # Italian, Dec 2023: the published comparison
  costcalc report --preset current --format html -o current.html
  costcalc premiums -l it -l hi -l ja
  costcalc prices list --provider mistral --as-of 2023-12-14
  costcalc prices show mistral/mistral-medium --as-of 2023-12-14 --currency USD --format json
  costcalc prices history openai/o3
  costcalc count notes.txt -t openai:o200k_base -m anthropic/claude-2.1
  costcalc tokenizers list
"""


@click.group(
    cls=LazyGroup,
    lazy_subcommands={
        "prices": ("costcalc.cli.prices:prices", "Browse, diff and validate the versioned price tables."),
        "tokenizers": ("costcalc.cli.tokenizers:tokenizers", "List and verify the offline tokenizers."),
        "count": ("costcalc.cli.count:count", "Count tokens (and cost) of a text with real tokenizers."),
        "report": ("costcalc.cli.report:report", "Relative-cost report across offerings and languages (main job)."),
        "premiums": ("costcalc.cli.premiums:premiums", "Token premium of each language vs English, per tokenizer."),
        "corpus": ("costcalc.cli.corpus:corpus", "List bundled parallel corpora; show a corpus's statistics."),
        "estimate": ("costcalc.cli.estimate:estimate", "Tokens and cost of your own files, exact or sampled."),
        "calibrate": ("costcalc.cli.calibrate:calibrate",
                      "Calibrate a closed tokenizer per language from the vendor's counter or a usage log."),
        "hosts": ("costcalc.cli.hosts:hosts", "Every host of one model, cheapest first, with sources."),
        "selfhost": ("costcalc.cli.selfhost:selfhost", "Per-1M-token cost of serving a model on rented GPUs."),
    },
    epilog=EXAMPLES,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110},
)
@click.version_option(package_name="costcalc")
@click.option("--debug", is_flag=True, help="Show the full traceback on errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """costcalc: what the same text costs on each LLM provider, counted with each model's real tokenizer.

    Prices come from versioned, sourced tables (pricing/); token counts from each model's own tokenizer;
    every report says where each number came from and which counts are estimates.
    """
    ctx.obj = {"debug": debug}


def main(argv: list[str] | None = None) -> None:
    """Console entry point (`costcalc`, `python -m costcalc`)."""
    try:
        cli.main(args=argv, prog_name="costcalc")
    except BrokenPipeError:  # e.g. `costcalc prices list | head`
        sys.exit(0)
