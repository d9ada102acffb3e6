"""Robustness of `ccp-analysis build` and `prune`: bad parameters and labels, a failing notebook,
Ctrl-C, a kill, two builds at once, environment faults.

Every case runs in a copy of data/, notebooks/ and reports/ (conftest `project_copy`), records
the sha256 of every file of the copy's reports/ before the fault (`reports_check.snapshot`,
build state .lock/.staging/.failures excluded) and checks afterwards that nothing was lost or
changed, that the exit status is non-zero and that the error is one clear line.

Nothing here waits a fixed time: interruptions are sent when the build is in a known state,
seen from outside (a line of its progress, a file a held notebook writes); every wait has a
generous bound that only stops a hung test. Platform: POSIX process groups and signals, and
Linux's /proc (processes left behind) and prctl (see test_reports_not_writable).
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from e2e_support import run_cli

from ccp_analysis.cli import main
from ccp_analysis.errors import ParameterError
from ccp_analysis.pipeline import runrecord, versions
from ccp_analysis.publish import history, site

PREFIX = "ccp-analysis: error: "
FIG4 = "fig4_huawei_revenue"
FIG5 = "fig5_alibaba_stock"
AUDIT = "claims_audit"  # the quickest notebook to run (no figure)
CAP_DAC_OVERRIDE = 1
PR_CAPBSET_DROP = 24
# Bound on any wait for a build to reach a state: a hang guard only, far above the seconds a
# notebook takes even on a loaded 2-core machine.
HANG_GUARD = 600


# ---------------------------------------------------------------------------- helpers


def _versions(root: Path) -> set[str]:
    """Folders under reports/ (the comparison pages' folder is not a version)."""
    return {p.name for p in (root / "reports").iterdir()
            if p.is_dir() and not p.name.startswith(".") and p.name != history.CHANGES}


def _error(err: str) -> str:
    """The one `ccp-analysis: error:` line of stderr."""
    lines = [line for line in err.splitlines() if line.startswith(PREFIX)]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def _only_error(err: str) -> str:
    """stderr is exactly one line, the error."""
    line = _error(err)
    assert err.strip().splitlines() == [line], err
    return line


def _staging_files(root: Path) -> list[Path]:
    staging = root / "reports" / versions.STAGING
    return [p for p in staging.rglob("*") if p.is_file()] if staging.exists() else []


def _processes_of(root: Path) -> list[int]:
    """Processes (build, workers, kernels) started for the copy at `root`: they carry
    CCP_ANALYSIS_ROOT=<root> in their environment. Linux: read from /proc/<pid>/environ."""
    marker = f"CCP_ANALYSIS_ROOT={root}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _wait_for(condition, what: str, proc: subprocess.Popen | None = None):
    """Poll `condition()` until it returns something true; fail after HANG_GUARD seconds, or at
    once when `proc` (the build being watched) has ended."""
    deadline = time.monotonic() + HANG_GUARD
    while time.monotonic() < deadline:
        if found := condition():
            return found
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"the build ended (status {proc.returncode}) before {what}")
        time.sleep(0.05)
    pytest.fail(f"not within {HANG_GUARD} s: {what}")


def _assert_no_process_left(root: Path) -> None:
    """Every process of the build ends. A kernel whose parent died exits on its own (ipykernel
    polls its parent), so this waits for that, bounded."""
    try:
        _wait_for(lambda: not _processes_of(root), "the build's processes ended")
    finally:
        for pid in _processes_of(root):  # ours (they work on our copy): end them
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _touch_notebook(root: Path, name: str) -> None:
    """Append a markdown cell: the source changes, so the notebook must run again."""
    _append_cell(root, name, {"cell_type": "markdown", "id": "robustness-touch", "metadata": {},
                              "source": ["Changed by a robustness test."]})


def _hold_notebook(root: Path, name: str, started: Path, release: Path) -> None:
    """Insert a first cell that writes `started`, then waits until `release` exists: the
    notebook is then known to be running, and stays so until the test lets it finish (its
    own cells run after the release, so a held run does none of its work before it). The
    cell gives up by itself after HANG_GUARD seconds, so a kernel cannot be left waiting."""
    code = (f"import pathlib, time\n"
            f"pathlib.Path({str(started)!r}).write_text('running')\n"
            f"_deadline = time.monotonic() + {HANG_GUARD}\n"
            f"while not pathlib.Path({str(release)!r}).exists():\n"
            f"    if time.monotonic() > _deadline:\n"
            f"        raise TimeoutError('never released')\n"
            f"    time.sleep(0.05)\n")
    _append_cell(root, name, {"cell_type": "code", "id": "robustness-hold", "metadata": {},
                              "execution_count": None, "outputs": [],
                              "source": code.splitlines(keepends=True)}, at=0)


