# The two commands a newcomer needs are `make demo` and `make test` (see README.md).
# Both install everything they need first: a virtualenv in .venv and the pinned node tools in node_modules.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup system-deps demo test lint bench clean mutation mutation-python mutation-sol mutation-c mutation-bn254

# The native prover and gallery kernel (zk_identity/native, enrollment/gallery/native) are compiled by the
# editable install: rebuild when their C sources change.
$(BIN)/personhood: pyproject.toml $(wildcard zk_identity/native/*.c zk_identity/native/*.h zk_identity/native/*.inc) \
		$(wildcard enrollment/gallery/native/*.c enrollment/gallery/native/*.h enrollment/gallery/native/*.inc)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# SoftHSM2 is the PKCS#11 token the device-key tests run against; it comes from the system packages.
# Installed only when softhsm2-util is missing, and only as root with apt-get; otherwise a hint is printed.
system-deps:
	@command -v softhsm2-util >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends softhsm2; \
	  else echo "warning: SoftHSM2 missing; install the softhsm2 package as root (hardware tests need it)" >&2; fi; }
	@# PostgreSQL server binaries: the SQL stores' tests start a throw-away server (tests/postgres_server.py)
	@{ command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; } || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql; \
	  else echo "warning: PostgreSQL missing; install the postgresql package as root (SQL store tests need it)" >&2; fi; }
	@# SIMDe (header-only software AVX-512): the AVX-512 gallery kernel's test on CPUs without AVX-512
	@# (tests/enrollment/test_gallery_kernel_avx512_emulated.py)
	@test -e /usr/include/simde/x86/avx512.h || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libsimde-dev; \
	  else echo "warning: SIMDe missing; install the libsimde-dev package as root (the AVX-512 kernel test needs it)" >&2; fi; }
	@# headless Chromium + its WebDriver for the station UI test (tests/enrollment/test_station_ui.py)
	@{ command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; } || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver; \
	  else echo "warning: Chromium missing; install chromium and chromium-driver as root (station UI test needs them)" >&2; fi; }

setup: system-deps $(BIN)/personhood node_modules/.package-lock.json

demo: setup
	$(BIN)/personhood demo

test: setup
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Mutation testing of the critical modules (tests/mutation/BASELINE.md has the last results; README says how
# long it takes). Not part of CI: minutes to hours on 2 cores. nice -n 19 so that it never slows anyone down.
# mutmut runs the tests inside mutants/, where PROJECT_ROOT is: the node tools and the cache are linked in.
mutation: mutation-python mutation-sol mutation-c mutation-bn254

mutation-python: setup
	mkdir -p mutants && ln -sfn ../node_modules mutants/node_modules && ln -sfn ../.cache mutants/.cache
	nice -n 19 $(BIN)/mutmut run --max-children $(or $(MUTATION_JOBS),1)
	$(BIN)/python tools/mutation/mutmut_summary.py

mutation-sol: setup
	nice -n 19 $(BIN)/python tools/mutation/text_mutants.py contracts/PersonhoodRegistry.sol \
	  --report tests/mutation/sol-PersonhoodRegistry.json --tests tests/contracts/test_registry_time_boundaries.py \
	  tests/contracts/test_registry_admin.py tests/contracts/test_registry_signature_edges.py \
	  tests/contracts/test_registry.py tests/contracts/test_verifier.py
	nice -n 19 $(BIN)/python tools/mutation/text_mutants.py contracts/PersonhoodVerifier.sol \
	  --report tests/mutation/sol-PersonhoodVerifier.json --tests tests/contracts/test_verifier.py \
	  tests/contracts/test_verifier_admin.py
	nice -n 19 $(BIN)/python tools/mutation/text_mutants.py contracts/LeanIMT.sol \
	  --report tests/mutation/sol-LeanIMT.json --tests tests/contracts/test_lean_imt_sol_edges.py \
	  tests/contracts/test_registry.py tests/contracts/test_invariants.py tests/contracts/test_registry_admin.py
	for c in Ballot OnePersonOneVote QuadraticVote TallyBook; do \
	  nice -n 19 $(BIN)/python tools/mutation/text_mutants.py contracts/$$c.sol --report tests/mutation/sol-$$c.json \
	    --tests tests/contracts/test_ballot_edges.py tests/contracts/test_tally_layout.py \
	    tests/contracts/test_one_person_one_vote.py tests/contracts/test_quadratic_vote.py \
	    tests/contracts/test_invariants.py || exit 1; done

# The gallery kernels: hamming_scan.c's bound and scoring lines, then every line of the AVX-512, AVX2 and scalar
# paths. ~5-15 s per mutant. The AVX-512 path runs natively where the CPU has it, else on SIMDe's software
# AVX-512 (libsimde-dev, HM_EMULATE_AVX512=1); the extension is rebuilt as shipped at the end. The equivalent
# survivors (BASELINE.md) make text_mutants exit 1: `-` lets every file run.
KERNEL_TESTS = tests/enrollment/test_gallery_tight_bound.py tests/enrollment/test_gallery_kernel.py \
  tests/enrollment/test_gallery_kernel_rows.py tests/enrollment/test_gallery_kernel_asan.py
mutation-c: setup
	-nice -n 19 $(BIN)/python tools/mutation/text_mutants.py enrollment/gallery/native/hamming_scan.c --lines 20-36,50-56,74-108,113-133 \
	  --build tools/mutation/build_gallery_kernel.sh --report tests/mutation/c-hamming_scan.json --tests $(KERNEL_TESTS)
	-if $(BIN)/python -c 'import sys; from enrollment.gallery import native_kernel as k; sys.exit("avx512" not in k.PATHS)'; \
	  then B=tools/mutation/build_gallery_kernel.sh; else B="env HM_EMULATE_AVX512=1 tools/mutation/build_gallery_kernel.sh"; fi; \
	  nice -n 19 $(BIN)/python tools/mutation/text_mutants.py enrollment/gallery/native/hamming_avx512.c --build "$$B" \
	    --report tests/mutation/c-hamming_avx512.json --tests $(KERNEL_TESTS); \
	  status=$$?; tools/mutation/build_gallery_kernel.sh; exit $$status
	-for f in hamming_avx2.c hamming_scalar.inc; do \
	  nice -n 19 $(BIN)/python tools/mutation/text_mutants.py enrollment/gallery/native/$$f \
	    --build tools/mutation/build_gallery_kernel.sh --report tests/mutation/c-$${f%%.*}.json \
	    --tests $(KERNEL_TESTS); \
	done

# The native BN254 extension (zk_identity/native): bn254_module.c's byte boundary (not the NTT and prover entry
# points: their tests need the node tools), the field, the pairing, the curve macros. ~15-45 s per mutant.
# The equivalent survivors (BASELINE.md) make text_mutants exit 1: `-` lets every file run.
BN254_TESTS = tests/zk_identity/test_bn254_native_boundary.py tests/zk_identity/test_bn254_native.py \
  tests/zk_identity/test_bn254_checks.py tests/zk_identity/test_native_build.py
mutation-bn254: setup
	-nice -n 19 $(BIN)/python tools/mutation/text_mutants.py zk_identity/native/bn254_module.c \
	  --lines 25-112,116-181,187-253,377-419 --build tools/mutation/build_bn254.sh --timeout 150 \
	  --report tests/mutation/c-bn254_module_c.json --tests $(BN254_TESTS)
	-for f in bn254_field.h bn254_field.c bn254_pairing.c bn254_curve.h bn254_jacobian.inc; do \
	  nice -n 19 $(BIN)/python tools/mutation/text_mutants.py zk_identity/native/$$f \
	    --build tools/mutation/build_bn254.sh --timeout 150 --report tests/mutation/c-$$(echo $$f | tr . _).json \
	    --tests $(BN254_TESTS); \
	done

clean:
	rm -rf $(VENV) node_modules .cache mutants
