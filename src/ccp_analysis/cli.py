"""The `ccp-analysis` command: data verify/build, report build, versions, prune, check.

Imports stay inside the commands so `--help` and a no-op rebuild start fast.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import textwrap
from typing import TYPE_CHECKING

from ccp_analysis.edition_names import EDITIONS
from ccp_analysis.errors import CcpError

if TYPE_CHECKING:
    from pathlib import Path

EPILOG = textwrap.dedent("""\
    examples:
      ccp-analysis data verify                 check every raw input against its sha256
      ccp-analysis data build                  rebuild data/processed from data/raw
      ccp-analysis data import prices BABA.csv --source "Yahoo Finance BABA history"
      ccp-analysis data history                what imports changed in data/raw, and why
      ccp-analysis build                       build both editions into reports/<version>/
      ccp-analysis build --only fig4_huawei_revenue -p currency=CNY --out /tmp/fig4
      ccp-analysis params fig4_huawei_revenue  what a notebook's parameters accept
      ccp-analysis latest --notebooks          executed notebooks of the latest versions
      ccp-analysis check                       rebuild and compare with the committed manifests
      ccp-analysis check --nbval               the same through nbval, in fresh kernels (make test)
      ccp-analysis prune as-published-1a2b3c4d5e6f
      ccp-analysis diff --edition updated --html /tmp/diff.html
      ccp-analysis site                        (re)write the HTML pages and the changelog

    Run 'ccp-analysis COMMAND --help' for the options of each command.
    """)


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def cmd_data(args: argparse.Namespace) -> int:
    from ccp_analysis.data.parsing import raw

    if args.action == "verify":
        from ccp_analysis.data.imports import atomic

        atomic.recover()  # an import cut off after its journal is finished first
        checked = raw.verify_all()
        print(f"{len(checked)} raw files match data/raw/MANIFEST.json")
        return 0
    if args.action == "hash":
        for path, shown in _hash_targets(args.files):
            print(f"{raw.sha256_file(path)}  {shown}")
        return 0
    if args.action == "history":
        from ccp_analysis.data.imports import log

        entries = log.read()
        if not entries:
            print(f"no imports recorded in data/raw/{log.NAME}")
        for entry in entries:
            print("\n".join(log.describe(entry)))
        return 0
    if args.action == "import":
        return _data_import(args)
    from ccp_analysis import claims
    from ccp_analysis.data import frame_builders

    target = frame_builders.build(progress=lambda line: _say(f"  {line}"),
                                  check=claims.check_frames)
    print(f"wrote {target}")
    return 0


def _hash_targets(names: list[str]):
    """Each name as a path, or as the manifest writes it (market/baba_daily.csv, relative to
    data/raw); a folder stands for the files under it."""
    from pathlib import Path

    from ccp_analysis import paths

    if not names:
        raise CcpError("name the files to hash, e.g. ccp-analysis data hash "
                       "market/baba_daily.csv")
    found = []
    for name in names:
        path = Path(name)
        if not path.exists() and (paths.raw_dir() / name).exists():
            path = paths.raw_dir() / name
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file())
            if not files:
                raise CcpError(f"{name}: a folder with no files to hash")
            found += [(p, str(Path(name) / p.relative_to(path))) for p in files]
        elif path.is_file():
            found.append((path, name))
        else:
            raise CcpError(f"{name}: no such file, here or under data/raw/ (the manifest's "
                           "paths, e.g. market/baba_daily.csv, are relative to data/raw)")
    return found


def _data_import(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ccp_analysis.data.imports import download, run

    if args.download:
        if args.source_kind not in run.DOWNLOADS:
            raise CcpError(f"--download is offered for {', '.join(run.DOWNLOADS)} only: prices, "
                           "results and share counts are imported from a file you download")
        if args.file:
            raise CcpError("give either FILE or --download, not both")
        url, name = run.DOWNLOADS[args.source_kind]
        _say(f"downloading {url}")
        file = download.fetch(url, name)
        shown = url
    else:
        if not args.file:
            raise CcpError(f"name the FILE to import (ccp-analysis data import "
                           f"{args.source_kind} FILE)")
        file, shown = Path(args.file), args.file
    request = run.Request(args.source_kind, file, args.source or "", args.accessed, args.status,
                          args.revise, args.override, shown)
    result = run.plan(request)
    for line in result.report():
        print(line)
    if not result.changes_anything:
        print("nothing new: the file agrees with what is held; nothing written")
        return 0
    if args.dry_run:
        print("dry run: nothing written")
        return 0
    for line in run.apply(result):
        print(line)
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    from ccp_analysis import readme

    if args.write:
        changed = readme.write_params()
        print("README.md: parameter table " + ("rewritten" if changed else "already current"))
        return 0
    print(readme.params_table())
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    # A build's own process imports the library, plans, waits for its workers and writes
    # pages: few cyclic objects, and a fifth of its start (before the first kernel) spent in
    # the collector walking what the imports made. It runs without it; the workers it forks
    # turn it on again (pipeline.workers), and the caller's setting is restored.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _build(args)
    finally:
        if collecting:
            gc.enable()


def _build(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ccp_analysis.pipeline import runner
    from ccp_analysis.publish import site

    if args.old_label is not None:
        raise CcpError("build --version is no longer an option: name the version with "
                       f"--label {args.old_label or 'LABEL'} ('ccp-analysis --version' prints "
                       "the package version)")
    result = runner.build(
        editions=args.edition or list(EDITIONS),
        only=args.only or [],
        overrides=args.param or [],
        jobs=args.jobs,
        label=args.label,
        progress=_say,
        out=Path(args.out) if args.out else None,
        publish=args.publish,
        fork=not args.no_fork,
        version_pages=site.write_version_pages,
        refresh=site.refresh,
    )
    for line in result:
        print(line)
    return 0


def cmd_params(args: argparse.Namespace) -> int:
    from ccp_analysis.figures import checks

    name = args.notebook.removesuffix(".ipynb").rsplit("/", 1)[-1]
    spec = checks.spec_of(name)
    print(f"{spec.heading()} ({name}.ipynb)" if spec.label else f"{name}.ipynb")
    if spec.frames:
        print(f"  reads: {', '.join(spec.frames)}; outputs: {', '.join(spec.outputs)}")
    if spec.tables:
        print("  tables: " + "; ".join(f"{t.name} (key {', '.join(t.key)})"
                                       for t in spec.tables))
    ends = {e: checks.open_ends(name, e) for e in EDITIONS}
    presets = {p.name: [ends[e][p.name] for e in EDITIONS] for p in spec.parameters
               if all(p.name in ends[e] for e in EDITIONS)}
    for param in spec.parameters:
        default = repr(param.default) + (
            " = end of the data (" + ", ".join(
                f"{end} {e}" for end, e in zip(presets[param.name], EDITIONS, strict=True))
            + ")" if param.name in presets else "")
        print(f"  {param.name}: {param.type_name} = {default}")
        print(f"      accepts {param.describe()}; {param.help}")
    return 0


def cmd_latest(args: argparse.Namespace) -> int:
    """Absolute paths, so the output works from any directory (e.g. as nbval's arguments)."""
    from ccp_analysis.pipeline import versions

    lines = []
    for edition, folder in versions.latest().items():
        if args.edition and edition not in args.edition:
            continue
        if args.notebooks:
            lines += [str(path) for path in sorted((folder / "notebooks").glob("*.ipynb"))]
        else:
            lines.append(f"{edition}\t{folder}")
    try:
        for line in lines:
            print(line)
        sys.stdout.flush()
    except BrokenPipeError:
        _quiet_stdout()  # the reader stopped early (`| head -1`): it has what it wanted
    return 0


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again on a pipe
    whose reader has gone, and the command ends quietly."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def cmd_versions(args: argparse.Namespace) -> int:
    """One line a version: id, edition, build kind, the commit it was built from and its date."""
    from ccp_analysis.pipeline import versions
    from ccp_analysis.publish import history

    latest = versions.read_latest()
    names = versions.all_versions()
    if not names:
        print("no versions under reports/")
    for name in names:
        data = versions.manifest(name)
        edition = data.get("edition", "")
        commit = data.get("package", {}).get("git_commit") or "unknown"
        dirty = " (uncommitted changes)" if data.get("package", {}).get("git_dirty") else ""
        mark = " (latest)" if latest.get(edition) == name else ""
        date = history.commit_date(commit) or "date unknown"
        print(f"{name}\t{edition}\t{data.get('build', '')}\t{commit[:12]}{dirty}\t{date}"
              f"{mark}")
    return 0


def cmd_prune(args: argparse.Namespace) -> int:
    from ccp_analysis.pipeline import versions
    from ccp_analysis.pipeline.lock import project_lock
    from ccp_analysis.publish import site

    # Under the build's lock: a build running meanwhile may be writing runs.json or the index.
    with project_lock():
        for removed in versions.prune(args.versions):
            print(f"removed reports/{removed}")
        site.refresh()  # reports/index.html and CHANGELOG.md list no removed version
    return 0


def _drift_pages(rebuilt: Path, versions: list[str]) -> list[str]:
    from ccp_analysis.publish import drift

    return drift.pages(rebuilt, versions)


def _table_rows(name: str, committed: Path, rebuilt: Path) -> list[str]:
    from ccp_analysis.publish import drift

    return drift.table_rows(name, committed, rebuilt)


def cmd_check(args: argparse.Namespace) -> int:
    from ccp_analysis.pipeline import gate

    # publish's drift pages and table rows, imported only once something drifted: publish
    # imports pandas and the figure library, which a gate that finds nothing never needs.
    problems = gate.check(editions=args.edition or None, progress=_say,
                          notebooks=args.only or None, nbval=args.nbval,
                          drift_pages=_drift_pages, table_rows=_table_rows)
    if problems:
        print("\n".join(problems))
        return 1
    print("every output matches its committed manifest")
    return 0


def _version_folder(name: str):
    """A version folder from a path, a version id, an edition's name (its latest version), or
    the start of an id that names a single version (`as-published-8524`, or `8524fe` for the
    hash after the edition)."""
    from pathlib import Path

    from ccp_analysis.pipeline import versions

    folder = Path(name)
    if folder.is_dir() and (folder / versions.MANIFEST).is_file():
        return folder
    if (versions.folder(name) / versions.MANIFEST).is_file():
        return versions.folder(name)
    if name in versions.read_latest():
        return versions.folder(versions.read_latest()[name])
    known = versions.all_versions()
    found = [v for v in known if name and (
        v.startswith(name) or v.split("-")[-1].startswith(name))]
    if len(found) == 1:
        return versions.folder(found[0])
    if len(found) > 1:
        raise CcpError(f"{name!r} is the start of {len(found)} versions ({', '.join(found)}); "
                       "give more of the id")
    raise CcpError(f"{name!r} is neither a version under reports/ nor a version folder; see "
                   "'ccp-analysis versions'")


def cmd_diff(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ccp_analysis.publish import diff, diffpage, history

    if args.edition:
        if args.old or args.new:
            raise CcpError("diff --edition compares the latest version of an edition with the "
                           "one before it: give no OLD or NEW with it")
        old, new = history.previous_of_latest(args.edition)
    elif args.old and args.new:
        old, new = args.old, args.new
    else:
        raise CcpError("diff needs OLD and NEW (version ids, their first characters or version "
                       "folders), or --edition EDITION")
    result = diff.compare(diff.Side.load(_version_folder(old)),
                          diff.Side.load(_version_folder(new)))
    try:
        for line in diff.report(result, max_rows=args.max_rows):
            print(line)
        sys.stdout.flush()
    except BrokenPipeError:
        _quiet_stdout()  # the reader stopped early (`| head`): it has what it wanted
    if args.html:
        print(f"wrote {diffpage.write(result, Path(args.html))}")
    return 0 if result.identical else 1


def cmd_site(args: argparse.Namespace) -> int:
    from ccp_analysis.publish import site

    if args.check:
        stale = site.stale()
        for path in stale:
            print(f"{path}: missing or not what its manifest renders to")
        if stale:
            print("run 'ccp-analysis site' to rewrite them")
            return 1
        print("every page is up to date")
        return 0
    written = site.refresh(rewrite_versions=True)
    for path in written:
        print(f"wrote {path}")
    if not written:
        print("every page is up to date")
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="ccp-analysis",
        description="Rebuild the figures of CSIS's 'CCP Inc. in Malaysia' (2022) from "
        "traceable data: raw inputs -> tidy frames -> parameterized notebooks -> versioned "
        "report outputs.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from ccp_analysis import __version__

    top.add_argument("--version", action="version", version=f"ccp-analysis {__version__}")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    data = sub.add_parser(
        "data", help="verify, build, hash, import new data, show its history",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=textwrap.dedent("""\
            verify   check every file of data/raw against the sha256 in data/raw/MANIFEST.json
            build    clean data/raw into the tidy frames of data/processed (validated, written
                     atomically, with DATA_DICTIONARY.md)
            hash     print the sha256 of files (paths, manifest paths such as
                     market/baba_daily.csv, or folders)
            import   bring a downloaded file into data/raw, checked and recorded
                     ('ccp-analysis data import --help')
            history  print the revision log, data/raw/REVISIONS.jsonl"""),
    )
    actions = data.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("verify", help="check every raw input against its sha256")
    actions.add_parser("build", help="rebuild data/processed from data/raw")
    hashing = actions.add_parser("hash", help="print the sha256 of files or folders")
    hashing.add_argument("files", nargs="*", metavar="FILE")
    actions.add_parser("history", help="print the revision log of data/raw")
    from ccp_analysis.data.imports.rules import PLAUSIBILITY

    kinds = "\n".join(f"  {name:<13} {what}" for name, (what, _) in _import_kinds().items())
    rules = "\n".join(f"  {name:<21} {what}" for name, what in PLAUSIBILITY.items())
    importing = actions.add_parser(
        "import", help="bring a downloaded file into data/raw, checked and recorded",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=textwrap.dedent("""\
            Bring new or corrected data into data/raw from the file you downloaded. Before
            anything is written, the file is checked: every value well-formed; rows that
            overlap rows already held agree (prices to the cent, other numbers to the printed
            digits, text exactly), else every disagreeing date or year is listed with both
            values; no future date, no duplicate, no gap (every NYSE trading day for prices,
            every year for annual series); plausibility rules (below). Any failure names the
            file, line, field and value, and nothing changes.

            Then, all together: the raw file is rewritten, its MANIFEST.json entry gets the new
            sha256, the source, access date and status, and data/raw/REVISIONS.jsonl gets an
            entry (rows added, values revised with the reason). Next: 'ccp-analysis data
            build', 'make report', and commit data/raw with the new versions.

            SOURCE is one of:
            """) + kinds + "\n\nplausibility rules (--override \"reason\" to accept):\n"
        + rules,
        epilog=textwrap.dedent("""\
            examples:
              ccp-analysis data import prices ~/Downloads/BABA.csv --source "Yahoo Finance \\
                  BABA history (finance.yahoo.com)" --accessed 2026-12-04 --dry-run
              ccp-analysis data import fx-ecb eurofxref-hist.zip --source "ECB euro \\
                  reference rates" --status "verified: computed from ECB reference rates"
              ccp-analysis data import fx-ecb --download --source "ECB euro reference rates"
              ccp-analysis data import huawei huawei_2025.csv --source "Huawei 2025 annual \\
                  report, p. 12" --status "verified exact"
              ccp-analysis data import fx ../shared/data/cny_per_usd_annual.csv --source \\
                  "re-verified shared data" --revise "OECD/IMF 2021 and 2024 corrected (WDI)"
              ccp-analysis data history"""),
    )
    importing.add_argument("source_kind", metavar="SOURCE", choices=list(_import_kinds()))
    importing.add_argument("file", metavar="FILE", nargs="?",
                           help="the downloaded file (CSV, or the publisher's zip)")
    importing.add_argument("--source", metavar="TEXT", required=True,
                           help="who published the file and where (recorded in the manifest "
                           "and the log; for prices, on every new row, so Figure 5's source "
                           "note names it)")
    importing.add_argument("--accessed", metavar="YYYY-MM-DD",
                           help="the day the file was downloaded (default: today)")
    importing.add_argument("--status", metavar="TEXT",
                           help="verification status: for the manifest entry, and for new "
                           "values where the file has no status column (e.g. 'verified "
                           "exact')")
    importing.add_argument("--revise", metavar="REASON",
                           help="allow changing values already held; the reason is recorded "
                           "with every value revised")
    importing.add_argument("--override", metavar="REASON",
                           help="accept values that break a plausibility rule; the reason is "
                           "recorded with each")
    importing.add_argument("--dry-run", action="store_true",
                           help="check and show what would change (rows appended, revised, "
                           "the range before and after); write nothing")
    importing.add_argument("--download", action="store_true",
                           help="fetch the file from its publisher first (fx-ecb: the ECB's "
                           "eurofxref-hist.zip; fx-worldbank: the World Bank's PA.NUS.FCRF "
                           "bulk download); needs network")
    data.set_defaults(func=cmd_data)

    docs = sub.add_parser("docs", help="generated documentation: the README's parameter table",
                          description="Print the README's notebook parameter table as the "
                          "figure declarations and the data make it (the open ends follow the "
                          "data), or --write it into README.md.")
    docs.add_argument("what", choices=["params"])
    docs.add_argument("--write", action="store_true",
                      help="rewrite the table in README.md (between its markers)")
    docs.set_defaults(func=cmd_docs)

    build = sub.add_parser(
        "build", help="run the figure notebooks into a new version under reports/",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=textwrap.dedent("""\
            Execute the notebooks of notebooks/ through papermill and write
            reports/<version>/ with figures/ (PNG 300 dpi, SVG, PDF), tables/ (CSV of what
            each figure plots), notebooks/ (executed), manifest.json and README.md.

            A notebook reruns only when something that can change its outputs changed (its
            source, parameters, data, the library code it runs, key package versions); the
            others reuse their cached outputs. Reruns share a pool of processes. The
            version id is derived from what the version publishes (edition, parameters, the
            sha256 of every output), so a build whose outputs are byte-identical to an existing
            version's maps to that version and writes nothing. An existing version is never
            changed; reports/LATEST.json points at the latest version of each edition."""),
        epilog=textwrap.dedent("""\
            examples:
              ccp-analysis build
              ccp-analysis build --edition updated --jobs 2
              ccp-analysis build --edition as-published --only fig4_huawei_revenue \\
                  -p fx_series=oecd_imf --out /tmp/fig4-oecd
              ccp-analysis build --edition updated --only fig4_huawei_revenue \\
                  -p currency=CNY --label fig4-cny --publish"""),
    )
    build.add_argument("--edition", action="append", choices=EDITIONS,
                       help="as-published: data cut at the report's date (2022-12-16) and the "
                       "report's spans; updated: all data. Repeat for both (default: both).")
    build.add_argument("--only", action="append", metavar="FIGURE",
                       help="build only this notebook (name without .ipynb, e.g. "
                       "fig5_alibaba_stock); repeatable. The version then holds only these.")
    build.add_argument("-p", "--param", action="append", metavar="NAME=VALUE",
                       help="override a notebook parameter, checked against the figure's "
                       "declaration (ccp_analysis.figures) before any kernel starts, with the "
                       "same checks and messages as the notebook's own hand-off cell under "
                       "papermill or JupyterLab; NOTEBOOK:NAME=VALUE targets one notebook. "
                       "Repeatable. 'ccp-analysis params NOTEBOOK' lists what each accepts.")
    build.add_argument("--jobs", type=int, default=2, metavar="N",
                       help="notebooks run at once (default 2, the machine's cores)")
    build.add_argument("--label", metavar="LABEL",
                       help="name the version instead of deriving it (letters, digits, '.', "
                       "'_', '-'; at most 64). A label that exists with other content is "
                       "refused.")
    # `--version` means the package version (`ccp-analysis --version`); under build it once
    # named the version label, and is refused with the new name rather than read as either.
    build.add_argument("--version", dest="old_label", nargs="?", const="", default=None,
                       help=argparse.SUPPRESS)
    build.add_argument("--out", metavar="DIR",
                       help="write the build to DIR (new or empty; with two editions, "
                       "DIR/<edition>/) with its figures, tables, executed notebooks, "
                       "manifest.json and pages, outside the publication record: reports/, "
                       "the versions page and the changelog are not touched. Required for a "
                       "custom build (--only or -p) unless --publish is given")
    build.add_argument("--publish", action="store_true",
                       help="enter a custom build in reports/ as its own version, listed on "
                       "the versions page and in the changelog (LATEST.json is not moved)")
    build.add_argument("--no-fork", action="store_true",
                       help="start every kernel from its kernelspec instead of forking it "
                       "from the warm template (slower, same bytes; also CCP_FORK_KERNELS=0)")
    build.set_defaults(func=cmd_build)

    params = sub.add_parser(
        "params", help="list a notebook's parameters: type, what is accepted, default",
        description="The parameters a notebook declares (ccp_analysis.figures): type, what is "
        "accepted, the default (open ends resolved per edition) and what each does. The same "
        "for -p of 'build' and for papermill's -p.")
    params.add_argument("notebook", metavar="NOTEBOOK",
                        help="notebook name, e.g. fig4_huawei_revenue (or its .ipynb path)")
    params.set_defaults(func=cmd_params)

    latest = sub.add_parser("latest", help="print the latest version of each edition",
                            description="Print the latest version of each edition, or its "
                            "executed notebooks, as absolute paths (usable from any folder).")
    latest.add_argument("--edition", action="append", choices=EDITIONS)
    latest.add_argument("--notebooks", action="store_true",
                        help="print the executed notebooks of those versions instead")
    latest.set_defaults(func=cmd_latest)

    vers = sub.add_parser("versions", help="list the versions under reports/")
    vers.set_defaults(func=cmd_versions)

    prune = sub.add_parser("prune", help="delete named versions (the only way one is removed)",
                           description="Delete the named version folders under reports/. "
                           "The latest version of an edition cannot be pruned.")
    prune.add_argument("versions", nargs="+", metavar="VERSION")
    prune.set_defaults(func=cmd_prune)

    check = sub.add_parser(
        "check", help="rebuild every notebook and compare all outputs with the manifests",
        description="The reproducibility gate: rebuild the latest version of each edition in a "
        "temporary folder and compare the sha256 of every figure, table and executed notebook "
        "with its committed manifest.json. Lists each artifact that differs (with the table "
        "rows that changed) and writes reports/.drift/<version>.html to compare them by eye.")
    check.add_argument("--edition", action="append", choices=EDITIONS)
    check.add_argument("--only", action="append", metavar="NOTEBOOK",
                       help="rebuild and compare only this notebook (name without .ipynb); "
                       "repeatable")
    check.add_argument("--nbval", action="store_true",
                       help="rerun each committed executed notebook with nbval, two at a time, "
                       "in a kernel started from its kernelspec (as Jupyter and papermill do) "
                       "instead of the build's forked kernels: nbval compares every cell's "
                       "output and the gate every figure and table the notebook writes. "
                       "What `make test` runs; slower")
    check.set_defaults(func=cmd_check)

    compare = sub.add_parser(
        "diff", help="what differs between two versions (figures, rows, verdicts, inputs)",
        description="Compare two versions (ids under reports/, the first characters of one, "
        "or paths of version folders), or with --edition the latest version of an edition "
        "with the one before it: figures changed, added or removed; table rows added, removed "
        "or changed, matched by each table's key (days or years appended as one range); claim "
        "verdicts that flipped; parameters (a default clamped to the data is no change), "
        "inputs and package versions that differ. Exit status 0 when nothing differs, 1 when "
        "something does.",
        epilog="examples:\n  ccp-analysis diff --edition updated --html /tmp/diff.html\n"
        "  ccp-analysis diff as-published updated-f05f",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    compare.add_argument("old", metavar="OLD", nargs="?")
    compare.add_argument("new", metavar="NEW", nargs="?")
    compare.add_argument("--edition", choices=["as-published", "updated"],
                         help="compare the latest version of this edition with the version "
                         "before it (the comparison the versions page shows)")
    compare.add_argument("--html", metavar="PATH",
                         help="also write the page: each changed figure old beside new, with "
                         "swipe, onion-skin and pixel-difference views (images in PATH's "
                         "<stem>_files/)")
    compare.add_argument("--max-rows", type=int, default=20, metavar="N",
                         help="rows listed per table in the text form (default 20)")
    compare.set_defaults(func=cmd_diff)

    site = sub.add_parser(
        "site", help="(re)write the HTML pages of every version, reports/index.html and "
        "reports/CHANGELOG.md",
        description="Render reports/<version>/index.html from each version's manifest, "
        "figure sidecars and claims audit; reports/index.html listing every version with its "
        "edition, date, commit and changes; and reports/CHANGELOG.md. Only files whose bytes "
        "change are written. A build does this for the versions it writes.")
    site.add_argument("--check", action="store_true",
                      help="write nothing; list pages that are missing or out of date "
                      "(exit status 1 if any)")
    site.set_defaults(func=cmd_site)
    return top


def _import_kinds() -> dict[str, tuple[str, str]]:
    from ccp_analysis.data.imports.rules import KINDS

    return KINDS


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except CcpError as exc:
        _say(f"ccp-analysis: error: {exc}")
        return 2
    except KeyboardInterrupt:
        _say("ccp-analysis: interrupted; existing versions are unchanged")
        return 130


def run() -> None:
    """The `ccp-analysis` command: `main`, then the exit. Every object left is moved out of
    the collector's reach first (`gc.freeze`): the interpreter's last collection at exit would
    otherwise walk a build's whole heap (a few tenths of a second), only for the process to end.
    """
    try:
        status = main()
        sys.stdout.flush()
    except BrokenPipeError:
        _quiet_stdout()  # any command read through `| head`: the reader has what it wanted
        status = 0
    gc.freeze()
    sys.exit(status)


if __name__ == "__main__":
    run()
