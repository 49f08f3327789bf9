#!/usr/bin/env bash
# Browser tests (tests/console/test_browser.py): Debian's Chromium plus a CJK font, driven by the pip
# `playwright` package (the `test` extra). Never run `playwright install`: its browser download is not
# used; the tests launch /usr/bin/chromium through executable_path.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium fonts-wqy-zenhei
/usr/bin/chromium --version
