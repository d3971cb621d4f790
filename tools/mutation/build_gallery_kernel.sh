#!/usr/bin/env bash
# Rebuild the native gallery kernel (enrollment.gallery._hamming) in place from enrollment/gallery/native/,
# with the flags pyproject.toml gives setuptools, so that a mutated C source is what the tests import.
# Usage: tools/mutation/build_gallery_kernel.sh [python]   (default .venv/bin/python)
# HM_EMULATE_AVX512=1 builds the AVX-512 path on SIMDe's software AVX-512 (libsimde-dev; hamming_avx512.c), so
# that a CPU without AVX-512 runs it: `make mutation-c` mutates that path so. Rebuild without it afterwards.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${1:-.venv/bin/python}
INC=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
SUFFIX=$("$PY" -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')
SRC=enrollment/gallery/native
EXTRA=()
if [ "${HM_EMULATE_AVX512:-0}" = 1 ]; then EXTRA=(-DHM_AVX512_EMULATED -Wno-psabi); fi
# an intrinsic the compiler (or SIMDe) does not have must fail the build, not leave an unloadable module
${CC:-cc} -O3 -std=gnu11 -pthread -ffp-contract=off -Wall -Wno-unused-parameter -Werror=implicit-function-declaration \
  -fPIC -shared -I"$INC" "${EXTRA[@]}" \
  "$SRC/hamming_module.c" "$SRC/hamming_scan.c" "$SRC/hamming_avx2.c" "$SRC/hamming_avx512.c" \
  -o "enrollment/gallery/_hamming$SUFFIX.tmp"
# a module that compiles but cannot load (an undefined symbol) is an invalid mutant too
"$PY" -c 'import importlib.machinery as m, sys; m.ExtensionFileLoader("_hamming", sys.argv[1]).create_module(
    m.ModuleSpec("_hamming", None, origin=sys.argv[1]))' "enrollment/gallery/_hamming$SUFFIX.tmp"
mv "enrollment/gallery/_hamming$SUFFIX.tmp" "enrollment/gallery/_hamming$SUFFIX"
