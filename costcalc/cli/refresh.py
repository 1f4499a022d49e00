"""`costcalc prices refresh`: compare the tables with public price lists and append what changed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from costcalc.cli._options import DATE, OUTPUT, format_option, pricing_dir_option
from costcalc.cli._output import emit, to_json
from costcalc.refresh.sources import NAMES as SOURCE_NAMES


@click.command("refresh")
@click.option("--source", "sources", multiple=True, type=click.Choice(SOURCE_NAMES),
              help="Source to fetch; repeat for several (default: all four).")
@click.option("--url", "urls", multiple=True, metavar="URL",
              help="URL for the --source at the same position (default: its public URL). https only; "
                   "http only for 127.0.0.1, ::1 and localhost.")
@click.option("--input", "inputs", multiple=True, metavar="FILE",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Read the --source at the same position from this local file instead of its URL (no network), "
                   "e.g. a genai-prices data.json or a litellm model_prices_and_context_window.json.")
@click.option("--from-package", is_flag=True,
              help="Read litellm and genai-prices from their installed Python packages (no network) unless a "
                   "--url or --input names another place.")
@pricing_dir_option
@click.option("--apply", "apply_", is_flag=True,
              help="Append the accepted changes as dated entries, update CHANGELOG.md and VERSION.")
@click.option("--accept-large-changes", is_flag=True,
              help="Apply changes of more than 5x up or down, or to zero (never negative prices).")
@click.option("--report", type=OUTPUT,
              help="Also write a Markdown report (the pull-request body in CI).")
@format_option(("table", "json"))
@click.option("--timeout", type=click.FloatRange(min=0.01), default=30.0, show_default=True,
              help="Seconds per HTTP attempt.")
@click.option("--retries", type=click.IntRange(min=0), default=3, show_default=True,
              help="Further attempts after HTTP 429/5xx, timeouts and connection errors.")
@click.option("--max-bytes", type=click.IntRange(min=1), default=64 * 2**20, show_default=True,
              help="Refuse larger responses.")
@click.option("--backoff", type=click.FloatRange(min=0), default=2.0, hidden=True,
              help="Backoff factor in seconds: the first retry at once, then 2x, 4x, ... this (Retry-After wins).")
@click.option("--max-wait", type=click.FloatRange(min=0), default=120.0, hidden=True,
              help="Cap on one retry wait, Retry-After included.")
@click.option("--lock-timeout", type=click.FloatRange(min=0), default=600.0, hidden=True,
              help="Seconds to wait for another refresh of the same tables.")
@click.option("--run-date", type=DATE, default=None, hidden=True, help="Date of the new entries (default today).")
@click.pass_context
def refresh(ctx: click.Context, sources: tuple[str, ...], urls: tuple[str, ...], inputs: tuple[Path, ...],
            from_package: bool, pricing_dir: str | None,
            apply_: bool, accept_large_changes: bool, report: str | None, fmt: str, timeout: float, retries: int,
            max_bytes: int, backoff: float, max_wait: float, lock_timeout: float, run_date: date | None) -> None:
    """Fetch public price lists, show what differs from the tables and, with --apply, append it.

    Never edits or deletes an entry: a change is appended as a new dated entry (confidence medium, both
    sources cited when two agree). A single source never overrides a `confidence: high` entry; suspicious
    changes are quarantined. Each --url or --input pairs with the --source at the same position. Every new
    entry cites a source that is added to sources.yaml. Upstream models not in pricing/source-map.yaml are
    listed, each with a ready-to-review table stanza (in --report and --format json).

    \b
    Exit codes: 0 nothing changed; 3 changes found (or applied), discrepancies or quarantined values;
                1 a source failed (the others' changes are still reported and applied); 2 usage error.

    \b
    Examples:
      costcalc prices refresh                                   # all sources, report only
      costcalc prices refresh --apply --report refresh-report.md
      costcalc prices refresh --source litellm --source ecb --format json
      costcalc prices refresh --source genai-prices --input data.json      # offline, from a local file
      costcalc prices refresh --source litellm --source genai-prices --from-package --report refresh.md
      costcalc prices refresh --source litellm --url http://127.0.0.1:8000/prices.json \\
                              --source openrouter --url https://mirror.example/models.json
    """
    from costcalc._paths import inside_installed_package
    from costcalc.errors import CostcalcError, UsageError
    from costcalc.prices import default_pricing_dir
    from costcalc.refresh import report as render
    from costcalc.refresh.http import HttpSettings, check_url
    from costcalc.refresh.run import refresh as run_refresh

    if len(urls) > len(sources) or len(inputs) > len(sources):
        raise click.UsageError("each --url or --input needs a --source at the same position, "
                               "e.g. --source genai-prices --input data.json")
    if urls and inputs:
        raise click.UsageError("give each source either a --url or an --input, not both kinds in one run")
    for url in urls:
        try:
            check_url(url)
        except CostcalcError as e:
            raise click.BadParameter(str(e), param_hint="--url") from None
    places: tuple[str | Path, ...] = urls or inputs
    pairs = [(name, places[i] if i < len(places) else None) for i, name in enumerate(sources)] or None
    root = Path(pricing_dir) if pricing_dir else default_pricing_dir()
    if apply_ and inside_installed_package(root):
        raise UsageError(f"refusing to write price tables inside the installed package ({root}): an upgrade would "
                         "overwrite them", "clone the costcalc repository and pass --pricing-dir CHECKOUT/pricing")
    http = HttpSettings(timeout=timeout, max_bytes=max_bytes, retries=retries, backoff=backoff, max_wait=max_wait)
    result = run_refresh(root, pairs, apply=apply_, accept_large_changes=accept_large_changes,
                         run_date=run_date, http=http, lock_timeout=lock_timeout, from_package=from_package)

    if result.recovered:
        click.echo(f"Note: {result.recovered}.", err=True)
    for run in result.failed:
        click.echo(f"Error: {run.error}", err=True)
    if report is not None:
        from costcalc._atomic import write_atomic

        write_atomic(report, render.markdown(result), make_parents=False)
    if fmt == "json":
        click.echo(to_json(render.to_dict(result)))
    else:
        rows = render.rows(result)
        if rows:
            emit(rows, render.COLUMNS, "table")
        extra = render.unmapped(result)
        if extra:
            click.echo("Not in pricing/source-map.yaml (report only): "
                       + ", ".join(f"{n} {len(ids)} model(s)" for n, ids in extra.items())
                       + "; --report FILE gives a ready-to-review table stanza for each.")
        click.echo(render.summary(result))
    ctx.exit(result.exit_code)
