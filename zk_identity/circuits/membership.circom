// Membership: "I know the secret behind one leaf of this lean incremental Merkle tree,
// and this is my nullifier for this scope", with the message bound to the proof.
//
// Semaphore-v4-shaped (same signal names, same public-signal order, same hashes):
//   public signals = [merkleRoot, nullifier, message, scope]   (outputs first, then inputs)
//   commitment     = Poseidon(Ax, Ay), (Ax, Ay) = secret * Base8 on Baby Jubjub (EIP-2494)
//   nullifier      = Poseidon(scope, secret)
// One circuit serves every tree depth from 0 (a one-member tree: root = leaf) to MAX_DEPTH.
// Written for Personhood; it uses circomlib templates only through `include`.
pragma circom 2.1.5;

include "poseidon.circom";
include "babyjub.circom";
include "comparators.circom";
include "bitify.circom";

// Root of a lean incremental Merkle tree from a compressed path of `length` siblings.
//
// A lean IMT promotes a node without a right sibling unchanged, so a proof lists only the
// levels that hash; bit i of `index` says whether the running node is the right child at
// the i-th hashed level. Everything is constrained (cf. Semaphore issue #999, where an
// under-constrained root template forced a new ceremony):
//   * 0 <= length <= MAX_DEPTH            (exactly one of the MAX_DEPTH+1 level flags is set)
//   * index < 2^length                    (its bits above `length` must be zero)
//   * unused siblings are zero            (no free inputs that do not change the statement)
template LeanMerkleRoot(MAX_DEPTH) {
    signal input leaf;
    signal input length;
    signal input index;
    signal input siblings[MAX_DEPTH];
    signal output root;

    // isLength[i] == 1 iff length == i; their sum forces length into [0, MAX_DEPTH].
    signal isLength[MAX_DEPTH + 1];
    var flags = 0;
    for (var i = 0; i <= MAX_DEPTH; i++) {
        isLength[i] <== IsEqual()([length, i]);
        flags += isLength[i];
    }
    flags === 1;

    // active[i] == 1 iff level i is hashed (i < length).
    signal active[MAX_DEPTH];
    active[0] <== 1 - isLength[0];
    for (var i = 1; i < MAX_DEPTH; i++) {
        active[i] <== active[i - 1] - isLength[i];
    }

    signal bits[MAX_DEPTH] <== Num2Bits(MAX_DEPTH)(index);

    signal nodes[MAX_DEPTH + 1];
    signal swap[MAX_DEPTH];
    signal hashed[MAX_DEPTH];
    signal step[MAX_DEPTH];
    nodes[0] <== leaf;
    for (var i = 0; i < MAX_DEPTH; i++) {
        bits[i] * (1 - active[i]) === 0;
        siblings[i] * (1 - active[i]) === 0;
        // (left, right) = bit ? (sibling, node) : (node, sibling)
        swap[i] <== bits[i] * (siblings[i] - nodes[i]);
        hashed[i] <== Poseidon(2)([nodes[i] + swap[i], siblings[i] - swap[i]]);
        // Above `length` the node is carried up unchanged.
        step[i] <== active[i] * (hashed[i] - nodes[i]);
        nodes[i + 1] <== nodes[i] + step[i];
    }
    root <== nodes[MAX_DEPTH];
}

template Membership(MAX_DEPTH) {
    // Order of the prime subgroup of Baby Jubjub (EIP-2494 `l`); secrets are scalars mod l.
    var SUBGROUP_ORDER = 2736030358979909402780800718157159386076813972158567259200215660948447373041;

    signal input secret;
    signal input merkleProofLength;
    signal input merkleProofIndex;
    signal input merkleProofSiblings[MAX_DEPTH];
    signal input message;
    signal input scope;

    signal output merkleRoot;
    signal output nullifier;

    // secret < 2^251 first, so that LessThan(251) below cannot wrap around the field.
    signal secretBits[251] <== Num2Bits(251)(secret);
    signal secretInRange <== LessThan(251)([secret, SUBGROUP_ORDER]);
    secretInRange === 1;

    signal Ax;
    signal Ay;
    (Ax, Ay) <== BabyPbk()(secret);
    signal commitment <== Poseidon(2)([Ax, Ay]);

    merkleRoot <== LeanMerkleRoot(MAX_DEPTH)(
        commitment, merkleProofLength, merkleProofIndex, merkleProofSiblings
    );
    nullifier <== Poseidon(2)([scope, secret]);

    // The message takes no part in the statement; squaring it puts it in a constraint, so a
    // proof cannot be replayed with another message.
    signal messageSquared <== message * message;
}
