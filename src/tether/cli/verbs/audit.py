"""`tether audit [NAME==VERSION...] [-r FILE] [--installed] [--source pypi|osv] [--db PATH]`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from tether.cli.context import Context
from tether.cli.options import add_index_options, add_lock_mode_options, index_options
from tether.cli.table import format_table
from tether.errors import TetherError


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "packages", nargs="*", metavar="NAME==VERSION", help="audit these instead of the lock"
    )
    parser.add_argument(
        "-r",
        "--requirement",
        action="append",
        default=[],
        type=Path,
        metavar="FILE",
        help="audit the pins of a requirements file (repeatable)",
    )
    parser.add_argument(
        "--installed",
        action="store_true",
        help="audit what the project's environment holds instead of the lock",
    )
    parser.add_argument(
        "--source",
        choices=["pypi", "osv"],
        default="pypi",
        help="PyPI's JSON API (default) or the OSV API",
    )
    parser.add_argument(
        "--db",
        type=Path,
        metavar="PATH",
        help="a local advisory database (OSV YAML/JSON, e.g. a PyPA advisory-database "
        "checkout) instead of the network",
    )
    parser.add_argument("--pypi-url", metavar="URL", help="PyPI's base URL (a mirror)")
    parser.add_argument("--osv-url", metavar="URL", help="the OSV API's base URL (a mirror)")
    parser.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="ID",
        help="ignore this advisory (id or alias; also [tool.tether.audit] ignore)",
    )
    parser.add_argument(
        "--ignore-unknown",
        action="store_true",
        help="pass although the source could not answer for some packages (private ones); "
        "also [tool.tether.audit] ignore-unknown = true",
    )
    parser.add_argument("--format", choices=["table", "json"], default="table")
    parser.add_argument(
        "--fix",
        action="store_true",
        help="propose the smallest upgrade that clears each package's findings",
    )
    add_lock_mode_options(parser)
    add_index_options(parser)


def handle(args: argparse.Namespace, ctx: Context) -> int:
    from tether.commands.audit import AuditOptions, audit

    result = audit(
        AuditOptions(
            start=ctx.project_start,
            environ=ctx.environ,
            source=args.source,
            db=args.db,
            pypi_url=args.pypi_url,
            osv_url=args.osv_url,
            packages=tuple(args.packages),
            requirement_files=tuple(args.requirement),
            installed=args.installed,
            ignore=tuple(args.ignore),
            ignore_unknown=args.ignore_unknown,
            index=index_options(args),  # type: ignore[arg-type]
            frozen=args.frozen,
            locked=args.locked,
        )
    )
    console = ctx.console
    if args.format == "json":
        console.data(
            json.dumps(
                {
                    "source": result.source,
                    "audited": result.audited,
                    "vulnerabilities": [
                        {
                            "package": f.package,
                            "version": f.version,
                            "id": f.advisory.id,
                            "aliases": list(f.advisory.aliases),
                            "fixed": list(f.advisory.fixed),
                            "summary": f.advisory.summary,
                            "link": f.advisory.link,
                        }
                        for f in result.findings
                    ],
                    "ignored": [f.advisory.id for f in result.ignored],
                    "unknown": list(result.unknown),
                    "fixes": [
                        {"package": x.package, "from": x.version, "to": x.to, "clears": x.clears}
                        for x in result.fixes
                    ],
                },
                indent=2,
            )
        )
        return 0 if result.passed else 1
    for release in result.unknown:
        console.warn(f"{release} is not known to {result.source}: not audited")
    if result.unknown and not result.findings:
        checked = result.audited - len(result.unknown)
        console.info(f"No known vulnerabilities in the {checked} package(s) {result.source} "
                     f"answered for; {len(result.unknown)} could not be checked")  # fmt: skip
        if result.ignore_unknown:
            return 0
        console.error(
            TetherError(
                f"{len(result.unknown)} of {result.audited} packages could not be checked: "
                f"{result.source} has no record of them",
                hint="a private package or a mirror without PyPI's per-release JSON API: audit "
                "with --db PATH (a local OSV database, e.g. a checkout of the PyPA "
                "advisory-database), or accept them with --ignore-unknown",
            )
        )
        return 1
    if result.ignored:
        console.info(f"Ignored {len(result.ignored)} finding(s): " + ", ".join(
            sorted({f.advisory.id for f in result.ignored})))  # fmt: skip
    if not result.findings:
        console.info(
            f"No known vulnerabilities in {result.audited} package"
            f"{'s' if result.audited != 1 else ''} ({result.source})"
        )
        return 0
    rows = [("Package", "Version", "ID", "Aliases", "Fixed in")] + [
        (
            f.package,
            f.version,
            f.advisory.id,
            ", ".join(f.advisory.aliases) or "-",
            ", ".join(f.advisory.fixed) or "no fix yet",
        )
        for f in result.findings
    ]
    for line in format_table(rows):
        console.print(line)
    packages = len({(f.package, f.version) for f in result.findings})
    console.info(
        f"Found {len(result.findings)} known vulnerabilit"
        f"{'ies' if len(result.findings) != 1 else 'y'} in {packages} of {result.audited} "
        f"packages ({result.source})"
    )
    if args.fix:
        for fix in result.fixes:
            if fix.to is None:
                console.info(f"{fix.package} {fix.version}: no released version fixes "
                             f"{', '.join(fix.clears)} yet")  # fmt: skip
            else:
                console.info(
                    f"{fix.package} {fix.version} -> {fix.to} clears {', '.join(fix.clears)}: "
                    f"tether add '{fix.package}>={fix.to}'"
                )
    return 1
