"""The reproducibility gate (`ccp-analysis check`, gate.check) on a drifted copy of the project.

The unchanged project passing the gate in both editions, every notebook rerun once by nbval in a
fresh kernel, is the last step of `make test` (`ccp-analysis check --nbval`). Here one copy
(`drifted`) carries two faults a reviewer must be shown, and both ways of rerunning a notebook
run on it once, Figure 4 only:

* a data update after the report: Huawei's 2023 revenue changed in data/raw (its sha256
  recorded, data/processed rebuilt). The updated edition plots 2023, the as-published one
  (2013-2020) does not;
* a committed as-published Figure 4 table edited by hand, its manifest left alone.

The forked gate (three notebook runs in all with the nbval one) must then find the as-published
rerun identical to the manifest and still name the edited table with its rows, name every
updated artifact that moved with the changed rows, write the drift page, and change nothing
published; the gate through nbval must name the cells whose outputs moved, with the old and the
new value, as read from the JUnit XML file pytest wrote, and the files with the table's rows.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import types
from pathlib import Path

import pytest
from conftest import BUILD_STATE, PROJECT_ROOT, copy_project, point_at, snapshot, write_raw

from ccp_analysis.hashing import sha256_file

pytestmark = pytest.mark.slow

FIG4 = "fig4_huawei_revenue"
TABLE = f"tables/{FIG4}.csv"
HUAWEI_RAW = "market/huawei_financials.csv"
OLD_2023, NEW_2023 = "704174", "700000"
FIG4_FIGURES = (f"figures/{FIG4}.png", f"figures/{FIG4}.svg", f"figures/{FIG4}.pdf")
# What the figure-4 notebook writes (the JSON sidecar holds the caption, computed from data;
# it names no 2023 value, so it does not move; the interactive spec carries the table's rows,
# so it moves with them).
FIG4_MOVED = (TABLE, *FIG4_FIGURES, f"figures/{FIG4}.vl.json")


def _hash_lines(problems: list[str], version: str, notebook: str, made: str) -> list[str]:
    """The artifacts (relative to the version) that the gate's hash lines name for `notebook`,
    `made` being "rebuilt" (a rerun differs) or "committed" (a committed file edited)."""
    found = []
    for line in problems:
        match = re.fullmatch(rf"{re.escape(version)}/(\S+): expected sha256 [0-9a-f]{{64}}, "
                             rf"{made} [0-9a-f]{{64}} \(.*{re.escape(notebook)}\)", line)
        if match:
            found.append(match.group(1))
    return sorted(found)


def _year(line: str) -> str:
    return line.split(",", 1)[0]


def _table_row(text: str, year: str) -> dict[str, str]:
    rows = [row for row in csv.DictReader(io.StringIO(text)) if row["year"] == year]
    assert len(rows) == 1
    return rows[0]


def copy_latest(dest: Path) -> Path:
    """A copy of the project whose reports/ holds LATEST.json and the versions it names: all the
    gate reads (the older versions, most of reports/, are not copied, hashed or compared)."""
    root = copy_project(dest, reports=False)
    reports = PROJECT_ROOT / "reports"
    shutil.copyfile(reports / "LATEST.json", root / "reports" / "LATEST.json")
    for version in json.loads((reports / "LATEST.json").read_text(encoding="utf-8")).values():
        shutil.copytree(reports / version, root / "reports" / version,
                        ignore=shutil.ignore_patterns(*BUILD_STATE, "*.tmp"))
    return root


@pytest.fixture
def latest_copy(tmp_path, monkeypatch) -> Path:
    """`copy_latest` in the test's folder, the library and its kernels pointed at it."""
    root = copy_latest(tmp_path / "project")
    point_at(monkeypatch, root)
    return root


