"""tether's ML security checks: positive and negative examples for each rule."""

from __future__ import annotations

import textwrap

import pytest

from tether.quality.ml_checks import check_source


def codes(source: str) -> list[tuple[int, str]]:
    return [(f.line, f.code) for f in check_source("m.py", textwrap.dedent(source))]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # ML001 torch.load
        ("import torch\nm = torch.load('m.pt')\n", [(2, "ML001")]),
        ("import torch\nm = torch.load('m.pt', weights_only=False)\n", [(2, "ML001")]),
        ("import torch as t\nm = t.load(path)\n", [(2, "ML001")]),
        ("from torch import load\nm = load(path)\n", [(2, "ML001")]),
        ("import torch\nm = torch.load('m.pt', weights_only=True)\n", []),
        ("import json\nm = json.load(f)\n", []),
        # ML002 pickle and friends
        ("import pickle\nx = pickle.loads(blob)\n", [(2, "ML002")]),
        ("import joblib\nclf = joblib.load('clf.joblib')\n", [(2, "ML002")]),
        (
            "import cloudpickle, dill\na = cloudpickle.load(f)\nb = dill.loads(d)\n",
            [(2, "ML002"), (3, "ML002")],
        ),
        ("import pandas as pd\ndf = pd.read_pickle('x.pkl')\n", [(2, "ML002")]),
        ("import numpy as np\na = np.load('a.npy', allow_pickle=True)\n", [(2, "ML002")]),
        ("import numpy as np\na = np.load('a.npy')\n", []),
        ("import pickle\npickle.dump(obj, f)\n", []),
        # ML003 trust_remote_code
        (
            "from transformers import AutoModel\n"
            "m = AutoModel.from_pretrained('org/m', revision='abc', trust_remote_code=True)\n",
            [(2, "ML003")],
        ),
        ("from datasets import load_dataset\nd = load_dataset('x', trust_remote_code=False)\n", []),
        # ML004 unpinned Hub downloads
        (
            "from transformers import AutoModel\nm = AutoModel.from_pretrained('bert-org/bert')\n",
            [(2, "ML004")],
        ),
        (
            "from huggingface_hub import hf_hub_download\n"
            "p = hf_hub_download(repo_id='org/repo', filename='w.bin')\n",
            [(2, "ML004")],
        ),
        (
            "from huggingface_hub import snapshot_download\nNAME = 'org/repo'\n"
            "snapshot_download(NAME)\n",
            [(3, "ML004")],
        ),
        (
            "from transformers import AutoModel\n"
            "m = AutoModel.from_pretrained('org/m', revision='0123abc')\n",
            [],
        ),
        (
            "from transformers import AutoModel\nm = AutoModel.from_pretrained('./local/model')\n",
            [],
        ),
        ("from transformers import AutoModel\nm = AutoModel.from_pretrained(args.model)\n", []),
        # ML005 yaml
        ("import yaml\nc = yaml.load(f)\n", [(2, "ML005")]),
        ("import yaml\nc = yaml.load(f, Loader=yaml.FullLoader)\n", [(2, "ML005")]),
        ("import yaml\nc = yaml.unsafe_load(f)\n", [(2, "ML005")]),
        ("import yaml\nc = yaml.load(f, Loader=yaml.SafeLoader)\n", []),
        ("import yaml\nc = yaml.safe_load(f)\n", []),
        # ML006 eval of a model's response
        (
            "r = client.chat.completions.create(model='m', messages=[])\n"
            "eval(r.choices[0].message.content)\n",
            [(2, "ML006")],
        ),
        ("def f(llm):\n    code = llm.invoke('x').content\n    exec(code)\n", [(3, "ML006")]),
        ("def f(response):\n    return eval(response)\n", [(2, "ML006")]),
        ("x = eval('1 + 1')\n", []),
        ("def f(expr):\n    return eval(expr)\n", []),
    ],
)
def test_rules(source: str, expected: list[tuple[int, str]]) -> None:
    assert codes(source) == expected


def test_a_finding_is_silenced_on_its_line_only() -> None:
    source = (
        "import torch, pickle\n"
        "a = torch.load('a.pt')  # tether: ignore[ML001]\n"
        "b = torch.load('b.pt')  # tether: ignore\n"
        "c = pickle.load(f)  # tether: ignore[ML001]\n"
        "d = torch.load('d.pt')\n"
    )
    assert codes(source) == [(4, "ML002"), (5, "ML001")]


def test_findings_say_where_and_what_to_do() -> None:
    [finding] = check_source("pkg/m.py", "import torch\ntorch.load('m.pt')\n")
    assert str(finding) == (
        "pkg/m.py:2:1: ML001 torch.load without weights_only=True unpickles (runs) the file"
    )
    assert "weights_only=True" in finding.hint
    assert check_source("bad.py", "def (:\n") == []  # ruff reports syntax errors
