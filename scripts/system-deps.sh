#!/usr/bin/env bash
# System packages Liuzhuan needs beside its venv (DESIGN.md §5), installed when missing:
#   graphviz      `dot`, for the designer's automatic layout and diagram images
#   a CJK font    fonts-noto-cjk, so Chinese is not drawn as empty boxes (browser, PDF)
#   chromium      Debian's browser, driven by Playwright in the browser tests (`test` only), and its
#                 headless build chromium-headless-shell, which the tests launch (~25% less CPU)
#   node + npm    to build the browser assets from the npm registry (frontend/)
# Usage: scripts/system-deps.sh run|test. Installs with apt-get when root; otherwise it says
# exactly what to install and fails.
set -euo pipefail
purpose="${1:-run}"

missing=()
command -v dot >/dev/null 2>&1 || missing+=(graphviz)
if ! fc-list :lang=zh 2>/dev/null | grep -q .; then missing+=(fonts-noto-cjk); fi
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ "$purpose" = test ]; then
    command -v chromium >/dev/null 2>&1 || missing+=(chromium)
    command -v chromium-headless-shell >/dev/null 2>&1 || missing+=(chromium-headless-shell)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
    exit 0
fi
echo "Liuzhuan needs these Debian packages: ${missing[*]}" >&2
echo "install them with:  sudo apt-get install ${missing[*]}" >&2
exit 1
