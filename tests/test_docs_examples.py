"""Every `ccp-analysis` example of the README and of docs/ runs, against a copy of the project
with its committed versions: a reader can copy any of them.

The examples are the lines of the pages' ```sh blocks that start with `.venv/bin/ccp-analysis`
or `ccp-analysis` (a trailing `# comment` is not part of the command, a `\\` joins the next
line, a `&&` separates two commands). They run in order, in one copy, with paths under /tmp/
moved to a temporary folder of their own, in this process through `cli.main` (the function the
`ccp-analysis` script runs, with the copy as working directory): a process per example would
only add its start-up. A command that several pages show is run once, where a reader first
meets it. `ccp-analysis check` is not run here: it reruns every notebook of both editions, and
is run by `make test` (beside pytest) and by tests/test_gate.py on a copy. Nor is
`data import`, which reads a file of the reader's own.
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from e2e_support import run_cli

PROJECT_ROOT = Path(__file__).resolve().parents[1]
FENCE = re.compile(r"^```(?:sh|bash|shell)\n(.*?)^```", re.S | re.M)
PROGRAMS = (".venv/bin/ccp-analysis", "ccp-analysis")
NOT_RUN = ("check",)  # the reproducibility gate: see the module's docstring
# `data import` reads a file of the reader's own (a newer price history): tests/test_imports.py
# and tests/test_imports_build.py run it on files made for the purpose.
NEEDS_A_FILE = (("data", "import"),)
DIFFERS = ("diff",)  # exit status 1 says the versions differ


def examples() -> list[tuple[str, list[str]]]:
    """(page, argv after the program) of every example, in the order a reader meets them."""
    pages = [PROJECT_ROOT / "README.md", *sorted((PROJECT_ROOT / "docs").glob("*.md"))]
    found = []
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for block in FENCE.findall(text):
            for line in block.replace("\\\n", " ").splitlines():
                for command in line.split("&&"):  # `a && b`: two commands
                    words = shlex.split(command, comments=True)
                    if words and words[0] in PROGRAMS:
                        found.append((page.relative_to(PROJECT_ROOT).as_posix(), words[1:]))
    return found


def test_the_pages_hold_examples_of_each_job():
    commands = [" ".join(argv) for _, argv in examples()]
    assert any(c.startswith("build ") and "--out" in c for c in commands)  # regenerate a figure
    assert any(c.startswith("diff ") for c in commands)  # compare versions
    assert all(argv for _, argv in examples())


@pytest.mark.slow
@pytest.mark.copy_reports
def test_every_example_runs_against_the_committed_versions(project_copy, tmp_path, capsys,
                                                           monkeypatch):
    # `docs params --write` rewrites the README's parameter table: the copy has its README.
    shutil.copyfile(PROJECT_ROOT / "README.md", project_copy / "README.md")
    monkeypatch.chdir(project_copy)
    ran, seen = 0, set()
    for n, (page, argv) in enumerate(examples()):
        if argv[0] in NOT_RUN or tuple(argv[:2]) in NEEDS_A_FILE or tuple(argv) in seen:
            continue
        seen.add(tuple(argv))
        # Each example its own /tmp: an export never overwrites a folder.
        scratch = tmp_path / str(n)
        scratch.mkdir()
        argv = [re.sub(r"^/tmp/", f"{scratch}/", word) for word in argv]
        argv = [word.replace("=/tmp/", f"={scratch}/") for word in argv]
        proc = run_cli(capsys, *argv)
        allowed = (0, 1) if argv[0] in DIFFERS else (0,)
        assert proc.returncode in allowed, (
            f"{page}: ccp-analysis {shlex.join(argv)} exited {proc.returncode}:\n{proc.stderr}")
        ran += 1
    assert ran >= 3
