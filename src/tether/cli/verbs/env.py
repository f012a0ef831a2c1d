"""`tether env info` and `tether env use REQUEST`."""

from __future__ import annotations

import argparse
import json

from tether.cli.context import Context
from tether.cli.options import add_index_options, index_options


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    info = actions.add_parser("info", help="describe the project's environment, lock and cache")
    info.add_argument("--json", action="store_true", help="print JSON")
    use = actions.add_parser("use", help="re-create the environment with another Python")
    use.add_argument("request", help="3.12, cpython@3.11, pypy3.10 or a path")
    add_index_options(use)


def handle(args: argparse.Namespace, ctx: Context) -> int:
    from tether.commands import env

    if args.action == "use":
        chosen = env.use(
            ctx.project_start,
            ctx.environ,
            args.request,
            index_options(args),  # type: ignore[arg-type]
        )
        ctx.console.info(f"The environment now uses {chosen}, synced with the lock")
        return 0
    data = env.info(ctx.project_start, ctx.environ)
    if args.json:
        ctx.console.data(json.dumps(data, indent=2))
        return 0
    interpreter = data["interpreter"]
    python = (
        f"{interpreter['implementation']} {interpreter['version']}"  # type: ignore[index]
        if interpreter
        else "(no environment: run `tether sync`)"
    )
    cache_mb = f"{int(data['cache-bytes']) / 1e6:.1f} MB"  # type: ignore[call-overload]
    rows = [
        ("Project", f"{data['project']} ({data['root']})"),
        ("Requires-Python", data["requires-python"] or "any"),
        ("Environment", data["environment"]),
        ("Python", python),
        ("Lock", f"{data['lock']} ({data['lock-packages']} packages)" if data["lock"] else "none"),
        ("Lock up to date", "yes" if data["lock-fresh"] else "no: run `tether lock`"),
        ("Environment in sync", "yes" if data["in-sync"] else "no: run `tether sync`"),
        ("Cache", f"{data['cache']} ({cache_mb})"),
        ("Accelerator", data["accelerator"]["description"]),  # type: ignore[index]
    ]
    torch = data["torch-backend"]
    if isinstance(torch, dict):
        selected = torch["selected"] or "none"
        rows.append(("Torch backend", f"{selected} ({torch['reason']})"))
        if torch.get("installed"):
            rows.append(("Torch installed", str(torch["installed"])))
    for label, value in rows:
        ctx.console.print(f"{label + ':':<21}{value}")
    return 0
