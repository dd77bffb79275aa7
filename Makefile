# Lumen's two entry points (see README): `make serve` and `make test`.
# Everything is installed inside the repository by scripts/setup.sh.
SHELL := /bin/bash
ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
export PKG_CONFIG_PATH := $(ROOT)/.lumen/pkgconfig$(if $(PKG_CONFIG_PATH),:$(PKG_CONFIG_PATH))
LLAMA_LIB := $(ROOT)/.lumen/llama/lib
SWIFT_FLAGS := -Xlinker -rpath -Xlinker $(LLAMA_LIB)
LUMEN := $(ROOT)/.build/debug/lumen
RELEASE_LUMEN := $(ROOT)/.build/release/lumen
RELEASE_BENCH := $(ROOT)/.build/release/lumen-bench

.PHONY: setup build release test serve bench format clean

setup:
	@bash scripts/setup.sh

build: setup
	swift build --product lumen $(SWIFT_FLAGS)

release: setup
	swift build -c release --product lumen $(SWIFT_FLAGS)

test: setup
	@bash scripts/setup.sh --test-tools
	swift build --build-tests $(SWIFT_FLAGS)
	LUMEN_BIN=$(LUMEN) LUMEN_VENV=$(ROOT)/.venv swift test --skip-build $(SWIFT_FLAGS)

serve: release
	$(RELEASE_LUMEN) serve $(ARGS)

# All benchmarks, each next to its peer in the same run (release build). They live in their own
# executable, lumen-bench (Benchmarks/), which runs the release `lumen` next to it.
bench: release
	@bash scripts/setup.sh --bench-tools
	@bash scripts/setup.sh --test-tools
	swift build -c release --product lumen-bench $(SWIFT_FLAGS)
	LUMEN_VENV=$(ROOT)/.venv-bench $(RELEASE_BENCH) decision
	LUMEN_VENV=$(ROOT)/.venv $(RELEASE_BENCH) redaction
	LUMEN_VENV=$(ROOT)/.venv $(RELEASE_BENCH) first-token
	LUMEN_VENV=$(ROOT)/.venv $(RELEASE_BENCH) local --threads 2
	LUMEN_VENV=$(ROOT)/.venv LUMEN_BENCH_VENV=$(ROOT)/.venv-bench $(RELEASE_BENCH) proxy

# The code follows .swift-format (swift format from the toolchain); generated files (the trained
# models' Swift tables, the word list) are left as their generators write them.
GENERATED := %+BuiltIn.swift %/EnglishWords.swift
format:
	swift format -i -p $(filter-out $(GENERATED),$(shell git ls-files 'Sources/*.swift' 'Tests/*.swift' 'Benchmarks/*.swift'))

clean:
	rm -rf .build
