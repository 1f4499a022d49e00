"""`costcalc calibrate`: per-language calibrations of a closed tokenizer from the vendor's counting endpoint or
from a usage log."""

from __future__ import annotations

import click

from costcalc.cli._options import corpus_option, format_option, pricing_dir_option
from costcalc.cli._output import emit

EXAMPLES = """
\b
Examples:
  ANTHROPIC_API_KEY=... costcalc calibrate anthropic --model claude-sonnet-4-5 -l it -l ja --output cal.yaml
  GEMINI_API_KEY=... costcalc calibrate gemini --model gemini-2.5-flash --output cal.yaml
  costcalc calibrate bedrock --model anthropic.claude-sonnet-4-5-20250929-v1:0 --apply
  costcalc calibrate usage requests.jsonl --model claude-sonnet-4-5 --output cal.yaml
  costcalc report -m anthropic/claude-sonnet-4-5 -m openai/gpt-5 -l it --calibrations cal.yaml
"""
COLUMNS = ["family", "language", "factor", "factor_low", "factor_high", "overhead_tokens", "documents",
           "tokens_measured", "method", "measured"]


@click.group("calibrate", epilog=EXAMPLES)
def calibrate() -> None:
    """Measure how many tokens a closed tokenizer (Claude, Gemini, Titan, Nova) needs per token of its base
    tokenizer, per language: with the vendor's free counting endpoint, or from your own usage log.
    Keys come only from the environment and are never printed or written."""


def _write_options(f):
    f = pricing_dir_option(f)
    f = format_option()(f)
    f = click.option("--apply", is_flag=True, help="Append to the shipped tables (pricing/calibrations/).")(f)
    f = click.option("--output", "output", type=click.Path(dir_okay=False), default=None,
                     help="Append the entries to this calibration file (created if missing).")(f)
    f = click.option("--family", default=None, help="Tokenizer family, when --model is not in the price tables.")(f)
    return click.option("--model", required=True, help="The vendor's model id, e.g. claude-sonnet-4-5.")(f)


def _show(outcome, fmt: str) -> None:
    emit(outcome.rows(), COLUMNS, fmt, footer=outcome.footer())


def _vendor_command(vendor: str, help_text: str, extra=()):
    @calibrate.command(vendor, help=help_text, epilog=EXAMPLES)
    @_write_options
    @click.option("-l", "--language", "languages", multiple=True, help="Only these corpus languages (repeatable).")
    @corpus_option
    @click.option("--api-base", default=None, help="Another endpoint (a proxy, or a test server).")
    @click.option("--concurrency", type=click.IntRange(1, 32), default=4, show_default=True,
                  help="Requests in flight at once.")
    @click.option("--retries", type=click.IntRange(0, 20), default=6, show_default=True,
                  help="Retries of a request answered 429 or 5xx (waiting as Retry-After says, else backing off).")
    def command(model: str, family: str | None, output: str | None, apply: bool, fmt: str, pricing_dir: str | None,
                languages: tuple[str, ...], corpus: str, api_base: str | None, concurrency: int, retries: int,
                **kw) -> None:
        from costcalc.calibrate.run import calibrate_vendor
        from costcalc.cli._progress import ProgressBar

        outcome = calibrate_vendor(vendor, model, api_base=api_base, languages=languages, corpus=corpus,
                                   concurrency=concurrency, retries=retries, family=family, output=output,
                                   apply=apply,
                                   pricing_dir=pricing_dir, progress=ProgressBar("Counting", min_chars=20), **kw)
        _show(outcome, fmt)

    for option in extra:
        command = option(command)
    return command


_vendor_command("anthropic", "Count the corpus with Anthropic's POST /v1/messages/count_tokens "
                             "(key: ANTHROPIC_API_KEY).")
_vendor_command("gemini", "Count the corpus with the Gemini API's models/{model}:countTokens "
                          "(key: GEMINI_API_KEY or GOOGLE_API_KEY).")
_vendor_command("vertex", "Count the corpus with Vertex AI's countTokens (Google application-default "
                          "credentials; needs pip install 'costcalc[vertex]').",
                [click.option("--location", default="us-central1", show_default=True, help="Vertex region."),
                 click.option("--project", default="", help="Google Cloud project (default: GOOGLE_CLOUD_PROJECT).")])
_vendor_command("bedrock", "Count the corpus with Bedrock Runtime CountTokens (the standard AWS credential "
                           "chain; needs pip install 'costcalc[bedrock]').",
                [click.option("--region", default=None, help="AWS region (default: AWS_REGION or us-east-1).")])


@calibrate.command("usage", epilog=EXAMPLES)
@click.argument("file", type=click.Path(dir_okay=False))
@_write_options
@click.option("--text-field", default="text", show_default=True, help="JSONL field with the text sent.")
@click.option("--tokens-field", default="input_tokens", show_default=True,
              help="JSONL field with the input tokens the provider billed.")
@click.option("--language-field", default="language", show_default=True,
              help="JSONL field with the request's language (fits each language apart when present).")
@click.option("-l", "--language", default=None, help="Language of requests without a language field (default *).")
def usage_cmd(file: str, model: str, family: str | None, output: str | None, apply: bool, fmt: str,
              pricing_dir: str | None, text_field: str, tokens_field: str, language_field: str,
              language: str | None) -> None:
    """Fit billed input tokens of a JSONL usage log (one request per line) against the base tokenizer's counts:
    factor with a 95% interval, per-request overhead as the intercept; at least 20 requests per language."""
    from costcalc.calibrate.run import calibrate_usage

    outcome = calibrate_usage(file, model, text_field=text_field, tokens_field=tokens_field,
                              language_field=language_field or None, language=language, family=family,
                              output=output, apply=apply, pricing_dir=pricing_dir)
    _show(outcome, fmt)