@pytest.fixture(scope="module")
def drifted(tmp_path_factory):
    from ccp_analysis.data import frame_builders
    from ccp_analysis.data.parsing import raw
    from ccp_analysis.pipeline import gate, junit, versions
    from ccp_analysis.publish import drift

    root = copy_latest(tmp_path_factory.mktemp("gate") / "project")
    with pytest.MonkeyPatch.context() as patch:
        point_at(patch, root)
        # What the gate through nbval read from pytest's JUnit XML, kept for the tests.
        read, junit_read = junit.read, []
        patch.setattr(junit, "read",
                      lambda path, rootdir: junit_read.append(read(path, rootdir)) or
                      junit_read[-1])
        latest = versions.read_latest()
        published, updated = latest["as-published"], latest["updated"]
        # The data update.
        text = (root / "data" / "raw" / HUAWEI_RAW).read_text(encoding="utf-8")
        assert text.count(f"\n2023,{OLD_2023},") == 1
        write_raw(root, HUAWEI_RAW, text.replace(f"\n2023,{OLD_2023},",
                                                 f"\n2023,{NEW_2023},").encode())
        raw.verify_all()  # the copy's manifest records the new bytes
        frame_builders.build()
        # The hand edit: the last row's currency.
        table = root / "reports" / published / TABLE
        lines = table.read_text(encoding="utf-8").splitlines(keepends=True)
        edited_last = lines[-1].replace(",USD,", ",CNY,", 1)
        assert edited_last != lines[-1]
        original_sha = sha256_file(table)
        table.write_text("".join(lines[:-1] + [edited_last]), encoding="utf-8")

        before = snapshot(root)
        forked_said: list[str] = []
        forked = gate.check(notebooks=[FIG4], progress=forked_said.append,  # as the CLI runs it
                            drift_pages=drift.pages, table_rows=drift.table_rows)
        nbval_said: list[str] = []
        via_nbval = gate.check(editions=["updated"], notebooks=[FIG4], nbval=True,
                               progress=nbval_said.append, table_rows=drift.table_rows)
        after = snapshot(root)
        mismatches = {version: versions.mismatches(version) for version in latest.values()}
        drift_page = versions.reports() / ".drift" / f"{updated}.html"
    return types.SimpleNamespace(
        root=root, published=published, updated=updated, original_sha=original_sha,
        lines=lines, edited_last=edited_last, before=before, after=after,
        forked=forked, forked_said=forked_said, via_nbval=via_nbval, nbval_said=nbval_said,
        mismatches=mismatches, drift_page=drift_page, junit_read=junit_read,
        committed_table=(root / "reports" / updated / TABLE).read_text(encoding="utf-8"))


def test_forked_rerun_matches_the_manifest_and_names_the_hand_edited_table(drifted):
    """As-published: everything the rerun wrote is what the manifest records, figures and
    executed notebook included; only the committed table differs from it, shown by its row."""
    table = f"{drifted.published}/{TABLE}"
    # Forked lines come in task order (sorted versions): as-published's first.
    first = next(i for i, line in enumerate(drifted.forked)
                 if line.startswith(f"{drifted.updated}/"))
    named = drifted.forked[:first]
    assert named == [
        f"{table}: expected sha256 {drifted.original_sha}, committed "
        f"{sha256_file(drifted.root / 'reports' / drifted.published / TABLE)} "
        f"(the rebuild matches the manifest; {FIG4})",
        # The committed (hand-edited) row against the rebuilt one, matched by the table's key.
        f"      changed year={_year(drifted.edited_last)}: currency 'CNY' -> 'USD'",
    ]
    assert drifted.mismatches[drifted.published] == {
        TABLE: sha256_file(drifted.root / "reports" / drifted.published / TABLE)}


def test_forked_rerun_names_every_moved_artifact_and_the_changed_rows(drifted):
    """Updated: the table, the three figure files and the executed notebook moved, nothing
    else; the rows shown are 2023's (its USD value from the new CNY amount at the same rate)
    and 2024's (its change from 2023)."""
    assert _hash_lines(drifted.forked, drifted.updated, FIG4, "rebuilt") == sorted(
        (*FIG4_MOVED, f"notebooks/{FIG4}.ipynb"))
    first = next(i for i, line in enumerate(drifted.forked)
                 if line.startswith(f"{drifted.updated}/"))
    rows = [line.strip() for line in drifted.forked[first:] if line.startswith("      ")]
    old_2023 = _table_row(drifted.committed_table, "2023")
    old_2024 = _table_row(drifted.committed_table, "2024")
    new_usd = f"{int(NEW_2023) / float(old_2023['cny_per_usd']) / 1000:.3f}"
    # By key (year), each changed column old -> new: 2023's USD value from the new CNY amount
    # at the same rate, and its change; 2024 itself did not move, only its change from 2023.
    assert [row.split(":")[0] for row in rows] == ["changed year=2023", "changed year=2024"]
    assert f"revenue_bn '{old_2023['revenue_bn']}' -> '{new_usd}'" in rows[0]
    assert "revenue_bn" not in rows[1]
    assert f"change_pct '{old_2024['change_pct']}' -> " in rows[1]
    assert f"change_pct '{old_2023['change_pct']}' -> " in rows[0]
    assert f"{drifted.updated} {FIG4}: 8 difference(s)" in drifted.forked_said


