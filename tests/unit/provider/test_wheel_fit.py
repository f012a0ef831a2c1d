"""Which wheels install in which environment, from their file names."""

from __future__ import annotations

import pytest

from tether.provider.wheel_fit import fits

LINUX = {"sys_platform": "linux", "platform_machine": "x86_64", "implementation_name": "cpython",
         "python_full_version": "3.12.1"}  # fmt: skip
MAC = {"sys_platform": "darwin", "platform_machine": "arm64", "implementation_name": "cpython",
       "python_full_version": "3.11.4"}  # fmt: skip
WINDOWS = {"sys_platform": "win32", "platform_machine": "AMD64", "implementation_name": "cpython",
           "python_full_version": "3.12.1"}  # fmt: skip


@pytest.mark.parametrize(
    ("filename", "linux", "mac", "windows"),
    [
        ("a-1-py3-none-any.whl", True, True, True),
        ("a-1-cp312-abi3-win_amd64.whl", False, False, True),
        ("a-1-cp38-abi3-macosx_10_9_universal2.whl", False, True, False),
        ("a-1-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", True, False, False),
        ("a-1-cp311-cp311-manylinux_2_17_x86_64.whl", False, False, False),
        ("a-1-py3-none-macosx_10_0_ppc64.whl", False, False, False),
        ("a-1-graalpy310-none-any.whl", False, False, False),
        ("a-1-py3-graalpy240_310_native-any.whl", False, False, False),
        ("not-a-wheel.whl", False, False, False),
    ],
)
def test_fits(filename: str, linux: bool, mac: bool, windows: bool) -> None:
    assert (fits(filename, LINUX), fits(filename, MAC), fits(filename, WINDOWS)) == (
        linux,
        mac,
        windows,
    )
