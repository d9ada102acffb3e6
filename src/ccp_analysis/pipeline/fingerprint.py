"""What a notebook run depends on, as one content hash.

A run is reused only when all of these are unchanged: the notebook's bytes, its parameters,
the processed data and the raw manifest (which pins every raw file), the code that runs to make
its outputs (ploomber's blind spot: imported code changes figures too), the determinism
environment, and the versions of the packages that draw and execute.

"The code that runs" is every module of the package a notebook imports, followed through
their imports, plus the worker code that writes the executed notebook, plus the package's
non-Python files (the plot style). The command line, the runner, the gate and the version
store are not in it: changing them reruns nothing, because they cannot change a run's bytes.
"""

from __future__ import annotations

import ast
import json
import sys
from collections.abc import Iterator
from functools import cache
from importlib import metadata
from pathlib import Path

from ccp_analysis import paths
from ccp_analysis.determinism import DETERMINISM_ENV
from ccp_analysis.hashing import canonical_json, sha256_bytes, sha256_file, sha256_json

__all__ = ["canonical_json", "code_files", "data_hashes", "environment", "library_hash",
           "run_key", "sha256_bytes", "sha256_file"]

# The packages whose versions a run's key holds, and that a version's page lists (in this
# order) as its provenance; a manifest records them under "environment", sorted.
KEY_PACKAGES = ("pandas", "numpy", "matplotlib", "seaborn", "pandera", "papermill", "nbclient",
                "ipykernel", "nbformat", "altair")
PACKAGE = "ccp_analysis"
# Runs in the pool worker around each kernel and writes the executed notebook's bytes.
WORKER_MODULES = (f"{PACKAGE}.pipeline.execute",)
# Modules whose dynamic imports are only the modules the notebooks import (the kernel template
# preloads them): already among the roots, so these need not count every module.
PRELOADERS = (f"{PACKAGE}.pipeline.kernel_template",)


@cache
def environment() -> dict[str, str]:
    versions = {"python": sys.version.split()[0]}
    for name in KEY_PACKAGES:
        versions[name] = metadata.version(name)
    return versions


class _Dynamic(Exception):
    """Code whose imports cannot be read statically: every module then counts."""


def _module_file(module: str) -> Path | None:
    parts = module.split(".")
    if parts[0] != PACKAGE:
        return None
    base = paths.package_dir().joinpath(*parts[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Every statement of `body`, also those nested in functions, classes and blocks: an
    import is always a statement, so the expressions (most of a module's nodes) are skipped."""
    for node in body:
        yield node
        for field in ("body", "orelse", "finalbody"):
            nested = getattr(node, field, None)
            if isinstance(nested, list):
                yield from _statements(nested)
        for part in (*getattr(node, "handlers", ()), *getattr(node, "cases", ())):
            yield from _statements(part.body)


def _dynamic(tree: ast.Module) -> bool:
    """Whether code calls `import_module` or `__import__` (imports no statement shows)."""
    return any(isinstance(node, ast.Call)
               and getattr(node.func, "attr", getattr(node.func, "id", ""))
               in ("import_module", "__import__") for node in ast.walk(tree))


def _imported(source: str | bytes, package: str, preloader: bool = False,
              filename: str = "<notebook>") -> set[str]:
    """Modules of the package that code imports (anywhere, also inside functions)."""
    tree = ast.parse(source, filename)
    text = source.decode("utf-8", "replace") if isinstance(source, bytes) else source
    # Only code that names them can call them: the full walk is for those files alone.
    if (not preloader and ("import_module" in text or "__import__" in text)
            and _dynamic(tree)):
        raise _Dynamic
    found: set[str] = set()
    for node in _statements(tree.body):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            found.add(base)
            # `from package import module` names a submodule; a plain name is dropped below.
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {m for m in found if m.split(".")[0] == PACKAGE and _module_file(m) is not None}


def _notebook_code(path: Path) -> str:
    cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    lines = []
    for cell in cells:
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else source
        # IPython magics and shell escapes are not Python; they import nothing of ours.
        lines += [line for line in text.splitlines() if not line.lstrip().startswith(("%", "!"))]
    return "\n".join(lines)


def _closure(roots: set[str]) -> set[Path]:
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        parts = module.split(".")
        # Importing a.b.c runs a/__init__.py and a/b/__init__.py first.
        todo += [".".join(parts[:i]) for i in range(1, len(parts))]
        file = _module_file(module)
        package = module if file.name == "__init__.py" else ".".join(parts[:-1])
        todo += _imported(file.read_bytes(), package, preloader=module in PRELOADERS,
                          filename=str(file))
    return {_module_file(m) for m in seen}


def code_files() -> dict[str, str]:
    """sha256 of each package file a notebook run executes or reads, keyed by project path."""
    package_dir = paths.package_dir()
    everything = sorted(p for p in package_dir.rglob("*")
                        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc")
    try:
        if any(_module_file(m) is None for m in WORKER_MODULES):
            raise _Dynamic  # the worker moved: until this list follows, count everything
        roots = set(WORKER_MODULES)
        for notebook in sorted(paths.notebooks_dir().glob("*.ipynb")):
            roots |= _imported(_notebook_code(notebook), PACKAGE, filename=str(notebook))
        modules = _closure(roots)
        # Data files (the style sheet) count where code that runs sits beside them; the page
        # templates of publish/ are read by no run.
        folders = {m.parent for m in modules}
        files = [p for p in everything
                 if p in modules or (p.suffix != ".py" and p.parent in folders)]
    except (_Dynamic, SyntaxError):
        files = everything  # cannot tell what runs: count all of it
    return {f"src/{PACKAGE}/{p.relative_to(package_dir).as_posix()}": sha256_file(p)
            for p in files}


def library_hash(files: dict[str, str] | None = None) -> str:
    """One hash over the code a notebook run executes (`code_files`), for the run key."""
    return sha256_json(code_files() if files is None else files)


def data_hashes() -> dict[str, str]:
    """sha256 of every processed frame and of the raw manifest, keyed by project path."""
    root = paths.project_root()
    files = sorted(paths.processed_dir().glob("*.csv")) + [paths.raw_manifest()]
    return {p.relative_to(root).as_posix(): sha256_file(p) for p in files}


def run_key(notebook_sha: str, parameters: dict[str, object], data: dict[str, str],
            library: str) -> str:
    return sha256_json({
        "notebook": notebook_sha, "parameters": parameters, "data": data,
        "library": library, "environment": environment(), "determinism": DETERMINISM_ENV,
    })
