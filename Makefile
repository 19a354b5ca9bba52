# A thin wrapper over Meson: the real build lives in meson.build.
BUILD ?= build
ASAN_BUILD ?= build-asan
PYTHON ?= /usr/bin/python3

.PHONY: all deps check check-v2 unit integration asan fuzz bench format demo clean

all: $(BUILD)/build.ninja
	ninja -C $(BUILD)

$(BUILD)/build.ninja:
	meson setup $(BUILD)

deps:
	scripts/install-deps

unit: all
	meson test -C $(BUILD) --print-errorlogs

integration: all
	scripts/run-integration-tests $(BUILD)/src/cli/airlock

# Everything CI runs: unit tests, the same under ASan+UBSan, fuzzers, integration tests as root
# and as an ordinary user on this host's cgroup hierarchy, and the limits tests again in a VM on
# a pure cgroup v2 hierarchy.
check: unit asan fuzz integration check-v2 demo

check-v2: all
	tests/vm/run-v2.sh $(BUILD)/src/cli/airlock

asan: $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)
	meson test -C $(ASAN_BUILD) --print-errorlogs

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) -Db_sanitize=address,undefined -Db_lundef=false

# Short libFuzzer runs of every parser (clang); FUZZ_SECONDS per target.
fuzz:
	scripts/run-fuzzers

bench: all
	bench/run.sh $(BUILD)/src/cli/airlock

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

demo: all
	examples/demo.sh $(BUILD)/src/cli/airlock

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
