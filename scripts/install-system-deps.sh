#!/usr/bin/env bash
# System packages the test suite needs beyond Python: Debian's Chromium and ChromeDriver for
# the headless check of the static dbt docs site. Idempotent: installs nothing when both are
# already present. Needs root (or sudo) and access to the Debian package archive.
# A machine that has another Chrome and its driver (a GitHub runner) names them in
# WAREHOUSE_CHROMIUM and WAREHOUSE_CHROMEDRIVER, and nothing is installed.
set -euo pipefail

if [ -n "${WAREHOUSE_CHROMIUM:-}" ] && [ -x "${WAREHOUSE_CHROMIUM}" ] \
    && [ -n "${WAREHOUSE_CHROMEDRIVER:-}" ] && [ -x "${WAREHOUSE_CHROMEDRIVER}" ]; then
    echo "using $WAREHOUSE_CHROMIUM and $WAREHOUSE_CHROMEDRIVER"
    exit 0
fi

packages=(chromium chromium-driver)
missing=()
for pkg in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done

if [ "${#missing[@]}" -eq 0 ]; then
    echo "system packages present: ${packages[*]}"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: missing ${missing[*]} and apt-get is not available; install them by hand" >&2
    exit 1
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        sudo_cmd=(sudo)
    else
        echo "error: missing ${missing[*]}; run this script as root" >&2
        exit 1
    fi
fi

echo "installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
