#!/usr/bin/env bash
# The browser of the end-to-end test: Debian's headless Chromium, driven by the pip Playwright
# package (no `playwright install`: its browser download is not available here). Installs it with
# apt when missing (as root, or through sudo).
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
as_root=""
if [ "$(id -u)" != 0 ]; then as_root="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$as_root apt-get update -q >/dev/null
$as_root apt-get install -y -q chromium >/dev/null
command -v chromium
