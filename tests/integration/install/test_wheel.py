"""Installing wheels into real environments: what lands where, what runs, what pip
thinks of it, and archives that try to escape."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import marshal
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.support.dists import Dist, build_wheel
from tether.errors import InstallError
from tether.install.layout import LAYOUT_FILE, layout_of
from tether.install.wheel import LinkMode, Target, install, installed, uninstall, unpack
from tether.python.interpreter import describe
from tether.python.venv import VirtualEnv, create

DEMO = Dist(
    "demo-tool",
    "1.2",
    entry_points={"demo-tool": "demo_tool:main"},
    files={"demo_tool/extra.py": "VALUE = 42\n"},
    data={
        "data/share/demo-tool/config.toml": "answer = 42\n",
        "scripts/demo-raw": "#!python\nimport demo_tool\nprint('raw', demo_tool.__version__)\n",
    },
)


@pytest.fixture
def env(tmp_path: Path) -> tuple[VirtualEnv, Target]:
    environment = create(tmp_path / "venv", describe(Path(sys.executable)))
    paths = describe(environment.python).paths
    return environment, Target.from_paths(paths, environment.python)


def wheel_file(tmp_path: Path, dist: Dist = DEMO) -> Path:
    path = tmp_path / dist.wheel_filename("py3-none-any")
    path.write_bytes(build_wheel(dist, "py3-none-any"))
    return path


def run(python: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(python), *args], capture_output=True, text=True, check=False)


def test_install_a_wheel(tmp_path: Path, env: tuple[VirtualEnv, Target]) -> None:
    environment, target = env
    tree = unpack(wheel_file(tmp_path), tmp_path / "cache" / "demo")
    result = install(tree, target, requested=True)
    assert (result.name, result.version) == ("demo-tool", "1.2")
    imported = run(environment.python, "-c", "import demo_tool.extra as e; print(e.VALUE)")
    assert imported.stdout == "42\n", imported.stderr
    console = subprocess.run(
        [str(environment.root / "bin" / "demo-tool")], capture_output=True, text=True, check=True
    )
    assert console.stdout == "demo-tool 1.2\n"
    raw = subprocess.run(
        [str(environment.root / "bin" / "demo-raw")], capture_output=True, text=True, check=True
    )
    assert raw.stdout == "raw 1.2\n"
    assert (
        (environment.root / "bin" / "demo-raw").read_text().startswith(f"#!{environment.python}\n")
    )
    assert (environment.root / "share" / "demo-tool" / "config.toml").read_text() == "answer = 42\n"
    dist_info = result.dist_info
    assert (dist_info / "INSTALLER").read_text() == "tether\n"
    assert (dist_info / "REQUESTED").exists()
    # RECORD: every installed file with a correct hash; RECORD itself without one.
    rows = list(csv.reader(io.StringIO((dist_info / "RECORD").read_text())))
    for path, digest, size in rows:
        full = (dist_info.parent / path).resolve()
        if path.endswith("RECORD"):
            assert (digest, size) == ("", "")
            continue
        content = full.read_bytes()
        expected = base64.urlsafe_b64encode(hashlib.sha256(content).digest()).rstrip(b"=").decode()
        assert digest == f"sha256={expected}", path
    assert any(p.endswith("bin/demo-tool") for p, _, _ in rows)
    # Files are hard links into the cache tree, not copies.
    module = dist_info.parent / "demo_tool" / "extra.py"
    assert module.stat().st_ino == (tree / "demo_tool" / "extra.py").stat().st_ino
    assert set(installed(dist_info.parent)) == {"demo-tool"}


def test_pip_sees_and_uninstalls_it(tmp_path: Path, env: tuple[VirtualEnv, Target]) -> None:
    environment, target = env
    install(unpack(wheel_file(tmp_path), tmp_path / "tree"), target, link_mode=LinkMode.COPY)
    pip = [sys.executable, "-m", "pip", "--python", str(environment.python)]
    pip_env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")} | {
        "PIP_CONFIG_FILE": os.devnull
    }
    listed = subprocess.run(
        [*pip, "list", "--format", "freeze"],
        capture_output=True,
        text=True,
        env=pip_env,
        check=True,
    )
    assert "demo-tool==1.2" in listed.stdout
    checked = subprocess.run(
        [*pip, "check"], capture_output=True, text=True, env=pip_env, check=False
    )
    assert checked.returncode == 0, checked.stdout
    removed = subprocess.run(
        [*pip, "uninstall", "-y", "demo-tool"],
        capture_output=True,
        text=True,
        env=pip_env,
        check=False,
    )
    assert removed.returncode == 0, removed.stderr
    assert not (environment.root / "bin" / "demo-tool").exists()
    assert installed(target.purelib) == {}


def test_tether_uninstall(tmp_path: Path, env: tuple[VirtualEnv, Target]) -> None:
    environment, target = env
    result = install(unpack(wheel_file(tmp_path), tmp_path / "tree"), target)
    removed = uninstall(result.dist_info)
    assert environment.root / "bin" / "demo-tool" in removed
    assert not (target.purelib / "demo_tool").exists()
    assert not (environment.root / "share" / "demo-tool").exists()
    assert not result.dist_info.exists()
    assert installed(target.purelib) == {}


def evil_wheel(tmp_path: Path, member: zipfile.ZipInfo) -> Path:
    path = tmp_path / "evil-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("evil/__init__.py", "")
        archive.writestr(member, "owned")
    return path


@pytest.mark.parametrize("name", ["../escape.py", "/tmp/absolute.py", "evil/../../escape.py"])
def test_zip_slip_is_refused(tmp_path: Path, name: str) -> None:
    wheel = evil_wheel(tmp_path, zipfile.ZipInfo(name))
    with pytest.raises(InstallError, match="contains a file outside its own tree"):
        unpack(wheel, tmp_path / "cache" / "evil")
    assert not (tmp_path / "cache" / "evil").exists()
    assert not (tmp_path / "cache" / "escape.py").exists()
    assert [p.name for p in (tmp_path / "cache").iterdir()] == []


def test_symlink_members_are_refused(tmp_path: Path) -> None:
    link = zipfile.ZipInfo("evil/link")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    with pytest.raises(InstallError, match="contains a symbolic link"):
        unpack(evil_wheel(tmp_path, link), tmp_path / "cache" / "evil")


def test_not_a_zip(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus-1.0-py3-none-any.whl"
    bogus.write_bytes(b"not a zip")
    with pytest.raises(InstallError, match="is not a valid wheel"):
        unpack(bogus, tmp_path / "tree")


def test_an_interrupted_install_is_replaced(tmp_path: Path, env: tuple[VirtualEnv, Target]) -> None:
    from tether.install.plan import Wanted, plan

    _, target = env
    result = install(unpack(wheel_file(tmp_path), tmp_path / "tree"), target)
    (result.dist_info / "RECORD").unlink()  # as if killed before the end
    have = installed(target.purelib)
    assert not have["demo-tool"].complete
    want = Wanted(
        name="demo-tool", version="1.2", filename="x.whl", url="u", path=None, sha256="0", size=None
    )
    steps = plan([want], have)
    assert [w.name for _, w in steps.replace] == ["demo-tool"]
    assert uninstall(result.dist_info) == []
    assert not result.dist_info.exists()


def test_the_trees_layout_is_kept_and_a_damaged_one_worked_out_again(
    tmp_path: Path, env: tuple[VirtualEnv, Target]
) -> None:
    _, target = env
    tree = unpack(wheel_file(tmp_path), tmp_path / "cache" / "demo")
    first = install(tree, target)
    layout = tree / LAYOUT_FILE
    assert layout.read_bytes().startswith(b"tether-layout\x00")  # kept for the next one
    assert "demo_tool/extra.py" in layout_of(tree).files
    record = (first.dist_info / "RECORD").read_text()
    site = first.dist_info.parent
    assert not (site / LAYOUT_FILE).exists()  # tether's file stays in the cache

    layout.write_bytes(layout.read_bytes()[:40])  # damaged: worked out again
    other = create(tmp_path / "other", describe(Path(sys.executable)))
    other_target = Target.from_paths(describe(other.python).paths, other.python)
    second = install(tree, other_target)
    assert "demo_tool/extra.py" in layout_of(tree).files
    assert len(layout.read_bytes()) > 40

    # The same files, the same RECORD, but for the scripts naming their interpreter.
    def rows(text: str) -> set[tuple[str, ...]]:
        return {tuple(row) for row in csv.reader(io.StringIO(text)) if "/bin/" not in row[0]}

    assert rows((second.dist_info / "RECORD").read_text()) == rows(record)
    listed = {
        str(path.relative_to(site)).replace(os.sep, "/")
        for path in site.rglob("*")
        if path.is_file() and path.is_relative_to(site / "demo_tool")
    }
    recorded = {row[0] for row in csv.reader(io.StringIO(record))}
    assert listed <= recorded
    assert run(other.python, "-c", "import demo_tool.extra").returncode == 0


def test_a_wheel_shipping_a_file_named_like_the_layout_cannot_forge_it(
    tmp_path: Path, env: tuple[VirtualEnv, Target]
) -> None:
    _, target = env
    path = wheel_file(tmp_path)
    header = b"tether-layout\x00" + bytes([marshal.version, *sys.version_info[:2]])
    forged = ("demo_tool-1.2.dist-info", "demo-tool", "1.2", True, (), ("../../evil",), (), "", ())
    with zipfile.ZipFile(path, "a") as archive:  # lists a file that is not in the wheel
        archive.writestr(LAYOUT_FILE, header + marshal.dumps(forged))
    tree = unpack(path, tmp_path / "tree")
    result = install(tree, target)
    assert "../../evil" not in (result.dist_info / "RECORD").read_text()
    assert (result.dist_info.parent / "demo_tool" / "extra.py").is_file()
