"""Robustness of `ccp-analysis build` and `prune` (issue 6).

Every case runs in a copy of data/, notebooks/ and reports/ (conftest `project_tree`), records
the sha256 of every file of the copy's reports/ before the fault (`reports_snapshot`, build
state .lock/.staging/.failures excluded) and checks afterwards that nothing was lost or changed,
that the exit status is non-zero and that the error is one clear line.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
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

from ccp_analysis.cli import main
from ccp_analysis.errors import ParameterError
from ccp_analysis.pipeline import versions

PREFIX = "ccp-analysis: error: "
FIG4 = "fig4_huawei_revenue"
FIG5 = "fig5_alibaba_stock"
# Notebooks that run in a few seconds; the interruption tests change only these, so the other
# notebooks of a full build are reused from the committed version (when it is current).
QUICK = ("claims_audit", FIG4, FIG5)
CAP_DAC_OVERRIDE = 1
PR_CAPBSET_DROP = 24


# ---------------------------------------------------------------------------- helpers


def _versions(root: Path) -> set[str]:
    return {p.name for p in (root / "reports").iterdir()
            if p.is_dir() and not p.name.startswith(".")}


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


def _cache_entries(root: Path) -> set[str]:
    """Finished runs in the copy's cache (folders holding a notebook.ipynb)."""
    cache = root / ".cache" / "notebooks"
    if not cache.is_dir():
        return set()
    return {p.name for p in cache.iterdir()
            if p.name != ".runs" and (p / "notebook.ipynb").is_file()}


def _staging_files(root: Path) -> list[Path]:
    staging = root / "reports" / versions.STAGING
    return [p for p in staging.rglob("*") if p.is_file()] if staging.exists() else []


def _processes_of(root: Path) -> list[int]:
    """Processes (build, pool workers, kernels) started for the copy at `root`: they carry
    CCP_ANALYSIS_ROOT=<root> in their environment."""
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


def _assert_no_process_left(root: Path, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while (left := _processes_of(root)) and time.monotonic() < deadline:
        time.sleep(0.2)
    for pid in left:  # ours (they work on our copy): end them, then fail
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    assert not left, f"processes of the build still running: {left}"


def _touch_notebooks(root: Path, names: tuple[str, ...]) -> None:
    """Append a markdown cell: the source changes, so these notebooks must run again."""
    for name in names:
        path = root / "notebooks" / f"{name}.ipynb"
        nb = json.loads(path.read_text(encoding="utf-8"))
        nb["cells"].append({"cell_type": "markdown", "id": "robustness-touch", "metadata": {},
                            "source": ["Changed by a robustness test."]})
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def _default_sigint() -> None:
    # A shell starts background jobs with SIGINT ignored and children inherit that; give the
    # build the default disposition, as a terminal would, so Ctrl-C reaches Python.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start_build(root: Path, log: Path, *args: str) -> subprocess.Popen:
    """A build in its own session (process group = the build and its pool workers)."""
    env = {k: v for k, v in os.environ.items() if k not in ("CCP_OUTPUT_DIR", "JUPYTER_PATH")}
    env["CCP_ANALYSIS_ROOT"] = str(root)
    with log.open("w") as err:
        return subprocess.Popen([sys.executable, "-m", "ccp_analysis.cli", "build", *args],
                                cwd=root, env=env, stdout=subprocess.PIPE, stderr=err,
                                text=True, start_new_session=True, preexec_fn=_default_sigint)


def _wait_for_first_run(proc: subprocess.Popen, log: Path, timeout: float = 240) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log.read_text(encoding="utf-8")
        if re.search(r"^\[1/\d+\] ran ", text, re.M):
            return text
        if proc.poll() is not None:
            pytest.fail(f"the build ended before a notebook finished:\n{text}")
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGKILL)
    pytest.fail(f"no notebook finished within {timeout} s:\n{log.read_text()}")


