#!/usr/bin/env node
// Answers the two calls py-solc-x (and so Brownie and Slither) make of a solc executable,
// over npm's WebAssembly build of the compiler: `--version` and `--standard-json`.
'use strict';
const fs = require('fs');
const path = require('path');
const solc = require('solc');

function writeStdout(text) {
  // fs.writeSync on fd 1: process.stdout.write may truncate large output on a pipe.
  const buffer = Buffer.from(text);
  let offset = 0;
  while (offset < buffer.length) {
    try {
      offset += fs.writeSync(1, buffer, offset, buffer.length - offset);
    } catch (error) {
      if (error.code !== 'EAGAIN') throw error;
    }
  }
}

function allowedRoots(args) {
  const roots = [process.cwd()];
  const at = args.indexOf('--allow-paths');
  if (at !== -1 && args[at + 1]) roots.push(...args[at + 1].split(',').filter(Boolean));
  const base = args.indexOf('--base-path');
  if (base !== -1 && args[base + 1]) roots.push(args[base + 1]);
  return roots.map((root) => path.resolve(root));
}

function importResolver(roots) {
  return (importPath) => {
    for (const root of roots) {
      const candidate = path.resolve(root, importPath);
      const inside = roots.some((allowed) => candidate.startsWith(allowed + path.sep));
      if (inside && fs.existsSync(candidate)) {
        return { contents: fs.readFileSync(candidate, 'utf8') };
      }
    }
    return { error: `File not found inside the allowed paths: ${importPath}` };
  };
}

// SOLC_SHIM_SETTINGS (JSON) is merged into the input's settings: Slither's standard-json mode
// builds its own input, which lacks the viaIR and optimizer settings brownie-config.yaml gives.
function withExtraSettings(input) {
  const extra = process.env.SOLC_SHIM_SETTINGS;
  if (!extra) return input;
  const parsed = JSON.parse(input);
  parsed.settings = { ...(parsed.settings || {}), ...JSON.parse(extra) };
  return JSON.stringify(parsed);
}

const args = process.argv.slice(2);
if (args.includes('--version')) {
  writeStdout(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
} else if (args.includes('--standard-json')) {
  writeStdout(solc.compile(withExtraSettings(fs.readFileSync(0, 'utf8')), { import: importResolver(allowedRoots(args)) }));
} else {
  process.stderr.write('usage: solc --version | solc --standard-json [--allow-paths a,b]\n');
  process.exitCode = 2;
}
