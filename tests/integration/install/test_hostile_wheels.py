"""Wheels built to harm: console scripts named as paths or carrying code, files listed
twice, zip bombs. Each is refused with a message before anything lands outside the
environment, and nothing is left in the cache under the tree's name."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import pytest

from tests.support.dists import Dist, build_wheel
from tether.errors import InstallError
from tether.install import wheel as wheel_module
from tether.install.wheel import Target, install, installed, unpack
from tether.python.interpreter import describe
from tether.python.venv import create


@pytest.fixture
def target(tmp_path: Path) -> Target:
    environment = create(tmp_path / "venv", describe(Path(sys.executable)))
    return Target.from_paths(describe(environment.python).paths, environment.python)


def everything(root: Path) -> set[Path]:
    return set(root.rglob("*")) if root.exists() else set()


def install_dist(tmp_path: Path, dist: Dist, target: Target) -> None:
    path = tmp_path / dist.wheel_filename("py3-none-any")
    path.write_bytes(build_wheel(dist, "py3-none-any"))
    install(unpack(path, tmp_path / "cache" / "tree"), target)


@pytest.mark.parametrize(
    "name",
    ["../../escaped", "/tmp/tether-owned-{tmp}", "sub/dir", ".bashrc", "a\\b", "..", "bad\x00"],
)
def test_a_console_script_named_as_a_path_is_refused(
    tmp_path: Path, target: Target, name: str
) -> None:
    name = name.format(tmp=tmp_path.name)
    before = everything(tmp_path / "venv")
    dist = Dist("evil", "1.0", entry_points={name: "evil:main"})
    with pytest.raises(InstallError, match="is not a plain file name") as caught:
        install_dist(tmp_path, dist, target)
    assert "refusing to install the wheel" in str(caught.value)
    assert everything(tmp_path / "venv") == before  # nothing of the wheel landed
    assert not (tmp_path / "escaped").exists()
    assert not Path(f"/tmp/tether-owned-{tmp_path.name}").exists()
    assert installed(target.purelib) == {}


@pytest.mark.parametrize(
    "value",
    [
        "evil:main\n  import os; os.system('touch /tmp/owned')",  # a continuation line
        "evil:main; import os",
        "os.system('x'):main",
        "evil",  # no callable: nothing to launch
        "evil:main()",
    ],
)
def test_a_console_script_whose_value_is_not_an_entry_point_is_refused(
    tmp_path: Path, target: Target, value: str
) -> None:
    dist = Dist("evil", "1.0", entry_points={"evil": value})
    with pytest.raises(InstallError, match="which is not `module:function`"):
        install_dist(tmp_path, dist, target)
    assert not (target.scripts / "evil").exists()
    assert installed(target.purelib) == {}


def test_valid_entry_points_with_extras_and_dotted_attributes_install(
    tmp_path: Path, target: Target
) -> None:
    dist = Dist("good", "1.0", entry_points={"good-tool": " good.sub : main.attr [cli, extra-x]"})
    install_dist(tmp_path, dist, target)
    launcher = (target.scripts / "good-tool").read_text()
    assert "from good.sub import main\n" in launcher
    assert "sys.exit(main.attr())" in launcher


def wheel_with(tmp_path: Path, members: list[tuple[str, bytes]]) -> Path:
    path = tmp_path / "evil-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members:
            archive.writestr(name, content)
    return path


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_a_file_listed_twice_is_refused(tmp_path: Path) -> None:
    path = wheel_with(
        tmp_path, [("evil/__init__.py", b"SAFE = 1\n"), ("evil/__init__.py", b"import os\n")]
    )
    with pytest.raises(InstallError, match=r"lists evil/__init__.py more than once"):
        unpack(path, tmp_path / "cache" / "evil")
    assert list((tmp_path / "cache").iterdir()) == []  # no tree, no staging left


def test_a_zip_bomb_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 1 MiB of zeros packs to ~1 KiB; the floor is lowered so the test stays small
    # (the rule is the same: past the floor, more than 100x the archive is refused).
    monkeypatch.setattr(wheel_module, "BOMB_FLOOR", 512 * 1024)
    path = wheel_with(tmp_path, [("evil/__init__.py", b""), ("evil/zeros.bin", bytes(2**20))])
    with pytest.raises(InstallError, match=r"would unpack to 1.0 MiB from 1.\d KiB") as caught:
        unpack(path, tmp_path / "cache" / "evil")
    assert "zip bomb" in (caught.value.hint or "")
    assert list((tmp_path / "cache").iterdir()) == []


def test_a_well_compressed_small_wheel_is_not_a_bomb(tmp_path: Path) -> None:
    path = wheel_with(tmp_path, [("evil/__init__.py", b""), ("evil/zeros.bin", bytes(2**20))])
    tree = unpack(path, tmp_path / "cache" / "evil")  # under the floor: any ratio is fine
    assert (tree / "evil" / "zeros.bin").stat().st_size == 2**20