def _plan_line(text: str) -> tuple[int, int]:
    match = re.search(r"^(\d+) notebook run\(s\) to do, (\d+) reused from the cache$", text, re.M)
    assert match, text
    return int(match.group(1)), int(match.group(2))


def _build_in_process(*args: str) -> tuple[int, float]:
    """main(["build", "--edition", "as-published", *args]) in this process: (status, seconds).
    Only for builds that must fail before any kernel starts."""
    start = time.perf_counter()
    try:
        status = main(["build", "--edition", "as-published", *args])
    except SystemExit as exc:  # argparse
        status = exc.code
    return status, time.perf_counter() - start


def _assert_complete(folder: Path) -> dict:
    """A published version: manifest outputs are exactly the files, with their sha256."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    files = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert files == set(manifest["outputs"]) | {"manifest.json", "README.md", "index.html"}
    for rel, sha in manifest["outputs"].items():
        assert hashlib.sha256((folder / rel).read_bytes()).hexdigest() == sha, rel
    return manifest


# ------------------------------------------------------------ 1. parameters, before any kernel

PARAMETER_CASES = {
    "unknown name": (["-p", "colour=red"], ["unknown parameter 'colour'", FIG4]),
    "unknown name, one notebook": (["--only", FIG4, "-p", f"{FIG4}:colour=red"],
                                   [f"notebook {FIG4}", "unknown parameter 'colour'",
                                    "accepted: edition, year_start"]),
    "wrong type": (["-p", "year_start=abc"],
                   ["notebook deals_timeline", "parameter 'year_start'", "'abc'", "expected int"]),
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
    "one label, two editions": (["--edition", "updated", "--version", "two"],
                                ["exactly one --edition"]),
}


@pytest.mark.parametrize("args, parts", PARAMETER_CASES.values(), ids=PARAMETER_CASES.keys())
def test_bad_parameters_are_refused_before_any_kernel(project_tree, reports_snapshot, capsys,
                                                      args, parts):
    before = reports_snapshot(project_tree)
    found_before = _versions(project_tree)

    status, seconds = _build_in_process(*args)

    out, err = capsys.readouterr()
    assert status == 2
    message = _only_error(err)
    for part in parts:
        assert part in message, (part, message)
    assert out == ""
    assert seconds < 15
    assert not (project_tree / ".cache").exists()  # nothing ran, nothing was even seeded
    assert reports_snapshot(project_tree) == before
    assert _versions(project_tree) == found_before
    assert not (project_tree / "reports" / versions.FAILURES).exists()


def test_unknown_edition_is_an_argparse_error(project_tree, reports_snapshot, capsys):
    before = reports_snapshot(project_tree)
    with pytest.raises(SystemExit) as exc:
        main(["build", "--edition", "draft"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "argument --edition: invalid choice: 'draft'" in err
    assert "as-published" in err and "updated" in err
    assert not (project_tree / ".cache").exists()
    assert reports_snapshot(project_tree) == before


# ------------------------------------------------------------------------ 2. version labels

BAD_LABELS = ["../x", "a/b", "", "x" * 65, "bad label!", "..", ".staging", ".failures",
              "x..y", "a\\b"]


@pytest.mark.parametrize("label", BAD_LABELS, ids=repr)
def test_bad_version_labels_are_refused(project_tree, reports_snapshot, capsys, label):
    before = reports_snapshot(project_tree)
    entries = sorted(p.name for p in project_tree.rglob("*"))

    status, seconds = _build_in_process("--only", FIG4, f"--version={label}")

    assert status == 2
    message = _only_error(capsys.readouterr().err)
    assert f"version label {label!r} is not accepted" in message
    assert seconds < 15
    assert sorted(p.name for p in project_tree.rglob("*")) == entries
    assert reports_snapshot(project_tree) == before


def test_label_limits():
    assert versions.check_label("x" * 64) == "x" * 64
    assert versions.check_label("fig4-oecd_cny.2") == "fig4-oecd_cny.2"
    with pytest.raises(ParameterError):
        versions.check_label("x" * 65)


@pytest.mark.slow
def test_existing_label_with_other_content_is_refused(project_tree, reports_snapshot, ccp_cli):
    first = ccp_cli(project_tree, "build", "--edition", "as-published", "--only", FIG4,
                    "--version", "lab1")
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "as-published: built reports/lab1"
    before = reports_snapshot(project_tree)
    assert any(rel.startswith("lab1/") for rel in before)

    second = ccp_cli(project_tree, "build", "--edition", "as-published", "--only", FIG5,
                     "--version", "lab1")

    assert second.returncode == 2
    message = _only_error(second.stderr)
    assert "reports/lab1 exists with other content" in message
    assert "choose another --version label" in message
    assert second.stdout == ""
    assert reports_snapshot(project_tree) == before
    manifest = json.loads((project_tree / "reports/lab1/manifest.json").read_text("utf-8"))
    assert list(manifest["notebooks"]) == [FIG4]


# ---------------------------------------------------------------- 3. a notebook that raises


@pytest.mark.slow
def test_failing_notebook_publishes_nothing_and_keeps_the_other_run(
        project_tree, reports_snapshot, ccp_cli):
    root = project_tree
    source = root / "notebooks" / f"{FIG4}.ipynb"
    original = source.read_bytes()
    nb = json.loads(original)
    nb["cells"].append({"cell_type": "code", "id": "robustness-boom", "metadata": {},
                        "execution_count": None, "outputs": [],
                        "source": ['raise ValueError("boom")\n']})
    source.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    # Parameters no committed version used: both notebooks really run (nothing is seeded).
    args = ("build", "--edition", "as-published", "--only", FIG4, "--only", FIG5,
            "-p", f"{FIG4}:currency=CNY", "-p", f"{FIG5}:measure=market_value",
            "--version", "f1")
    before = reports_snapshot(root)
    entries_before = {p.name for p in (root / "reports").iterdir()}

    failed = ccp_cli(root, *args)

    assert failed.returncode == 2
    assert failed.stdout == ""
    assert _plan_line(failed.stderr) == (2, 0)
    assert f"ran as-published {FIG5}" in failed.stderr
    assert f"FAILED as-published {FIG4}" in failed.stderr
    assert _error(failed.stderr) == f"{PREFIX}notebook {FIG4} failed (edition as-published)"
    assert "ValueError: boom" in failed.stderr
    cell = re.search(r"^  cell: cell (\d+) of notebooks/" + FIG4 + r"\.ipynb "
                     r"\(id ([\w-]+), In \[(\d+)\] when executed\)$", failed.stderr, re.M)
    assert cell, failed.stderr
    partial = root / "reports" / ".failures" / "as-published" / f"{FIG4}.ipynb"
    assert f"partial notebook kept at {partial}" in failed.stderr
    assert partial.is_file()
    # The reported cell is the boom cell: by its position and id in the source notebook, and
    # by its execution count in the partial notebook kept under .failures.
    assert int(cell.group(1)) == len(nb["cells"])
    assert cell.group(2) == "robustness-boom"
    kept = json.loads(partial.read_text(encoding="utf-8"))
    by_count = [c for c in kept["cells"] if c.get("execution_count") == int(cell.group(3))]
    assert len(by_count) == 1
    assert "".join(by_count[0]["source"]) == 'raise ValueError("boom")\n'
    assert any(o.get("ename") == "ValueError" for o in by_count[0]["outputs"])
    assert "1 notebook(s) failed; no version was written" in failed.stderr
    # Nothing published or changed; only build state was added.
    assert not (root / "reports" / "f1").exists()
    assert reports_snapshot(root) == before
    assert {p.name for p in (root / "reports").iterdir()} - entries_before <= {
        ".failures", ".lock", ".staging"}
    assert not _staging_files(root)
    # The notebook that succeeded is cached: one finished run, fig5's.
    cached = _cache_entries(root)
    assert len(cached) == 1, cached
    run = json.loads((root / ".cache/notebooks" / next(iter(cached)) / "notebook.ipynb")
                     .read_text(encoding="utf-8"))
    assert run["metadata"]["papermill"]["parameters"]["measure"] == "market_value"

    # Fixed: only the failed notebook runs again.
    source.write_bytes(original)
    fixed = ccp_cli(root, *args)
    assert fixed.returncode == 0, fixed.stderr
    assert _plan_line(fixed.stderr) == (1, 1)
    assert f"[1/1] ran as-published {FIG4}" in fixed.stderr
    assert fixed.stdout.strip() == "as-published: built reports/f1"
    manifest = _assert_complete(root / "reports" / "f1")
    assert manifest["notebooks"][FIG5]["cache_key"] == next(iter(cached))
    after = reports_snapshot(root)
    assert {k: v for k, v in after.items() if not k.startswith("f1/")} == before


# ------------------------------------------------------------------------- 4. interruption


def _interrupted_build(root: Path, log: Path, how: int) -> tuple[subprocess.Popen, str]:
    """Start a full as-published build, let one notebook finish, then signal the whole process
    group (what Ctrl-C in a terminal, or a kill of the job, does)."""
    proc = _start_build(root, log, "--edition", "as-published")
    try:
        _wait_for_first_run(proc, log)
        os.killpg(proc.pid, how)
        proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return proc, log.read_text(encoding="utf-8")


@pytest.mark.slow
def test_ctrl_c_leaves_existing_versions_and_no_new_one(project_tree, reports_snapshot,
                                                         tmp_path):
    root = project_tree
    _touch_notebooks(root, QUICK)
    before, found = reports_snapshot(root), _versions(root)
    assert found

    proc, err = _interrupted_build(root, tmp_path / "sigint.log", signal.SIGINT)

    assert proc.returncode == 130, err
    assert err.strip().splitlines()[-1] == (
        "ccp-analysis: interrupted; existing versions are unchanged")
    assert "Traceback" not in err
    assert _versions(root) == found
    assert reports_snapshot(root) == before
    assert not _staging_files(root)
    to_do, reused = _plan_line(err)
    finished = len(re.findall(r"^\[\d+/\d+\] ran ", err, re.M))
    assert 1 <= finished < to_do
    assert len(_cache_entries(root)) >= reused + finished  # finished runs were kept
    _assert_no_process_left(root)


@pytest.mark.slow
def test_kill_leaves_existing_versions_and_the_next_build_resumes(
        project_tree, reports_snapshot, ccp_cli, tmp_path):
    root = project_tree
    _touch_notebooks(root, QUICK)
    before, found = reports_snapshot(root), _versions(root)
    latest_before = json.loads((root / "reports/LATEST.json").read_text(encoding="utf-8"))

    proc, err = _interrupted_build(root, tmp_path / "sigkill.log", signal.SIGKILL)

    assert proc.returncode == -signal.SIGKILL
    assert _versions(root) == found
    assert reports_snapshot(root) == before
    _assert_no_process_left(root)
    to_do, reused = _plan_line(err)
    finished = len(re.findall(r"^\[\d+/\d+\] ran ", err, re.M))
    assert 1 <= finished < to_do
    cached = _cache_entries(root)
    assert len(cached) >= reused + finished
    # A kill during publishing would leave a staging folder; the next build must clear it.
    leftover = root / "reports" / versions.STAGING / "as-published-0123456789ab.99999"
    (leftover / "figures").mkdir(parents=True)
    (leftover / "figures" / "half.png").write_bytes(b"\x89PNG half")

    again = ccp_cli(root, "build", "--edition", "as-published")

    assert again.returncode == 0, again.stderr
    assert _plan_line(again.stderr) == (to_do + reused - len(cached), len(cached))
    built = re.fullmatch(r"as-published: built reports/(as-published-[0-9a-f]{12})",
                         again.stdout.strip())
    assert built, again.stdout
    version = built.group(1)
    assert _versions(root) == found | {version}
    manifest = _assert_complete(root / "reports" / version)
    assert len(manifest["notebooks"]) == 7
    assert set(cached) <= {n["cache_key"] for n in manifest["notebooks"].values()}
    latest = json.loads((root / "reports/LATEST.json").read_text(encoding="utf-8"))
    assert latest == {**latest_before, "as-published": version}
    after = reports_snapshot(root)
    assert {k: v for k, v in after.items()
            if not k.startswith(f"{version}/") and k != "LATEST.json"} == {
        k: v for k, v in before.items() if k != "LATEST.json"}
    assert not leftover.exists()
    assert not _staging_files(root)


# --------------------------------------------------------------------------- 5. concurrency


@pytest.mark.slow
def test_second_concurrent_build_is_refused(project_tree, reports_snapshot, tmp_path):
    root = project_tree
    before = reports_snapshot(root)
    # A parameter no committed version used: the winner has to run a kernel (seconds).
    args = ("--edition", "as-published", "--only", FIG4, "-p", "fx_series=oecd_imf",
            "--version", "c1")
    procs = [_start_build(root, tmp_path / f"c{i}.log", *args) for i in range(2)]
    outs = []
    for proc in procs:
        out, _ = proc.communicate(timeout=300)
        outs.append(out)
    errs = [(tmp_path / f"c{i}.log").read_text(encoding="utf-8") for i in range(2)]
    codes = [proc.returncode for proc in procs]

    assert sorted(codes) == [0, 2], errs
    winner, loser = (0, 1) if codes[0] == 0 else (1, 0)
    message = _only_error(errs[loser])
    assert f"another build is running on this project (pid {procs[winner].pid})" in message
    assert outs[loser] == ""
    assert outs[winner].strip() == "as-published: built reports/c1"
    # reports/ is consistent: c1 complete, everything else as it was.
    manifest = _assert_complete(root / "reports" / "c1")
    assert manifest["parameters"][FIG4]["fx_series"] == "oecd_imf"
    after = reports_snapshot(root)
    assert {k: v for k, v in after.items() if not k.startswith("c1/")} == before
    assert not _staging_files(root)


# -------------------------------------------------------------------- 6. environment faults


def _drop_dac_override() -> None:
    """In the child: give up CAP_DAC_OVERRIDE (dropped from the bounding set, so the exec'd
    build has it in neither its permitted nor its effective set)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP, CAP_DAC_OVERRIDE)")


