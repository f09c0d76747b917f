#!/usr/bin/env bash
# Install the Debian packages the tests need, if they are missing:
# chromium (browser tests), softhsm2 (PKCS#11 token tests) and postgresql (the
# database suites start a throw-away cluster from its binaries; see tests/pgcluster.py).
# Runs apt-get as root, or through sudo when available; otherwise it prints what
# to install and the dependent tests skip with a stated reason.
set -euo pipefail

packages=(chromium softhsm2 postgresql)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  run=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  run=(sudo)
else
  echo "Missing Debian packages: ${missing[*]} (install them as root; the tests that need" \
       "them are skipped)" >&2
  exit 0
fi
echo "Installing Debian packages: ${missing[*]}"
"${run[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${run[@]}" apt-get install -y -qq --no-install-recommends \
  "${missing[@]}" >/dev/null
