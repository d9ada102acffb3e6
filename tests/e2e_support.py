"""`ccp-analysis` run in the test's own process, for end-to-end tests that need no process of
their own: the function the script runs (`cli.main`; the script's `cli.run` adds only the
exit), with the project copy as working directory, its exit status and what it printed.

A `ccp-analysis` subprocess pays a Python start-up and the imports of pandas and the library
(about a second) before it does anything; in this process they are paid once. Tests that must
see a process from outside (signals, a kill, a lock held by another process, an interpreter
started without a capability) keep a subprocess.
"""

from __future__ import annotations

import types

import pytest

from ccp_analysis.cli import main


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> types.SimpleNamespace:
    """`ccp-analysis ARGS` in this process (cwd and CCP_ANALYSIS_ROOT set by the caller): an
    object with `returncode`, `stdout` and `stderr`, as `subprocess.run` gives them."""
    capsys.readouterr()  # what the test printed before is not the command's
    try:
        status = main(list(args))
    except SystemExit as exc:  # argparse: --help, --version, a usage error
        status = 0 if exc.code is None else exc.code
    out, err = capsys.readouterr()
    return types.SimpleNamespace(returncode=status, stdout=out, stderr=err)