def test_reports_not_writable(project_tree, reports_snapshot):
    """reports/ made read-only with chmod 0o555.

    Tests run as root, and root ignores file modes through CAP_DAC_OVERRIDE; the build is
    therefore started without that capability (prctl PR_CAPBSET_DROP before exec), so the
    kernel really refuses its writes with EACCES, exactly as for an ordinary user. This
    exercises the real check, not a patched probe.
    """
    root = project_tree
    reports = root / "reports"
    before = reports_snapshot(root)
    reports.chmod(0o555)
    try:
        env = {k: v for k, v in os.environ.items() if k != "CCP_OUTPUT_DIR"}
        proc = subprocess.run(
            [sys.executable, "-m", "ccp_analysis.cli", "build", "--edition", "as-published"],
            cwd=root, env=env, capture_output=True, text=True, timeout=120, check=False,
            preexec_fn=_drop_dac_override if os.geteuid() == 0 else None)
    finally:
        reports.chmod(0o755)

    assert proc.returncode == 2
    message = _only_error(proc.stderr)
    assert f"{reports} is not writable (Permission denied)" in message
    assert "existing versions are unchanged" in message
    assert proc.stdout == ""
    assert reports_snapshot(root) == before
    assert {p.name for p in reports.iterdir() if p.name.startswith(".")} == set()
    assert not (root / ".cache").exists()


