#!/usr/bin/env bash
# Rebuild the native gallery kernel (enrollment.gallery._hamming) in place from enrollment/gallery/native/,
# with the flags pyproject.toml gives setuptools, so that a mutated C source is what the tests import.
# Usage: tools/mutation/build_gallery_kernel.sh [python]   (default .venv/bin/python)
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${1:-.venv/bin/python}
INC=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
SUFFIX=$("$PY" -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')
SRC=enrollment/gallery/native
${CC:-cc} -O3 -std=gnu11 -pthread -ffp-contract=off -Wall -Wno-unused-parameter -fPIC -shared -I"$INC" \
  "$SRC/hamming_module.c" "$SRC/hamming_scan.c" "$SRC/hamming_avx2.c" "$SRC/hamming_avx512.c" \
  -o "enrollment/gallery/_hamming$SUFFIX.tmp"
mv "enrollment/gallery/_hamming$SUFFIX.tmp" "enrollment/gallery/_hamming$SUFFIX"
