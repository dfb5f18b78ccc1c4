"""Linux desktop integration: the .desktop entry, AppStream metainfo and the hicolor icons.

The validators (`desktop-file-validate`, `appstreamcli`) come from Debian's desktop-file-utils
and appstream packages; their tests skip with a reason when the tool is not installed. The
icon tests re-render the SVG and compare, so committed PNGs cannot drift from the source.
"""

from __future__ import annotations

import configparser
import importlib.util
import shutil
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

ROOT = Path(__file__).resolve().parents[2]
APP_ID = "io.github.promptworkbench.PromptWorkbench"
LINUX = ROOT / "packaging" / "linux"
DESKTOP = LINUX / f"{APP_ID}.desktop"
METAINFO = LINUX / f"{APP_ID}.metainfo.xml"
HICOLOR = ROOT / "packaging" / "icons" / "hicolor"
SIZES = (16, 32, 48, 64, 128, 256, 512)


def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # keys are case-sensitive in .desktop files
    parser.read(DESKTOP, encoding="utf-8")
    return parser["Desktop Entry"]


def _run(tool: str, *args: str) -> subprocess.CompletedProcess:
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed (Debian: apt-get install desktop-file-utils appstream)")
    return subprocess.run([tool, *args], capture_output=True, text=True, timeout=60)


def test_desktop_file_validates():
    proc = _run("desktop-file-validate", str(DESKTOP))
    assert proc.returncode == 0 and "error" not in proc.stdout, proc.stdout + proc.stderr


def test_metainfo_validates():
    proc = _run("appstreamcli", "validate", "--no-net", "--explain", str(METAINFO))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_desktop_entry_launches_the_installed_command_with_our_icon():
    entry = _desktop_entry()
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["gui-scripts"]
    assert entry["Type"] == "Application"
    assert entry["Exec"].split()[0] in scripts  # the GUI script pip installs (no console on Windows)
    assert entry["Icon"] == APP_ID
    assert entry["Terminal"] == "false"


def test_metainfo_names_the_same_application():
    root = ET.parse(METAINFO).getroot()
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == DESKTOP.name
    assert root.findtext("provides/binary") == _desktop_entry()["Exec"].split()[0]
    assert root.findtext("name") == _desktop_entry()["Name"]
    import workbench

    versions = [r.get("version") for r in root.iter("release")]
    assert workbench.__version__ in versions, "add a <release> for the current version"


def test_png_icons_exist_at_every_standard_size():
    for size in SIZES:
        path = HICOLOR / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        with Image.open(path) as image:
            assert image.format == "PNG" and image.size == (size, size), path
            rgba = image.convert("RGBA")
            assert rgba.getpixel((0, 0))[3] == 0, "corners of the rounded tile are transparent"
            assert rgba.getpixel((size // 2, size // 2))[3] == 255, "the middle is drawn"


def test_scalable_icon_is_the_app_svg_shipped_in_resources():
    shipped = ROOT / "resources" / "icons" / "workbench.svg"
    assert (HICOLOR / "scalable" / "apps" / f"{APP_ID}.svg").read_bytes() == shipped.read_bytes()
    root = ET.fromstring(shipped.read_bytes())
    assert root.tag.endswith("svg") and root.get("viewBox") == "0 0 512 512"


def test_committed_pngs_match_a_fresh_render_of_the_svg(qapp, tmp_path):
    """If the SVG changes, `packaging/render_icons.py` must be re-run (this test says so)."""
    spec = importlib.util.spec_from_file_location("render_icons", ROOT / "packaging" / "render_icons.py")
    render_icons = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(render_icons)
    svg = (ROOT / "resources" / "icons" / "workbench.svg").read_bytes()
    for size in SIZES:
        fresh = tmp_path / f"{size}.png"
        fresh.write_bytes(render_icons.render_png(svg, size))
        committed = HICOLOR / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        with Image.open(fresh) as a, Image.open(committed) as b:
            difference = ImageChops.difference(a.convert("RGBA"), b.convert("RGBA"))
        mean = sum(ImageStat.Stat(difference).mean) / 4  # 0..255 per channel
        assert mean < 1.0, f"{committed.name} at {size}px is stale; run packaging/render_icons.py"


def test_install_script_lays_out_the_freedesktop_tree(tmp_path):
    prefix = tmp_path / "prefix"
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "workbench").write_text("#!/bin/sh\n")
    proc = subprocess.run(["bash", str(LINUX / "install-desktop.sh"), "--prefix", str(prefix), "--bundle", str(bundle)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    share = prefix / "share"
    assert (share / "applications" / DESKTOP.name).read_bytes() == DESKTOP.read_bytes()
    assert (share / "metainfo" / METAINFO.name).is_file()
    for size in SIZES:
        assert (share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png").is_file()
    assert (share / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()
    assert (prefix / "bin" / "workbench").resolve() == (bundle / "workbench").resolve()
