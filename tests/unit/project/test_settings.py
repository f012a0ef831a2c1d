"""`[tool.tether]`: every key of DESIGN.md §5, and the errors for each misuse."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement

from tether.errors import ProjectError
from tether.project import (
    ConflictItem,
    Index,
    PrereleasePolicy,
    Project,
    ResolutionStrategy,
    Source,
    load_project,
)

HEAD = """\
[project]
name = "demo"
version = "1.0"

[project.optional-dependencies]
cpu = ["torch"]
cu126 = ["torch"]

[dependency-groups]
dev = ["pytest"]
docs = ["mkdocs"]

"""


def load(tmp_path: Path, tool: str) -> Project:
    path = tmp_path / "pyproject.toml"
    path.write_text(HEAD + textwrap.dedent(tool), encoding="utf-8")
    return load_project(path)


def fail(tmp_path: Path, tool: str) -> ProjectError:
    with pytest.raises(ProjectError) as info:
        load(tmp_path, tool)
    return info.value


def test_every_key(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        """\
        [tool.tether]
        default-groups = ["dev", "docs"]
        environments = ["sys_platform == 'linux'", "sys_platform == 'darwin'"]
        resolution = "lowest-direct"
        prerelease = "allow"
        exclude-newer = "2024-06-01T12:00:00Z"
        constraints = ["urllib3<2"]
        overrides = ["numpy>=2"]
        conflicts = [[{ extra = "cpu" }, { extra = "cu126" }]]

        [[tool.tether.index]]
        name = "pytorch-cpu"
        url = "https://download.pytorch.org/whl/cpu/"
        explicit = true

        [[tool.tether.index]]
        name = "pytorch-cu126"
        url = "https://download.pytorch.org/whl/cu126"
        explicit = true

        [[tool.tether.index]]
        name = "internal"
        url = "https://pypi.internal.example/simple"

        [tool.tether.sources]
        torch = [
            { index = "pytorch-cpu", extra = "cpu" },
            { index = "pytorch-cu126", extra = "cu126", marker = "sys_platform == 'linux'" },
        ]
        mylib = { path = "../mylib", editable = true }
        wheel = { url = "https://example.com/wheel-1.0-py3-none-any.whl" }
        """,
    )
    settings = project.settings
    assert settings.default_groups == ("dev", "docs")
    assert project.default_groups() == ("dev", "docs")
    assert settings.environments == (
        Marker("sys_platform == 'linux'"),
        Marker("sys_platform == 'darwin'"),
    )
    assert settings.resolution is ResolutionStrategy.LOWEST_DIRECT
    assert settings.prerelease is PrereleasePolicy.ALLOW
    assert settings.exclude_newer == datetime(2024, 6, 1, 12, tzinfo=UTC)
    assert settings.constraints == (Requirement("urllib3<2"),)
    assert settings.overrides == (Requirement("numpy>=2"),)
    assert settings.conflicts == ((ConflictItem(extra="cpu"), ConflictItem(extra="cu126")),)
    assert settings.indexes[0] == Index(
        name="pytorch-cpu", url="https://download.pytorch.org/whl/cpu", explicit=True
    )
    assert settings.sources["torch"] == (
        Source(index="pytorch-cpu", extra="cpu"),
        Source(index="pytorch-cu126", extra="cu126", marker=Marker("sys_platform == 'linux'")),
    )
    assert settings.sources["mylib"] == (Source(path="../mylib", editable=True),)
    # Explicit indexes serve only pinned packages; PyPI stays the index of last resort.
    assert [index.name for index in settings.index_chain()] == ["internal", "pypi"]


def test_defaults(tmp_path: Path) -> None:
    settings = load(tmp_path, "").settings
    assert settings.resolution is ResolutionStrategy.HIGHEST
    assert settings.prerelease is PrereleasePolicy.IF_NECESSARY_OR_EXPLICIT
    assert settings.exclude_newer is None
    assert settings.default_groups is None


def test_default_groups_all(tmp_path: Path) -> None:
    project = load(tmp_path, '[tool.tether]\ndefault-groups = "all"\n')
    assert project.default_groups() == ("dev", "docs")


def test_default_index_replaces_pypi(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        """\
        [[tool.tether.index]]
        name = "mirror"
        url = "https://mirror.example/simple"
        default = true
        """,
    )
    assert [index.name for index in project.settings.index_chain()] == ["mirror"]


def test_find_links_and_flat_indexes_come_first_in_the_chain(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        """\
        [tool.tether]
        find-links = ["wheels", "https://data.pyg.org/whl/torch-2.5.0+cpu.html"]

        [[tool.tether.index]]
        name = "team"
        url = "https://team.example/simple"

        [[tool.tether.index]]
        name = "vendored"
        url = "../vendor"
        format = "flat"
        """,
    )
    chain = project.settings.index_chain()
    assert [(i.name, i.url, i.flat) for i in chain] == [
        ("find-links-0", (tmp_path / "wheels").resolve().as_uri(), True),
        ("find-links-1", "https://data.pyg.org/whl/torch-2.5.0+cpu.html", True),
        ("team", "https://team.example/simple", False),
        ("vendored", (tmp_path.parent / "vendor").resolve().as_uri(), True),
        ("pypi", "https://pypi.org/simple", False),
    ]


def test_uv_find_links_and_flat_index_are_read(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        """\
        [tool.uv]
        find-links = ["https://download.pytorch.org/whl/torch_stable.html"]

        [[tool.uv.index]]
        name = "wheels"
        url = "./wheels"
        format = "flat"
        """,
    )
    assert [(i.name, i.flat) for i in project.settings.index_chain()] == [
        ("find-links-0", True),
        ("wheels", True),
        ("pypi", False),
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('"2024-06-01"', datetime(2024, 6, 1, tzinfo=UTC)),
        ("2024-06-01", datetime(2024, 6, 1, tzinfo=UTC)),
        (
            "2024-06-01T10:00:00+02:00",
            datetime(2024, 6, 1, 10, tzinfo=timezone(timedelta(hours=2))),
        ),
        ('"2024-06-01T10:00:00"', datetime(2024, 6, 1, 10, tzinfo=UTC)),
    ],
)
def test_exclude_newer_forms(tmp_path: Path, value: str, expected: datetime) -> None:
    settings = load(tmp_path, f"[tool.tether]\nexclude-newer = {value}\n").settings
    assert settings.exclude_newer == expected


def test_unknown_key_suggests_closest(tmp_path: Path) -> None:
    error = fail(tmp_path, '[tool.tether]\nresolutoin = "lowest"\n')
    assert error.message == 'unknown key "resolutoin" in [tool.tether]'
    assert (error.line, error.column) == (14, 1)
    assert error.hint is not None
    assert error.hint.startswith(
        'did you mean "resolution"? valid keys are: audit, build-constraint-dependencies, '
    )


def test_unknown_key_in_index_table(tmp_path: Path) -> None:
    error = fail(
        tmp_path, '[[tool.tether.index]]\nname = "x"\nurl = "https://x.example"\nexplict = true\n'
    )
    assert error.message == 'unknown key "explict" in [tool.tether.index[0]]'
    assert error.hint is not None
    assert error.hint.startswith('did you mean "explicit"?')


def test_bad_enum_value(tmp_path: Path) -> None:
    error = fail(tmp_path, '[tool.tether]\nresolution = "newest"\n')
    assert error.message == 'invalid `tool.tether.resolution` value "newest"'
    assert error.hint == 'use one of "highest", "lowest", "lowest-direct"'


def test_source_uses_undefined_index(tmp_path: Path) -> None:
    error = fail(
        tmp_path,
        """\
        [[tool.tether.index]]
        name = "pytorch-cpu"
        url = "https://download.pytorch.org/whl/cpu"

        [tool.tether.sources]
        torch = { index = "pytorch" }
        """,
    )
    assert error.message == (
        '`tool.tether.sources.torch` uses index "pytorch", which is not defined in '
        "[[tool.tether.index]]"
    )
    assert (error.line, error.column) == (18, 19)
    assert error.hint == (
        'add [[tool.tether.index]] with name = "pytorch" and its url '
        '(indexes defined: "pytorch-cpu")'
    )


def test_source_with_two_kinds(tmp_path: Path) -> None:
    error = fail(tmp_path, '[tool.tether.sources]\nx = { path = "a", url = "https://b" }\n')
    assert error.message == (
        "`tool.tether.sources.x` must name exactly one of index, path, url, git or workspace "
        "(found path and url)"
    )


def test_git_sources(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        "[tool.tether.sources]\n"
        'x = { git = "https://g/x.git", tag = "v1", subdirectory = "a/b/" }\n',
    )
    (source,) = project.settings.sources["x"]
    assert (source.git, source.rev, source.subdirectory) == ("https://g/x.git", "v1", "a/b")
    for text, message in [
        ('{ git = "https://g/x", tag = "v1", branch = "main" }', "sets tag and branch"),
        ('{ path = "a", tag = "v1" }', "sets tag, which only a git source has"),
        ('{ git = "https://g/x", subdirectory = "../up" }', "relative path inside"),
        ('{ git = "git@github.com:o/r" }', "must be an https://, ssh://, http:// or file://"),
        ('{ git = "https://g/x", editable = true }', "only a path or workspace source"),
        ("{ workspace = false }", "a workspace source is `workspace = true`"),
    ]:
        error = fail(tmp_path, f"[tool.tether.sources]\nx = {text}\n")
        assert message in error.message, text


def test_source_for_undefined_extra(tmp_path: Path) -> None:
    error = fail(
        tmp_path,
        """\
        [[tool.tether.index]]
        name = "cpu"
        url = "https://download.pytorch.org/whl/cpu"

        [tool.tether.sources]
        torch = [{ index = "cpu", extra = "cuda" }]
        """,
    )
    assert error.message == (
        '`tool.tether.sources.torch` applies to extra "cuda", which the project does not define'
    )
    assert error.hint == "extras defined in [project.optional-dependencies]: cpu, cu126"


def test_conflict_with_unknown_extra(tmp_path: Path) -> None:
    error = fail(tmp_path, '[tool.tether]\nconflicts = [[{ extra = "cpu" }, { extra = "gpu" }]]\n')
    assert error.message == (
        '`tool.tether.conflicts[0][1]` names extra "gpu", which the project does not define'
    )


def test_conflicts_on_extras_a_backend_computes_wait_for_it(tmp_path: Path) -> None:
    """pydantic-ai's extras come from a build hook: a conflict naming one cannot be
    checked against `[project.optional-dependencies]`, which has none yet."""
    path = tmp_path / "pyproject.toml"
    path.write_text(
        '[project]\nname = "demo"\nversion = "1.0"\ndynamic = ["optional-dependencies"]\n\n'
        '[dependency-groups]\ndev = ["pytest"]\n\n'
        '[tool.tether]\nconflicts = [[{ extra = "mcp-tasks" }, { group = "dev" }]]\n'
    )
    settings = load_project(path).settings
    assert settings.conflicts == ((ConflictItem(extra="mcp-tasks"), ConflictItem(group="dev")),)


def test_conflict_needs_two_items(tmp_path: Path) -> None:
    error = fail(tmp_path, '[tool.tether]\nconflicts = [[{ extra = "cpu" }]]\n')
    assert (
        error.message == "`tool.tether.conflicts[0]` lists 1 item(s); a conflict needs at least two"
    )


def test_default_group_must_exist(tmp_path: Path) -> None:
    error = fail(tmp_path, '[tool.tether]\ndefault-groups = ["test"]\n')
    assert error.message == 'default group "test" is not defined in [dependency-groups]'
    assert error.hint == "groups defined in [dependency-groups]: dev, docs"


def test_bad_constraint_requirement(tmp_path: Path) -> None:
    error = fail(tmp_path, '[tool.tether]\nconstraints = ["urllib3 < 2 >"]\n')
    assert error.message.startswith(
        'invalid requirement "urllib3 < 2 >" in `tool.tether.constraints[0]`'
    )


def test_bad_environment_marker(tmp_path: Path) -> None:
    error = fail(tmp_path, "[tool.tether]\nenvironments = [\"sys_platform = 'linux'\"]\n")
    assert error.message.startswith(
        "invalid marker \"sys_platform = 'linux'\" in `tool.tether.environments[0]`"
    )


def test_bad_exclude_newer(tmp_path: Path) -> None:
    error = fail(tmp_path, '[tool.tether]\nexclude-newer = "last tuesday"\n')
    assert error.message == (
        'invalid timestamp or span "last tuesday" in `tool.tether.exclude-newer`'
    )
    package = fail(tmp_path, '[tool.tether.exclude-newer-package]\ntorch = "P"\n')
    assert package.message == (
        'invalid timestamp or span "P" in `tool.tether.exclude-newer-package.torch`'
    )


def test_exclude_newer_as_a_cool_down_and_per_package() -> None:
    from datetime import UTC, datetime, timedelta

    from tether.project.cooldown import cutoff, iso_span, parse_span

    now = datetime(2026, 12, 7, tzinfo=UTC)
    assert cutoff("7 days", now) == (now - timedelta(days=7), "P7D")
    assert cutoff("P1W", now) == (now - timedelta(days=7), "P7D")
    assert cutoff("24 hours", now) == (now - timedelta(days=1), "P1D")
    assert cutoff("PT12H", now) == (now - timedelta(hours=12), "PT12H")
    assert cutoff("2024-06-01", now)[1] is None
    assert parse_span("PT") is None
    assert parse_span("soon") is None
    assert iso_span(timedelta(days=1, hours=2)) == "P1DT2H"


def test_index_without_url(tmp_path: Path) -> None:
    error = fail(tmp_path, '[[tool.tether.index]]\nname = "x"\n')
    assert error.message == "`tool.tether.index[0]` has no `url`"


def test_duplicate_index_name(tmp_path: Path) -> None:
    error = fail(
        tmp_path,
        '[[tool.tether.index]]\nname = "x"\nurl = "https://a"\n'
        '[[tool.tether.index]]\nname = "x"\nurl = "https://b"\n',
    )
    assert error.message == 'index "x" is defined twice in [[tool.tether.index]]'


def test_index_url_credentials_are_never_shown(tmp_path: Path) -> None:
    error = fail(
        tmp_path, '[[tool.tether.index]]\nname = "x"\nurl = "ftp://user:s3cret@host/simple"\n'
    )
    assert "s3cret" not in error.message
    assert error.message == (
        'index "x" has an unusable URL "ftp://***@host/simple": '
        "its scheme ftp:// is not http://, https:// or file://"
    )


def test_index_credentials_settings(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        """\
        [[tool.tether.index]]
        name = "gar"
        url = "https://europe-python.pkg.dev/proj/repo/simple"
        username = "oauth2accesstoken"
        credential-command = "gcloud auth print-access-token --quiet"

        [[tool.tether.index]]
        name = "codeartifact"
        url = "https://domain.d.codeartifact.eu-west-1.amazonaws.com/pypi/repo/simple"
        credential-command = ["aws", "codeartifact", "get-authorization-token", "--output", "text"]
        """,
    )
    gar, codeartifact = project.settings.indexes
    assert gar.username == "oauth2accesstoken"
    assert gar.credential_command == ("gcloud", "auth", "print-access-token", "--quiet")
    assert codeartifact.credential_command[:2] == ("aws", "codeartifact")
    assert codeartifact.username is None


def test_index_publish_url(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        """\
        [[tool.tether.index]]
        name = "internal"
        url = "https://pypi.corp.example/simple"
        publish-url = "https://pypi.corp.example/legacy/"
        """,
    )
    assert project.settings.indexes[0].publish_url == "https://pypi.corp.example/legacy/"

    error = fail(
        tmp_path,
        '[[tool.tether.index]]\nname = "x"\nurl = "https://h/simple"\n'
        'publish-url = "scp://me:pw@h/up"\n',
    )
    assert error.message == 'index "x" has an unsupported publish-url "scp://***@h/up"'


def test_a_cool_down_keeps_the_lock_inputs_stable(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    project = load(
        tmp_path,
        """\
        [tool.tether]
        exclude-newer = "7 days"

        [tool.tether.exclude-newer-package]
        torch = "2025-01-01"
        mylib = false
        """,
    )
    settings = project.settings
    assert settings.exclude_newer_input() == "P7D"
    assert settings.exclude_newer is not None
    assert abs(datetime.now(UTC) - timedelta(days=7) - settings.exclude_newer) < timedelta(
        minutes=1
    )
    assert dict(settings.exclude_newer_package) == {
        "torch": datetime(2025, 1, 1, tzinfo=UTC),
        "mylib": None,
    }
    assert dict(settings.exclude_newer_package_inputs) == {
        "torch": "2025-01-01T00:00:00+00:00",
        "mylib": "false",
    }
