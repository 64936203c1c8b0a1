# Ward: the README's two commands (`make run`, `make test`) and the targets behind them.
# Everything is CMake underneath; this file only orders the steps.

BUILD      ?= build
FUZZ_BUILD ?= build-fuzz
BENCH_BUILD?= build-rel
CMAKE_GEN  ?= -G Ninja
CTEST_JOBS ?= 2
FUZZ_SECONDS ?= 5

.PHONY: all deps configure build test unit run fuzz-smoke format format-check clean

all: build

deps:
	@bash cmake/deps.sh

configure: deps
	@cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug >/dev/null

build: configure
	@cmake --build $(BUILD)

# Every test: format check, fuzz smoke run, then the whole CTest suite (its summary ends the run).
test: build format-check fuzz-smoke
	@cd $(BUILD) && ctest --output-on-failure --no-tests=error -j$(CTEST_JOBS) --timeout 600

# Only the host unit tests, for a quick loop while editing.
unit: build
	@cd $(BUILD) && ctest --output-on-failure --no-tests=error -j$(CTEST_JOBS) -L unit

# Boots Ward with its domains in QEMU (serial console on this terminal).
run: build
	@cmake --build $(BUILD) --target ward-run

# Every libFuzzer target for FUZZ_SECONDS each, built with clang in its own tree.
fuzz-smoke: deps
	@CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug \
	    -DWARD_FUZZ=ON -DWARD_FUZZ_SECONDS=$(FUZZ_SECONDS) >/dev/null
	@cmake --build $(FUZZ_BUILD) --target ward_fuzz_all
	@cd $(FUZZ_BUILD) && ctest --output-on-failure --no-tests=error -L fuzz

# Benchmarks run from an optimised tree without sanitizers: `make bench-hv`, `make bench-store`...
bench-%: deps
	@cmake -S . -B $(BENCH_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Release -DWARD_SANITIZE=OFF >/dev/null
	@cmake --build $(BENCH_BUILD) --target $@

format:
	@bash cmake/format-check.sh --fix

format-check: deps
	@bash cmake/format-check.sh

clean:
	rm -rf $(BUILD) $(FUZZ_BUILD) $(BENCH_BUILD)
