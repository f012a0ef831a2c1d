"""Reading pip requirements files: the syntax pip-tools users write, and errors that
point at the file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tether.errors import ProjectError
from tether.project.requirements_txt import read_requirements


def test_reads_the_pip_syntax(tmp_path: Path) -> None:
    (tmp_path / "base.in").write_text("util>=1  # comment\n")
    (tmp_path / "pins.txt").write_text("util<3\n")
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "pyproject.toml").write_text('[project]\nname = "mylib"\n')
    (tmp_path / "requirements.in").write_text(
        "# header\n"
        "--index-url https://${HOST}/simple\n"
        "--extra-index-url=https://extra.example/simple\n"
        "-r base.in\n"
        "-c pins.txt\n"
        "--pre\n"
        "web[fast] >= 2 ; python_version >= '3.11' \\\n"
        "    --hash=sha256:" + "AB" * 32 + "\n"
        "-e ./lib\n"
        "\n"
    )
    read = read_requirements([tmp_path / "requirements.in"], {"HOST": "mirror.example"})
    assert read.index_url == "https://mirror.example/simple"
    assert read.extra_index_urls == ("https://extra.example/simple",)
    assert read.pre
    assert [str(e.requirement) for e in read.requirements] == [
        "util>=1",
        'web[fast]>=2; python_version >= "3.11"',
        f"mylib @ {(tmp_path / 'lib').resolve().as_uri()}",
    ]
    assert read.requirements[1].hashes == ("sha256:" + "ab" * 32,)
    assert read.requirements[1].line == 7
    assert read.requirements[2].editable
    assert [str(e.requirement) for e in read.constraints] == ["util<3"]
    assert read.constraints[0].source == tmp_path / "pins.txt"


def test_find_links_are_read_relative_to_their_file(tmp_path: Path) -> None:
    (tmp_path / "reqs").mkdir()
    path = tmp_path / "reqs" / "requirements.in"
    path.write_text(
        "-f ../wheels\n--find-links=https://data.pyg.org/whl/torch-2.5.0+cpu.html\nweb\n"
    )
    read = read_requirements([path], {})
    assert read.find_links == (
        str((tmp_path / "wheels").resolve()),
        "https://data.pyg.org/whl/torch-2.5.0+cpu.html",
    )


@pytest.mark.parametrize(
    ("content", "message", "line"),
    [
        ("ok\nnot a requirement!\n", "invalid requirement", 2),
        ("--trusted-host example.com\n", "--trusted-host is not supported", 1),
        ("-f\n", "-f needs a directory or a URL", 1),
        ("--bogus\n", "unknown option '--bogus'", 1),
        ("web --hash=sha1:abc\n", "is not a sha256 hash", 1),
        ("-r\n", "-r needs a file name", 1),
        ("-e https://example.com/x.zip\n", "only a local project directory", 1),
        ("-e .\n", "cannot tell the project name", 1),
    ],
)
def test_errors_name_file_and_line(tmp_path: Path, content: str, message: str, line: int) -> None:
    path = tmp_path / "requirements.in"
    path.write_text(content)
    with pytest.raises(ProjectError) as caught:
        read_requirements([path], {})
    assert message in caught.value.message
    assert caught.value.location == f"{path}:{line}"


def test_circular_includes_and_missing_files(tmp_path: Path) -> None:
    (tmp_path / "a.in").write_text("-r b.in\n")
    (tmp_path / "b.in").write_text("-r a.in\n")
    with pytest.raises(ProjectError, match="includes itself"):
        read_requirements([tmp_path / "a.in"], {})
    with pytest.raises(ProjectError, match="does not exist"):
        read_requirements([tmp_path / "nope.in"], {})
