"""Option groups several verbs share (index selection, offline, refresh; which groups
and extras; how the lock is trusted)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from tether.errors import UsageError

if TYPE_CHECKING:
    from pathlib import Path

    from tether.project import Selection


def add_index_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("index options")
    group.add_argument(
        "--index-url",
        metavar="URL",
        help="replace the default index (PyPI); also TETHER_INDEX_URL",
    )
    group.add_argument(
        "--extra-index-url",
        metavar="URL",
        action="append",
        default=[],
        help="search this index before the others (repeatable)",
    )
    group.add_argument(
        "-f",
        "--find-links",
        metavar="DIR|URL",
        action="append",
        default=[],
        help="a directory of wheels and sdists, or an http(s) page that links them, "
        "searched before the indexes (repeatable)",
    )
    group.add_argument(
        "--offline",
        action="store_true",
        help="use only the cache, never the network; also TETHER_OFFLINE=1",
    )
    group.add_argument("--refresh", action="store_true", help="revalidate every cached index page")
    group.add_argument(
        "--exclude-newer",
        metavar="TIME",
        type=parse_timestamp,
        help="ignore files uploaded after TIME (RFC 3339, or a date meaning midnight UTC)",
    )


def index_options(args: argparse.Namespace) -> object:
    """The `IndexOptions` value for parsed `args` (imported lazily: it pulls in the
    index package)."""
    from tether.commands.basics import IndexOptions

    return IndexOptions(
        index_url=args.index_url,
        extra_index_urls=tuple(args.extra_index_url),
        find_links=tuple(args.find_links),
        offline=args.offline,
        refresh=args.refresh,
        exclude_newer=args.exclude_newer,
    )


def parse_timestamp(text: str) -> datetime:
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"invalid timestamp '{text}'",
            hint='use RFC 3339 ("2024-06-01T00:00:00Z") or a date ("2024-06-01")',
        ) from None
    return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=UTC)


def add_selection_options(parser: argparse.ArgumentParser, verb: str) -> None:
    """--group/--only-group/--no-dev/--all-groups/--extra/--all-extras, as uv names them."""
    group = parser.add_argument_group("groups and extras")
    group.add_argument(
        "--group", action="append", default=[], metavar="G", help=f"also {verb} group G"
    )
    group.add_argument(
        "--only-group",
        action="append",
        default=[],
        metavar="G",
        help=f"{verb} only group G (and no default groups)",
    )
    group.add_argument("--no-dev", action="store_true", help="leave out the default groups (dev)")
    group.add_argument("--all-groups", action="store_true", help=f"{verb} every dependency group")
    group.add_argument("--extra", action="append", default=[], metavar="E", help=f"{verb} extra E")
    group.add_argument("--all-extras", action="store_true", help=f"{verb} every extra")


def selection(args: argparse.Namespace) -> Selection:
    """The parsed selection options, as the commands take them."""
    from tether.project import Selection

    return Selection(
        groups=tuple(args.group),
        only_groups=tuple(args.only_group),
        no_default_groups=args.no_dev,
        all_groups=args.all_groups,
        extras=tuple(args.extra),
        all_extras=args.all_extras,
        all_packages=getattr(args, "all_packages", False),
    )


def add_lock_mode_options(parser: argparse.ArgumentParser) -> None:
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--frozen", action="store_true", help="use pylock.toml as it is, without checking it"
    )
    mode.add_argument("--locked", action="store_true", help="fail if pylock.toml is out of date")


def arguments_after(verb: str) -> list[str]:
    """The command line after `verb` as typed, for a generated file's header, without
    index URLs (they may carry credentials)."""
    import sys

    words = sys.argv[sys.argv.index(verb) + 1 :] if verb in sys.argv else []
    kept: list[str] = []
    skip = False
    for word in words:
        if skip:
            skip = False
        elif word in ("--index-url", "--extra-index-url", "-i"):
            skip = True
        elif not word.startswith(("--index-url=", "--extra-index-url=")):
            kept.append(word)
    return kept


def add_torch_backend_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--torch-backend",
        metavar="NAME",
        help="which of the project's torch-backends to use: cpu, cu126, ... or auto (the "
        "default: what this machine's GPU runs); also TETHER_TORCH_BACKEND",
    )


def add_package_options(
    parser: argparse.ArgumentParser, verb: str, *, all_packages: bool = True
) -> None:
    """--package/--all-packages: which workspace member a command acts on (uv's names)."""
    group = parser.add_argument_group("workspace")
    group.add_argument("--package", metavar="NAME", help=f"{verb} the workspace member NAME")
    if all_packages:
        group.add_argument(
            "--all-packages", action="store_true", help=f"{verb} every workspace member"
        )


def package_start(args: argparse.Namespace, start: Path) -> Path:
    """Where the command starts: the `--package` member's directory, else `start`."""
    name = getattr(args, "package", None)
    if name is None:
        return start
    from tether.commands.members import member_directory

    return member_directory(start, name)
