"""`--download`: fetch the file an import reads from its publisher, then import it as usual.

Only where the publisher serves the file itself at a stable address: the ECB's
eurofxref-hist.zip and the World Bank's bulk download of PA.NUS.FCRF (the same files a user
downloads by hand). Prices have no such publisher (Yahoo's and Nasdaq's downloads need a
browser session and their terms restrict automated use), so they are always brought as files.
"""

from __future__ import annotations

import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from ccp_analysis.errors import CcpError

TIMEOUT = 60  # seconds; the ECB zip is about 600 kB, the World Bank's about 100 kB


def fetch(url: str, name: str) -> Path:
    """The file at `url`, saved under a temporary folder; a clear error without network."""
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:  # noqa: S310 (fixed https URLs)
            data = response.read()
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise CcpError(f"could not download {url}: {reason}. Nothing was changed. Without "
                       "network, download the file in a browser and import it: "
                       f"ccp-analysis data import SOURCE FILE") from None
    folder = Path(tempfile.mkdtemp(prefix="ccp-import-"))
    target = folder / name
    target.write_bytes(data)
    return target
