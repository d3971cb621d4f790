// Test peer: Semaphore v4 identities, group roots and proofs from the official npm packages.
// stdin: JSON {secrets: [str], jobs: [{kind: "commitments"} | {kind: "roots", leaves: [str]} |
//   {kind: "proof", secret: int, leaves: [str], removed: [int], message: str, scope: str, depth: int}]}
// Prints one JSON array with one answer per job (bigints as decimal strings).
import { Identity } from "@semaphore-protocol/identity";
import { Group } from "@semaphore-protocol/group";
import { generateProof } from "@semaphore-protocol/proof";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const spec = JSON.parse(input);
const artifacts = "node_modules/@zk-kit/semaphore-artifacts";
const identities = spec.secrets.map((s) => new Identity(s));

function groupOf(leaves, removed = []) {
  const group = new Group(leaves.map(BigInt));
  for (const index of removed) group.removeMember(index);
  return group;
}

const out = [];
for (const job of spec.jobs) {
  if (job.kind === "commitments") {
    out.push(identities.map((id) => id.commitment.toString()));
  } else if (job.kind === "roots") {
    // root after each prefix of the leaves, as the registry computes them one insertion at a time
    const group = new Group();
    out.push(job.leaves.map((leaf) => { group.addMember(BigInt(leaf)); return [group.root.toString(), group.depth]; }));
  } else if (job.kind === "proof") {
    const group = groupOf(job.leaves, job.removed);
    const depth = job.depth;
    const proof = await generateProof(identities[job.secret], group, BigInt(job.message), BigInt(job.scope), depth, {
      wasm: `${artifacts}/semaphore-${depth}.wasm`,
      zkey: `${artifacts}/semaphore-${depth}.zkey`,
    });
    out.push(proof);
  }
}
process.stdout.write(JSON.stringify(out), () => process.exit(0));
