"""pytest's JUnit XML as the gate through nbval reads it (pipeline/junit.py), on hand-written
files: which cells of which notebook failed or could not run, and nbval's report of each."""

from __future__ import annotations

import pytest

from ccp_analysis.errors import CcpError
from ccp_analysis.pipeline import gate, junit

NB = "reports/updated-abc/notebooks/fig4_huawei_revenue.ipynb"
OTHER = "reports/as-published-def/notebooks/fig5_alibaba_stock.ipynb"
BROKEN = "reports/updated-abc/notebooks/claims_audit.ipynb"
# As pytest 9 writes it with junit_family = xunit1 (the kernel's colours escaped as #x1B).
XML = f"""<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests">
<testsuite name="pytest" errors="2" failures="2" skipped="1" tests="7" time="9.1">
<testcase classname="reports.updated-abc.notebooks.fig4_huawei_revenue.ipynb" name="Cell 0"
 file="{NB}" line="0" time="1.3"/>
<testcase classname="reports.updated-abc.notebooks.fig4_huawei_revenue.ipynb" name="Cell 1"
 file="{NB}" line="0" time="0.1"><failure message="Notebook cell execution failed
Cell 1: Cell outputs differ">Notebook cell execution failed
Cell 1: Cell outputs differ

Input:
table

  '98.743' == '98.1'</failure></testcase>
<testcase classname="reports.updated-abc.notebooks.fig4_huawei_revenue.ipynb" name="Cell 2"
 file="{NB}" line="0" time="0.3"><failure message="Notebook cell execution failed"
>Cell 2: Cell execution caused an exception
#x1B[31mValueError#x1B[39m: x</failure><error
 message="failed on teardown with &quot;RuntimeError: kernel died&quot;"
>RuntimeError: kernel died</error></testcase>
<testcase classname="reports.updated-abc.notebooks.fig4_huawei_revenue.ipynb" name="Cell 3"
 file="{NB}" line="0" time="0.0"><skipped type="pytest.skip" message="nbval-skip"
>skip</skipped></testcase>
<testcase classname="reports.as-published-def.notebooks.fig5_alibaba_stock.ipynb" name="Cell 0"
 file="{OTHER}" line="0" time="1.0"/>
<testcase classname="" name="reports.updated-abc.notebooks.claims_audit.ipynb" file="{BROKEN}"
 time="0.000"><error message="collection failure"
>NotJSONError: Notebook does not appear to be JSON</error></testcase>
</testsuite></testsuites>
"""


@pytest.fixture
def results(tmp_path):
    path = tmp_path / "junit.xml"
    path.write_text(XML, encoding="utf-8")
    return junit.read(path, tmp_path / "project")


def test_failures_and_errors_per_notebook_and_cell(results, tmp_path):
    root = tmp_path / "project"
    assert list(results) == [(root / NB).resolve(), (root / OTHER).resolve(),
                             (root / BROKEN).resolve()]
    fig4 = results[(root / NB).resolve()]
    assert fig4.tests == 4
    # A cell nbval skipped was never compared: the gate counts it as a problem.
    assert [(p.kind, p.nodeid) for p in fig4.problems] == [
        ("failure", f"{NB}::Cell 1"), ("failure", f"{NB}::Cell 2"), ("error", f"{NB}::Cell 2"),
        ("skipped", f"{NB}::Cell 3")]
    assert fig4.problems[0].text.endswith("Input:\ntable\n\n  '98.743' == '98.1'")
    # The kernel's colour codes, escaped by pytest, are dropped from nbval's report.
    assert fig4.problems[1].text == "Cell 2: Cell execution caused an exception\nValueError: x"
    assert fig4.problems[2].message == 'failed on teardown with "RuntimeError: kernel died"'
    assert [p.nodeid for p in fig4.of_kind("error")] == [f"{NB}::Cell 2"]
    other = results[(root / OTHER).resolve()]
    assert (other.tests, other.problems) == (1, [])
    # A notebook that could not be collected: the test case is the file itself.
    (broken,) = results[(root / BROKEN).resolve()].problems
    assert (broken.kind, broken.nodeid, broken.message) == ("error", BROKEN,
                                                           "collection failure")


def test_the_gate_lines_from_a_notebook_result(results, tmp_path):
    fig4 = results[(tmp_path / "project" / NB).resolve()]
    lines = gate._nbval_findings("updated-abc/notebooks/fig4_huawei_revenue.ipynb", fig4, 1)
    assert lines[0] == ("updated-abc/notebooks/fig4_huawei_revenue.ipynb: nbval: 2 of 4 "
                        "cell(s) failed, 1 could not run, 1 skipped, so never compared "
                        "(pytest exit 1):")
    assert f"      {'_' * 20} {NB}::Cell 1 {'_' * 20}" in lines
    assert "        '98.743' == '98.1'" in lines
    assert lines[-4:] == [f"      FAILED {NB}::Cell 1", f"      FAILED {NB}::Cell 2",
                          f"      ERROR {NB}::Cell 2", f"      SKIPPED {NB}::Cell 3"]


def test_a_file_that_is_no_junit_report_is_named(tmp_path):
    path = tmp_path / "junit.xml"
    path.write_text('<?xml version="1.0"?>\n<testsuites>\n<testcase name="x"', encoding="utf-8")
    with pytest.raises(CcpError, match=rf"{path}, line 3, column \d+: not valid JUnit XML"):
        junit.read(path, tmp_path)
    path.write_text("<html/>", encoding="utf-8")
    with pytest.raises(CcpError, match="root element <html>, expected <testsuites>"):
        junit.read(path, tmp_path)
    # Without the xunit1 family pytest names no file: refused rather than guessed.
    path.write_text('<testsuites><testsuite><testcase classname="a.ipynb" name="Cell 0"/>'
                    "</testsuite></testsuites>", encoding="utf-8")
    with pytest.raises(CcpError, match="has no 'file' attribute; .*junit_family = xunit1"):
        junit.read(path, tmp_path)