def test_gate_writes_only_its_drift_page_and_says_where(drifted):
    """reports/ is byte for byte what it was (the record is read, never written; .drift is
    the gate's own folder), and the page comparing the moved outputs is there."""
    assert drifted.after == drifted.before
    assert drifted.mismatches[drifted.updated] == {}
    assert f"drift page: {drifted.drift_page}" in drifted.forked_said
    html = drifted.drift_page.read_text(encoding="utf-8")
    assert "year=2023" in html and "revenue_bn" in html


def test_gate_through_nbval_names_the_cells_and_values_that_moved(drifted):
    """nbval reran the committed executed notebook: the cells showing the table, the yearly
    summary and the figure differ, with the committed and the new 2023 value, as pytest's JUnit
    XML records them; the figure and table files are named by the byte comparison (the executed
    notebook is nbval's to check), the table with its rows by key."""
    problems = drifted.via_nbval
    rel = f"notebooks/{FIG4}.ipynb"
    path = drifted.root / "reports" / drifted.updated / rel
    # One pytest run, its XML read once: each code cell of the notebook a test case.
    (results,) = drifted.junit_read
    assert list(results) == [path.resolve()]
    executed = json.loads(path.read_text(encoding="utf-8"))
    code = [cell for cell in executed["cells"] if cell["cell_type"] == "code"]
    assert results[path.resolve()].tests == len(code)
    found = results[path.resolve()].problems
    assert {p.kind for p in found} == {"failure"}
    nodeids = [p.nodeid for p in found]
    shows_2023 = [number for number, cell in enumerate(code)
                  if any("2023" in json.dumps(o) for o in cell.get("outputs", []))]
    assert shows_2023, "no committed cell shows 2023"
    assert {f"reports/{drifted.updated}/{rel}::Cell {n}" for n in shows_2023} <= set(nodeids)
    # The gate's lines are the XML's: the count, nbval's report of each cell, each by name.
    assert problems[0] == (f"{drifted.updated}/{rel}: nbval: {len(found)} of {len(code)} "
                           "cell(s) failed (pytest exit 1):")
    assert [line.strip() for line in problems if line.strip().startswith("FAILED ")] == [
        f"FAILED {nodeid}" for nodeid in nodeids]
    report = "\n".join(problems)
    assert "#x1B" not in report and "\x1b" not in report  # the kernel's colours dropped
    old = _table_row(drifted.committed_table, "2023")
    assert f"<td>{old['revenue_bn']}</td>" in report
    assert f"  2023: {float(old['revenue_bn']):,.1f} " in report
    assert _hash_lines(problems, drifted.updated, FIG4, "rebuilt") == sorted(FIG4_MOVED)
    # The drifted table by its key, as `ccp-analysis diff` shows it (publish's comparison).
    table = problems.index(next(line for line in problems
                                if line.startswith(f"{drifted.updated}/{TABLE}: ")))
    assert [line.strip().split(":")[0] for line in problems[table + 1:table + 3]] == [
        "changed year=2023", "changed year=2024"]
    assert drifted.nbval_said[0].startswith(f"[1/1] nbval {drifted.updated} {FIG4}: ")


