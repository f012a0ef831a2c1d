"""Poetry projects: tether locks and syncs one as it is, and `tether migrate` rewrites
it as PEP 621 + PEP 735 keeping the versions poetry.lock pinned; a failure changes nothing."""

from __future__ import annotations

import textwrap
import tomllib
from pathlib import Path

from tests.e2e.test_add import tether
from tests.e2e.test_sync import versions
from tests.support.cli import run_tether
from tests.support.index_server import IndexServer

pytest_plugins = ["tests.e2e.test_add"]

POETRY = textwrap.dedent(
    """\
    # The service, still on Poetry.
    [tool.poetry]
    name = "svc"
    version = "0.1.0"
    description = "A service"
    authors = ["Ada <ada@example.com>"]
    packages = [{ include = "svc", from = "src" }]  # poetry-core still reads this

    [tool.poetry.dependencies]
    python = "^3.11"
    web = "^1.0"
    winonly = { version = "*", platform = "win32" }

    [tool.poetry.group.dev.dependencies]
    testkit = "*"

    [tool.ruff]  # other tools' settings stay, comments too
    line-length = 100
    """
)
POETRY_LOCK = textwrap.dedent(
    """\
    [[package]]
    name = "web"
    version = "1.0"

    [[package]]
    name = "util"
    version = "1.0"

    [[package]]
    name = "testkit"
    version = "1.0"
    """
)


def test_a_poetry_project_locks_and_syncs_as_it_is(tmp_path: Path, index: IndexServer) -> None:
    root = tmp_path / "svc"
    root.mkdir()
    (root / "pyproject.toml").write_text(POETRY)
    result = tether(root, index, "sync")
    assert result.exit_code == 0, result.stderr
    assert versions(root) == {"web": "1.0", "util": "2.0", "testkit": "1.0"}
    assert (root / "pyproject.toml").read_text() == POETRY  # read, not rewritten


def test_a_first_plain_lock_keeps_poetry_lock_and_uv_lock_versions(
    tmp_path: Path, index: IndexServer
) -> None:
    for name, lock in (("poetry.lock", POETRY_LOCK), ("uv.lock", UV_LOCK)):
        root = tmp_path / name
        root.mkdir()
        (root / "pyproject.toml").write_text(POETRY)
        (root / name).write_text(lock)
        result = tether(root, index, "lock")
        assert result.exit_code == 0, result.stderr
        assert f"Preferred the versions {name} pins" in result.stderr
        locked = tomllib.loads((root / "pylock.toml").read_text())
        pins = {p["name"]: p["version"] for p in locked["packages"] if "version" in p}
        assert pins["util"] == "1.0"  # kept, though 2.0 exists
        # Later locks prefer tether's own lock; --upgrade moves on.
        assert tether(root, index, "lock", "--upgrade").exit_code == 0
        assert 'name = "util"\nversion = "2.0"' in (root / "pylock.toml").read_text()


UV_LOCK = textwrap.dedent(
    """\
    version = 1
    requires-python = ">=3.11"

    [[package]]
    name = "util"
    version = "1.0"
    source = { registry = "https://pypi.org/simple" }

    [[package]]
    name = "web"
    version = "1.0"
    source = { registry = "https://pypi.org/simple" }
    """
)


