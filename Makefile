# engage: PostgreSQL extension, built with PGXS.
#
#   make            build the extension (needs postgresql-server-dev-15, or PG_CONFIG=...)
#   make install    install it into the PostgreSQL found by pg_config
#   make installcheck  pg_regress (sql/, expected/) against a running server with engage
#                   installed (PGHOST, PGPORT, PGUSER as for psql); run it from this directory
#   make demo       install what is missing, build, run the demo on a throwaway cluster
#   make test       install what is missing, build, run pg_regress and test/ on a throwaway cluster
#   make test-pg18  the same against PostgreSQL 18, built once from source by test/pgbuild.sh
#   make bench      benchmarks (test/bench), not part of make test
#   make coverage   the coverage study of the Wald intervals (test/bench/coverage.sh), ~10 minutes
#
# PostgreSQL 15 to 18 are supported (src/core/pg_compat.h holds the differences). Every target takes
# PG_CONFIG=/path/to/bin/pg_config to use another installation than the pg_config on PATH
# (Debian's 15): make test PG_CONFIG=$(bash test/pgbuild.sh 18)

EXTENSION = engage
EXTVERSION = 0.2.0
MODULE_big = engage
# src/ by layer: core/ (argument checks, time, special functions, optimiser, exact sums),
# behaviour/ (summaries, scores, lifecycle, activity, funnels, sequences, NPS), models/ (fit
# samples, the buy-till-you-die models, spend, CLV, uncertainty, bootstrap, diagnostics); sql/ holds the
# install script's sections.
SRC_LAYERS = core behaviour models
OBJS = $(patsubst %.c,%.o,$(sort $(foreach d,$(SRC_LAYERS),$(wildcard src/$(d)/*.c))))

# The install script is assembled from its sections under src/sql/, in file-name order.
DATA_built = src/engage--$(EXTVERSION).sql
DATA = $(wildcard src/engage--*--*.sql)

REGRESS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))

PG_CPPFLAGS = $(foreach d,$(SRC_LAYERS),-Isrc/$(d))
# -Wno-sign-compare, -Wno-unused-parameter: PostgreSQL's own headers (15 to 18: array.h; bufpage.h
# and ilist.h, included by funcapi.h) compare signed with unsigned and leave parameters unused.
PG_CFLAGS = -Wall -Wextra -Werror -Wno-sign-compare -Wno-unused-parameter

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)

.DEFAULT_GOAL := all

ifneq ($(wildcard $(PGXS)),)
include $(PGXS)

# PGXS tracks no header dependencies: rebuild every object when any header changes (a struct
# layout change in a shared header must not leave stale objects behind).
$(OBJS): $(foreach d,$(SRC_LAYERS),$(wildcard src/$(d)/*.h))

# Nor does it notice a different PostgreSQL: src/.pg-build names the one the objects were built
# against (rewritten when PG_CONFIG points elsewhere), so switching rebuilds everything.
PG_BUILD_ID := $(shell $(PG_CONFIG) --version) $(PGXS)
ifneq ($(PG_BUILD_ID),$(shell cat src/.pg-build 2>/dev/null))
$(shell echo '$(PG_BUILD_ID)' > src/.pg-build)
endif
$(OBJS) $(OBJS:.o=.bc): src/.pg-build
EXTRA_CLEAN = src/.pg-build
else
# Without the server headers only the set-up targets below work; they install the headers first.
all install installcheck:
	@echo "no PGXS from $(PG_CONFIG): run 'make test' or 'make demo' (as root), or: apt-get install postgresql-server-dev-15, or give PG_CONFIG=/path/to/bin/pg_config" >&2
	@exit 1
endif

src/engage--$(EXTVERSION).sql: $(sort $(wildcard src/sql/*.sql))
	cat $^ > $@

.PHONY: deps demo test test-pg18 bench
deps:
	PG_CONFIG="$(PG_CONFIG)" bash test/deps.sh

demo: deps
	$(MAKE) all
	PG_CONFIG="$(PG_CONFIG)" bash test/demo.sh

test: deps
	$(MAKE) all
	PG_CONFIG="$(PG_CONFIG)" bash test/run.sh

# PostgreSQL 18 from Debian's source package, built into /var/tmp/engage-pg on first use.
test-pg18:
	$(MAKE) test PG_CONFIG="$$(bash test/pgbuild.sh 18)"

bench: deps
	$(MAKE) all
	PG_CONFIG="$(PG_CONFIG)" bash test/bench/run.sh

.PHONY: coverage
coverage: deps
	$(MAKE) all
	PG_CONFIG="$(PG_CONFIG)" bash test/bench/coverage.sh

.PHONY: valgrind
valgrind:
	PG_CONFIG="$(PG_CONFIG)" bash test/deps.sh valgrind
	$(MAKE) all
	PG_CONFIG="$(PG_CONFIG)" bash test/valgrind.sh

.PHONY: fuzz
fuzz: deps
	$(MAKE) all
	PG_CONFIG="$(PG_CONFIG)" FUZZ_SECONDS="$(FUZZ_SECONDS)" bash test/fuzz/run.sh

.PHONY: sanitize
sanitize: deps
	PG_CONFIG="$(PG_CONFIG)" bash test/sanitize.sh
