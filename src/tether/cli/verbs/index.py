"""`tether index versions NAME` and `tether index metadata NAME==VERSION`."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from tether.cli.context import Context
from tether.cli.options import add_index_options, index_options

if TYPE_CHECKING:
    from packaging.version import Version

    from tether.commands.index import MetadataReport
    from tether.index.page import DistFile


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    versions = sub.add_parser(
        "versions", help="list a package's versions and files as the index serves them"
    )
    versions.add_argument("name", help="package name")
    metadata = sub.add_parser(
        "metadata", help="show one release's core metadata (dependencies, requires-python)"
    )
    metadata.add_argument("requirement", metavar="NAME==VERSION")
    metadata.add_argument("--file", metavar="FILENAME", help="read this file's metadata")
    for action in (versions, metadata):
        action.add_argument(
            "--index", metavar="NAME", help="ask only this named index (as a source pin does)"
        )
        action.add_argument("--json", action="store_true", help="print JSON")
        add_index_options(action)


def handle(args: argparse.Namespace, ctx: Context) -> int:
    from tether.commands.index import LookupOptions, metadata, versions

    options = LookupOptions(
        requirement=args.name if args.action == "versions" else args.requirement,
        start=ctx.project_start,
        index=index_options(args),  # type: ignore[arg-type]
        environ=ctx.environ,
        pinned_index=args.index,
        filename=getattr(args, "file", None),
    )
    console = ctx.console
    if args.action == "versions":
        report = versions(options)
        page = report.page
        grouped = page.versions()
        if args.json:
            console.data(
                json.dumps(_versions_json(report.index.name, page.name, grouped), indent=2)
            )
            return 0
        console.print(f"{page.name} on {report.index.name}: {len(grouped)} versions")
        for version, files in grouped.items():
            console.print("  " + _version_line(version, files))
        return 0
    result = metadata(options)
    meta = result.result.metadata
    if args.json:
        console.data(json.dumps(_metadata_json(result), indent=2))
    else:
        console.print(
            f"{meta.name} {meta.version}  ({result.file.filename} on {result.index.name})"
        )
        console.print(f"  requires-python  {meta.requires_python or '(any)'}")
        if meta.provides_extra:
            console.print(f"  extras           {', '.join(meta.provides_extra)}")
        console.print(f"  requires-dist ({len(meta.requires_dist)})")
        for requirement in meta.requires_dist:
            console.print(f"    {requirement}")
        for line in meta.invalid:
            console.warn(f"ignored an invalid metadata line: {line}")
    stats = result.stats
    transfer = (
        f", {stats.requests} requests, {_size(stats.bytes_received)} received"
        if stats is not None
        else ""
    )
    console.info(f"metadata via {result.result.source.value}{transfer}")
    return 0


def _version_line(version: Version, dist_files: tuple[DistFile, ...]) -> str:
    wheels = sum(f.is_wheel for f in dist_files)
    sdists = len(dist_files) - wheels
    parts = [f"{version!s:<14}"]
    kinds = []
    if wheels:
        kinds.append(f"{wheels} wheel{'s' if wheels != 1 else ''}")
    if sdists:
        kinds.append("sdist")
    parts.append(", ".join(kinds))
    pythons = {f.requires_python for f in dist_files if f.requires_python}
    if pythons:
        parts.append("requires-python " + " | ".join(sorted(pythons)))
    stamps = [f.upload_time for f in dist_files if f.upload_time is not None]
    if stamps:
        parts.append(min(stamps).strftime("%Y-%m-%d"))
    yanked = [f for f in dist_files if f.yanked]
    if yanked:
        reason = next((f.yanked_reason for f in yanked if f.yanked_reason), None)
        parts.append("YANKED" + (f": {reason}" if reason else ""))
    return "  ".join(parts)


def _versions_json(index: str, name: str, grouped: dict[Version, tuple[DistFile, ...]]) -> object:
    return {
        "name": name,
        "index": index,
        "versions": [
            {
                "version": str(version),
                "files": [
                    {
                        "filename": f.filename,
                        "sha256": f.sha256,
                        "size": f.size,
                        "requires-python": f.requires_python,
                        "yanked": f.yanked_reason or f.yanked,
                        "upload-time": None if f.upload_time is None else f.upload_time.isoformat(),
                        "core-metadata": f.core_metadata,
                    }
                    for f in files
                ],
            }
            for version, files in grouped.items()
        ],
    }


def _metadata_json(report: MetadataReport) -> object:
    meta = report.result.metadata
    return {
        "name": meta.name,
        "version": str(meta.version),
        "file": report.file.filename,
        "index": report.index.name,
        "requires-python": None if meta.requires_python is None else str(meta.requires_python),
        "provides-extra": list(meta.provides_extra),
        "requires-dist": [str(r) for r in meta.requires_dist],
        "source": report.result.source.value,
    }


def _size(count: int) -> str:
    if count < 1000:
        return f"{count} B"
    value = float(count)
    for unit in ("kB", "MB", "GB"):
        value /= 1000
        if value < 1000 or unit == "GB":
            break
    return f"{value:.1f} {unit}"
