#!/bin/sh
# Install the Hardhat project from package-lock.json without network access beyond the npm registry.
#
# Hardhat 3.18 and its native EDR runtime need Node.js >= 22. The "node" package provides
# Node.js 22, but when npm itself runs on an older Node.js it silently skips EDR's optional
# native package (engines: node >= 22). In that case run npm ci a second time on Node.js 22.
set -eu
cd "$(dirname "$0")"

npm ci --no-audit --no-fund

if node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 22 ? 0 : 1)'; then
  exit 0
fi

node22_dir=$(mktemp -d)
trap 'rm -rf "$node22_dir"' EXIT
cp node_modules/node/bin/node "$node22_dir/node"
PATH="$node22_dir:$PATH" npm ci --no-audit --no-fund