def test_migrate_rewrites_and_keeps_poetry_lock_versions(
    tmp_path: Path, index: IndexServer
) -> None:
    root = tmp_path / "svc"
    root.mkdir()
    (root / "pyproject.toml").write_text(
        POETRY + '\n[build-system]\nrequires = ["poetry-core>=1.0.0"]\n'
        'build-backend = "poetry.core.masonry.api"\n'
    )
    (root / "poetry.lock").write_text(POETRY_LOCK)
    dry = tether(root, index, "migrate", "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    assert "[project]" in dry.stdout
    assert not (root / "pylock.toml").exists()

    result = tether(root, index, "migrate")
    assert result.exit_code == 0, result.stderr
    text = (root / "pyproject.toml").read_text()
    assert text.startswith(
        "# The service, still on Poetry.\n"
        + textwrap.dedent(
            """\
            [project]
            name = "svc"
            version = "0.1.0"
            description = "A service"
            requires-python = ">=3.11,<4.0"
            authors = [{name = "Ada", email = "ada@example.com"}]
            dependencies = [
                "web>=1.0,<2.0",
                "winonly; sys_platform == \\"win32\\"",
            ]

            [dependency-groups]
            dev = ["testkit"]
            """
        )
    )
    assert "# The service, still on Poetry.\n" in text  # comments stay
    assert 'packages = [{ include = "svc", from = "src" }]  # poetry-core still reads this' in text
    assert "[tool.poetry.dependencies]" not in text
    assert "[tool.ruff]  # other tools' settings stay, comments too" in text
    data = tomllib.loads(text)
    assert data["build-system"]["requires"] == ["poetry-core>=2.0.0,<3.0.0"]
    locked = tomllib.loads((root / "pylock.toml").read_text())
    pins = {p["name"]: p["version"] for p in locked["packages"] if "version" in p}
    assert pins["util"] == "1.0"  # poetry.lock's version kept, though 2.0 exists
    assert "Kept 3 of 3 versions from poetry.lock" in result.stderr

    again = tether(root, index, "migrate")
    assert again.exit_code == 1
    assert "is not a Poetry project" in again.stderr


def test_a_failed_migrate_changes_nothing(tmp_path: Path, index: IndexServer) -> None:
    root = tmp_path / "svc"
    root.mkdir()
    broken = POETRY.replace('web = "^1.0"', 'web = "^9.0"')  # no such version
    (root / "pyproject.toml").write_text(broken)
    result = tether(root, index, "migrate")
    assert result.exit_code == 1
    assert "web" in result.stderr
    assert "was left as it was" in result.stderr
    assert (root / "pyproject.toml").read_text() == broken
    assert not (root / "pylock.toml").exists()

    (root / "pyproject.toml").write_text(POETRY.replace('"^1.0"', '"^1.0 || ^2.0"'))
    bad = tether(root, index, "lock")
    assert bad.exit_code == 1
    assert "cannot read the Poetry project" in bad.stderr
    assert "'or'" in bad.stderr


INTERLEAVED = textwrap.dedent(
    """\
    [tool.poetry]
    name = "svc"
    version = "0.1.0"
    description = ""
    authors = ["Ada <ada@example.com>"]

    [tool.poetry.dependencies]
    python = "^3.11"
    # what the service calls
    web = "^1.0"  # the web client
    util = "*"

    [tool.mypy]  # another tool between Poetry's tables
    strict = true

    [tool.poetry.group.dev.dependencies]
    testkit = "*"  # test helpers

    [[tool.poetry.source]]
    name = "mirror"
    url = "https://mirror.example/simple/"
    priority = "supplemental"

    [build-system]
    requires = ["poetry-core"]
    build-backend = "poetry.core.masonry.api"

    [tool.pytest.ini_options]  # after [build-system]
    addopts = "-q"
    """
)


def test_migrate_survives_interleaved_tables_and_keeps_dependency_comments(
    tmp_path: Path, index: IndexServer
) -> None:
    root = tmp_path / "svc"
    root.mkdir()
    (root / "pyproject.toml").write_text(INTERLEAVED)
    result = tether(root, index, "migrate", "--no-lock")
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr
    text = (root / "pyproject.toml").read_text()
    assert text.startswith(
        textwrap.dedent(
            """\
            [project]
            name = "svc"
            version = "0.1.0"
            description = ""
            requires-python = ">=3.11,<4.0"
            authors = [{name = "Ada", email = "ada@example.com"}]
            dependencies = [
                # what the service calls
                "web>=1.0,<2.0", # the web client
                "util",
            ]

            [dependency-groups]
            dev = [
                "testkit", # test helpers
            ]
            """
        )
    )
    assert "[tool.mypy]  # another tool between Poetry's tables\nstrict = true\n" in text
    assert '[tool.pytest.ini_options]  # after [build-system]\naddopts = "-q"\n' in text
    assert "tool.poetry" not in text
    data = tomllib.loads(text)
    # The supplemental source stays behind PyPI, as Poetry searches it.
    assert data["tool"]["tether"]["index"] == [
        {"name": "pypi", "url": "https://pypi.org/simple"},
        {"name": "mirror", "url": "https://mirror.example/simple/", "default": True},
    ]
    shown = run_tether("project", cwd=root, env={"TETHER_CACHE_DIR": str(tmp_path / "c")})
    assert shown.exit_code == 0, shown.stderr  # a valid project


UV_PROJECT = textwrap.dedent(
    """\
    [project]
    name = "svc"
    version = "0.1.0"
    requires-python = ">=3.11"
    dependencies = ["web", "util"]

    [dependency-groups]
    dev = ["testkit"]

    # how uv resolves this project
    [tool.uv]
    constraint-dependencies = ["util<2"]  # util 2 breaks us
    override-dependencies = ["web==1.0"]
    managed = true

    [tool.mypy]
    strict = true

    [tool.uv.sources]
    testkit = { index = "team" }  # only from the team index

    [[tool.uv.index]]
    name = "team"
    url = "INDEX"
    explicit = true
    authenticate = "always"
    """
)


def test_a_uv_project_locks_as_it_is_and_migrates_keeping_comments(
    tmp_path: Path, index: IndexServer
) -> None:
    root = tmp_path / "svc"
    root.mkdir()
    text = UV_PROJECT.replace("INDEX", index.index_url)
    (root / "pyproject.toml").write_text(text)
    (root / "uv.lock").write_text(UV_LOCK)
    locked = tether(root, index, "lock")
    assert locked.exit_code == 0, locked.stderr
    # [tool.uv] honoured: the constraint, the override and the index source.
    pins = {
        p["name"]: p["version"]
        for p in tomllib.loads((root / "pylock.toml").read_text())["packages"]
    }
    assert pins == {"util": "1.0", "web": "1.0", "testkit": "1.0"}
    assert "[tool.uv] managed: a setting of uv itself; tether ignores it" in locked.stderr
    assert "[[tool.uv.index]]" not in locked.stderr  # `authenticate` is uv's business
    (root / "pylock.toml").unlink()

    migrated = tether(root, index, "migrate")
    assert migrated.exit_code == 0, migrated.stderr
    assert "Kept 2 of 2 versions from uv.lock" in migrated.stderr
    text = (root / "pyproject.toml").read_text()
    assert "# how uv resolves this project\n[tool.tether]\n" in text
    assert 'constraints = ["util<2"]  # util 2 breaks us\n' in text
    assert 'overrides = ["web==1.0"]\n' in text
    assert "[tool.uv]\nmanaged = true\n" in text
    assert 'testkit = { index = "team" }  # only from the team index' in text
    assert "[[tool.tether.index]]" in text
    assert "authenticate" not in text
    assert "[tool.mypy]\nstrict = true\n" in text
    again = tether(root, index, "lock", "--check")
    assert again.exit_code == 0, again.stderr


POETRY2 = textwrap.dedent(
    """\
    [project]
    name = "svc"
    version = "0.1.0"
    requires-python = ">=3.11"
    homepage = "https://example.com"  # Poetry tolerates it; PEP 621 has no such key
    dependencies = ["web>=1"]

    [tool.poetry]
    packages = [{ include = "svc" }]

    # tools for working on the service
    [tool.poetry.group.dev.dependencies]
    testkit = "*"  # test helpers
    """
)


def test_a_poetry2_project_reads_its_groups_and_migrates_them(
    tmp_path: Path, index: IndexServer
) -> None:
    root = tmp_path / "svc"
    root.mkdir()
    (root / "pyproject.toml").write_text(POETRY2)
    locked = tether(root, index, "lock")
    assert locked.exit_code == 0, locked.stderr
    assert "[project] homepage: not a PEP 621 key; ignored" in locked.stderr
    lock = tomllib.loads((root / "pylock.toml").read_text())
    assert lock["dependency-groups"] == ["dev"]
    assert "testkit" in {p["name"] for p in lock["packages"]}
    (root / "pylock.toml").unlink()
    migrated = tether(root, index, "migrate", "--no-lock")
    assert migrated.exit_code == 0, migrated.stderr
    text = (root / "pyproject.toml").read_text()
    assert text.startswith(POETRY2.split("[tool.poetry]")[0].rstrip("\n") + "\n\n")
    assert (
        "[dependency-groups]\n# tools for working on the service\n"
        'dev = [\n    "testkit", # test helpers\n]\n'
    ) in text  # the comment above the group's table stays with the group
    assert "[tool.poetry]\npackages" in text
    assert "tool.poetry.group" not in text
    # A typo of a PEP 621 key is still an error.
    (root / "pyproject.toml").write_text(POETRY2.replace("dependencies =", "dependecies ="))
    typo = tether(root, index, "lock")
    assert typo.exit_code == 1
    assert 'did you mean "dependencies"?' in typo.stderr


def test_a_package_uv_locks_per_fork_keeps_each_forks_version(
    tmp_path: Path, index: IndexServer
) -> None:
    from tether.lock.foreign import lock_pins

    root = tmp_path / "svc"
    root.mkdir()
    (root / "uv.lock").write_text(
        UV_LOCK
        + '\n[[package]]\nname = "util"\nversion = "2.0"\n'
        + 'source = { registry = "https://pypi.org/simple" }\n'
    )
    assert lock_pins(root / "uv.lock") == {"util": ("1.0", "2.0"), "web": ("1.0",)}
    (root / "pyproject.toml").write_text(POETRY)
    locked = tether(root, index, "lock")
    assert locked.exit_code == 0, locked.stderr
    pins = {
        p["name"]: p["version"]
        for p in tomllib.loads((root / "pylock.toml").read_text())["packages"]
        if "version" in p
    }
    assert pins["util"] == "2.0"  # the newest of the versions uv.lock holds that fits
    assert pins["web"] == "1.0"
