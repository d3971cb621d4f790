// Compile one standard-JSON input with solc-js and write the output JSON to a file.
// Usage: node solc_compile.mjs <solc package dir> <input.json> <output.json>
// (solcjs's own CLI calls process.exit() and truncates stdout beyond 64 KiB when it is a pipe.)
import { createRequire } from "node:module";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [solcDir, inputPath, outputPath] = process.argv.slice(2);
const require = createRequire(join(solcDir, "package.json"));
const solc = require(solcDir);
writeFileSync(outputPath, solc.compile(readFileSync(inputPath, "utf8")));
