"""A few checks against the live PyPI: marked `network`, tolerant of network failure.

Run with TETHER_TEST_NETWORK=1 (or `-m network`). A network that is down skips rather
than fails: these prove tether works against the real index, not that the network does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tether.cache import Cache
from tether.errors import IndexFetchError
from tether.index import PYPI
from tether.index.client import Found, IndexClient, MetadataResult, MetadataSource
from tether.index.http import HttpClient, HttpSettings

pytestmark = pytest.mark.network


@pytest.mark.parametrize(("name", "version"), [("numpy", "2.1.0"), ("torch", "2.9.1")])
def test_versions_and_metadata_without_a_wheel(tmp_path: Path, name: str, version: str) -> None:
    http = HttpClient(HttpSettings(retries=2))
    client = IndexClient(indexes=[PYPI], cache=Cache(tmp_path), http=http)
    try:
        found = client.find(name)
        assert isinstance(found, Found)
        page_bytes = http.stats.bytes_received
        release = found.page.versions()
        files = release[next(v for v in release if str(v) == version)]
        wheel = next(f for f in files if f.is_wheel)
        result = client.metadata(wheel, page=found.page)
    except IndexFetchError as err:  # the network, not tether
        pytest.skip(f"PyPI unreachable: {err}")
    assert isinstance(result, MetadataResult)
    assert result.source in (
        MetadataSource.UNADVERTISED,
        MetadataSource.PEP658,
        MetadataSource.RANGE,
    )
    assert str(result.metadata.version) == version
    metadata_bytes = http.stats.bytes_received - page_bytes
    # The wheel (tens of MB for numpy, hundreds for torch) was never downloaded: the
    # metadata cost well under 1 MB on top of the project page.
    assert wheel.size is not None
    assert metadata_bytes < 1_000_000 < wheel.size
    if name == "torch":
        assert any(r.name == "sympy" for r in result.metadata.requires_dist)


def test_lock_the_example_project(tmp_path: Path) -> None:
    """`tether lock` of examples/ai-service against PyPI writes a lock that packaging
    validates and that selects fastapi, numpy and the dev tools for this machine."""
    import shutil
    import tomllib

    from packaging.pylock import Pylock

    from tests.support.cli import run_tether

    example = Path(__file__).resolve().parents[2] / "examples" / "ai-service" / "pyproject.toml"
    shutil.copy(example, tmp_path / "pyproject.toml")
    result = run_tether(
        "lock", cwd=tmp_path, env={"TETHER_CACHE_DIR": str(tmp_path / "c")}, timeout=300
    )
    if result.exit_code != 0 and (
        "cannot reach" in result.stderr or "did not answer" in result.stderr
    ):
        pytest.skip(f"PyPI unreachable: {result.stderr}")
    assert result.exit_code == 0, result.stderr
    pylock = Pylock.from_dict(tomllib.loads((tmp_path / "pylock.toml").read_text()))
    chosen = {p.name for p, _ in pylock.select(dependency_groups=["dev"])}
    assert {"fastapi", "numpy", "openai", "anthropic", "tiktoken", "pytest", "ruff"} <= chosen


def test_locking_ml_stack_moves_only_megabytes(tmp_path: Path) -> None:
    """torch, transformers and their CUDA wheels weigh gigabytes; the lock reads only
    index pages and metadata (the issue's bound: under 50 MB)."""
    from tether.commands.lock import LockOptions, lock
    from tether.commands.services import IndexOptions

    workload = Path(__file__).resolve().parents[3] / "shared" / "bench" / "workloads" / "ml-stack"
    if not workload.is_dir():
        pytest.skip("../shared/bench/workloads/ml-stack is not beside the repository")
    text = (workload / "pyproject.toml").read_text()
    (tmp_path / "pyproject.toml").write_text(text.split("[tool.uv]")[0])
    try:
        result = lock(
            LockOptions(
                start=tmp_path,
                index=IndexOptions(),
                environ={"TETHER_CACHE_DIR": str(tmp_path / "cache")},
            )
        )
    except IndexFetchError as err:
        pytest.skip(f"PyPI unreachable: {err}")
    assert result.packages > 50
    assert result.bytes_received < 50_000_000


def test_check_all_on_the_example_project(tmp_path: Path) -> None:
    """`tether check-all` on examples/ai-service (its code, tests and strict tooling
    configuration) passes, and a type error fails it with a readable table."""
    import shutil

    from tests.support.cli import run_tether

    example = Path(__file__).resolve().parents[2] / "examples" / "ai-service"
    root = tmp_path / "ai-service"
    shutil.copytree(example, root, ignore=shutil.ignore_patterns(".venv", "pylock.toml"))
    env = {"TETHER_CACHE_DIR": str(tmp_path / "c")}
    passed = run_tether("check-all", cwd=root, env=env, timeout=900)
    if passed.exit_code != 0 and (
        "cannot reach" in passed.stderr or "did not answer" in passed.stderr
    ):
        pytest.skip(f"PyPI unreachable: {passed.stderr[-500:]}")
    assert passed.exit_code == 0, passed.stdout[-3000:] + passed.stderr[-3000:]
    assert "All 6 checks passed" in passed.stderr

    budget = root / "src" / "ai_service" / "budget.py"
    budget.write_text(budget.read_text().replace("-> bool:", "-> str:"))
    failed = run_tether("check-all", "--skip", "audit", cwd=root, env=env, timeout=900)
    assert failed.exit_code == 1
    table = failed.stdout.split("\n\n")[-1]
    assert "typecheck  FAIL (1)" in table
    assert "1 of 5 checks failed: typecheck" in failed.stderr


def test_sdist_only_dependencies_lock_and_import(tmp_path: Path) -> None:
    """rouge-score (an sdist with a setup.py) and hydra-core (whose antlr4 runtime 4.9.3
    is an sdist only) lock through their build backends, with hydra-core a final
    release, and import after `tether run`."""
    import tomllib

    from packaging.version import Version

    from tests.support.cli import run_tether

    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "sdists"\nversion = "0"\nrequires-python = ">=3.11"\n'
        'dependencies = ["rouge-score>=0.1.2", "hydra-core>=1.3"]\n'
    )
    env = {"TETHER_CACHE_DIR": str(tmp_path / "c")}
    result = run_tether(
        "run", "python", "-c", "import rouge_score, hydra; print('imported')",
        cwd=tmp_path, env=env, timeout=600,
    )  # fmt: skip
    if result.exit_code != 0 and (
        "cannot reach" in result.stderr or "did not answer" in result.stderr
    ):
        pytest.skip(f"PyPI unreachable: {result.stderr[-500:]}")
    assert result.exit_code == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "imported"
    locked = tomllib.loads((tmp_path / "pylock.toml").read_text())
    versions = {p["name"]: p["version"] for p in locked["packages"]}
    assert not Version(versions["hydra-core"]).is_prerelease  # 1.3.x, never 1.4.0rc
    assert "antlr4-python3-runtime" in versions