def test_gate_through_nbval_reports_a_changed_source_notebook(latest_copy):
    """nbval reruns the committed executed notebook, which a later edit of the source
    notebook does not touch: the gate names the source by its sha256 instead of passing."""
    from ccp_analysis.pipeline import gate, versions

    version = versions.read_latest()["as-published"]
    recorded = versions.manifest(version)["notebooks"][FIG4]["source_sha256"]
    source = latest_copy / "notebooks" / f"{FIG4}.ipynb"
    nb = json.loads(source.read_text(encoding="utf-8"))
    nb["cells"][0]["source"].append("\nEdited after the version was built.")
    source.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    problems = gate.check(editions=["as-published"], notebooks=[FIG4], nbval=True)

    assert problems == [f"notebooks/{FIG4}.ipynb: source sha256 {sha256_file(source)}, but "
                        f"{version} was built from {recorded}; nbval reruns the committed "
                        f"notebook, so rebuild (`ccp-analysis check --only {FIG4}` shows what "
                        "the change does)"]


def test_gate_through_nbval_refuses_a_committed_notebook_edited_by_hand(latest_copy):
    """nbval compares with what the committed executed notebook now says: one edited since its
    version was built is named instead of being trusted."""
    from ccp_analysis.pipeline import gate, versions

    version = versions.read_latest()["updated"]
    rel = f"notebooks/{FIG4}.ipynb"
    executed = latest_copy / "reports" / version / rel
    executed.write_text(executed.read_text(encoding="utf-8").replace("2024", "2025"),
                        encoding="utf-8")

    problems = gate.check(editions=["updated"], notebooks=[FIG4], nbval=True)

    assert problems == [f"{version}/{rel}: expected sha256 "
                        f"{versions.manifest(version)['outputs'][rel]}, committed "
                        f"{sha256_file(executed)} (edited since the version was built; nbval "
                        "needs the committed notebook as built)"]


def test_the_check_command_hands_the_gate_publishs_drift_pages_and_table_rows(
        tmp_path, monkeypatch, capsys):
    """`ccp-analysis check` imports publish only once something drifted, through two functions
    it hands the gate: each gives what publish's own gives (here on the committed table and a
    copy with its last row edited, and on an empty rebuilt folder), no kernel run."""
    from e2e_support import run_cli

    from ccp_analysis.pipeline import gate
    from ccp_analysis.publish import drift

    given: dict = {}
    monkeypatch.setattr(gate, "check", lambda **kwargs: given.update(kwargs) or [])
    assert run_cli(capsys, "check", "--nbval", "--only", FIG4).returncode == 0
    assert (given["nbval"], given["notebooks"]) == (True, [FIG4])
    version = json.loads((PROJECT_ROOT / "reports" / "LATEST.json").read_text("utf-8"))["updated"]
    committed = PROJECT_ROOT / "reports" / version / TABLE
    lines = committed.read_text(encoding="utf-8").splitlines(keepends=True)
    rebuilt = tmp_path / f"{FIG4}.csv"
    rebuilt.write_text("".join(lines[:-1] + [lines[-1].replace(",USD,", ",CNY,", 1)]),
                       encoding="utf-8")
    rows = given["table_rows"](FIG4, committed, rebuilt)
    assert rows == drift.table_rows(FIG4, committed, rebuilt)
    assert [row.strip().split(":")[0] for row in rows] == [f"changed year={_year(lines[-1])}"]
    (tmp_path / "rebuilt").mkdir()
    assert given["drift_pages"](tmp_path / "rebuilt", []) == drift.pages(tmp_path / "rebuilt", [])


@pytest.mark.parametrize("nbval", [False, True], ids=["forked", "nbval"])
def test_a_gate_with_no_version_to_check_fails_instead_of_passing(tmp_path, monkeypatch, nbval):
    """A root whose reports/ names no version (a checkout without its versions, or
    CCP_ANALYSIS_ROOT pointing elsewhere) leaves the gate nothing to compare: that is a
    problem, never "every output matches"."""
    from ccp_analysis.pipeline import gate

    root = tmp_path / "project"
    (root / "reports").mkdir(parents=True)
    point_at(monkeypatch, root)

    problems = gate.check(nbval=nbval)

    assert problems == [f"{root / 'reports' / 'LATEST.json'} names no version: there is "
                        "nothing to check (`make report` builds the versions)"]
