#!/usr/bin/env node
// A `solc`-compatible command for py-solc-x's compile_standard, backed by the npm solcjs
// (WebAssembly, works offline). The stock `solcjs --standard-json` prints a line before the
// JSON and has no import callback without --base-path, so py-solc-x cannot drive it directly.
//
//   solc_wrapper.js --version                       prints the solcjs version string
//   solc_wrapper.js --standard-json [--base-path P] reads standard JSON on stdin and prints
//                                                   only the output JSON
//
// Imports resolve against the base path first, then the node_modules folders of the base
// path and of this repository. Other flags that py-solc-x may pass are ignored.
'use strict';

const fs = require('fs');
const path = require('path');

const repoRoot = path.resolve(__dirname, '..');
const solc = require(path.join(repoRoot, 'node_modules', 'solc'));

function optionValue(name) {
  const index = process.argv.indexOf(name);
  return index >= 0 && index + 1 < process.argv.length ? process.argv[index + 1] : null;
}

function findImport(importPath, searchRoots) {
  if (path.isAbsolute(importPath) || importPath.split('/').includes('..')) {
    return { error: `import path not allowed: ${importPath}` };
  }
  for (const root of searchRoots) {
    const candidate = path.join(root, importPath);
    if (fs.existsSync(candidate)) return { contents: fs.readFileSync(candidate, 'utf8') };
  }
  return { error: `import not found: ${importPath}` };
}

if (process.argv.includes('--version')) {
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
} else if (process.argv.includes('--standard-json')) {
  const basePath = path.resolve(optionValue('--base-path') || process.cwd());
  const searchRoots = [basePath, path.join(basePath, 'node_modules'), path.join(repoRoot, 'node_modules')];
  const input = fs.readFileSync(0, 'utf8');
  const output = solc.compile(input, { import: (importPath) => findImport(importPath, searchRoots) });
  process.stdout.write(output);
} else {
  process.stderr.write('usage: solc_wrapper.js --version | --standard-json [--base-path PATH]\n');
  process.exit(2);
}
