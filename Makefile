# The two commands: `make run` and `make test`. Both install missing Debian packages first.
BUILD_DIR ?= build/release
JOBS ?= 2
ARGS ?=

.PHONY: all deps configure build run test bench format clean

all: build

deps:
	@scripts/install-deps

configure: deps
	@test -f $(BUILD_DIR)/build.ninja || cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	@$(BUILD_DIR)/tektra serve $(ARGS)

test: build
	@scripts/run-tests $(BUILD_DIR)

bench: build
	@$(BUILD_DIR)/tektra bench voice

format:
	@find src tests bench -name '*.cpp' -o -name '*.h' | xargs clang-format -i

clean:
	@rm -rf build
