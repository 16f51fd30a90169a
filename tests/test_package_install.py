"""The package installs from a wheel and works without the source tree: shipped runner and theme included.

What a user of ``pip install .`` / ``pipx install .`` gets, checked end to end:

1. the wheel is built from a copy of the project (``pip wheel --no-deps``; the checkout is not
   written to) and holds the package data;
2. it is installed into a fresh virtual environment (``venv`` without pip, installed into by this
   interpreter's ``pip --python``) that cannot see the source tree: the checkout's editable install
   lives in this interpreter's site-packages, so the venv is *not* made with
   ``--system-site-packages`` (whose ``.pth`` files would install the editable finder). Instead one
   ``.pth`` line puts those site-packages on ``sys.path`` as a plain folder, for the heavy
   dependencies (torch, Box2D, pygame) only: plain path lines of a ``.pth`` are appended to
   ``sys.path`` without running the ``.pth`` files inside them, and they come after the venv's own
   site-packages, so ``qwop_studio`` is imported from the venv (asserted, not assumed);
3. from an unrelated folder, ``qwop-studio evaluate --model qwop_runner`` plays the shipped runner,
   and ``qwop-studio studio --exit-after-frames`` opens the studio headless (SDL dummy) with the
   shipped runner playing and the theme applied.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: What a wheel is built from: the project file, the readme it names, and the package.
PROJECT_FILES = ("pyproject.toml", "README.md")
PACKAGE_DATA = ("qwop_studio/assets/studio_theme.json", "qwop_studio/assets/models/qwop_runner.zip",
                "qwop_studio/assets/models/qwop_runner.yml", "qwop_studio/assets/models/qwop_runner_eval.json",
                "qwop_studio/configs/train_ppo_upright.yml")

pytestmark = [pytest.mark.slow, pytest.mark.timeout(400)]


def _run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 240) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{cmd} -> {result.returncode}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def _clean_env(venv: Path) -> dict[str, str]:
    """The environment of a user's shell with the venv active: nothing points at the checkout."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "QWOP_STUDIO_", "PYTEST"))}
    env.update(PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}", VIRTUAL_ENV=str(venv),
               SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy", PYGAME_HIDE_SUPPORT_PROMPT="1",
               OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict[str, Path]:
    """A venv with the wheel installed, and an empty folder elsewhere to run it from."""
    base = tmp_path_factory.mktemp("package")
    source = base / "source"
    source.mkdir()
    for name in PROJECT_FILES:
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "qwop_studio", source / "qwop_studio",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"))
    dist = base / "dist"
    _run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation", "--no-index",
          "-w", str(dist), "-q"], cwd=base)
    wheel = next(dist.glob("qwop_studio-*.whl"))
    venv = base / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=base)
    python = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q",
          str(wheel)], cwd=base)
    venv_site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          cwd=base).stdout.strip())
    deps = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (venv_site / "zz_test_dependencies.pth").write_text("".join(f"{p}\n" for p in deps), encoding="utf-8")
    elsewhere = base / "elsewhere"
    elsewhere.mkdir()
    return {"wheel": wheel, "venv": venv, "python": python, "site": venv_site, "cwd": elsewhere}


def test_the_wheel_holds_the_shipped_runner_and_the_theme(installed):
    names = set(zipfile.ZipFile(installed["wheel"]).namelist())
    missing = [name for name in PACKAGE_DATA if name not in names]
    assert not missing, f"not in the wheel: {missing}"


def test_the_installed_package_is_imported_from_the_venv_not_the_checkout(installed):
    probe = ("import json, sys, qwop_studio; from qwop_studio import resources; "
             "print(json.dumps({'file': qwop_studio.__file__, 'theme': str(resources.theme_path()), "
             "'models': resources.shipped_model_names(), 'path': sys.path, "
             "'finders': [repr(f) for f in sys.meta_path]}))")
    info = json.loads(_run([str(installed["python"]), "-c", probe], installed["cwd"],
                           _clean_env(installed["venv"])).stdout)
    site = str(installed["site"])
    assert info["file"].startswith(site) and info["theme"].startswith(site)
    assert info["models"] == ["qwop_runner"]
    assert not [p for p in info["path"] if p and Path(p).resolve() == ROOT]
    assert not [f for f in info["finders"] if "editable" in f.lower()]


def test_evaluate_plays_the_shipped_runner_by_name_from_another_folder(installed):
    env = _clean_env(installed["venv"])
    out = installed["cwd"] / "eval.json"
    _run([str(installed["venv"] / "bin" / "qwop-studio"), "evaluate", "--model", "qwop_runner", "--episodes", "2",
          "--json", str(out)], installed["cwd"], env)
    report = json.loads(out.read_text())
    assert report["episodes"] == 2 and report["model"].startswith(str(installed["site"]))
    assert report["distance"]["max"] > 10.0          # the shipped runner runs, it does not just stand


def test_the_studio_opens_headless_with_the_shipped_runner_and_the_theme(installed):
    env = _clean_env(installed["venv"])
    result = _run([str(installed["venv"] / "bin" / "qwop-studio"), "studio", "--size", "960x600",
                   "--exit-after-frames", "1"], installed["cwd"], env)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    site = str(installed["site"])
    assert report["ok"], report
    assert report["package"].startswith(site) and report["theme"].startswith(site) and report["theme_loaded"]
    assert report["runner"] == "shipped model qwop_runner" and report["controller"] == "AGENT"
    assert report["runs_root"] == str(Path("saves") / "runs")      # the user's files: ./saves by default
    assert not (installed["cwd"] / "saves").exists()                # opening the studio writes nothing
