"""`costcalc estimate`: exact totals, sampling with honest intervals, the Dask engine, bad input."""

from __future__ import annotations

import csv
import json
import random
from dataclasses import replace
from decimal import Decimal

import pytest

from costcalc.errors import InputError
from costcalc.estimate import LocalEngine, estimate, input_files, iter_units, run
from costcalc.sampling import keep, ratio_estimate, t_quantile_975
from costcalc.tokenizers import get_tokenizer

CL100K = "openai:cl100k_base"
MODELS = ["openai/gpt-4-1106-preview", "mistral/mistral-large-2407", "aws-bedrock/amazon.nova-pro-v1:0"]


@pytest.fixture
def inputs(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.txt").write_text("Il tuo ordine arriverà il 14 marzo.\nGrazie!\n", encoding="utf-8")
    (tmp_path / "docs" / "b.md").write_text("# Title\n\nSome *markdown* text.\n", encoding="utf-8")
    rows = [{"text": "Hello there"}, {"text": "こんにちは世界"}, {"other": 1}]
    (tmp_path / "t.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n",
                                      encoding="utf-8")
    (tmp_path / "c.csv").write_text('id,text\n1,"Bonjour, le monde"\n2,Hallo Welt\n', encoding="utf-8")
    return tmp_path


def _direct(name: str, texts: list[str]) -> int:
    tok = get_tokenizer(name)
    return sum(tok.count(t) for t in texts)


TEXTS = ["Il tuo ordine arriverà il 14 marzo.\nGrazie!\n", "# Title\n\nSome *markdown* text.\n", "Hello there",
         "こんにちは世界", "Bonjour, le monde", "Hallo Welt"]


def test_exact_totals_equal_direct_counts(inputs, monkeypatch):
    monkeypatch.setenv("COSTCALC_CACHE_DIR", "")
    result = estimate([str(inputs)], MODELS, as_of="2025-03-01", workers=1)
    by = {o.offering: o for o in result.offerings}
    assert by["openai/gpt-4-1106-preview"].tokens == _direct(CL100K, TEXTS)
    assert by["mistral/mistral-large-2407"].tokens == _direct("mistral:spm", TEXTS)
    # Nova is priced with a stand-in tokenizer: same count as its base, marked not exact
    assert by["aws-bedrock/amazon.nova-pro-v1:0"].tokens is not None
    assert by["aws-bedrock/amazon.nova-pro-v1:0"].exact is False
    gpt4 = by["openai/gpt-4-1106-preview"]
    assert gpt4.cost == Decimal(10) * gpt4.tokens / 1_000_000
    assert (result.totals.documents, result.totals.chars) == (6, sum(len(t) for t in TEXTS))
    assert result.skipped.count == 1 and "t.jsonl:3: no string field 'text'" in result.skipped.examples[0]


def test_large_text_file_is_counted_in_blocks_exactly(tmp_path, monkeypatch):
    monkeypatch.setenv("COSTCALC_CACHE_DIR", "")
    paragraph = "Die Sendung 48213 wurde am 3. März 2024 zurückgeschickt.\nVielen Dank für Ihre Geduld!\n"
    text = paragraph * 12_000  # ~1 MB: several 256 KB blocks
    (tmp_path / "big.txt").write_text(text, encoding="utf-8")
    units = list(iter_units(input_files([str(tmp_path)], None)))
    assert len(units) > 3 and "".join(u.text for u in units) == text
    result = estimate([str(tmp_path)], ["mistral/mistral-large-2407", "openai/gpt-4o"], as_of="2024-09-01",
                      workers=2)
    by = {o.offering: o.tokens for o in result.offerings}
    assert by["mistral/mistral-large-2407"] == get_tokenizer("mistral:spm").count(text)
    assert by["openai/gpt-4o"] == get_tokenizer("openai:o200k_base").count(text)


def test_sampling_is_deterministic_and_order_free():
    ids = [f"f{i}" for i in range(5000)]
    first = [i for i in ids if keep(7, i, 0.1)]
    assert first == [i for i in ids if keep(7, i, 0.1)]
    assert 400 < len(first) < 600
    assert first != [i for i in ids if keep(8, i, 0.1)]


def test_t_quantile():
    # Student t 0.975 quantiles from standard tables
    for df, expected in [(1, 12.706), (2, 4.303), (5, 2.571), (10, 2.228), (30, 2.042), (1000, 1.962)]:
        assert t_quantile_975(df) == pytest.approx(expected, abs=2e-3)


def test_interval_covers_the_truth_at_the_stated_rate():
    """Generated corpus with known totals: over 300 seeds the 95 % interval covers the true total >= 90 %."""
    rng = random.Random(1)
    words = ["order", "invoice", "Rechnung", "commande", "ordine", "注文", "배송", "доставка", "παράδοση", "12.5",
             "2024-03-14", "https://example.com", "refund", "Erstattung", "rimborso"]
    tok = get_tokenizer(CL100K)
    docs = [" ".join(rng.choice(words) for _ in range(rng.randint(5, 400))) for _ in range(2000)]
    units = [(f"doc{i}", len(d), tok.count(d)) for i, d in enumerate(docs)]
    truth = sum(t for _, _, t in units)
    total_chars = sum(c for _, c, _ in units)
    covered = 0
    for seed in range(300):
        sample = [(c, t) for uid, c, t in units if keep(seed, uid, 0.05)]
        est = ratio_estimate(sample, len(units), total_chars)
        covered += est.low <= truth <= est.high
        assert abs(est.total / truth - 1) < 0.1
    assert covered / 300 >= 0.90, covered


def test_estimate_with_sample_matches_the_estimator(inputs, monkeypatch):
    monkeypatch.setenv("COSTCALC_CACHE_DIR", "")
    result = estimate([str(inputs)], ["openai/gpt-4-1106-preview"], as_of="2024-08-01", sample=0.6, seed=4,
                      workers=1)
    kept = [u for u in iter_units(input_files([str(inputs)], None)) if keep(4, u.id, 0.6)]
    expected = ratio_estimate([(len(u.text), get_tokenizer(CL100K).count(u.text)) for u in kept],
                              result.totals.units, result.totals.chars)
    gpt4 = result.offerings[0]
    assert (gpt4.tokens, gpt4.tokens_ci_low) == (round(expected.total), round(expected.low))
    assert result.totals.sampled_units == len(kept)


def test_dask_engine_gives_identical_results(inputs, monkeypatch):
    monkeypatch.setenv("COSTCALC_CACHE_DIR", "")
    local = estimate([str(inputs)], MODELS, as_of="2025-03-01", workers=2)
    dask = estimate([str(inputs)], MODELS, as_of="2025-03-01", workers=2, engine="dask")
    assert [o.to_dict() for o in dask.offerings] == [o.to_dict() for o in local.offerings]
    assert dask.totals.units == local.totals.units and dask.provenance.workers == 2


def test_unreachable_scheduler_fails_fast(inputs):
    with pytest.raises(InputError, match=r"cannot reach the Dask scheduler 'tcp://127.0.0.1:9' within 1 s"):
        estimate([str(inputs)], MODELS[:1], as_of="2025-03-01", engine="dask", scheduler="tcp://127.0.0.1:9",
                 scheduler_timeout=1)


def test_bad_inputs(tmp_path, run):
    (tmp_path / "bin.txt").write_bytes(b"GIF89a\x00\x01\x02")
    (tmp_path / "ok.txt").write_text("fine", encoding="utf-8")
    (tmp_path / "latin1.txt").write_bytes("café\n".encode("latin-1"))
    result = run("estimate", str(tmp_path), "-m", "openai/gpt-5", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["skipped"] == 2 and data["documents"] == 1
    assert any("binary data (NUL byte) at byte offset 6" in s for s in data["skipped_examples"])
    strict = run("estimate", str(tmp_path), "-m", "openai/gpt-5", "--strict")
    assert strict.exit_code == 1 and strict.stderr.startswith("Error: ") and strict.stderr.count("\n") == 1
    replaced = json.loads(run("estimate", str(tmp_path / "latin1.txt"), "-m", "openai/gpt-5", "--errors", "replace",
                              "--format", "json").stdout)
    assert replaced["skipped"] == 0 and replaced["chars"] == len("caf\ufffd\n")
    missing = run("estimate", str(tmp_path / "nope"), "-m", "openai/gpt-5")
    assert missing.exit_code == 1 and "no such file or directory" in missing.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "x.jsonl").write_text('{"body": "x"}\n', encoding="utf-8")
    result = run("estimate", str(empty), "-m", "openai/gpt-5")
    assert result.exit_code == 1 and "no text found in 1 file(s); 1 skipped" in result.stderr
    assert run("estimate", str(tmp_path), "-m", "openai/gpt-5", "--sample", "0").exit_code == 2


def test_cli_json_contract(inputs, run):
    result = run("estimate", str(inputs), "-m", "openai/gpt-5", "--sample", "0.5", "--format", "json")
    data = json.loads(result.stdout)
    row = data["offerings"][0]
    assert {"offering", "tokens", "cost", "currency", "tokens_ci_low", "tokens_ci_high"} <= set(row)
    assert data["provenance"]["price_table"] and data["sample"] == 0.5


def test_run_bounds_the_work_in_flight(tmp_path, monkeypatch):
    import costcalc.estimate as est

    monkeypatch.setattr(est, "PIECE_BYTES", 512)  # many small pieces
    lines = [json.dumps({"text": f"Ticket {i}: die Rücksendung ist angekommen ✓"}, ensure_ascii=False)
             for i in range(400)]
    (tmp_path / "t.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    outstanding = []

    class Recording(LocalEngine):
        def submit(self, *args):
            future = super().submit(*args)
            pending.add(future)
            future.add_done_callback(pending.discard)
            # Count futures not yet done: a done future's callback may run after the engine saw it finish.
            outstanding.append(sum(not f.done() for f in pending))
            return future

    pending: set = set()
    engine = Recording(2)
    pieces = est.plan(input_files([str(tmp_path)], None))
    try:
        totals = run(pieces, [CL100K], sample=None, seed=0, engine=engine)
    finally:
        engine.close()
    assert totals.tokens[CL100K] == _direct(CL100K, [json.loads(line)["text"] for line in lines])
    assert len(outstanding) == len(pieces) > 20 and max(outstanding) <= 2 * 2 + 1


def _mixed_corpus(root):
    """Several files whose lines mix 1- to 4-byte UTF-8 characters, so that piece boundaries planned every few KB
    fall inside multibyte characters; text lines also meet spaces (no cut there) and blank lines."""
    rng = random.Random(5)
    words = ["Rücksendung", "заказ", "注文番号", "배송", "παράδοση", "🙂👍🏽", "e\u0301", "ok", "42", "\u3000全角",
             "«quote»", "tab\there", "नमस्ते", "שלום", "عربى", "🧑‍💻"]

    def line() -> str:
        return " ".join(rng.choice(words) for _ in range(rng.randint(1, 14)))

    (root / "sub").mkdir()
    records = [{"text": line() + "\n" + line()} for _ in range(700)]
    records[450] = {"body": "no text field"}  # a skipped record in a later piece: its line number must be right
    (root / "a.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                                  encoding="utf-8")
    text = "".join(line() + rng.choice(["\n", "\n", "\n", " \n", "\n\n", "\n\u3000"]) for _ in range(2500))
    (root / "sub" / "b.txt").write_text("\ufeff" + text, encoding="utf-8")
    (root / "sub" / "c.md").write_text(text[::-1], encoding="utf-8")
    (root / "d.csv").write_text("id,text\n" + "".join(f'{i},"{line()}\n{line()}"\n' for i in range(300)),
                                encoding="utf-8")
    return records, {"b": text, "c": text[::-1]}


def test_two_workers_equal_one_worker_and_the_reference(tmp_path, monkeypatch):
    import costcalc.estimate as est

    monkeypatch.setenv("COSTCALC_CACHE_DIR", "")
    records, texts = _mixed_corpus(tmp_path)
    monkeypatch.setattr(est, "PIECE_BYTES", 4099)
    files = input_files([str(tmp_path)], None)
    pieces = est.plan(files)
    by_file = {p.path.rsplit("/", 1)[-1]: [q for q in pieces if q.path == p.path] for p in pieces}
    assert len(by_file["a.jsonl"]) > 20 and len(by_file["b.txt"]) > 20 and len(by_file["d.csv"]) == 1
    raw = (tmp_path / "sub" / "b.txt").read_bytes()
    nominal = range(4099, len(raw), 4099)
    assert any(0x80 <= raw[x] < 0xC0 for x in nominal)  # planned boundaries that split a character
    for piece in by_file["b.txt"][1:]:  # every cut is after a newline between two non-space characters
        assert raw[piece.start - 1:piece.start] == b"\n"
        before, after = raw[:piece.start - 1].decode()[-1], raw[piece.start:].decode()[0]
        assert not before.isspace() and not after.isspace()

    results = {w: estimate([str(tmp_path)], MODELS, as_of="2025-03-01", workers=w) for w in (1, 2)}
    one, two = results[1], results[2]
    assert [o.to_dict() for o in two.offerings] == [o.to_dict() for o in one.offerings]  # counts, Decimal costs
    assert two.to_dict() | {"provenance": None} == one.to_dict() | {"provenance": None}
    assert two.provenance.workers == 2
    assert one.skipped.examples == [f"{tmp_path / 'a.jsonl'}:451: no string field 'text'"]

    # The reference: each record and row on its own, each text file whole, with the reference libraries.
    rows = list(csv.DictReader((tmp_path / "d.csv").open(encoding="utf-8", newline="")))
    documents = [r["text"] for r in records if "text" in r] + [r["text"] for r in rows]
    by = {o.offering: o for o in one.offerings}
    tiktoken = get_tokenizer(CL100K).encoding  # the reference library, not the fast counter
    assert by["openai/gpt-4-1106-preview"].tokens == sum(
        len(tiktoken.encode_ordinary(t)) for t in [*documents, *texts.values()])
    assert by["mistral/mistral-large-2407"].tokens == _direct("mistral:spm", [*documents, *texts.values()])
    assert one.totals.documents == len(documents) + 2
    assert one.totals.chars == sum(len(t) for t in [*documents, *texts.values()])

    # A piece that travels with its bytes (to a remote Dask cluster) counts the same as one read from the file.
    for piece in pieces[::7]:
        with open(piece.path, "rb") as f:
            f.seek(piece.start)
            carried = replace(piece, data=f.read(piece.end - piece.start))
        args = ([CL100K, "mistral:spm"], est.ReadOptions(), 0.5, 3)
        assert est.count_piece(carried, *args) == est.count_piece(piece, *args)

    # One piece per file gives the same result.
    monkeypatch.setattr(est, "PIECE_BYTES", 1 << 30)
    whole = estimate([str(tmp_path)], MODELS, as_of="2025-03-01", workers=2)
    assert [o.to_dict() for o in whole.offerings] == [o.to_dict() for o in one.offerings]


def test_sampling_is_the_same_for_any_number_of_workers(tmp_path, monkeypatch):
    import costcalc.estimate as est

    monkeypatch.setenv("COSTCALC_CACHE_DIR", "")
    _mixed_corpus(tmp_path)
    monkeypatch.setattr(est, "PIECE_BYTES", 4099)
    runs = [estimate([str(tmp_path)], MODELS[:2], as_of="2025-03-01", workers=w, sample=0.3, seed=9).to_dict()
            for w in (1, 2)]
    assert runs[0] | {"provenance": None} == runs[1] | {"provenance": None}
    assert 0 < runs[0]["sampled_units"] < runs[0]["units"]


def test_a_file_that_fails_in_a_later_piece_is_skipped_from_there(tmp_path, monkeypatch):
    import costcalc.estimate as est

    monkeypatch.setenv("COSTCALC_CACHE_DIR", "")
    monkeypatch.setattr(est, "PIECE_BYTES", 1000)
    good = "".join(f"Zeile {i}: Grüße aus Köln\n" for i in range(300))
    (tmp_path / "x.txt").write_bytes(good.encode() + b"caf\xe9\n" + good.encode())
    for workers in (1, 2):
        result = estimate([str(tmp_path)], ["openai/gpt-5"], as_of="2025-09-01", workers=workers)
        assert result.totals.chars < len(good) + 1000 and result.totals.documents == 1
        offset = len(good.encode()) + 3
        assert result.skipped.examples == [f"{tmp_path / 'x.txt'}: invalid UTF-8 at byte offset {offset} "
                                           "(the rest of the file was skipped)"]
        with pytest.raises(InputError, match="invalid UTF-8 at byte offset"):
            estimate([str(tmp_path)], ["openai/gpt-5"], as_of="2025-09-01", workers=workers, strict=True)