def _append_cell(root: Path, name: str, cell: dict, at: int | None = None) -> None:
    """Add `cell` to the copy's notebook `name`: last, or at index `at`."""
    path = root / "notebooks" / f"{name}.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb["cells"].insert(len(nb["cells"]) if at is None else at, cell)
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def _default_sigint() -> None:
    # A shell starts background jobs with SIGINT ignored and children inherit that; give the
    # build the default disposition, as a terminal would, so Ctrl-C reaches Python.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start_build(root: Path, log: Path, *args: str) -> subprocess.Popen:
    """A build in its own session, so its process group is the build and what it starts
    (POSIX; what a terminal's Ctrl-C or a kill of the job reaches)."""
    assert os.environ["CCP_ANALYSIS_ROOT"] == str(root)  # conftest `project_copy` set it
    with log.open("w") as err:
        return subprocess.Popen([sys.executable, "-m", "ccp_analysis.cli", "build", *args],
                                cwd=root, env=dict(os.environ), stdout=subprocess.PIPE,
                                stderr=err, text=True, start_new_session=True,
                                preexec_fn=_default_sigint)


def _finish(proc: subprocess.Popen) -> str:
    """Wait for the build to end (bounded); its stdout."""
    try:
        out, _ = proc.communicate(timeout=HANG_GUARD)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return out


def _plan_line(text: str) -> tuple[int, int]:
    match = re.search(r"^(\d+) notebook run\(s\) to do, (\d+) reused from the cache$", text, re.M)
    assert match, text
    return int(match.group(1)), int(match.group(2))


# reports/ files a build rewrites when it publishes: the pointers to the latest versions, the
# pages that list every version and the comparison pages (reports/changes/).
REWRITTEN = (versions.LATEST, site.PAGE, site.CHANGELOG)


def _rewritten(path: str) -> bool:
    return path in REWRITTEN or path.startswith(f"{history.CHANGES}/")


def _assert_only_added(before: dict[str, str], after: dict[str, str], version: str) -> None:
    """Between two snapshots of reports/, a build published `version` and changed nothing
    else: every other file is as it was, and the only files added are the new version's, the
    pages of versions that had none, the comparison pages, and the chart runtime when none was
    vendored yet (named by its own sha256)."""
    kept = {k: v for k, v in before.items() if not _rewritten(k)}
    assert {k: after.get(k) for k in kept} == kept
    added = {k for k in set(after) - set(before) if not _rewritten(k)}
    runtime = {k for k in added if re.fullmatch(r"assets/vega-[0-9a-f]{16}\.js", k)
               and after[k].startswith(k[len("assets/vega-"):-len(".js")])}
    assert {k for k in added if not k.startswith(f"{version}/")
            and not k.endswith(f"/{site.PAGE}")} - runtime == set()
    assert f"{version}/{versions.MANIFEST}" in added


def _plan_or_none(log: Path) -> tuple[int, int] | None:
    text = log.read_text(encoding="utf-8")
    return _plan_line(text) if "run(s) to do" in text else None


def _ran(log: Path) -> list[str]:
    """'<edition> <notebook>' of each run the build's progress reports as finished."""
    return re.findall(r"^\[\d+/\d+\] ran (\S+ \S+) ", log.read_text(encoding="utf-8"), re.M)


def _build_in_process(*args: str) -> int:
    """main(["build", "--edition", "as-published", *args]) in this process: its status.
    Only for builds that must fail before any kernel starts."""
    try:
        return main(["build", "--edition", "as-published", *args])
    except SystemExit as exc:  # argparse
        return exc.code


def _assert_complete(folder: Path) -> dict:
    """A published version: its files are the manifest's outputs, with their sha256, and the
    pages made from them."""
    manifest = versions.manifest(folder.name)
    files = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert files == set(manifest["outputs"]) | {versions.MANIFEST, "README.md", site.PAGE}
    assert versions.mismatches(folder.name) == {}
    return manifest


