"""The upload form: every metadata field under the name the upload API expects."""

from __future__ import annotations

import zipfile
from pathlib import Path

from tether.publish.distribution import read_distribution
from tether.publish.upload import Digests, form_fields

METADATA = """\
Metadata-Version: 2.4
Name: ml-utils
Version: 1.2.0
Summary: Utilities
Keywords: ml,torch
Author-email: Team <team@example.com>
License-Expression: MIT
Classifier: Programming Language :: Python :: 3
Classifier: Typing :: Typed
Requires-Dist: numpy>=1.26
Requires-Dist: torch; extra == "gpu"
Provides-Extra: gpu
Requires-Python: >=3.11
Project-URL: Source, https://example.com/src
Description-Content-Type: text/markdown

# ml-utils
"""


def test_form_fields_follow_the_upload_api(tmp_path: Path) -> None:
    wheel = tmp_path / "ml_utils-1.2.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("ml_utils-1.2.0.dist-info/METADATA", METADATA)

    dist = read_distribution(wheel)
    fields = form_fields(dist, Digests("aa" * 32, "bb" * 32))

    assert fields[:9] == [
        (":action", "file_upload"),
        ("protocol_version", "1"),
        ("metadata_version", "2.4"),
        ("name", "ml-utils"),
        ("version", "1.2.0"),
        ("filetype", "bdist_wheel"),
        ("pyversion", "py3"),
        ("sha256_digest", "aa" * 32),
        ("blake2_256_digest", "bb" * 32),
    ]
    rest = fields[9:]
    assert ("keywords", "ml,torch") in rest
    assert ("license_expression", "MIT") in rest
    assert [v for k, v in rest if k == "classifiers"] == [
        "Programming Language :: Python :: 3",
        "Typing :: Typed",
    ]
    assert [v for k, v in rest if k == "requires_dist"] == ["numpy>=1.26", 'torch; extra == "gpu"']
    assert ("provides_extra", "gpu") in rest
    assert ("project_urls", "Source, https://example.com/src") in rest
    assert ("description", "# ml-utils\n") in rest
    assert dist.warnings == ()
