"""`[tool.tether.tasks]` read into tasks, and PDM / taskipy tables translated."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tether.errors import ProjectError
from tether.project.task_import import from_pdm, from_taskipy
from tether.project.tasks import Task, parse_tasks
from tether.project.toml_source import TomlDocument


def tasks(text: str) -> dict[str, Task]:
    data = tomllib.loads(text)
    doc = TomlDocument(path=Path("/p/pyproject.toml"), text=text, data=data)
    return dict(parse_tasks(doc, data["tasks"]))


def test_forms_of_a_task() -> None:
    found = tasks(
        """
        [tasks]
        test = "pytest -q 'a b'"
        lint = ["ruff check .", "test", "mypy"]
        serve = { cmd = ["uvicorn", "app:app"], env = { PORT = "1" }, help = "serve" }
        ci = { depends = ["lint"] }
        sh = { cmd = "echo $HOME", shell = true }
        """
    )
    test, lint, serve, ci, sh = (found[k] for k in ("test", "lint", "serve", "ci", "sh"))
    assert test.steps[0].argv == ("pytest", "-q", "a b")
    assert [s.task for s in lint.steps] == [None, "test", None]
    assert serve.steps[0].argv == ("uvicorn", "app:app")
    assert dict(serve.env) == {"PORT": "1"}
    assert serve.describe() == "serve"
    assert ci.steps == ()
    assert ci.depends == ("lint",)
    assert ci.describe() == "(after lint)"
    assert sh.steps[0].argv == ("sh", "-c", "echo $HOME")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('a = ["b"]\nb = ["a"]', "in a circle: a -> b -> a"),
        ('a = { depends = ["a"] }', "in a circle: a -> a"),
        ('a = ""', "an empty command"),
        ("a = { cmd = [] }", "is empty"),
        ('a = { cmd = "x", env = { X = 1 } }', "tool.tether.tasks.a.env.X"),
    ],
)
def test_bad_tasks(table: str, message: str) -> None:
    with pytest.raises(ProjectError) as raised:
        tasks(f"[tasks]\n{table}\n")
    assert message in str(raised.value)


def test_pdm_scripts_translate() -> None:
    found = from_pdm(
        {
            "_": {"env_file": ".env"},
            "start": "flask run",
            "dev": {"cmd": ["flask", "run", "--debug"], "env": {"A": "1"}, "help": "h"},
            "logs": {"shell": "cat log | grep X"},
            "main": {"call": "pkg.cli:main('x')"},
            "all": {"composite": ["start", "logs -n 3"]},
            "pre_start": "echo pre",
            "post_start": "echo post",
            "odd": {"keep_going": True, "composite": ["start"]},
            "nothing": {"help": "?"},
        }
    )
    tasks_ = found.tasks
    assert tasks_["start"] == {
        "env-file": ".env",
        "depends": ["pre_start"],
        "sequence": ["flask run", "post_start"],
    }
    assert tasks_["dev"]["cmd"] == ["flask", "run", "--debug"]
    assert tasks_["logs"] == {"cmd": "cat log | grep X", "shell": True, "env-file": ".env"}
    assert tasks_["main"]["cmd"] == [
        "python",
        "-c",
        "import sys; from pkg.cli import main; sys.exit(main('x'))",
    ]
    assert "nothing" not in tasks_
    warnings = "\n".join(found.warnings)
    assert "step 'logs -n 3' passes arguments" in warnings
    assert "keep_going has no tether equivalent" in warnings
    assert "nothing: nothing to run" in warnings


def test_taskipy_tasks_translate() -> None:
    found = from_taskipy(
        {
            "test": "pytest -q",
            "docs": {"cmd": "mkdocs build && echo ok", "help": "docs", "cwd": "site"},
            "pre_test": "echo pre",
        },
        {"use_vars": True},
    )
    assert found.tasks["test"] == {"cmd": "pytest -q", "depends": ["pre_test"]}
    assert found.tasks["docs"] == {
        "cmd": "mkdocs build && echo ok",
        "shell": True,
        "help": "docs",
        "cwd": "site",
    }
    assert found.warnings == [
        "[tool.taskipy.settings] use_vars: no tether equivalent; not kept",
    ]
