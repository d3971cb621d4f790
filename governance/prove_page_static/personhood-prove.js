// Personhood in the browser: a Semaphore v4 identity kept on this device, the group downloaded whole
// (so the server does not learn who proves), a Groth16 proof made here with snarkjs and the official
// ceremony artifacts, sent to POST /v1/verify. Everything is loaded from the server this module comes
// from; nothing from a CDN.
//
//   import * as personhood from "https://dapp-api.example/prove/personhood-prove.js";
//   const id = (await personhood.loadIdentity()) ?? (await personhood.createIdentity());
//   const group = await personhood.fetchGroup();
//   const { proof } = await personhood.prove(id, group, "claim-airdrop", "0xMyAddress");
//   const answer = await personhood.verify("claim-airdrop", "0xMyAddress", proof);
//
// Encodings follow the API (governance/requests.py): the scope is keccak256(UTF-8 action) >> 8, or, where
// the API namespaces actions (/prove/config.json says which), keccak256(abi.encode(chain id, app id,
// action)) >> 8 with the dapp's app id passed to prove() and verify(); message = keccak256(UTF-8 signal)
// >> 8; the circuit then takes keccak256(uint256) >> 8 of each (Semaphore v4).

import { keccak_256 } from "./vendor/noble-hashes/sha3.js";

const BASE = new URL(".", import.meta.url); // .../prove/
const API = new URL("..", BASE); // the app's root: /v1/... lives there
const STORAGE_KEY = "personhood.identity";
const PAGE = 1000;

function loadScript(name) {
  const src = new URL(`vendor/${name}`, BASE).href;
  if (document.querySelector(`script[src="${src}"]`)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const script = Object.assign(document.createElement("script"), { src, onload: resolve });
    script.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.append(script);
  });
}

async function libraries() {
  await Promise.all([loadScript("snarkjs.min.js"), loadScript("eddsa-poseidon.js")]);
  return { snarkjs: globalThis.snarkjs, eddsa: globalThis.eddsaPoseidon };
}

// ---- Poseidon(2), textbook rounds (Poseidon paper §2) over constants from /prove/poseidon-t3.json ----
const R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n; // BN254 r
let poseidonParams = null;

async function loadPoseidon() {
  if (!poseidonParams) {
    const p = await (await fetch(new URL("poseidon-t3.json", BASE))).json();
    poseidonParams = {
      full: p.fullRounds,
      partial: p.partialRounds,
      c: p.roundConstants.map((row) => row.map(BigInt)),
      m: p.mds.map((row) => row.map(BigInt)),
    };
  }
  return poseidonParams;
}

function pow5(x) {
  const x2 = (x * x) % R;
  return (x2 * x2 % R) * x % R;
}

export function poseidon2(a, b) {
  const { full, partial, c, m } = poseidonParams;
  let s = [0n, BigInt(a), BigInt(b)];
  for (let r = 0; r < c.length; r++) {
    s = s.map((v, i) => (v + c[r][i]) % R);
    if (r < full / 2 || r >= full / 2 + partial) s = s.map(pow5);
    else s[0] = pow5(s[0]);
    s = m.map((row) => (row[0] * s[0] + row[1] * s[1] + row[2] * s[2]) % R);
  }
  return s[0];
}

