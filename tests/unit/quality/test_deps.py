"""Dependency hygiene rules on plain data, and import scanning."""

from __future__ import annotations

from tether.quality.deps import DepsInputs, Usage, analyse, top_level_names
from tether.quality.imports import ImportSite, imported_modules


def inputs(**changes: object) -> DepsInputs:
    base: dict[str, object] = {
        "usages": [],
        "runtime": frozenset({"pyyaml", "requests"}),
        "dev": frozenset({"pytest"}),
        "own_modules": frozenset({"svc"}),
        "stdlib": frozenset({"json", "os"}),
        "providers": {
            "yaml": "pyyaml",
            "requests": "requests",
            "urllib3": "urllib3",
            "pytest": "pytest",
            "_pytest": "pytest",
        },
        "installed": {"pyyaml": (), "requests": (), "urllib3": ("requests",), "pytest": ()},
        "provides_modules": frozenset({"pyyaml", "requests", "urllib3", "pytest"}),
        "ignore": {},
    }
    base.update(changes)
    return DepsInputs(**base)  # type: ignore[arg-type]


def test_import_names_map_to_distributions_and_rules_apply() -> None:
    usages = [
        Usage("yaml", "src/svc/a.py", 1, runtime=True),
        Usage("json", "src/svc/a.py", 2, runtime=True),
        Usage("svc", "src/svc/a.py", 3, runtime=True),
        Usage("urllib3", "src/svc/a.py", 4, runtime=True),
        Usage("pytest", "tests/test_a.py", 1, runtime=False),
        Usage("pytest", "src/svc/b.py", 9, runtime=True),
        Usage("numpy", "tests/test_a.py", 2, runtime=False),
    ]
    found = [(f.rule, f.package, f.where) for f in analyse(inputs(usages=usages))]
    assert found == [
        ("transitive", "urllib3", "src/svc/a.py:4"),
        ("dev-only", "pytest", "src/svc/b.py:9"),
        ("missing", "numpy", "tests/test_a.py:2"),
        ("unused", "requests", "pyproject.toml"),
    ]
    quiet = analyse(inputs(usages=usages, ignore={"unused": frozenset({"requests"}),
                                                  "missing": frozenset({"numpy"})}))  # fmt: skip
    assert [f.rule for f in quiet] == ["transitive", "dev-only"]


def test_imports_and_top_level_names() -> None:
    source = "import os.path, numpy as np\nfrom yaml import safe_load\nfrom . import x\n"
    assert imported_modules(source) == [
        ImportSite("os", 1), ImportSite("numpy", 1), ImportSite("yaml", 2)
    ]  # fmt: skip
    assert imported_modules("def broken(:\n") == []
    assert top_level_names("yaml\n_yaml\n", []) == {"yaml", "_yaml"}
    record = ["six.py", "six-1.0.dist-info/RECORD", "sklearn/__init__.py", "../../bin/x", "a.pth"]
    assert top_level_names(None, record) == {"six", "sklearn"}
