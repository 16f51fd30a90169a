"""Package data: the shipped runner and the studio theme are found inside the installed package."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import qwop_studio
from qwop_studio import resources
from qwop_studio.cli import main

PACKAGE_DIR = Path(qwop_studio.__file__).resolve().parent


def test_the_assets_live_inside_the_package_not_beside_a_checkout():
    assert resources.assets_dir().resolve() == PACKAGE_DIR / "assets"
    assert json.loads(resources.theme_path().read_text())["defaults"]["colours"]
    assert resources.shipped_model_names() == ["qwop_runner"]
    model = resources.shipped_model("qwop_runner")
    assert model is not None and model.is_file() and resources.shipped_model("qwop_runner.zip") == model
    assert resources.shipped_model("no_such_runner") is None


def test_a_model_argument_is_a_path_first_and_a_shipped_name_otherwise(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert resources.resolve_model("qwop_runner") == resources.shipped_model("qwop_runner")
    assert resources.resolve_model("missing") == Path("missing")           # the caller says "no such file"
    assert resources.resolve_model("sub/qwop_runner") == Path("sub/qwop_runner")
    Path("qwop_runner.zip").write_bytes(b"the user's own file")
    assert resources.resolve_model("qwop_runner.zip") == Path("qwop_runner.zip")


@pytest.mark.timeout(120)
def test_evaluate_takes_the_name_of_a_shipped_model(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "eval.json"
    assert main(["evaluate", "--model", "qwop_runner", "--episodes", "1", "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report["episodes"] == 1 and Path(report["model"]) == resources.shipped_model("qwop_runner")
    assert main(["evaluate", "--model", "qwop_runnr", "--episodes", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("qwop-studio evaluate: --model qwop_runnr:") and "shipped: qwop_runner" in err[-1]