# ------------------------------------------------------------ 1. parameters, before any kernel

PARAMETER_CASES = {
    "unknown name": (["-p", "colour=red"], ["unknown parameter 'colour'", FIG4]),
    "unknown name, one notebook": (["--only", FIG4, "-p", f"{FIG4}:colour=red"],
                                   [f"notebook {FIG4}", "unknown parameter 'colour'",
                                    "accepted: edition, year_start"]),
    "wrong type": (["-p", "year_start=abc"],
                   ["notebook fig1_huawei_support", "parameter 'year_start'", "'abc'",
                    "expected int"]),
    "wrong type, bool": (["-p", "include_fines=maybe"],
                         ["notebook fig1_huawei_support", "'include_fines'", "expected bool"]),
    "date that does not parse": (["-p", "date_start=2020-13-45"],
                                 [f"notebook {FIG5}", "'date_start'", "'2020-13-45'",
                                  "YYYY-MM-DD"]),
    "end before start": (["-p", "year_start=2020", "-p", "year_end=2010"],
                         ["'year_end' value 2010 is before 'year_start' 2020"]),
    "date end before start": (["--only", FIG5, "-p", "date_start=2021-01-01",
                               "-p", "date_end=2020-01-01"],
                              [f"notebook {FIG5}", "'date_end'", "before 'date_start'"]),
    "range with no data": (["--only", FIG4, "-p", f"{FIG4}:year_start=1990",
                            "-p", f"{FIG4}:year_end=1995"],
                           [f"notebook {FIG4}", "year_start=1990", "year_end=1995",
                            "holds no data", "as-published"]),
    "dates with no data": (["--only", FIG5, "-p", "date_start=2029-01-01",
                            "-p", "date_end=2030-01-01"],
                           [f"notebook {FIG5}", "date_start='2029-01-01'", "holds no data"]),
    "series without rates in the span": (["--only", FIG4, "-p", "fx_series=fed"],
                                         ["'fed'", "no rate for [2016]"]),
    "unknown figure": (["--only", "fig9"], ["--only 'fig9'", "no such notebook", FIG4]),
    "unknown series": (["-p", "fx_series=irs"],
                       ["'fx_series'", "'irs'", "ecb, oecd_imf, fed, pboc"]),
    "unknown currency": (["-p", "currency=EUR"], ["'currency'", "'EUR'", "USD, CNY"]),
    "unknown measure": (["-p", "measure=volume"], ["'measure'", "'volume'", "price, market_value"]),
    "reserved edition": (["-p", "edition=updated"], ["'edition'", "use --edition"]),
    "notebook not in the build": (["--only", FIG4, "-p", f"{FIG5}:measure=price"],
                                  [FIG5, "not in this build"]),
    "no value": (["-p", "currency"], ["'currency'", "NAME=VALUE"]),
    "zero jobs": (["--jobs", "0"], ["--jobs 0", "1 or more"]),
    "one label, two editions": (["--edition", "updated", "--label", "two"],
                                ["exactly one --edition"]),
    "series a CNY figure ignores": (["--only", FIG4, "-p", "currency=CNY", "-p", "fx_series=fed",
                                     "--out", "/nonexistent/x"],
                                    [f"notebook {FIG4}", "'fx_series'",
                                     "ignored when currency is 'CNY'"]),
    "custom build with nowhere to go": (["--only", FIG4], ["add --out DIR", "--publish"]),
    "export and publish at once": (["--only", FIG4, "--out", "/nonexistent/x", "--publish"],
                                   ["--out and --publish exclude each other"]),
}


@pytest.mark.parametrize("args, parts", PARAMETER_CASES.values(), ids=PARAMETER_CASES.keys())
def test_bad_parameters_are_refused_before_any_kernel(project_copy, reports_check, capsys,
                                                      args, parts):
    before = reports_check.snapshot(project_copy)
    found_before = _versions(project_copy)

    status = _build_in_process(*args)

    out, err = capsys.readouterr()
    assert status == 2
    message = _only_error(err)
    for part in parts:
        assert part in message, (part, message)
    assert out == ""
    assert not (project_copy / ".cache").exists()  # nothing ran, nothing was even seeded
    assert reports_check.snapshot(project_copy) == before
    assert _versions(project_copy) == found_before
    assert not (project_copy / "reports" / versions.FAILURES).exists()


