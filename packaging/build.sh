#!/usr/bin/env bash
# Build the one-folder desktop bundle with PyInstaller:
#   packaging/build.sh            → dist/prompt-workbench/workbench  (+ prints size and time)
#   packaging/build.sh --archive  → also dist/prompt-workbench-<version>-linux-x86_64.tar.gz
#
# Uses its own virtual environment (build/bundle-venv, or $WORKBENCH_BUILD_VENV) with the
# workbench and PyInstaller installed, so the development .venv stays free of build tools.
# $PYTHON picks the interpreter for a new venv (default python3; it must be 3.11+).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VENV=${WORKBENCH_BUILD_VENV:-$ROOT/build/bundle-venv}
PYTHON=${PYTHON:-python3}
ARCHIVE=0
[ "${1:-}" = "--archive" ] && ARCHIVE=1
export PIP_DISABLE_PIP_VERSION_CHECK=1

start=$(date +%s)
if [ ! -x "$VENV/bin/python" ]; then
  echo "creating build venv $VENV"
  "$PYTHON" -m venv "$VENV"
fi
# Editable: the bundle always holds the checkout's current code.
"$VENV/bin/pip" install -q "pyinstaller>=6.22,<7" -e "$ROOT" 2>&1 | grep -v "is ignored" || true
"$VENV/bin/python" -c "import PyInstaller, workbench" # fail early with a clear import error

"$VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN \
  --distpath "$ROOT/dist" --workpath "$ROOT/build/pyinstaller" \
  "$ROOT/packaging/workbench.spec"

BUNDLE="$ROOT/dist/prompt-workbench"
# Smoke check: the frozen CLI finds its bundled resources and screens a prompt.
"$BUNDLE/workbench" scan --json "a knight holding a sword" >/dev/null

if [ "$ARCHIVE" = 1 ]; then
  version=$("$VENV/bin/python" -c "import workbench; print(workbench.__version__)")
  tarball="$ROOT/dist/prompt-workbench-$version-linux-$(uname -m).tar.gz"
  tar -C "$ROOT/dist" -czf "$tarball" prompt-workbench
  echo "archive: $tarball ($(du -h "$tarball" | cut -f1))"
fi
echo "bundle: $BUNDLE ($(du -sh "$BUNDLE" | cut -f1)); run $BUNDLE/workbench"
echo "built in $(( $(date +%s) - start )) s"
