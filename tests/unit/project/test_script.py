"""PEP 723 blocks read into a project and edited in place (pure: text in, text out)."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.requirements import Requirement

from tether.errors import ProjectError
from tether.project.script import (
    add_to_script,
    find_block,
    lock_name,
    new_script,
    remove_from_script,
    script_project,
)

PATH = Path("/work/eval.py")
TEXT = """\
#!/usr/bin/env python3
# /// script
# requires-python = ">=3.11"
# dependencies = [
#   "httpx>=0.27",  # the client
#   "rich",
# ]
# [tool.tether]
# exclude-newer = "2025-01-01"
# ///
import httpx
"""


def test_the_block_becomes_a_project_without_a_build_system() -> None:
    project = script_project(PATH, TEXT)
    assert project.name == "eval"
    assert project.script == PATH
    assert project.build_system is None
    assert str(project.requires_python) == ">=3.11"
    assert [str(r) for r in project.dependencies] == ["httpx>=0.27", "rich"]
    assert project.settings.exclude_newer is not None
    block = find_block(TEXT, PATH)
    assert block is not None
    assert block.first_line == 3
    assert block.toml.startswith('requires-python = ">=3.11"\n')


def test_a_file_without_a_block_is_a_script_without_dependencies() -> None:
    project = script_project(Path("/w/plain.py"), "print(1)\n# /// other\n# x = 1\n# ///\n")
    assert project.dependencies == ()
    assert str(project.requires_python) == ""


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ('# /// script\n# dependencies = "x"\n# ///\n', "dependencies", None),
        ("x = 1\n# /// script\n# dependencies = [1]\n# ///\n", "dependencies", None),
        ('# /// script\n# requires-python = ">=3.11"\n# requires-python = "x"\n# ///\n', "", 3),
    ],
)
def test_bad_blocks_point_at_the_script(text: str, message: str, line: int | None) -> None:
    with pytest.raises(ProjectError) as raised:
        script_project(PATH, text)
    assert raised.value.path == PATH
    assert message in str(raised.value)
    if line is not None:
        assert f"line {line}" in str(raised.value)


def test_adding_and_removing_keep_comments_and_the_shebang() -> None:
    added = add_to_script(TEXT, PATH, [Requirement("numpy>=2"), Requirement("rich>=13")])
    assert added.startswith("#!/usr/bin/env python3\n# /// script\n")
    assert '"httpx>=0.27",  # the client' in added
    assert '"rich>=13"' in added
    assert '"rich",' not in added
    assert '"numpy>=2"' in added
    assert added.endswith("# ///\nimport httpx\n")
    assert script_project(PATH, added).settings.exclude_newer is not None
    removed, missing = remove_from_script(added, PATH, ["NumPy", "absent"])
    assert missing == ["absent"]
    assert "numpy" not in removed
    assert removed.endswith("# ///\nimport httpx\n")


def test_a_block_is_added_under_the_shebang_and_encoding_lines() -> None:
    text = "#!/usr/bin/env python3\n# -*- coding: utf-8 -*-\nprint(1)\n"
    added = add_to_script(text, PATH, [Requirement("rich")])
    assert added == (
        "#!/usr/bin/env python3\n# -*- coding: utf-8 -*-\n"
        '# /// script\n# dependencies = ["rich"]\n# ///\n\nprint(1)\n'
    )
    assert [str(r) for r in script_project(PATH, added).dependencies] == ["rich"]


def test_new_scripts_and_lock_names() -> None:
    text = new_script(">=3.12", ["rich"])
    project = script_project(PATH, text)
    assert str(project.requires_python) == ">=3.12"
    assert [str(r) for r in project.dependencies] == ["rich"]
    assert lock_name(Path("/w/eval.py")) == "pylock.eval.toml"
    assert lock_name(Path("/w/my tool.py")) == "pylock.my-tool.toml"
