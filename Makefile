# HyperMesh: the two commands a new user needs are `make run` and `make test`.
# Everything else here is a building block of those two.

SHELL := /bin/bash
JOBS  ?= $(shell nproc)
PORT  ?= 8443

.PHONY: run test setup build-dev build-release build-fuzz unit system fuzz-smoke lint bench clean

run: setup build-release
	./build/release/src/node/hypermeshd --dev --port $(PORT)

test: setup build-dev build-release build-fuzz
	scripts/check-layers
	ctest --preset dev -j $(JOBS)
	tests/system/run_all.sh build/dev build/release
	src/crypto/mlkem/ct_check.sh build/release/src/crypto/mlkem/hm_mlkem_ct_probe
	scripts/fuzz-smoke build/fuzz
	@echo "make test: all checks passed"

setup:
	scripts/setup

build-dev:
	cmake --preset dev >/dev/null
	cmake --build --preset dev -j $(JOBS)

build-release:
	cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS)

build-fuzz:
	cmake --preset fuzz >/dev/null
	cmake --build --preset fuzz --target fuzz_all -j $(JOBS)

bench: setup build-release
	bench/run_all.sh build/release

lint:
	scripts/check-layers
	find src -name '*.cc' -o -name '*.h' | xargs clang-format --dry-run -Werror

clean:
	rm -rf build
