"""`tether audit`: the same findings from a local advisory database, PyPI's JSON API and
the OSV API (the last two served by a test server); ignores, JSON output, fix proposals,
the lock or the environment as input, and clear errors for bad inputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.test_add import index, tether
from tests.support.advisory_server import advisory_server, load_records
from tests.support.cli import run_tether
from tests.support.dists import Dist
from tests.support.index_server import IndexServer

__all__ = ["index"]

DATA = Path(__file__).parents[1] / "data" / "advisories"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "pypa-advisory-database"


def audit(cwd: Path, *args: str) -> tuple[int, str, str]:
    result = run_tether("audit", *args, cwd=cwd, env={"TETHER_CACHE_DIR": str(cwd / "cache")})
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    "database",
    [
        DATA,
        pytest.param(SHARED, marks=pytest.mark.skipif(not SHARED.is_dir(), reason="no ../shared")),
    ],
    ids=["vendored", "shared-snapshot"],
)
def test_local_database_flags_an_old_requests_and_passes_a_current_one(
    tmp_path: Path, database: Path
) -> None:
    code, out, err = audit(tmp_path, "--db", str(database), "requests==2.19.0", "--fix")
    assert code == 1
    assert out.splitlines() == [
        "Package   Version  ID             Aliases                              Fixed in",
        "requests  2.19.0   PYSEC-2018-28  CVE-2018-18074, GHSA-x84v-xcm2-53pg  2.20.0",
        "requests  2.19.0   PYSEC-2023-74  CVE-2023-32681, GHSA-j8r2-6x86-q33q  2.31.0",
    ]
    assert "Found 2 known vulnerabilities in 1 of 1 packages (local database)" in err
    assert "requests 2.19.0 -> 2.31.0 clears PYSEC-2018-28, PYSEC-2023-74" in err

    code, out, err = audit(tmp_path, "--db", str(database), "requests==2.32.3")
    assert (code, out) == (0, "")
    assert err == "No known vulnerabilities in 1 package (local database)\n"


def test_the_same_findings_through_pypi_json_and_osv(tmp_path: Path) -> None:
    with advisory_server(load_records(DATA), known={"requests", "jinja2"}) as server:
        pypi = audit(tmp_path, "--pypi-url", server.url, "requests==2.19.0", "requests==2.32.3",
                     "private-pkg==1.0", "--format", "json")  # fmt: skip
        osv = audit(tmp_path, "--source", "osv", "--osv-url", server.url, "requests==2.19.0",
                    "requests==2.32.3", "--format", "json")  # fmt: skip
        requests_before = len(server.requests)
        again = audit(tmp_path, "--pypi-url", server.url, "requests==2.19.0", "--format", "json")
        cached = len(server.requests) == requests_before

    for code, out, _err in (pypi, osv):
        assert code == 1
        report = json.loads(out)
        found = [
            (v["package"], v["version"], v["id"], v["fixed"]) for v in report["vulnerabilities"]
        ]
        assert sorted(found) == [
            ("requests", "2.19.0", "PYSEC-2018-28", ["2.20.0"]),
            ("requests", "2.19.0", "PYSEC-2023-74", ["2.31.0"]),
        ]
        assert report["fixes"] == [
            {"package": "requests", "from": "2.19.0", "to": "2.31.0",
             "clears": ["PYSEC-2018-28", "PYSEC-2023-74"]}
        ]  # fmt: skip
    assert json.loads(pypi[1])["source"] == "PyPI"
    assert json.loads(pypi[1])["unknown"] == ["private-pkg==1.0"]
    assert json.loads(osv[1])["source"] == "OSV"
    assert again[0] == 1
    assert cached  # the answer came from the cache


def test_ignores_from_the_command_line_and_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "svc"\nversion = "1.0"\n\n'
        '[tool.tether.audit]\nignore = ["CVE-2023-32681"]\n'
    )
    code, out, err = audit(
        tmp_path, "--db", str(DATA), "requests==2.19.0", "--ignore", "GHSA-x84v-xcm2-53pg"
    )
    assert (code, out) == (0, "")
    assert "Ignored 2 finding(s): PYSEC-2018-28, PYSEC-2023-74" in err


def test_audits_the_lock_and_the_environment(tmp_path: Path, index: IndexServer) -> None:
    index.add(Dist("requests", "2.19.0"), Dist("jinja2", "2.10"))
    root = tmp_path / "svc"
    root.mkdir()
    (root / "pyproject.toml").write_text(
        '[project]\nname = "svc"\nversion = "1.0"\nrequires-python = ">=3.11"\n'
        'dependencies = ["requests==2.19.0", "jinja2==2.10"]\n'
    )
    assert tether(root, index, "sync").exit_code == 0
    locked = audit(root, "--db", str(DATA), "--format", "json")
    installed = audit(root, "--db", str(DATA), "--installed", "--format", "json")

    for code, out, _ in (locked, installed):
        assert code == 1
        ids = {(v["package"], v["id"]) for v in json.loads(out)["vulnerabilities"]}
        assert ("requests", "PYSEC-2018-28") in ids
        assert ("jinja2", "PYSEC-2019-217") in ids
        assert json.loads(out)["audited"] == 2


def test_bad_inputs_are_clear_errors(tmp_path: Path) -> None:
    no_db = audit(tmp_path, "--db", str(tmp_path / "nowhere"), "requests==2.19.0")
    not_pinned = audit(tmp_path, "--db", str(DATA), "requests>=2")
    no_project = audit(tmp_path, "--db", str(DATA))
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "svc"\nversion = "1.0"\n')
    no_lock = audit(tmp_path, "--db", str(DATA), "--frozen")
    locks_first = audit(tmp_path, "--db", str(DATA))  # as export and sync: lock, then audit
    broken = tmp_path / "broken"
    (broken / "vulns" / "requests").mkdir(parents=True)
    (broken / "vulns" / "requests" / "X.yaml").write_text("id: [unclosed\n")
    bad_record = audit(tmp_path, "--db", str(broken), "requests==1.0")
    unreachable = audit(tmp_path, "--pypi-url", "http://127.0.0.1:9", "requests==1.0")

    assert no_db[0] == 1
    assert f"the advisory database {tmp_path / 'nowhere'} is not a directory" in no_db[2]
    assert not_pinned[0] == 2
    assert "cannot audit 'requests>=2': name an exact version" in not_pinned[2]
    assert no_project[0] == 1
    assert "no pyproject.toml" in no_project[2]
    assert no_lock[0] == 1
    assert "pylock.toml does not exist" in no_lock[2]
    assert "drop --frozen to lock first" in no_lock[2]
    assert locks_first[0] == 0, locks_first[2]
    assert (tmp_path / "pylock.toml").exists()
    assert bad_record[0] == 1
    assert "cannot read the advisory" in bad_record[2]
    assert unreachable[0] == 1
    assert "cannot reach http://127.0.0.1:9" in unreachable[2]
    assert "--offline" not in unreachable[2]  # the cache cannot stand in for advisories


def test_an_unanswered_package_is_not_a_pass(tmp_path: Path) -> None:
    with advisory_server(load_records(DATA), known={"requests"}) as server:
        # The source has no per-release record of these (a mirror without PyPI's JSON
        # API answers 404 for everything).
        blind = audit(tmp_path, "--pypi-url", server.url, "requests==2.32.3", "private-pkg==1.0")
        accepted = audit(
            tmp_path, "--pypi-url", server.url, "requests==2.32.3", "private-pkg==1.0",
            "--ignore-unknown",
        )  # fmt: skip
        as_json = audit(tmp_path, "--pypi-url", server.url, "private-pkg==1.0", "--format", "json")
    assert blind[0] == 1
    assert "No known vulnerabilities in the 1 package(s) PyPI answered for" in blind[2]
    assert "1 of 2 packages could not be checked" in blind[2]
    assert "--db PATH" in blind[2]
    assert accepted[0] == 0
    assert as_json[0] == 1
