#!/usr/bin/env bash
# Put Prompt Workbench into the desktop's application menu (freedesktop.org layout).
#   packaging/linux/install-desktop.sh                      # for this user, under ~/.local
#   packaging/linux/install-desktop.sh --prefix /usr/local  # system-wide (run as root)
#   packaging/linux/install-desktop.sh --bundle dist/prompt-workbench   # also link the frozen app
# Without --bundle, the menu entry runs `workbench-gui` from PATH (e.g. a pip install).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ID=io.github.promptworkbench.PromptWorkbench
PREFIX="$HOME/.local"
BUNDLE=""
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX=$2; shift 2 ;;
    --bundle) BUNDLE=$(cd "$2" && pwd); shift 2 ;;
    *) echo "usage: $0 [--prefix DIR] [--bundle DIR]" >&2; exit 2 ;;
  esac
done
SHARE="$PREFIX/share"
install -Dm644 "$HERE/$ID.desktop" "$SHARE/applications/$ID.desktop"
install -Dm644 "$HERE/$ID.metainfo.xml" "$SHARE/metainfo/$ID.metainfo.xml"
(cd "$HERE/../icons" && find hicolor -type f) | while read -r icon; do
  install -Dm644 "$HERE/../icons/$icon" "$SHARE/icons/$icon"
done
if [ -n "$BUNDLE" ]; then
  mkdir -p "$PREFIX/bin"
  ln -sf "$BUNDLE/workbench" "$PREFIX/bin/workbench"
  # With no sub-command the bundle's binary is the desktop app (Linux opens no console for it).
  ln -sf "$BUNDLE/workbench" "$PREFIX/bin/workbench-gui"
fi
command -v update-desktop-database >/dev/null && update-desktop-database -q "$SHARE/applications" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$SHARE/icons/hicolor" || true
echo "installed $ID under $PREFIX"
