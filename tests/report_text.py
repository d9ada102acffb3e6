"""Where the tests find the report's extracted text, the source of every quote the project
transcribes. It is not part of the repository: it sits in the shared sources beside the checkout
(as in CI), or wherever CCP_REPORT_TEXT points. With CI=true a missing text fails the tests that
need it, so a quote check can never pass by checking nothing; elsewhere it warns."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ENV = "CCP_REPORT_TEXT"
NAME = Path("shared") / "report" / "ccp-inc-in-malaysia.txt"


def report_text_path() -> Path | None:
    if os.environ.get(ENV):
        path = Path(os.environ[ENV])
        if not path.is_file():
            pytest.fail(f"{ENV}={path}: no such file")
        return path
    for parent in (ROOT.parent, *ROOT.parent.parents):
        if (parent / NAME).is_file():
            return parent / NAME
    message = (f"the report text ({NAME}) was not found beside the checkout; set {ENV} to "
               "check every quote against it")
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message)
    warnings.warn(message, stacklevel=2)
    return None
