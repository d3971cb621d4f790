"""Semaphore identities and EdDSA-Poseidon signatures against @semaphore-protocol/identity and
@zk-kit/eddsa-poseidon, run live: keys derived by both, signatures checked both ways."""

from __future__ import annotations

import base64
import json
import random

import pytest

from zk_identity import FieldRangeError, Identity, KeyFormatError, PointError, Signature, SignatureError
from zk_identity.babyjubjub import BASE8, GENERATOR, SUBGROUP_ORDER
from zk_identity.field import SNARK_SCALAR_FIELD as R

PEER = """
import { Identity } from '@semaphore-protocol/identity';
import { createRequire } from 'module';
// Its ES-module build trips over blakejs's CommonJS exports under node 20; the CommonJS build works.
const { deriveSecretScalar, verifySignature } = createRequire(process.cwd() + '/')('@zk-kit/eddsa-poseidon');
const { keys, texts, messages, ours } = JSON.parse(process.argv[1]);
const s = (x) => x.toString();
const describe = (id, key) => ({
  secret: s(id.secretScalar), pub: id.publicKey.map(s), commitment: s(id.commitment), exported: id.export(),
  eddsaSecret: s(deriveSecretScalar(key)),
  signatures: messages.map((m) => id.signMessage(BigInt(m))).map((sig) => [sig.R8.map(s), s(sig.S)]),
});
console.log(JSON.stringify({
  fromBytes: keys.map((k) => describe(Identity.import(k), Buffer.from(k, 'base64'))),
  fromText: texts.map((t) => describe(new Identity(t), t)),
  // Signatures made in Python, verified here.
  verified: ours.map(({ pub, message, r8, S }) =>
    verifySignature(BigInt(message), { R8: r8.map(BigInt), S: BigInt(S) }, pub.map(BigInt))),
}));
"""


@pytest.mark.node
def test_identities_and_signatures_agree_with_semaphore_both_ways(run_node) -> None:
    rng = random.Random()
    keys = [rng.randbytes(n) for n in (32, 32, 32, 1, 64, 200)]
    texts = ["secret", "correct horse battery staple", "ünïcødé 🔑", "x" * 300]
    messages = [0, 1, R - 1, rng.randrange(R), rng.randrange(R)]
    ours = []
    for key in keys[:3]:
        identity = Identity(key)
        for message in messages:
            sig = identity.sign(message)
            ours.append({"pub": [str(c) for c in identity.public_key], "message": str(message),
                         "r8": [str(c) for c in sig.r8], "S": str(sig.s)})  # fmt: skip
    # Forgeries must fail in JavaScript too: a changed message, a changed S.
    ours.append({**ours[0], "message": str((int(ours[0]["message"]) + 1) % R)})
    ours.append({**ours[1], "S": str((int(ours[1]["S"]) + 1) % SUBGROUP_ORDER)})
    payload = {
        "keys": [base64.b64encode(k).decode() for k in keys],
        "texts": texts,
        "messages": [str(m) for m in messages],
        "ours": ours,
    }
    js = run_node(PEER, json.dumps(payload))
    assert js["verified"] == [True] * (len(ours) - 2) + [False, False]

    for identity, peer in [
        *zip((Identity(k) for k in keys), js["fromBytes"], strict=True),
        *zip((Identity(t) for t in texts), js["fromText"], strict=True),
    ]:
        assert str(identity.secret_scalar) == peer["secret"] == peer["eddsaSecret"]
        assert [str(c) for c in identity.public_key] == peer["pub"]
        assert str(identity.commitment) == peer["commitment"]
        assert identity.export() == peer["exported"]
        assert Identity.import_(peer["exported"]).commitment == identity.commitment
        for message, (r8, s) in zip(messages, peer["signatures"], strict=True):
            js_sig = Signature((int(r8[0]), int(r8[1])), int(s))
            assert identity.sign(message) == js_sig  # deterministic: byte-identical signatures
            assert Identity.verify_signature(message, js_sig, identity.public_key)
            assert not Identity.verify_signature((message + 1) % R, js_sig, identity.public_key)


def test_fresh_identities_are_random_and_round_trip() -> None:
    a, b = Identity(), Identity()
    assert len(a.private_key) == 32 and a.private_key != b.private_key
    assert Identity.import_(a.export()) == a and a != b
    assert Identity.import_("  " + a.export() + "\n").commitment == a.commitment
    assert Identity.generate_commitment(a.public_key) == a.commitment
    assert 0 <= a.secret_scalar < SUBGROUP_ORDER


def test_private_key_never_in_repr() -> None:
    identity = Identity(b"do not print me")
    text = repr(identity) + str(identity)
    assert "do not print me" not in text and identity.export() not in text
    assert str(identity.commitment) in text


@pytest.mark.parametrize("bad", ["not base64!", "YWJj=", "", "   ", "Y\u00e9Jj"])
def test_import_rejects_malformed_base64(bad: str) -> None:
    with pytest.raises(KeyFormatError):
        Identity.import_(bad)


@pytest.mark.parametrize(("bad", "error"), [(b"", KeyFormatError), ("", KeyFormatError), (123, TypeError),
                                            (True, TypeError), ("\ud800", KeyFormatError)])  # fmt: skip
def test_constructor_rejects_bad_keys(bad, error) -> None:
    with pytest.raises(error):
        Identity(bad)
    with pytest.raises(TypeError):
        Identity.import_(b"YWJj")  # type: ignore[arg-type]


def test_signature_input_checks() -> None:
    identity = Identity(b"key")
    sig = identity.sign(R - 1)
    assert Identity.verify_signature(R - 1, sig, identity.public_key)
    with pytest.raises(FieldRangeError):
        identity.sign(R)
    with pytest.raises(TypeError):
        identity.sign(True)
    with pytest.raises(FieldRangeError):
        Identity.verify_signature(R, sig, identity.public_key)
    # S = l - 1 is well-formed (just wrong); S = l is malformed.
    assert not Identity.verify_signature(R - 1, Signature(sig.r8, SUBGROUP_ORDER - 1), identity.public_key)
    with pytest.raises(SignatureError):
        Identity.verify_signature(R - 1, Signature(sig.r8, SUBGROUP_ORDER), identity.public_key)
    with pytest.raises(PointError):
        Identity.verify_signature(R - 1, Signature((1, 1), sig.s), identity.public_key)
    with pytest.raises(PointError):
        Identity.verify_signature(R - 1, sig, (1, 1))
    with pytest.raises(PointError, match="subgroup"):
        Identity.verify_signature(R - 1, sig, GENERATOR)
    with pytest.raises(TypeError):
        Identity.verify_signature(R - 1, (sig.r8, sig.s), identity.public_key)  # type: ignore[arg-type]
    assert not Identity.verify_signature(R - 1, sig, BASE8)
