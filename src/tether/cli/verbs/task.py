"""`tether task [NAME [ARGS…]]`: run a project task, or list them."""

from __future__ import annotations

import argparse

from tether.cli.context import Context


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", nargs="?", help="the task to run (none: list the tasks)")
    parser.add_argument(
        "arguments", nargs=argparse.REMAINDER, help="appended to the task's commands"
    )


def handle(args: argparse.Namespace, ctx: Context) -> int:
    from tether.commands.task import TaskOptions, list_tasks, run_task

    console = ctx.console
    if args.name is None:
        tasks = list_tasks(ctx.project_start)
        if not tasks:
            console.info('No tasks: add them under [tool.tether.tasks], e.g. test = "pytest -q"')
            return 0
        width = max(len(t.name) for t in tasks)
        for task in tasks:
            console.print(f"{task.name.ljust(width)}  {task.describe()}")
        return 0
    arguments = args.arguments[1:] if args.arguments[:1] == ["--"] else args.arguments
    return run_task(
        TaskOptions(
            start=ctx.project_start,
            environ=ctx.environ,
            name=args.name,
            arguments=tuple(arguments),
            on_step=lambda task, command: console.info(f"[{task}] $ {command}"),
        )
    )