def test_reports_path_taken_by_a_file(project_tree, capsys):
    """A file where the reports folder should be: a clear message, the file left as it was."""
    root = project_tree
    shutil.rmtree(root / "reports")
    (root / "reports").write_text("not a folder\n", encoding="utf-8")

    status, _ = _build_in_process("--only", FIG5, "--version", "w2")

    assert status == 2
    message = _only_error(capsys.readouterr().err)
    assert "reports is not writable" in message
    assert "existing versions are unchanged" in message
    assert (root / "reports").read_text(encoding="utf-8") == "not a folder\n"
    assert not (root / ".cache").exists()


def test_missing_raw_file(project_tree, reports_snapshot, capsys):
    root = project_tree
    before, found = reports_snapshot(root), _versions(root)
    (root / "data/raw/market/baba_daily.csv").unlink()

    status, seconds = _build_in_process("--only", FIG5, "--version", "m1")

    assert status == 2
    message = _only_error(capsys.readouterr().err)
    assert "data/raw/market/baba_daily.csv" in message
    assert "missing" in message
    assert seconds < 15
    assert not (root / ".cache").exists()
    assert _versions(root) == found
    assert reports_snapshot(root) == before


@pytest.mark.slow
def test_kernel_that_cannot_start(project_tree, reports_snapshot, ccp_cli, tmp_path):
    """A `python3` kernelspec whose interpreter does not exist, found first through
    JUPYTER_PATH (searched before the environment's own kernels even with
    JUPYTER_PREFER_ENV_PATH=1); the message must show the kernel's own error."""
    root = project_tree
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": ["/nonexistent/python", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (broken)", "language": "python"}), encoding="utf-8")
    before, found = reports_snapshot(root), _versions(root)

    proc = ccp_cli(root, "build", "--edition", "as-published", "--only", FIG4,
                   "-p", "currency=CNY", "--version", "k1",
                   JUPYTER_PATH=str(tmp_path / "jupyter"))

    assert proc.returncode == 2
    assert _error(proc.stderr) == f"{PREFIX}notebook {FIG4} failed (edition as-published)"
    assert "the kernel or notebook could not start" in proc.stderr
    assert "/nonexistent/python" in proc.stderr  # the broken kernelspec was the one used
    assert "no version was written" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (root / "reports" / "k1").exists()
    assert _versions(root) == found
    assert reports_snapshot(root) == before
    assert not _cache_entries(root)
    _assert_no_process_left(root)


