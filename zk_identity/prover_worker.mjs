// Personhood prover worker: proves and verifies Groth16 with snarkjs as a library.
// Usage: node prover_worker.mjs NODE_MODULES/snarkjs/main.js
//
// Protocol (one JSON object per line, stdin -> stdout):
//   {"id": 1, "op": "prove", "wasm": PATH, "zkey": PATH, "input": {...}}
//     -> {"id": 1, "ok": true, "proof": {...}, "publicSignals": [...]}
//   {"id": 2, "op": "verify", "vkey": {...}, "publicSignals": [...], "proof": {...}}
//     -> {"id": 2, "ok": true, "valid": true|false}
//   {"id": 3, "op": "ping"} -> {"id": 3, "ok": true, "pid": N}
//   any failure -> {"id": N, "ok": false, "error": "message"}
// Keys are read once and kept in memory (by path and modification time), so only the first
// request for a circuit pays for loading it. The process ends when stdin closes.
import { readFileSync, statSync } from "node:fs";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

// argv[2]: snarkjs's ES-module entry (main.js) in the node_modules the Python side chose.
const { groth16 } = await import(pathToFileURL(process.argv[2]).href);

const out = process.stdout;
console.log = (...args) => process.stderr.write(args.join(" ") + "\n"); // keep stdout for replies

const files = new Map();
function memFile(path) {
  const mtime = statSync(path).mtimeMs;
  const cached = files.get(path);
  if (cached && cached.mtime === mtime) return cached.file;
  const file = { type: "mem", data: new Uint8Array(readFileSync(path)) };
  files.set(path, { mtime, file });
  return file;
}

async function handle(request) {
  switch (request.op) {
    case "prove": {
      const { proof, publicSignals } = await groth16.fullProve(
        request.input, memFile(request.wasm), memFile(request.zkey));
      return { proof, publicSignals };
    }
    case "verify":
      return { valid: await groth16.verify(request.vkey, request.publicSignals, request.proof) };
    case "ping":
      return { pid: process.pid };
    default:
      throw new Error(`unknown op ${JSON.stringify(request.op)}`);
  }
}

// Requests are handled one at a time, in order: the Python side sends one per worker.
let chain = Promise.resolve();
createInterface({ input: process.stdin, terminal: false }).on("line", (line) => {
  chain = chain.then(async () => {
    let id = null;
    try {
      const request = JSON.parse(line);
      id = request.id ?? null;
      out.write(JSON.stringify({ id, ok: true, ...(await handle(request)) }) + "\n");
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      out.write(JSON.stringify({ id, ok: false, error: message }) + "\n");
    }
  });
}).on("close", () => {
  chain.then(() => process.exit(0));
});