// ---- keccak helpers ----
const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const keccakToField = (bytes) => BigInt("0x" + hex(keccak_256(bytes))) >> 8n;
export const actionScope = (action) => keccakToField(new TextEncoder().encode(action));
export const signalMessage = (signal) => keccakToField(new TextEncoder().encode(signal));
function uint256Bytes(value) {
  const out = new Uint8Array(32);
  let v = BigInt(value);
  for (let i = 31; i >= 0; i--, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
}
const circuitHash = (value) => keccakToField(uint256Bytes(value)); // Semaphore's hash(message)

// World-ID-style scope: keccak256(abi.encode(uint256 chainId, string appId, string action)) >> 8.
function abiString(bytes) {
  const padded = new Uint8Array(Math.ceil(bytes.length / 32) * 32);
  padded.set(bytes);
  return [uint256Bytes(bytes.length), padded];
}
export function namespacedScope(appId, chainId, action) {
  const [appLength, appData] = abiString(new TextEncoder().encode(appId));
  const [actionLength, actionData] = abiString(new TextEncoder().encode(action));
  const parts = [uint256Bytes(chainId), uint256Bytes(96), uint256Bytes(96 + 32 + appData.length),
    appLength, appData, actionLength, actionData];
  const data = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((offset, p) => (data.set(p, offset), offset + p.length), 0);
  return keccakToField(data);
}

let scopeConfig = null;
async function apiScope(action, appId) {
  scopeConfig ??= await (await fetch(new URL("config.json", BASE))).json();
  if (!scopeConfig.namespaced) return actionScope(action);
  if (!appId) throw new Error("this API binds actions to an application id: give the dapp's app id");
  return namespacedScope(appId, BigInt(scopeConfig.chainId), action);
}

// ---- identity: the private key stays in this browser (localStorage), never sent ----
const toBase64 = (bytes) => btoa(String.fromCharCode(...bytes));
const fromBase64 = (text) => Uint8Array.from(atob(text.trim()), (ch) => ch.charCodeAt(0));

export async function identityFromPrivateKey(privateKey) {
  const { eddsa } = await libraries();
  await loadPoseidon();
  const publicKey = eddsa.derivePublicKey(privateKey).map(BigInt);
  return {
    privateKey,
    secretScalar: BigInt(eddsa.deriveSecretScalar(privateKey)),
    commitment: poseidon2(publicKey[0], publicKey[1]),
    export: () => toBase64(privateKey),
  };
}

export async function createIdentity() {
  const identity = await identityFromPrivateKey(crypto.getRandomValues(new Uint8Array(32)));
  localStorage.setItem(STORAGE_KEY, identity.export());
  return identity;
}

export async function importIdentity(exported) {
  const identity = await identityFromPrivateKey(fromBase64(exported)); // `personhood id new` key file text
  localStorage.setItem(STORAGE_KEY, identity.export());
  return identity;
}

export async function loadIdentity() {
  const stored = localStorage.getItem(STORAGE_KEY);
  return stored ? identityFromPrivateKey(fromBase64(stored)) : null;
}

// ---- the group: every page of GET /v1/group, then a LeanIMT built here ----
export async function fetchGroup() {
  await loadPoseidon();
  const leaves = [];
  let offset = 0, root = null;
  while (offset !== null) {
    const response = await fetch(new URL(`v1/group?offset=${offset}&limit=${PAGE}`, API));
    const page = await response.json();
    if (!response.ok) throw new Error(page.message || `GET /v1/group: ${response.status}`);
    if (root !== null && page.root !== root) return fetchGroup(); // the group changed while paging
    root = page.root;
    leaves.push(...page.commitments.map(BigInt));
    offset = page.next;
  }
  const levels = [leaves];
  while (levels.at(-1).length > 1) {
    const below = levels.at(-1), above = [];
    for (let i = 0; i < below.length; i += 2) above.push(i + 1 < below.length ? poseidon2(below[i], below[i + 1]) : below[i]);
    levels.push(above);
  }
  const computed = levels.at(-1)[0] ?? 0n;
  if (leaves.length && computed.toString() !== root) throw new Error("the group's pages do not hash to its root");
  return { leaves, levels, root: computed, depth: levels.length - 1 };
}

function merkleProof(group, leaf) {
  let index = group.leaves.findIndex((l) => l === leaf);
  if (index < 0) throw new Error("this identity is not a member of the group (not enrolled yet?)");
  const siblings = [];
  let path = 0;
  for (let level = 0; level < group.depth; level++) {
    const nodes = group.levels[level], sibling = index ^ 1;
    if (sibling < nodes.length) {
      path |= (index & 1) << siblings.length;
      siblings.push(nodes[sibling]);
    }
    index >>= 1;
  }
  return { index: path, siblings };
}

// ---- the proof ----
export async function prove(identity, group, action, signal, appId = null) {
  const { snarkjs } = await libraries();
  const depth = Math.max(1, group.depth); // the registry records one depth per root: the group's
  const path = merkleProof(group, identity.commitment);
  const scope = await apiScope(action, appId), message = signalMessage(signal);
  const inputs = {
    secret: identity.secretScalar.toString(),
    merkleProofLength: path.siblings.length,
    merkleProofIndex: path.index,
    merkleProofSiblings: [...path.siblings, ...Array(depth - path.siblings.length).fill(0n)].map(String),
    scope: circuitHash(scope).toString(),
    message: circuitHash(message).toString(),
  };
  const started = performance.now();
  const { proof, publicSignals } = await snarkjs.groth16.fullProve(
    inputs,
    new URL(`artifacts/semaphore-${depth}.wasm`, BASE).href,
    new URL(`artifacts/semaphore-${depth}.zkey`, BASE).href,
  );
  const seconds = (performance.now() - started) / 1000;
  const [a, b, c] = [proof.pi_a, proof.pi_b, proof.pi_c];
  return {
    seconds,
    proof: {
      merkleTreeDepth: depth,
      merkleTreeRoot: publicSignals[0],
      nullifier: publicSignals[1],
      message: message.toString(),
      scope: scope.toString(),
      points: [a[0], a[1], b[0][1], b[0][0], b[1][1], b[1][0], c[0], c[1]],
    },
  };
}

export async function verify(action, signal, proof, appId = null) {
  const body = appId ? { app_id: appId, action, signal, proof } : { action, signal, proof };
  const response = await fetch(new URL("v1/verify", API), {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}
