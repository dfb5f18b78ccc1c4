"""The built wheel carries resources/ and works from a fresh virtual environment."""

from __future__ import annotations

import json
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(ROOT)],
        capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    (path,) = out.glob("*.whl")
    return path


def test_wheel_contains_resources(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    shipped = sorted(p.relative_to(ROOT / "resources").as_posix()
                     for p in (ROOT / "resources").rglob("*") if p.is_file())
    assert shipped, "resources/ is empty"
    missing = [s for s in shipped if f"workbench/resources/{s}" not in names]
    assert missing == []


def test_installed_wheel_runs_scan(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", str(wheel)],
        capture_output=True, text=True, timeout=900,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    run = subprocess.run(
        [str(env_dir / "bin" / "workbench"), "scan", "--json", "a gory battlefield"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["verdict"] == "likely_blocked"
    # It must be the installed copy, not this checkout, that answered.
    where = subprocess.run(
        [str(python), "-c", "import workbench.paths as p; print(p.resources_dir())"],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert str(env_dir) in where.stdout


def test_sdist_installs_and_runs(tmp_path):
    """The source distribution carries everything needed to build and run (resources included)."""
    out = tmp_path / "dist"
    proc = subprocess.run([sys.executable, "-m", "build", "--sdist", "--outdir", str(out), str(ROOT)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    (sdist,) = out.glob("*.tar.gz")
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    install = subprocess.run([str(env_dir / "bin" / "python"), "-m", "pip", "install", "-q", str(sdist)],
                             capture_output=True, text=True, timeout=900)
    assert install.returncode == 0, install.stderr[-3000:]
    run = subprocess.run([str(env_dir / "bin" / "workbench"), "audit", "--json", "-"],
                         input="a gory battlefield\na cat\n", capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert [json.loads(line)["verdict"] for line in run.stdout.splitlines()] == ["likely_blocked", "clear"]