def test_unknown_edition_is_an_argparse_error(project_copy, reports_check, capsys):
    before = reports_check.snapshot(project_copy)
    with pytest.raises(SystemExit) as exc:
        main(["build", "--edition", "draft"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "argument --edition: invalid choice: 'draft'" in err
    assert "as-published" in err and "updated" in err
    assert not (project_copy / ".cache").exists()
    assert reports_check.snapshot(project_copy) == before


# ------------------------------------------------------------------------ 2. version labels

BAD_LABELS = ["../x", "a/b", "", "x" * 65, "bad label!", "..", ".staging", ".failures",
              "x..y", "a\\b"]


@pytest.mark.parametrize("label", BAD_LABELS, ids=repr)
def test_bad_version_labels_are_refused(project_copy, reports_check, capsys, label):
    before = reports_check.snapshot(project_copy)
    entries = sorted(p.name for p in project_copy.rglob("*"))

    status = _build_in_process("--only", FIG4, f"--label={label}")

    assert status == 2
    message = _only_error(capsys.readouterr().err)
    assert f"version label {label!r} is not accepted" in message
    assert sorted(p.name for p in project_copy.rglob("*")) == entries
    assert reports_check.snapshot(project_copy) == before


def test_label_limits():
    assert versions.check_label("x" * 64) == "x" * 64
    assert versions.check_label("fig4-oecd_cny.2") == "fig4-oecd_cny.2"
    with pytest.raises(ParameterError):
        versions.check_label("x" * 65)


# ---------------------------------------------------------------- 3. a notebook that raises


@pytest.mark.slow
@pytest.mark.copy_reports
def test_failing_notebook_publishes_nothing_and_the_next_build_reuses_the_other_run(
        project_copy, reports_check, capsys, monkeypatch):
    """Figure 4 raises in the first cell after its parameters (so the failing run draws
    nothing), the claims audit (changed, so it must run) finishes in the same build; then,
    Figure 4 fixed, only it runs and the audit's run is reused."""
    root = project_copy
    monkeypatch.chdir(root)
    source = root / "notebooks" / f"{FIG4}.ipynb"
    original = source.read_bytes()
    nb = json.loads(original)
    at = 1 + next(i for i, c in enumerate(nb["cells"])
                  if "parameters" in c["metadata"].get("tags", []))
    # After the parameters cell: in the executed notebook the injected parameters cell
    # precedes it, so the cell is named by its place in the source, not in what ran.
    assert 0 < at < len(nb["cells"]) - 1
    nb["cells"].insert(at, {"cell_type": "code", "id": "robustness-boom", "metadata": {},
                            "execution_count": None, "outputs": [],
                            "source": ['raise ValueError("boom")\n']})
    source.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    _touch_notebook(root, AUDIT)
    # A parameter no committed version used and a changed notebook: both really run (nothing
    # is seeded).
    args = ("build", "--edition", "as-published", "--only", FIG4, "--only", AUDIT,
            "-p", f"{FIG4}:currency=CNY", "--label", "f1", "--publish")
    before = reports_check.snapshot(root)
    entries_before = {p.name for p in (root / "reports").iterdir()}

    failed = run_cli(capsys, *args)

    assert failed.returncode == 2
    assert failed.stdout == ""
    assert _plan_line(failed.stderr) == (2, 0)
    assert f"ran as-published {AUDIT}" in failed.stderr
    assert f"FAILED as-published {FIG4}" in failed.stderr
    assert _error(failed.stderr) == f"{PREFIX}notebook {FIG4} failed (edition as-published)"
    assert "ValueError: boom" in failed.stderr
    cell = re.search(r"^  cell: cell (\d+) of notebooks/" + FIG4 + r"\.ipynb "
                     r"\(id ([\w-]+), In \[(\d+)\] when executed\)$", failed.stderr, re.M)
    assert cell, failed.stderr
    partial = root / "reports" / ".failures" / "as-published" / f"{FIG4}.ipynb"
    assert f"partial notebook kept at {partial}" in failed.stderr
    assert partial.is_file()
    # The reported cell is the boom cell: by its position (counted from 1) and id in the
    # source notebook, and by its execution count in the partial notebook kept under .failures.
    assert int(cell.group(1)) == at + 1
    assert cell.group(2) == "robustness-boom"
    kept = json.loads(partial.read_text(encoding="utf-8"))
    by_count = [c for c in kept["cells"] if c.get("execution_count") == int(cell.group(3))]
    assert len(by_count) == 1
    assert "".join(by_count[0]["source"]) == 'raise ValueError("boom")\n'
    assert any(o.get("ename") == "ValueError" for o in by_count[0]["outputs"])
    assert "1 notebook(s) failed; no version was written" in failed.stderr
    # Nothing published or changed; only build state was added.
    assert not (root / "reports" / "f1").exists()
    assert reports_check.snapshot(root) == before
    assert {p.name for p in (root / "reports").iterdir()} - entries_before <= {
        ".failures", ".lock", ".staging"}
    assert not _staging_files(root)
    # The audit's finished run is in the run store; the failed one is not.
    stored = [p.name for p in (root / ".cache" / "notebooks").iterdir()
              if (p / "notebook.ipynb").is_file()]
    assert len(stored) == 1

    # Fixed: only the failed notebook runs again; the audit's finished run is reused.
    source.write_bytes(original)
    fixed = run_cli(capsys, *args)
    assert fixed.returncode == 0, fixed.stderr
    assert _plan_line(fixed.stderr) == (1, 1)
    assert f"[1/1] ran as-published {FIG4}" in fixed.stderr
    assert fixed.stdout.strip() == "as-published: built reports/f1"
    manifest = _assert_complete(root / "reports" / "f1")
    assert manifest["parameters"][FIG4]["currency"] == "CNY"
    # The audit's run is the one the failed build made and stored.
    assert [manifest["notebooks"][AUDIT]["run_key"]] == stored
    _assert_only_added(before, reports_check.snapshot(root), "f1")


# ----------------------------------------------- 4. interruption, and two builds at once


@pytest.mark.slow
@pytest.mark.copy_reports
def test_ctrl_c_leaves_existing_versions_and_no_new_one(project_copy, reports_check, tmp_path):
    """Ctrl-C while a notebook is known to be running (it wrote its file and waits): the
    claims audit, the quickest notebook, whose change leaves it the one run to do."""
    root = project_copy
    started, release = tmp_path / "started", tmp_path / "release"
    _hold_notebook(root, AUDIT, started, release)
    before, found = reports_check.snapshot(root), _versions(root)
    assert found
    proc = _start_build(root, tmp_path / "sigint.log", "--edition", "as-published")
    try:
        _wait_for(started.exists, f"{AUDIT} is running", proc)

        os.killpg(proc.pid, signal.SIGINT)  # a terminal's Ctrl-C: the whole process group
        out = _finish(proc)
    finally:
        release.touch()  # whatever happened, the held cell may end
    err = (tmp_path / "sigint.log").read_text(encoding="utf-8")

    assert proc.returncode == 130, err
    assert err.strip().splitlines()[-1] == (
        "ccp-analysis: interrupted; existing versions are unchanged")
    assert "Traceback" not in err
    assert out == ""
    assert _versions(root) == found
    assert reports_check.snapshot(root) == before
    assert not _staging_files(root)
    _assert_no_process_left(root)


@pytest.mark.slow
@pytest.mark.copy_reports
def test_second_build_is_refused_and_a_killed_build_resumes(project_copy, reports_check,
                                                            capsys, monkeypatch, tmp_path):
    """A default build: fig4 (changed) and every other notebook to run finish, the claims
    audit (the quickest notebook) is held running. Meanwhile a second build is refused, naming
    the first one's pid. The first is then killed (SIGKILL to its process group): nothing
    published changes, nothing keeps running, and the next build runs only the audit, reusing
    every finished run, and publishes a complete version that becomes the latest.

    With the committed versions current, the other five notebooks come from them and only
    fig4 and the audit run."""
    root = project_copy
    monkeypatch.chdir(root)
    started, release = tmp_path / "started", tmp_path / "release"
    _touch_notebook(root, FIG4)
    _hold_notebook(root, AUDIT, started, release)
    before, found = reports_check.snapshot(root), _versions(root)
    latest_before = reports_check.latest(root)
    log = tmp_path / "first.log"
    first = _start_build(root, log, "--edition", "as-published", "--jobs", "2")
    try:
        to_do, reused = _wait_for(lambda: _plan_or_none(log), "the build's plan", first)
        # Every run but the audit's finished, and the audit is running: the state the kill
        # interrupts.
        _wait_for(lambda: started.exists() and len(_ran(log)) == to_do - 1,
                  f"every notebook but {AUDIT} finished and {AUDIT} is running", first)
        assert to_do >= 2 and f"as-published {FIG4}" in _ran(log)

        # The first build holds the lock while the audit runs: a second build is refused.
        second = run_cli(capsys, "build", "--edition", "as-published", "--only", FIG4,
                         "--label", "c1", "--publish")
        assert second.returncode == 2
        assert f"another build is running on this project (pid {first.pid})" in (
            _only_error(second.stderr))
        assert second.stdout == ""

        os.killpg(first.pid, signal.SIGKILL)
        _finish(first)
    finally:
        release.touch()  # from here on the held cell lets its notebook finish

    assert first.returncode == -signal.SIGKILL
    assert _versions(root) == found
    assert reports_check.snapshot(root) == before
    _assert_no_process_left(root)
    # A kill during publishing would leave a staging folder; the next build must clear it.
    leftover = root / "reports" / versions.STAGING / "as-published-0123456789ab.99999"
    (leftover / "figures").mkdir(parents=True)
    (leftover / "figures" / "half.png").write_bytes(b"\x89PNG half")

    again = run_cli(capsys, "build", "--edition", "as-published")

    assert again.returncode == 0, again.stderr
    # Only the audit runs: fig4's finished run (and every other one) is reused.
    assert _plan_line(again.stderr) == (1, to_do + reused - 1)
    assert f"[1/1] ran as-published {AUDIT}" in again.stderr
    built = re.fullmatch(r"as-published: built reports/(as-published-[0-9a-f]{12})",
                         again.stdout.strip())
    assert built, again.stdout
    version = built.group(1)
    assert _versions(root) == found | {version}
    manifest = _assert_complete(root / "reports" / version)
    assert len(manifest["notebooks"]) == 7
    assert reports_check.latest(root) == {**latest_before, "as-published": version}
    _assert_only_added(before, reports_check.snapshot(root), version)
    assert not leftover.exists()
    assert not _staging_files(root)


# -------------------------------------------------------------------- 5. environment faults


def _drop_dac_override() -> None:
    """In the child: give up CAP_DAC_OVERRIDE (dropped from the bounding set, so the exec'd
    build has it in neither its permitted nor its effective set). Linux only (prctl); dropping
    from the bounding set needs CAP_SETPCAP, which root holds, also in a default container."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP, CAP_DAC_OVERRIDE)")


def test_reports_not_writable(project_copy, reports_check):
    """reports/ made read-only with chmod 0o555.

    chmod binds an ordinary user but not root, which ignores file modes through
    CAP_DAC_OVERRIDE (CI and containers often run as root). Run as root, the build is
    therefore started without that capability (Linux: prctl PR_CAPBSET_DROP before exec), so
    the operating system really refuses its writes with EACCES, exactly as for an ordinary
    user; run as another user, the chmod alone does it. This exercises the real check, not a
    patched probe.
    """
    root = project_copy
    reports = root / "reports"
    before = reports_check.snapshot(root)
    reports.chmod(0o555)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "ccp_analysis.cli", "build", "--edition", "as-published"],
            cwd=root, env=dict(os.environ), capture_output=True, text=True,
            timeout=HANG_GUARD, check=False,
            preexec_fn=_drop_dac_override if os.geteuid() == 0 else None)
    finally:
        reports.chmod(0o755)

    assert proc.returncode == 2
    message = _only_error(proc.stderr)
    assert f"{reports} is not writable (Permission denied)" in message
    assert "existing versions are unchanged" in message
    assert proc.stdout == ""
    assert reports_check.snapshot(root) == before
    assert {p.name for p in reports.iterdir() if p.name.startswith(".")} == set()
    assert not (root / ".cache").exists()


def test_reports_path_taken_by_a_file(project_copy, capsys):
    """A file where the reports folder should be: a clear message, the file left as it was."""
    root = project_copy
    shutil.rmtree(root / "reports")
    (root / "reports").write_text("not a folder\n", encoding="utf-8")

    status = _build_in_process("--only", FIG5, "--label", "w2")

    assert status == 2
    message = _only_error(capsys.readouterr().err)
    assert "reports is not writable" in message
    assert "existing versions are unchanged" in message
    assert (root / "reports").read_text(encoding="utf-8") == "not a folder\n"
    assert not (root / ".cache").exists()


def test_missing_raw_file(project_copy, reports_check, capsys):
    root = project_copy
    before, found = reports_check.snapshot(root), _versions(root)
    (root / "data/raw/market/baba_daily.csv").unlink()

    status = _build_in_process("--only", FIG5, "--label", "m1")

    assert status == 2
    message = _only_error(capsys.readouterr().err)
    assert "data/raw/market/baba_daily.csv" in message
    assert "missing" in message
    assert not (root / ".cache").exists()
    assert _versions(root) == found
    assert reports_check.snapshot(root) == before


@pytest.mark.slow
@pytest.mark.copy_reports
def test_kernel_that_cannot_start(project_copy, reports_check, capsys, monkeypatch, tmp_path):
    """A `python3` kernelspec whose interpreter does not exist, found first through
    JUPYTER_PATH (searched before the environment's own kernels, see
    `kernels.kernel_dirs`); the message must show the kernel's own error."""
    root = project_copy
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": ["/nonexistent/python", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (broken)", "language": "python"}), encoding="utf-8")
    before, found = reports_check.snapshot(root), _versions(root)

    monkeypatch.chdir(root)
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    proc = run_cli(capsys, "build", "--edition", "as-published", "--only", FIG4,
                   "-p", "currency=CNY", "--label", "k1", "--publish")

    assert proc.returncode == 2
    assert _error(proc.stderr) == f"{PREFIX}notebook {FIG4} failed (edition as-published)"
    assert "the kernel or notebook could not start" in proc.stderr
    assert "/nonexistent/python" in proc.stderr  # the broken kernelspec was the one used
    assert "no version was written" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (root / "reports" / "k1").exists()
    assert _versions(root) == found
    assert reports_check.snapshot(root) == before
    _assert_no_process_left(root)


