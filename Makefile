# Vigie: one non-recursive Makefile.
#   make            release build of build/rel/vigie
#   make check      install what is missing, build with ASan+UBSan, run every test
#   make demo       install, build, load the demo portfolio into demo/vigie.db and print its reports
#   make bench      benchmarks (figures, no assertions)
#   make SANITIZE=1 build the sanitized variant into build/san
CC      ?= cc
PKGS    := sqlite3 libpq jansson yaml-0.1 libsodium
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla
CSTD    := -std=c17 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L
INCS    := -Isrc
ifeq ($(SANITIZE),1)
  VARIANT := san
  OPT     := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
else
  VARIANT := rel
  OPT     := -O2 -g
endif
B       := build/$(VARIANT)
CFLAGS_ALL := $(CSTD) $(WARN) $(OPT) $(INCS) $(PKG_CFLAGS) $(CFLAGS)
LDFLAGS_ALL := $(OPT) $(LDFLAGS)
LIBS    := $(PKG_LIBS) -lpthread -lm

LIB_SRC  := $(wildcard src/core/*.c src/io/*.c src/store/*.c src/engine/*.c src/cli/*.c)
LIB_SRC  := $(filter-out src/cli/vigie.c,$(LIB_SRC))
LIB_OBJ  := $(LIB_SRC:%.c=$(B)/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
BENCH_SRC := $(wildcard bench/*.c)
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(B)/bench/%)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)

.PHONY: all deps check demo bench clean fuzz format compdb tests
all: $(B)/vigie

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(B)/libvigie.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/vigie: $(B)/src/cli/vigie.o $(B)/libvigie.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS)

$(B)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(B)/libvigie.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Itests/unit -o $@ $< $(B)/libvigie.a $(LIBS)

$(B)/bench/%: bench/%.c $(B)/libvigie.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(B)/libvigie.a $(LIBS)

tests: $(B)/vigie $(UNIT_BIN)

deps:
	@sh scripts/deps.sh

# The whole test suite runs on the sanitized build.
check: deps
	$(MAKE) SANITIZE=1 tests
	@sh scripts/run-tests.sh build/san

demo: deps
	$(MAKE) all
	@sh scripts/demo.sh build/rel/vigie

bench: deps
	$(MAKE) all $(BENCH_BIN)
	@sh bench/run.sh build/rel
	@sh bench/score.sh build/rel
	@sh bench/run_day.sh build/rel

# libFuzzer targets (clang); not part of check, run by hand: make fuzz && build/fuzz/fuzz_csv -max_total_time=60
fuzz:
	@mkdir -p build/fuzz
	for f in $(FUZZ_SRC); do \
	  clang $(CSTD) $(INCS) $(PKG_CFLAGS) -g -O1 -fsanitize=fuzzer,address,undefined -o build/fuzz/$$(basename $$f .c) $$f \
	    $(filter-out src/cli/%,$(LIB_SRC)) $(PKG_LIBS) -lpthread -lm || exit 1; done

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

compdb:
	bear -- $(MAKE) -B all

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(B)/src/cli/vigie.d
