#!/usr/bin/env node
// Compiles every contracts/*.sol with the npm `solc` package and writes
// build/contracts/<ContractName>.json = { "abi": [...], "bytecode": "0x..." }.
//
// Run from anywhere: `node scripts/compile-contracts.mjs` (paths are relative to the repo root).
// Options: --force compiles even when up to date.
// Idempotent: a hash of the sources, the solc version, the settings and this script is kept in
// build/contracts/.stamp; when it matches, nothing is compiled. Safe to run concurrently: every
// file is written to a temporary name and renamed into place, the stamp last.
// Exit code 1 on compile errors (printed with file/line).

import { createHash } from "node:crypto";
import {
  readFileSync,
  readdirSync,
  writeFileSync,
  renameSync,
  mkdirSync,
  existsSync,
  rmSync,
  utimesSync,
} from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const srcDir = join(root, "contracts");
const outDir = join(root, "build", "contracts");
const stampPath = join(outDir, ".stamp");
const force = process.argv.includes("--force");

const settings = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: "shanghai",
  outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
};

const require = createRequire(import.meta.url);
const solcVersion = require("solc/package.json").version;

const files = readdirSync(srcDir)
  .filter((f) => f.endsWith(".sol"))
  .sort();
if (files.length === 0) {
  console.error(`compile-contracts: no .sol files in ${srcDir}`);
  process.exit(1);
}
const sources = {};
for (const f of files) sources[f] = { content: readFileSync(join(srcDir, f), "utf8") };

const hash = createHash("sha256");
hash.update(`solc ${solcVersion}\n`);
hash.update(JSON.stringify(settings));
hash.update(readFileSync(fileURLToPath(import.meta.url)));
for (const f of files) hash.update(`\0${f}\0${sources[f].content}`);
const stamp = hash.digest("hex");

function readStamp() {
  try {
    return readFileSync(stampPath, "utf8").trim();
  } catch {
    return null;
  }
}

if (!force && readStamp() === stamp) {
  // Up to date. Touch the stamp so "stamp newer than every source" checks (the Rust test
  // harness does one) stay cheap after a source was touched without being changed.
  const now = new Date();
  utimesSync(stampPath, now, now);
  process.exit(0);
}

function writeAtomic(path, data) {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

const { default: solc } = await import("solc");
const input = { language: "Solidity", sources, settings };
const output = JSON.parse(solc.compile(JSON.stringify(input)));

const errors = (output.errors ?? []).filter((e) => e.severity === "error");
const warnings = (output.errors ?? []).filter((e) => e.severity !== "error");
for (const w of warnings) console.warn(w.formattedMessage ?? w.message);
if (errors.length > 0) {
  for (const e of errors) console.error(e.formattedMessage ?? e.message);
  console.error(`compile-contracts: ${errors.length} error(s), solc ${solcVersion}`);
  process.exit(1);
}

mkdirSync(outDir, { recursive: true });
const written = new Set();
for (const [file, contracts] of Object.entries(output.contracts ?? {})) {
  for (const [name, c] of Object.entries(contracts)) {
    if (written.has(name)) {
      console.error(`compile-contracts: contract name ${name} is defined twice (last in ${file})`);
      process.exit(1);
    }
    written.add(name);
    const artifact = { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` };
    writeAtomic(join(outDir, `${name}.json`), JSON.stringify(artifact, null, 2) + "\n");
  }
}
// Drop artifacts of contracts that no longer exist.
for (const f of readdirSync(outDir)) {
  if (f.endsWith(".json") && !written.has(f.slice(0, -5)) && existsSync(join(outDir, f))) {
    rmSync(join(outDir, f), { force: true });
  }
}
writeAtomic(stampPath, stamp + "\n");
console.log(`compile-contracts: ${written.size} contract(s) -> ${outDir} (solc ${solcVersion})`);
