# The front door. `make run` and `make test` set up whatever is missing first.
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)
DATA       ?= var/data
KEYS       ?= var/keys
CMAKE_FLAGS ?=

.PHONY: all setup build run test test-asan bench fuzz clean

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

$(ASAN_BUILD)/build.ninja: | setup
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Asan $(CMAKE_FLAGS)

# Unit tests and the named integration subset under ASan+UBSan (never browser or media end-to-end).
ASAN_TESTS ?= base_tests|eventstore_tests|tools_tests
test-asan: setup $(ASAN_BUILD)/build.ninja
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS) --timeout 1800 -L '$(ASAN_TESTS)' -LE 'slow'

bench: build
	scripts/bench.sh $(BUILD)/bin/auditorium-bench

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
