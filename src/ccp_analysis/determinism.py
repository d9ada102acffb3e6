"""The environment every kernel needs for byte-identical outputs, stated once.

SOURCE_DATE_EPOCH fixes the time stamps matplotlib would otherwise write into PDF and SVG;
PYTHONHASHSEED fixes set and dict-of-str iteration order wherever it leaks into output order.
The build and the gate hand this to their kernels, the tests and the benchmark import it, and
it is part of every run's fingerprint, so changing a value reruns every notebook.
"""

from __future__ import annotations

DETERMINISM_ENV: dict[str, str] = {"SOURCE_DATE_EPOCH": "1671148800", "PYTHONHASHSEED": "0"}