# ------------------------------------------------------------------------------- 7. prune


def test_prune_refuses_the_latest_version(project_tree, reports_snapshot, capsys):
    root = project_tree
    latest = json.loads((root / "reports/LATEST.json").read_text(encoding="utf-8"))
    before = reports_snapshot(root)
    for version in latest.values():
        assert main(["prune", version]) == 2
        message = _only_error(capsys.readouterr().err)
        assert f"reports/{version} is the latest version of its edition and is kept" in message
    assert main(["prune", "no-such-version"]) == 2
    assert "is not a version" in _only_error(capsys.readouterr().err)
    assert main(["prune", "../reports"]) == 2
    assert "is not accepted" in _only_error(capsys.readouterr().err)
    assert reports_snapshot(root) == before


@pytest.mark.slow
def test_prune_removes_only_the_named_old_version(project_tree, reports_snapshot, ccp_cli,
                                                  capsys):
    root = project_tree
    built = ccp_cli(root, "build", "--edition", "as-published", "--only", FIG4,
                    "--version", "old1")
    assert built.returncode == 0, built.stderr
    before = reports_snapshot(root)
    latest = json.loads((root / "reports/LATEST.json").read_text(encoding="utf-8"))

    # With the latest among the names, nothing at all is removed.
    assert main(["prune", "old1", latest["as-published"]]) == 2
    _only_error(capsys.readouterr().err)
    assert reports_snapshot(root) == before

    assert main(["prune", "old1"]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == "removed reports/old1"
    assert err == ""
    assert not (root / "reports" / "old1").exists()
    assert reports_snapshot(root) == {k: v for k, v in before.items()
                                      if not k.startswith("old1/")}
