"""The project's `python3` kernelspec: ipykernel's own, naming the private-socket provisioner.

    python -m ccp_analysis.pipeline.kernelspec            # install (make does, after pip)
    python -m ccp_analysis.pipeline.kernelspec --check    # exit 1 if not installed

The notebooks name the `python3` kernel (their metadata is part of the published bytes, so the
name stays). ipykernel installs that kernelspec into this environment
(<sys.prefix>/share/jupyter/kernels/python3/kernel.json), which Jupyter finds before a user's
own kernels when it runs from a virtual environment. This module rewrites that file with one
addition to ipykernel's content, `metadata.kernel_provisioner` naming
`provisioner.PrivateSocketProvisioner`: every kernel started from it, by any client, then
listens on Unix sockets of its own (provisioner.py says why). Everything else (argv, display
name, language, ipykernel's metadata) is ipykernel's, so a notebook run through it records the
same metadata. Reinstalling ipykernel restores its plain file; `make` writes this one again
after every install, and `ccp-analysis check --nbval` installs it when it is missing.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from ccp_analysis.pipeline.provisioner import NAME

KERNEL = "python3"


def spec_file(prefix: str | None = None) -> Path:
    return Path(prefix or sys.prefix) / "share" / "jupyter" / "kernels" / KERNEL / "kernel.json"


def wanted(current: dict | None) -> dict:
    """`current` (ipykernel's kernel.json, or None) with the provisioner named."""
    if current is None:
        from ipykernel.kernelspec import get_kernel_dict

        current = get_kernel_dict()
        # As ipykernel's wheel writes it: the interpreter that starts the kernel (jupyter_client
        # puts sys.executable for "python"), not a path that breaks when the environment moves.
        current["argv"][0] = "python"
    spec = json.loads(json.dumps(current))
    spec.setdefault("metadata", {})["kernel_provisioner"] = {"provisioner_name": NAME}
    return spec


def _read(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def installed(prefix: str | None = None) -> bool:
    spec = _read(spec_file(prefix))
    return spec is not None and spec.get("metadata", {}).get(
        "kernel_provisioner", {}).get("provisioner_name") == NAME


def install(prefix: str | None = None) -> Path:
    """Write the kernelspec (atomically; unchanged bytes are not rewritten); returns its path."""
    path = spec_file(prefix)
    text = json.dumps(wanted(_read(path)), indent=1, sort_keys=True) + "\n"
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)
    return path


def ensure() -> str:
    """Install the kernelspec if it is not; '' when it already was, else one line saying what
    was done (or why it could not be, e.g. an environment that is not writable)."""
    if installed():
        return ""
    try:
        path = install()
    except OSError as exc:
        return (f"note: could not install the project's kernelspec ({exc}); kernels started "
                "from it use TCP ports and run one at a time")
    return f"note: installed the project's kernelspec {path} (kernels on private sockets)"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["--check"]:
        ok = installed()
        print(f"{spec_file()}: " + ("names the private-socket provisioner" if ok else
                                    "does not name the private-socket provisioner"))
        return 0 if ok else 1
    print(f"installed {install()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
