// Personhood prover worker: proves and verifies Groth16 with snarkjs as a library.
// Usage: node prover_worker.mjs NODE_MODULES/snarkjs/main.js
//
// Protocol (one JSON object per line, stdin -> stdout):
//   {"id": 1, "op": "prove", "wasm": PATH, "zkey": PATH, "input": {...}}
//     -> {"id": 1, "ok": true, "proof": {...}, "publicSignals": [...]}
//   {"id": 4, "op": "witness", "wasm": PATH, "input": {...}}
//     -> {"id": 4, "ok": true, "wtns": BASE64}  (the .wtns file snarkjs would write; for the native prover)
//   {"id": 2, "op": "verify", "vkey": {...}, "publicSignals": [...], "proof": {...}}
//     -> {"id": 2, "ok": true, "valid": true|false}
//   {"id": 3, "op": "ping"} -> {"id": 3, "ok": true, "pid": N}
//   any failure -> {"id": N, "ok": false, "error": "message"}
// Keys are read once and kept in memory (by path and modification time), so only the first
// request for a circuit pays for loading it. The process ends when stdin closes.
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

// argv[2]: snarkjs's ES-module entry (main.js) in the node_modules the Python side chose.
const snarkjsMain = process.argv[2];
const { groth16 } = await import(pathToFileURL(snarkjsMain).href);
// The witness calculator snarkjs itself uses (its own copy if it has one, else the shared one).
const nested = join(dirname(snarkjsMain), "node_modules", "circom_runtime", "main.js");
const runtime = existsSync(nested) ? nested : join(dirname(snarkjsMain), "..", "circom_runtime", "main.js");
const { WitnessCalculatorBuilder } = await import(pathToFileURL(runtime).href);

const out = process.stdout;
console.log = (...args) => process.stderr.write(args.join(" ") + "\n"); // keep stdout for replies

// Cached per path and modification time: zkeys as in-memory files, wasm as compiled witness
// calculators (compiling the wasm is a large part of a cold proof).
const cache = new Map();
async function cached(kind, path, load) {
  const key = `${kind}:${path}`;
  const mtime = statSync(path).mtimeMs;
  const hit = cache.get(key);
  if (hit && hit.mtime === mtime) return hit.value;
  const value = await load(readFileSync(path));
  cache.set(key, { mtime, value });
  return value;
}
const memFile = (path) => cached("zkey", path, (bytes) => ({ type: "mem", data: new Uint8Array(bytes) }));
const calculator = (path) => cached("wasm", path, (bytes) => WitnessCalculatorBuilder(bytes));

async function handle(request) {
  switch (request.op) {
    case "prove": {
      // What groth16.fullProve does, minus re-reading and re-compiling the keys every time.
      const wtns = await (await calculator(request.wasm)).calculateWTNSBin(request.input);
      const { proof, publicSignals } = await groth16.prove(
        await memFile(request.zkey), { type: "mem", data: wtns });
      return { proof, publicSignals };
    }
    case "witness": {
      // Only the witness: the native prover (zk_identity/native) does the proving in Python's process.
      const wtns = await (await calculator(request.wasm)).calculateWTNSBin(request.input);
      return { wtns: Buffer.from(wtns.buffer, wtns.byteOffset, wtns.byteLength).toString("base64") };
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
