"""Bad raw input stops `ccp-analysis data build` with one message naming file, line, field and
value, exit status 2, and data/processed exactly as it was."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from ccp_analysis.cli import main
from ccp_analysis.data import schemas

PREFIX = "ccp-analysis: error: "


def _hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _raw(root: Path, relpath: str) -> bytes:
    return (root / "data" / "raw" / relpath).read_bytes()


def _edit_line(data: bytes, line: int, old: bytes, new: bytes) -> bytes:
    """Replace `old` (which must occur once on physical line `line`, 1-based) by `new`."""
    lines = data.split(b"\n")
    assert lines[line - 1].count(old) == 1, (line, lines[line - 1])
    lines[line - 1] = lines[line - 1].replace(old, new)
    return b"\n".join(lines)


@pytest.fixture
def built(project_copy):
    """A project copy with its data/processed, and the hashes of that folder beforehand."""
    processed = project_copy / "data" / "processed"
    before = _hashes(processed)
    assert len(before) == len(schemas.FRAMES) + 1  # every frame and the data dictionary
    return project_copy, before


def _fails_cleanly(capsys, root: Path, before: dict[str, str], *parts: str) -> str:
    """Run `data build`; check rc 2, one error line holding every part, processed untouched."""
    rc = main(["data", "build"])
    out, err = capsys.readouterr()
    assert rc == 2
    assert "Traceback" not in err
    errors = [line for line in err.splitlines() if line.startswith(PREFIX)]
    assert len(errors) == 1, err
    # Nothing else but progress lines of frames built before the failure.
    assert all(line.startswith("  ") for line in err.splitlines() if line not in errors)
    message = errors[0]
    for part in parts:
        assert part in message, (part, message)
    assert "wrote" not in out
    assert _hashes(root / "data" / "processed") == before
    assert sorted(p.name for p in (root / "data").iterdir()) == ["processed", "raw"]
    return message


def test_verify_passes_on_unchanged_copy(project_copy, capsys):
    assert main(["data", "verify"]) == 0
    out, err = capsys.readouterr()
    files = json.loads(_raw(project_copy, "MANIFEST.json"))["files"]
    # The revision log of imports (REVISIONS.jsonl) is a record, not an input.
    on_disk = [p for p in (project_copy / "data" / "raw").rglob("*")
               if p.is_file() and p.name not in ("MANIFEST.json", "REVISIONS.jsonl")]
    assert len(files) == len(on_disk) >= 13
    assert out.strip() == f"{len(files)} raw files match data/raw/MANIFEST.json"
    assert err == ""


def test_build_succeeds_on_unchanged_copy(built, capsys):
    root, before = built
    assert main(["data", "build"]) == 0
    out, _ = capsys.readouterr()
    assert out.strip() == f"wrote {root / 'data' / 'processed'}"
    assert _hashes(root / "data" / "processed") == before


def test_unparseable_amount(built, capsys, rewrite_raw):
    root, before = built
    # The amount must occur verbatim in the item's text before it is parsed, so the slip is
    # made in both files, as a consistent transcription error would be.
    appendix = "report/appendix_a_huawei.csv"
    rewrite_raw(root, appendix,
                _edit_line(_raw(root, appendix), 3, b"$500 million loan", b"$500 millon loan"))
    coding = "report/state_support_coding.csv"
    rewrite_raw(root, coding,
                _edit_line(_raw(root, coding), 3, b",$500 million,", b",$500 millon,"))
    message = _fails_cleanly(capsys, root, before, "data/raw/report/state_support_coding.csv",
                             "line 3,", "'amount_text'", "'$500 millon'")
    assert "is neither a USD amount" in message


def test_amount_not_in_the_printed_text(built, capsys, rewrite_raw):
    root, before = built
    coding = "report/state_support_coding.csv"
    rewrite_raw(root, coding,
                _edit_line(_raw(root, coding), 4, b",$1 billion,", b",$2 billion,"))
    message = _fails_cleanly(capsys, root, before, "data/raw/report/state_support_coding.csv",
                             "line 4,", "'amount_text'", "'$2 billion'")
    assert "verbatim in Appendix A, row 3" in message


def test_unknown_date_form(built, capsys, rewrite_raw):
    root, before = built
    timeline = "report/appendix_c_timeline.csv"
    rewrite_raw(root, timeline,
                _edit_line(_raw(root, timeline), 3, b"C02,June 2012,", b"C02,Juen 2012,"))
    message = _fails_cleanly(capsys, root, before, "data/raw/report/appendix_c_timeline.csv",
                             "line 3,", "'date_text'", "'Juen 2012'")
    assert "'Juen' is not a month name" in message


def test_renamed_column(built, capsys, rewrite_raw):
    root, before = built
    prices = "market/baba_daily.csv"
    rewrite_raw(root, prices, _edit_line(_raw(root, prices), 1, b",close,", b",Close,"))
    _fails_cleanly(capsys, root, before, "data/raw/market/baba_daily.csv",
                   "line 1,", "field 'close'", ",Close,")


def test_missing_column(built, capsys, rewrite_raw):
    root, before = built
    rates = "market/cny_per_usd_annual.csv"
    lines = _raw(root, rates).split(b"\n")
    # Drop the fed_g5a column (the 4th) from every line.
    cut = [b",".join(line.split(b",")[:3] + line.split(b",")[4:]) if line else line
           for line in lines]
    assert b"fed_g5a" not in cut[0] and b"2021,6.4491,258,,6.4490," in b"\n".join(cut)
    rewrite_raw(root, rates, b"\n".join(cut))
    _fails_cleanly(capsys, root, before, "data/raw/market/cny_per_usd_annual.csv",
                   "line 1,", "field 'fed_g5a'", "year,ecb_cross_mean,ecb_days,pboc")


def test_duplicate_key(built, capsys, rewrite_raw):
    root, before = built
    timeline = "report/appendix_c_timeline.csv"
    lines = _raw(root, timeline).split(b"\n")
    assert lines[5].startswith(b"C05,")
    lines.insert(6, lines[5])  # the repeat is line 7
    rewrite_raw(root, timeline, b"\n".join(lines))
    _fails_cleanly(capsys, root, before, "data/raw/report/appendix_c_timeline.csv",
                   "line 7,", "'entry_id'", "'C05'", "unique")


def test_checksum_mismatch(built, capsys):
    root, before = built
    relpath = "market/cny_per_usd_annual.csv"
    expected = json.loads(_raw(root, "MANIFEST.json"))["files"]
    expected = next(e["sha256"] for e in expected if e["path"] == relpath)
    edited = _edit_line(_raw(root, relpath), 15, b"2021,6.4491,", b"2021,6.4591,")
    (root / "data" / "raw" / relpath).write_bytes(edited)  # manifest NOT updated
    found = hashlib.sha256(edited).hexdigest()
    message = _fails_cleanly(capsys, root, before, "data/raw/market/cny_per_usd_annual.csv",
                             expected, found, "checksum mismatch")
    assert message.index(expected) < message.index(found)

    assert main(["data", "verify"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count(PREFIX) == 1
    assert "data/raw/market/cny_per_usd_annual.csv" in err and found in err


def test_unlisted_raw_file_fails_verify(project_copy, capsys):
    (project_copy / "data" / "raw" / "market" / "extra.csv").write_text("a\n1\n")
    assert main(["data", "verify"]) == 2
    _, err = capsys.readouterr()
    assert "data/raw/market/extra.csv: not listed in data/raw/MANIFEST.json" in err


def test_not_utf8(built, capsys, rewrite_raw):
    root, before = built
    fin = "market/huawei_financials.csv"
    rewrite_raw(root, fin, _edit_line(_raw(root, fin), 8, b"verified exact",
                                      b"verified \xff\xfeexact"))
    _fails_cleanly(capsys, root, before, "data/raw/market/huawei_financials.csv",
                   "line 8, field 'revenue_status'", "\\xff\\xfe", "UTF-8")


def test_empty_file(built, capsys, rewrite_raw):
    root, before = built
    rewrite_raw(root, "report/figure2_items.csv", b"")
    _fails_cleanly(capsys, root, before, "data/raw/report/figure2_items.csv",
                   "value ''", "a header row and data rows")


def test_non_numeric_revenue(built, capsys, rewrite_raw):
    root, before = built
    fin = "market/huawei_financials.csv"
    rewrite_raw(root, fin, _edit_line(_raw(root, fin), 15, b"2021,636807,", b"2021,63O807,"))
    _fails_cleanly(capsys, root, before, "data/raw/market/huawei_financials.csv",
                   "line 15,", "'revenue_cny_mn'", "'63O807'", "a number")


def test_unknown_category(built, capsys, rewrite_raw):
    root, before = built
    coding = "report/state_support_coding.csv"
    rewrite_raw(root, coding,
                _edit_line(_raw(root, coding), 3, b",policy bank,", b",policybank,"))
    message = _fails_cleanly(capsys, root, before, "data/raw/report/state_support_coding.csv",
                             "line 3,", "'entity_type'", "'policybank'")
    assert "'policy bank'" in message  # the accepted values are listed