# ------------------------------------------------------------------------------- 6. prune


@pytest.mark.copy_reports
def test_prune_refuses_the_latest_version(project_copy, reports_check, capsys):
    root = project_copy
    latest = json.loads((root / "reports/LATEST.json").read_text(encoding="utf-8"))
    before = reports_check.snapshot(root)
    for version in latest.values():
        assert main(["prune", version]) == 2
        message = _only_error(capsys.readouterr().err)
        assert f"reports/{version} is the latest version of its edition and is kept" in message
    assert main(["prune", "no-such-version"]) == 2
    assert "is not a version" in _only_error(capsys.readouterr().err)
    assert main(["prune", "../reports"]) == 2
    assert "is not accepted" in _only_error(capsys.readouterr().err)
    assert reports_check.snapshot(root) == before


@pytest.mark.copy_reports
def test_prune_removes_only_the_named_old_version(project_copy, reports_check, capsys):
    """A committed version that is no longer the latest of its edition, and that a comparison
    page compares with the one before it."""
    root = project_copy
    before = reports_check.snapshot(root)
    latest = json.loads((root / "reports/LATEST.json").read_text(encoding="utf-8"))
    old = max(v for v in _versions(root) - set(latest.values())
              if f"{history.CHANGES}/{v}.html" in before)

    # With the latest among the names, nothing at all is removed.
    assert main(["prune", old, latest["as-published"]]) == 2
    _only_error(capsys.readouterr().err)
    assert reports_check.snapshot(root) == before

    assert main(["prune", old]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == f"removed reports/{old}"
    assert err == ""
    assert not (root / "reports" / old).exists()
    after = reports_check.snapshot(root)
    # The versions index, the changelog and the comparison pages are rewritten without it;
    # nothing else changes.
    pages = ("index.html", "CHANGELOG.md")
    assert {k: v for k, v in after.items() if not _rewritten(k)} == {
        k: v for k, v in before.items() if not k.startswith(f"{old}/") and not _rewritten(k)}
    for page in pages:
        assert old not in (root / "reports" / page).read_text(encoding="utf-8")
    assert not any(old in k for k in after)
    assert old not in runrecord.read()  # its run keys make nothing any more
