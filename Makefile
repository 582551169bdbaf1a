# The front door. `make run` and `make test` set up whatever is missing first.
BUILD      ?= build
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
JOBS       ?= $(shell nproc)
DATA       ?= var/data
KEYS       ?= var/keys
CMAKE_FLAGS ?=
TSA_BUILD    ?= build-tsa
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 10
FUZZ_TARGETS ?= fuzz_entry_decoder fuzz_proof_verifier fuzz_export_reader

.PHONY: all setup build run test test-asan test-tsan check-thread-safety lint bench fuzz fuzz-smoke clean

all: build

setup:
	@scripts/setup.sh

$(BUILD)/build.ninja: | setup
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)

build: setup $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

run: build
	$(BUILD)/bin/auditorium serve --data $(DATA) --keys $(KEYS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 900

# clang-format, clang-tidy and the file and function size limits (scripts/lint.sh, docs/style.md
# "Lint"). Needs only a configured $(BUILD) and the generated flatbuffers headers, not a build.
# LINT_BASE=<git ref> runs clang-tidy only on the sources changed since that ref.
LINT_BASE ?=
lint: setup $(BUILD)/build.ninja
	BUILD=$(BUILD) JOBS=$(JOBS) LINT_BASE=$(LINT_BASE) scripts/lint.sh

# Clang's thread-safety analysis (-Wthread-safety as errors) over the libraries and the programs:
# every AUD_GUARDED_BY member touched without its mutex fails the build (docs/style.md, "Locks").
TSA_TARGETS ?= aud_base aud_domain aud_eventstore aud_projections aud_commands auditorium
$(TSA_BUILD)/build.ninja: | setup
	CC=clang-14 CXX=clang++-14 cmake -S . -B $(TSA_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=ThreadSafety -DBUILD_TESTING=OFF $(CMAKE_FLAGS)

check-thread-safety: setup $(TSA_BUILD)/build.ninja
	cmake --build $(TSA_BUILD) -j $(JOBS) --target $(TSA_TARGETS)

$(ASAN_BUILD)/build.ninja: | setup
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Asan $(CMAKE_FLAGS)

# Unit tests and the named integration subset under ASan+UBSan (never browser or media end-to-end).
ASAN_TESTS ?= base_tests|domain_tests|commands_tests|projections_tests|eventstore_tests|tools_tests
test-asan: setup $(ASAN_BUILD)/build.ninja
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS) --timeout 1800 -L '$(ASAN_TESTS)'

$(TSAN_BUILD)/build.ninja: | setup
	CC=clang-14 CXX=clang++-14 cmake -S . -B $(TSAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Tsan $(CMAKE_FLAGS)

# The store-side tests under ThreadSanitizer (clang 14, with -Wthread-safety as errors too).
# Suppressed: only frames inside Debian's uninstrumented libraries (tests/tsan.supp says why).
# Excluded (TSAN_EXCLUDE), for time only: the crash test (20 instrumented child processes, each
# SIGKILLed) and the two power-cut tests (four writers append until a random cut, one of them
# megabyte batches past a 64 MiB memtable): long under Tsan, whose slowdown is 5-15x; they
# run in `make test` and `make test-asan`.
TSAN_TESTS ?= eventstore_tests|projections_tests|commands_tests|tools_tests
TSAN_EXCLUDE ?= SIGKILLs at random moments|after a power cut every acknowledged append survives
test-tsan: setup $(TSAN_BUILD)/build.ninja
	cmake --build $(TSAN_BUILD) -j $(JOBS)
	cd $(TSAN_BUILD) && \
	  TSAN_OPTIONS="suppressions=$(CURDIR)/tests/tsan.supp halt_on_error=1 second_deadlock_stack=1" \
	  ctest --output-on-failure -j $(JOBS) --timeout 1800 -L '$(TSAN_TESTS)' -E '$(TSAN_EXCLUDE)'

bench: build
	scripts/bench.sh $(BUILD)/bin/auditorium-bench

# libFuzzer targets (tests/fuzz/, a standalone clang project without RocksDB). Each runs for
# $(FUZZ_SECONDS) s on a scratch copy of its seed corpus; any crash fails the target, and its
# reproducer is kept under fuzz-out/<target>/.
$(FUZZ_BUILD)/build.ninja: | setup
	CC=clang-14 CXX=clang++-14 cmake -S tests/fuzz -B $(FUZZ_BUILD) -G Ninja

fuzz: setup $(FUZZ_BUILD)/build.ninja
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	scripts/fuzz.sh $(FUZZ_BUILD)/bin $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# For CI: the same, briefly.
fuzz-smoke: FUZZ_SECONDS = $(FUZZ_SMOKE_SECONDS)
fuzz-smoke: fuzz

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD) $(FUZZ_BUILD)
