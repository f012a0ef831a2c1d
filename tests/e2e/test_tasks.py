"""`tether task`: `[tool.tether.tasks]` run in the project's environment, and `tether
migrate` translating PDM's and taskipy's task tables."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tests.e2e.test_sync import UNIVERSE, project
from tests.support.cli import run_tether
from tests.support.index_server import IndexServer

PY = "python -c"
TASKS = f"""
[tool.tether.tasks]
show = "{PY} 'import sys, util; print(util.__version__, sys.argv[1:])'"
fail = "{PY} 'raise SystemExit(3)'"
mark = {{ cmd = ["python", "-c", "open('marks', 'a').write('m')"], help = "leave a mark" }}
steps = ["mark", "{PY} 'print(open(\\"marks\\").read())'", "fail", "mark"]
env = {{ cmd = "{PY} 'import os; print(os.environ[\\"PORT\\"], os.environ[\\"A\\"], os.getcwd())'", env = {{ PORT = "8000" }}, env-file = ".env", cwd = "sub" }}
ci = {{ depends = ["mark", "show"], sequence = ["mark", "show"], help = "the CI gate" }}
shell = {{ cmd = "echo one && echo two | tr a-z A-Z", shell = true }}
web = "web"
"""  # noqa: E501


def tasks_project(tmp_path: Path) -> Path:
    root = project(tmp_path / "svc", '"web==1.0", "util==1.0"', TASKS)
    (root / "sub").mkdir()
    (root / ".env").write_text('# settings\nexport A="from env file"\nPORT=1\n')
    return root


def test_tasks_run_in_the_project_environment_with_arguments(tmp_path: Path) -> None:
    root = tasks_project(tmp_path)
    with IndexServer(UNIVERSE) as index:
        env = {"TETHER_CACHE_DIR": str(tmp_path / "cache"), "TETHER_INDEX_URL": index.index_url}
        shown = run_tether("task", "show", "--", "-k", "a b", cwd=root, env=env)
        assert shown.exit_code == 0, shown.stderr
        assert shown.stdout == "1.0 ['-k', 'a b']\n"  # locked and synced first
        assert "[show] $ python -c" in shown.stderr
        assert (root / ".venv").is_dir()
        assert run_tether("task", "show", "x", cwd=root, env=env).stdout == "1.0 ['x']\n"
        # A console script of a dependency runs from the environment.
        assert run_tether("task", "web", cwd=root, env=env).exit_code == 0
        # From a subdirectory too: tasks run from the project's root unless they say cwd.
        sub = run_tether("task", "env", cwd=root / "sub", env=env)
        assert sub.stdout == f"8000 from env file {root / 'sub'}\n", sub.stderr
        shell = run_tether("task", "shell", cwd=root, env=env)
        assert shell.stdout == "one\nTWO\n", shell.stderr


def test_a_failing_step_stops_the_sequence_with_its_exit_code(tmp_path: Path) -> None:
    root = tasks_project(tmp_path)
    with IndexServer(UNIVERSE) as index:
        env = {"TETHER_CACHE_DIR": str(tmp_path / "cache"), "TETHER_INDEX_URL": index.index_url}
        failed = run_tether("task", "steps", cwd=root, env=env)
        assert failed.exit_code == 3
        assert failed.stdout == "m\n"
        assert (root / "marks").read_text() == "m"  # the last `mark` never ran
        (root / "marks").unlink()
        # `depends` run once, before the steps; a step naming a task runs it.
        gate = run_tether("task", "ci", cwd=root, env=env)
        assert gate.exit_code == 0, gate.stderr
        assert (root / "marks").read_text() == "mm"
        assert gate.stdout == "1.0 []\n1.0 []\n"


def test_the_listing_and_unknown_names(tmp_path: Path) -> None:
    root = tasks_project(tmp_path)
    env = {"TETHER_CACHE_DIR": str(tmp_path / "cache")}
    listing = run_tether("task", cwd=root, env=env)
    assert listing.exit_code == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert [line.split()[0] for line in lines] == sorted(
        ["show", "fail", "mark", "steps", "env", "ci", "shell", "web"]
    )
    assert "ci     the CI gate" in lines
    assert "mark   leave a mark" in lines
    unknown = run_tether("task", "shwo", cwd=root, env=env)
    assert unknown.exit_code == 2
    assert unknown.stderr == "error: no task named 'shwo'\nhint: did you mean 'show'?\n"
    bare = project(tmp_path / "bare", "")
    assert "No tasks" in run_tether("task", cwd=bare, env=env).stderr


def test_a_missing_command_and_bad_task_tables_are_clear_errors(tmp_path: Path) -> None:
    env = {"TETHER_CACHE_DIR": str(tmp_path / "cache")}
    cases = {
        'a = { depends = ["b"] }': "task `a` depends on `b`, which is not a task",
        'a = { depends = ["b"] }\nb = { depends = ["a"] }': "in a circle: a -> b -> a",
        'a = "python -c \'x"': "cannot split the command of `tool.tether.tasks.a`",
        'a = { cmd = "x", sequence = ["y"] }': "task `a` has both `cmd` and `sequence`",
        'a = { run = "x" }': "unknown key `run` in task `a`",
        "a = {}": "task `a` runs nothing",
        "a = 3": "tool.tether.tasks.a",
    }
    for number, (table, message) in enumerate(cases.items()):
        root = project(tmp_path / f"p{number}", "", f"[tool.tether.tasks]\n{table}\n")
        result = run_tether("task", "a", cwd=root, env=env)
        assert result.exit_code == 1, (table, result.stderr)
        assert message in result.stderr, (table, result.stderr)
        assert "pyproject.toml" in result.stderr
    with IndexServer(UNIVERSE) as index:
        root = project(tmp_path / "svc", "", '[tool.tether.tasks]\nt = "no-such-program-xyz"\n')
        env["TETHER_INDEX_URL"] = index.index_url
        missing = run_tether("task", "t", cwd=root, env=env)
        assert missing.exit_code == 2
        assert "task `t`: command not found: no-such-program-xyz" in missing.stderr


def test_migrate_translates_pdm_scripts_and_taskipy_tasks(tmp_path: Path) -> None:
    root = tmp_path / "app"
    root.mkdir()
    (root / "pyproject.toml").write_text(
        textwrap.dedent(
            """\
            [project]
            name = "app"
            version = "0.1.0"
            requires-python = ">=3.11"
            dependencies = []

            [tool.pdm]
            distribution = false  # an application

            # the team's commands
            [tool.pdm.scripts]
            _.env_file = ".env"
            start = "python -c 'print(1)'"
            lint = { shell = "echo lint && echo ok", help = "lint it" }
            main = { call = "os:getcwd" }
            all = { composite = ["lint", "start"] }
            pre_start = "python -c 'print(0)'"

            [tool.taskipy.tasks]
            test = { cmd = "python -c 'print(2)'", help = "tests" }
            post_test = "echo done"
            """
        )
    )
    (root / ".env").write_text("X=1\n")
    env = {"TETHER_CACHE_DIR": str(tmp_path / "cache")}
    migrated = run_tether("migrate", cwd=root, env=env)
    assert migrated.exit_code == 0, migrated.stderr
    text = (root / "pyproject.toml").read_text()
    assert "[tool.pdm.scripts]" not in text
    assert "[tool.taskipy" not in text
    assert "distribution = false  # an application" in text
    assert "# the team's commands" in text
    assert "post_test: now the last step of 'test'" in migrated.stderr
    listing = run_tether("task", cwd=root, env=env).stdout
    assert "lint       lint it" in listing
    assert "test       tests" in listing
    ran = run_tether("task", "all", cwd=root, env=env)
    assert ran.stdout == "lint\nok\n0\n1\n", ran.stderr
    assert run_tether("task", "test", cwd=root, env=env).stdout == "2\ndone\n"
    assert run_tether("task", "main", cwd=root, env=env).exit_code != 0  # a str is no status
    again = run_tether("migrate", cwd=root, env=env)
    assert again.exit_code == 1
    assert "nothing to migrate" in again.stderr


def test_ctrl_c_stops_the_task_and_its_sequence(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    slow = (
        "import pathlib, signal, time; signal.signal(signal.SIGINT, signal.default_int_handler); "
        "pathlib.Path('started').touch(); time.sleep(30)"
    )
    first = _toml("python -c " + _sh(slow))
    second = _toml("python -c " + _sh("open('second', 'w')"))
    tasks_table = f"[tool.tether.tasks]\nslow = {{ sequence = [{first}, {second}] }}\n"
    root = project(tmp_path / "svc", "", tasks_table)
    with IndexServer(UNIVERSE) as index:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TETHER_")}
        env.update(TETHER_CACHE_DIR=str(tmp_path / "cache"), TETHER_INDEX_URL=index.index_url)
        env["NO_COLOR"] = "1"
        assert run_tether("sync", cwd=root, env=env).exit_code == 0
        interruptible = (
            "import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler);"
            " sys.argv[0] = 'tether'; runpy.run_module('tether', run_name='__main__')"
        )
        victim = subprocess.Popen(
            [sys.executable, "-c", interruptible, "task", "slow"], cwd=root, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while not (root / "started").exists():
            assert time.monotonic() < deadline, "the first step never started"
            time.sleep(0.02)
        os.killpg(victim.pid, signal.SIGINT)  # a terminal's Ctrl-C reaches the whole group
        _, stderr = victim.communicate(timeout=10)
    assert victim.returncode == 130, stderr
    assert not (root / "second").exists()


def _sh(text: str) -> str:
    import shlex

    return shlex.quote(text)


def _toml(text: str) -> str:
    import json

    return json.dumps(text)
