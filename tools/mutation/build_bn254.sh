#!/usr/bin/env bash
# Rebuild the native BN254 extension (zk_identity._bn254) in place from zk_identity/native/, with the flags
# pyproject.toml gives setuptools, so that a mutated C source is what the tests import. Then import it: a
# mutant that compiles but cannot load (an unresolved symbol, a crash at PyInit) fails the build and counts as
# invalid, never as a survivor (tests/zk_identity/test_bn254_native.py skips when the extension is missing).
# Usage: tools/mutation/build_bn254.sh [python]   (default .venv/bin/python)
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${1:-.venv/bin/python}
INC=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
SUFFIX=$("$PY" -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')
SRC=zk_identity/native
${CC:-cc} -O3 -std=gnu11 -pthread -Wall -Wno-unused-parameter -fPIC -shared -I"$INC" \
  "$SRC/bn254_module.c" "$SRC/bn254_field.c" "$SRC/bn254_curve.c" "$SRC/bn254_msm.c" \
  "$SRC/bn254_ntt.c" "$SRC/bn254_pairing.c" "$SRC/groth16_prove.c" \
  -o "zk_identity/_bn254$SUFFIX.tmp"
mv "zk_identity/_bn254$SUFFIX.tmp" "zk_identity/_bn254$SUFFIX"
# Load the bare module from its file, not through zk_identity: bn254_native's self-check (constants against
# py_ecc) runs at import, and a mutant that fails it is caught, i.e. killed by the tests, not invalid.
"$PY" -c 'import importlib.util as u, sys; s = u.spec_from_file_location("_bn254", sys.argv[1]); s.loader.exec_module(u.module_from_spec(s))' "zk_identity/_bn254$SUFFIX"
