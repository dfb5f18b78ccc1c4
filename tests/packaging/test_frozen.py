"""The PyInstaller bundle starts and works without the source tree or the development venv.

Builds with `packaging/build.sh` (about 25-35 s on 2 cores once its build venv exists, ~204 MB)
unless `WORKBENCH_FROZEN_BUNDLE` points at an existing `dist/prompt-workbench` folder. Set
`WORKBENCH_TEST_FROZEN=0` to skip. The frozen process runs with a scrubbed environment (no
PYTHONPATH, no venv on PATH, cwd outside the checkout), so only the bundle can answer.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageStat

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.environ.get("WORKBENCH_TEST_FROZEN", "1") == "0", reason="WORKBENCH_TEST_FROZEN=0"),
]


@pytest.fixture(scope="module")
def bundle() -> Path:
    given = os.environ.get("WORKBENCH_FROZEN_BUNDLE")
    if given:
        return Path(given)
    proc = subprocess.run(["bash", str(ROOT / "packaging" / "build.sh")], capture_output=True, text=True,
                          timeout=1200, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "bundle:" in proc.stdout
    return ROOT / "dist" / "prompt-workbench"


def _run(bundle: Path, home: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8",
           "WORKBENCH_HOME": str(home / "wb"), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([str(bundle / "workbench"), *args], capture_output=True, text=True,
                          timeout=timeout, cwd=home, env=env)


def test_bundle_carries_resources_and_no_test_tools(bundle):
    internal = bundle / "_internal"
    assert (internal / "resources" / "lexicon").is_dir()
    assert (internal / "resources" / "icons" / "workbench.svg").is_file()
    assert not (internal / "pytest").exists() and not (internal / "hypothesis").exists()
    assert not list(internal.glob("PySide6/Qt/lib/libQt6WebEngine*")), "unneeded Qt modules were bundled"


def test_frozen_screenshot_is_a_real_window(bundle, tmp_path):
    out = tmp_path / "shot.png"
    proc = _run(bundle, tmp_path, "--screenshot", str(out), "--tab", "history")
    assert proc.returncode == 0, proc.stderr[-3000:]
    with Image.open(out) as image:
        assert image.format == "PNG"
        assert image.size == (1280, 800)  # workbench.ui.demo.SCREENSHOT_SIZE
        rgb = image.convert("RGB")
        assert len(rgb.getcolors(maxcolors=1 << 20) or []) > 50, "a blank or single-colour window"
        assert max(ImageStat.Stat(rgb).stddev) > 20


def test_frozen_cli_screens_and_generates_against_its_own_sandbox(bundle, tmp_path):
    scan = _run(bundle, tmp_path, "scan", "--json", "a gory battlefield")
    assert scan.returncode == 0, scan.stderr
    assert json.loads(scan.stdout)["verdict"] == "likely_blocked"  # the bundled lexicon answered
    gen = _run(bundle, tmp_path, "generate", "--json", "--out", str(tmp_path / "out"),
               "--param", "quality=low", "a red fox in fresh snow")
    assert gen.returncode == 0, gen.stderr[-3000:]
    outcome = json.loads(gen.stdout)
    assert outcome["outcome"] == "ok" and outcome["profile"] == "Sandbox"
    (saved,) = outcome["images"]
    with Image.open(saved["path"]) as image:
        image.verify()
