"""Workspaces: several projects in one repository, locked once at the root, installed
editable into one environment, each member selectable with `--package` (or by working
in its directory), as uv's workspaces do; uv's own `[tool.uv.workspace]` works as it is."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.pylock import Pylock

from tests.e2e.test_add import tether
from tests.e2e.test_path_dependencies import local_project
from tests.e2e.test_sync import python, versions
from tests.support.cli import RunResult, run_tether
from tests.support.index_server import IndexServer

pytest_plugins = ["tests.e2e.test_add"]


def tether_in(directory: Path, root: Path, index: IndexServer, *args: str) -> RunResult:
    """`tether ARGS` in `directory`, with the cache beside the workspace `root`."""
    return run_tether(
        *args, "--index-url", index.index_url,
        cwd=directory, env={"TETHER_CACHE_DIR": str(root.parent / "cache")},
    )  # fmt: skip


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + "\n" + text)


def three_members(root: Path) -> Path:
    """app (the root's project) -> plugin -> core -> util; app also needs web and has
    a dev group."""
    local_project(root, "app", '"plugin", "web"')
    append(
        root / "pyproject.toml",
        '[dependency-groups]\ndev = ["testkit"]\n\n'
        '[tool.tether.workspace]\nmembers = ["packages/*"]\nexclude = ["packages/scratch"]\n\n'
        "[tool.tether.sources]\nplugin = { workspace = true }\n",
    )
    local_project(root / "packages" / "core", "core", '"util>=2"')
    local_project(root / "packages" / "plugin", "plugin", '"core"')
    append(
        root / "packages" / "plugin" / "pyproject.toml",
        "[tool.tether.sources]\ncore = { workspace = true }\n",
    )
    (root / "packages" / "scratch").mkdir()  # excluded: no pyproject.toml needed
    return root


def entries(root: Path) -> dict[str, dict[str, object]]:
    data = tomllib.loads((root / "pylock.toml").read_text())
    Pylock.from_dict(data)
    return {p["name"]: p for p in data["packages"]}


def test_a_three_member_workspace_locks_once_and_syncs_members(
    tmp_path: Path, index: IndexServer
) -> None:
    root = three_members(tmp_path / "ws")
    result = tether(root, index, "sync")
    assert result.exit_code == 0, result.stderr
    assert not (root / "packages" / "core" / "pylock.toml").exists()
    locked = entries(root)
    assert set(locked) == {"app", "core", "plugin", "testkit", "util", "web"}
    assert locked["core"]["directory"] == {"path": "packages/core", "editable": True}
    assert locked["plugin"]["dependencies"] == [{"name": "core"}]
    # The root's runtime dependencies (its groups are reached from it only when it is
    # the member synced: a member depending on it does not get them).
    assert locked["app"]["dependencies"] == [{"name": "plugin"}, {"name": "web"}]
    assert versions(root) == {
        "app": "0.3.0", "core": "0.3.0", "plugin": "0.3.0", "testkit": "1.0", "util": "2.0",
        "web": "2.0",
    }  # fmt: skip
    # Members are editable: a change is live.
    (root / "packages" / "core" / "src" / "core" / "__init__.py").write_text("VALUE = 7\n")
    assert python(root, "import core, plugin; print(core.VALUE)") == "7"

    # One member: what it reaches, nothing else (an exact sync removes the rest).
    only_core = tether(root, index, "sync", "--package", "core")
    assert only_core.exit_code == 0, only_core.stderr
    assert versions(root) == {"core": "0.3.0", "util": "2.0"}
    # In a member's directory, commands act on that member; the lock stays at the root.
    here = root / "packages" / "plugin"
    run = tether_in(here, root, index, "run", "python", "-c", "import plugin, core; print('ok')")
    assert run.exit_code == 0, run.stderr
    assert run.stdout.strip() == "ok"
    assert not (here / ".venv").exists()
    assert not (here / "pylock.toml").exists()
    every = tether(root, index, "sync", "--all-packages")
    assert every.exit_code == 0, every.stderr
    assert {"app", "core", "plugin", "web"} <= set(versions(root))


def test_tree_export_build_add_and_init_per_member(tmp_path: Path, index: IndexServer) -> None:
    root = three_members(tmp_path / "ws")
    assert tether(root, index, "lock").exit_code == 0
    tree = tether(root, index, "tree", "--package", "plugin")
    assert tree.exit_code == 0, tree.stderr
    assert tree.stdout.splitlines() == [
        "plugin 0.3.0",
        "└── core 0.3.0",
        "    └── util 2.0",
    ]
    export = tether(root, index, "export", "--package", "core", "--no-hashes")
    assert export.exit_code == 0, export.stderr
    lines = [line for line in export.stdout.splitlines() if not line.startswith("#")]
    assert lines == ["util==2.0"]

    built = tether(root, index, "build", "--package", "core", "--wheel")
    assert built.exit_code == 0, built.stderr
    assert [w.name for w in (root / "dist").glob("*.whl")] == ["core-0.3.0-py3-none-any.whl"]

    # `add --package` edits that member's pyproject.toml and re-locks the workspace.
    added = tether(root, index, "add", "--package", "core", "web")
    assert added.exit_code == 0, added.stderr
    assert '"web>=2.0"' in (root / "packages" / "core" / "pyproject.toml").read_text()
    assert "web" not in (root / "pyproject.toml").read_text().split("[dependency-groups]")[0][-40:]
    assert {"name": "web"} in entries(root)["core"]["dependencies"]  # type: ignore[operator]

    # `init` inside the workspace's tree adds the new project as a member.
    created = run_tether("init", "tools/cli", cwd=root)
    assert created.exit_code == 0, created.stderr
    assert "a member of the workspace" in created.stderr
    assert 'members = ["packages/*", "tools/cli"]' in (root / "pyproject.toml").read_text()
    assert not (root / "tools" / "cli" / ".git").exists()
    # (its scaffolded dev tools are not on the test index)
    (root / "tools" / "cli" / "pyproject.toml").write_text(
        '[project]\nname = "cli"\nversion = "0.1.0"\ndependencies = ["core"]\n'
    )
    relocked = tether(root, index, "lock")
    assert relocked.exit_code == 0, relocked.stderr
    assert entries(root)["cli"]["directory"] == {"path": "tools/cli", "editable": True}

    unknown = tether(root, index, "sync", "--package", "nope")
    assert unknown.exit_code != 0
    assert "has no member 'nope'" in unknown.stderr
    assert "members: app, cli, core, plugin" in unknown.stderr


def test_conflicting_members_say_which_member_wants_what(
    tmp_path: Path, index: IndexServer
) -> None:
    root = three_members(tmp_path / "ws")
    plugin = root / "packages" / "plugin" / "pyproject.toml"
    text = plugin.read_text()
    plugin.write_text(text.replace('dependencies = ["core"]', 'dependencies = ["core", "util<2"]'))
    result = tether(root, index, "lock")
    assert result.exit_code == 1
    assert (
        "every version of core depends on util>=2 and every version of plugin depends on "
        "util<2, core is incompatible with plugin"
    ) in result.stderr
    assert not (root / "pylock.toml").exists()


def test_a_uv_workspace_works_as_it_is_with_a_dynamic_version(
    tmp_path: Path, index: IndexServer
) -> None:
    root = tmp_path / "uvws"
    root.mkdir()
    (root / "pyproject.toml").write_text(
        '[tool.uv.workspace]\nmembers = ["libs/*"]\n\n[dependency-groups]\ndev = ["testkit"]\n'
    )
    first = local_project(root / "libs" / "alpha", "alpha", '"util"', version="1.5.0")
    text = (first / "pyproject.toml").read_text()
    (first / "pyproject.toml").write_text(
        text.replace('version = "1.5.0"', 'dynamic = ["version"]')
    )
    local_project(root / "libs" / "beta", "beta", '"alpha>=1.5"')
    append(
        root / "libs" / "beta" / "pyproject.toml",
        "[tool.uv.sources]\nalpha = { workspace = true }\n",
    )
    result = tether(root, index, "sync")
    assert result.exit_code == 0, result.stderr
    locked = entries(root)
    assert set(locked) == {"alpha", "beta", "testkit", "util"}
    assert "version" not in locked["alpha"]  # dynamic: decided by its backend at install
    assert locked["alpha"]["directory"] == {"path": "libs/alpha", "editable": True}
    assert versions(root) == {"alpha": "1.5.0", "beta": "0.3.0", "testkit": "1.0", "util": "2.0"}
    assert python(root, "import alpha, beta; print(alpha.VALUE, beta.VALUE)") == "1 1"
    fresh = tether(root, index, "lock", "--check")
    assert fresh.exit_code == 0, fresh.stderr
    # `tether migrate` makes it a tether workspace; the lock still matches.
    migrated = tether(root, index, "migrate", "--no-lock")
    assert migrated.exit_code == 0, migrated.stderr
    assert '[tool.tether.workspace]\nmembers = ["libs/*"]' in (root / "pyproject.toml").read_text()
    assert tether(root, index, "lock", "--check").exit_code == 0
    # A member's own dependency change makes the workspace lock stale.
    beta = root / "libs" / "beta" / "pyproject.toml"
    beta.write_text(beta.read_text().replace('"alpha>=1.5"', '"alpha>=1.5", "web"'))
    stale = tether(root, index, "lock", "--check")
    assert stale.exit_code == 1


def test_a_workspace_source_outside_a_workspace_is_refused(
    tmp_path: Path, index: IndexServer
) -> None:
    root = local_project(tmp_path / "lone", "lone", '"util", "core"')
    append(root / "pyproject.toml", "[tool.tether.sources]\ncore = { workspace = true }\n")
    result = tether(root, index, "lock")
    assert result.exit_code == 1
    assert "'core' has a workspace source (`workspace = true`), but" in result.stderr
    assert "is not in a workspace" in result.stderr
    assert not (root / "pylock.toml").exists()


def test_a_member_pinned_to_the_roots_dynamic_version_and_conflicts_by_package(
    tmp_path: Path, index: IndexServer
) -> None:
    """pydantic-ai's workspace: the root's version is dynamic (its backend reports
    2.3.0), and the `cli` member pins the root to exactly that version; the root's
    `[tool.uv]` conflicts name a member's extra with uv's `package` key."""
    root = tmp_path / "ws"
    local_project(root, "app", '"web"', version="2.3.0")
    text = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(text.replace('version = "2.3.0"', 'dynamic = ["version"]'))
    append(
        root / "pyproject.toml",
        '[project.optional-dependencies]\nnew = ["cli[new]"]\n\n'
        '[dependency-groups]\ndev = ["testkit"]\n\n'
        '[tool.uv.workspace]\nmembers = ["cli"]\n\n'
        "[tool.uv.sources]\ncli = { workspace = true }\n\n"
        "[tool.uv]\nconflicts = [\n"
        '  [{ package = "cli", extra = "new" }, { group = "dev" }],\n'
        '  [{ package = "app", extra = "new" }, { group = "dev" }],\n]\n',
    )
    local_project(root / "cli", "cli", '"app==2.3.0"')
    append(
        root / "cli" / "pyproject.toml",
        '[project.optional-dependencies]\nnew = ["util>=2"]\n\n'
        "[tool.uv.sources]\napp = { workspace = true }\n",
    )
    result = tether(root, index, "lock")
    assert result.exit_code == 0, result.stderr
    locked = entries(root)
    assert {"app", "cli", "web", "testkit", "util"} <= set(locked)
    assert "version" not in locked["app"]  # dynamic: the backend's at install
    # A conflict item naming a package of the project's own must name its own extra.
    (root / "pyproject.toml").write_text(
        (root / "pyproject.toml")
        .read_text()
        .replace('{ package = "app", extra = "new" }', '{ package = "app", extra = "old" }')
    )
    wrong = tether(root, index, "lock")
    assert wrong.exit_code == 1
    assert 'names extra "old", which the project does not define' in wrong.stderr
