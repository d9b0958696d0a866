# latent: build, test, run. `make run` installs missing Debian packages first.
CC      ?= cc
OPT     ?= -O2
CFLAGS  ?= $(OPT) -g
CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter -pthread -Iinclude -fPIC
LDLIBS  += -llapacke -lopenblas -lcjson -lonig -lutf8proc -lpng -ljpeg -lwebp -lcairo -ldeflate -lz -lm -pthread
PREFIX  ?= /usr/local
B       ?= build
SRVLIBS := -lmicrohttpd

LIB_SRC := $(wildcard src/core/*.c src/kern/kern.c src/kern/kern_ref.c src/kern/gemm.c src/kern/blas.c src/io/*.c src/text/*.c src/sgns/*.c src/eval/*.c src/map/*.c src/classify/*.c src/index/*.c src/encoder/*.c src/graph/*.c src/dense/*.c src/glove/*.c src/nn/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(B)/%.o) $(B)/src/kern/kern_avx2.o $(B)/src/kern/kern_avx512.o $(B)/src/nn/vec_avx2.o $(B)/src/nn/vec_avx512.o
CLI_OBJ := $(patsubst %.c,$(B)/%.o,$(wildcard cli/*.c serve/*.c)) $(B)/serve/page.o
TESTS   := $(patsubst tests/%.c,$(B)/tests/%,$(filter-out tests/test.h,$(wildcard tests/test_*.c)))

SOVER   := 0
SONAME  := liblatent.so.$(SOVER)
PYTHON  ?= /usr/bin/python3
PYEXT   := $(shell $(PYTHON) -c "import sysconfig; print(sysconfig.get_config_var('EXT_SUFFIX'))" 2>/dev/null)
PYINC   := $(shell $(PYTHON) -c "import sysconfig; print(sysconfig.get_paths()['include'])" 2>/dev/null)

.PHONY: all lib test run install install-python python sanitize tsan fuzz bench bench-ann bench-bert bench-load bench-graph bench-dense bench-nn check-quality clean deps format
all: lib $(B)/latent $(B)/latent.bash
lib: $(B)/liblatent.a $(B)/$(SONAME)

$(B)/%.o: %.c $(wildcard include/latent/*.h) $(wildcard src/*/*.h) cli/cli.h serve/serve.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@
$(B)/src/kern/kern_avx2.o: src/kern/kern_avx2.c src/kern/kern_impl.h include/latent/kern.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fvect-cost-model=cheap -fno-math-errno -mavx2 -mfma -mf16c -c $< -o $@
$(B)/src/kern/kern_avx512.o: src/kern/kern_avx512.c src/kern/kern_impl.h include/latent/kern.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fvect-cost-model=cheap -fno-math-errno -mavx512f -mavx512bf16 -mfma -c $< -o $@
# the nn loops, three copies: baseline, AVX2+FMA, AVX-512+FMA (chosen at run time, vec_dispatch.c)
VECFL := -O3 -fno-math-errno -ffp-contract=fast -Wno-psabi
$(B)/src/nn/vec.o: src/nn/vec.c src/nn/nn_vec.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(VECFL) -c $< -o $@
$(B)/src/nn/vec_avx2.o: src/nn/vec.c src/nn/nn_vec.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(VECFL) -mavx2 -mfma -DVSUF=_avx2 -c $< -o $@
$(B)/src/nn/vec_avx512.o: src/nn/vec.c src/nn/nn_vec.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(VECFL) -mavx512f -mfma -DVSUF=_avx512 -c $< -o $@
$(B)/liblatent.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^
# the export map: exactly the functions include/latent/ declares (tests/symbols.sh checks it)
$(B)/latent.map: $(wildcard include/latent/*.h) tools/mkmap.sh
	@mkdir -p $(B)
	sh tools/mkmap.sh include/latent/*.h > $@
$(B)/$(SONAME): $(LIB_OBJ) $(B)/latent.map
	$(CC) $(CFLAGS) -shared -Wl,-soname,$(SONAME) -Wl,--version-script=$(B)/latent.map -o $@ $(LIB_OBJ) $(LDLIBS)
	@ln -sf $(SONAME) $(B)/liblatent.so
# The Python module, built in place under $(B)/python against the shared library (rpath to
# $(B) so the tests need no install); `make install-python` builds it again with pip.
python: $(B)/python/latent/_latent$(PYEXT)
$(B)/python/latent/_latent$(PYEXT): python/latent/_latent.c $(wildcard python/latent/*.py) $(B)/$(SONAME)
	@mkdir -p $(dir $@)
	cp python/latent/*.py $(B)/python/latent/
	$(CC) $(CFLAGS) -I$(PYINC) -shared -o $@ python/latent/_latent.c -L$(B) -l:$(SONAME) -Wl,-rpath,$(abspath $(B))
# the browser view's page and script, as C strings (serve/view.c serves them)
$(B)/serve/page.c: serve/page.html serve/view.js tools/cstring.sh
	@mkdir -p $(dir $@)
	{ sh tools/cstring.sh srv_page_html < serve/page.html; sh tools/cstring.sh srv_view_js < serve/view.js; } > $@.tmp && mv $@.tmp $@
$(B)/serve/page.o: $(B)/serve/page.c
	$(CC) $(CFLAGS) -c $< -o $@
$(B)/latent: $(CLI_OBJ) $(B)/liblatent.a
	$(CC) $(CFLAGS) -o $@ $(CLI_OBJ) $(B)/liblatent.a $(SRVLIBS) $(LDLIBS)
	@ln -sf $(B)/latent latent 2>/dev/null || true
# bash completion, generated from the binary's own --help (tools/mkcomplete.sh)
$(B)/latent.bash: $(B)/latent tools/mkcomplete.sh
	sh tools/mkcomplete.sh $(B)/latent > $@.tmp && mv $@.tmp $@
$(B)/tests/%: tests/%.c tests/test.h $(B)/liblatent.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests -o $@ $< $(B)/liblatent.a $(LDLIBS)

deps:
	@sh tools/setup.sh

# installs what the tests need first (Debian packages, the pinned PyPI oracles in build/venv):
# only what is missing, so a second run costs a few dpkg look-ups
test:
	@sh tools/setup.sh test
	@$(MAKE) --no-print-directory all $(TESTS) $(B)/tests/image_prep_check
	@[ "$(PYTHON)" = none ] || $(MAKE) --no-print-directory python >/dev/null 2>$(B)/python-build.err || \
	    echo "python module not built (see $(B)/python-build.err); its tests will be skipped or fail"
	@B=$(B) PYTHON=$(PYTHON) sh tests/run.sh $(TESTS)

run: deps all
	@sh tools/demo.sh $(B)/latent

# every test, the bad-input ones (tests/reliability.sh, cli_test.sh) included, under ASan+UBSan;
# the Python tests are skipped there (the interpreter is not built with ASan)
sanitize:
	LSAN_OPTIONS=suppressions=$(CURDIR)/tools/lsan.supp:print_suppressions=0 $(MAKE) B=build-asan PYTHON=none OPT="-O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	    LDLIBS="$(LDLIBS) -fsanitize=address,undefined" test

# ThreadSanitizer on the lock-based threaded code: HNSW concurrent insert + search, parallel
# build and batched search, threaded exact search; the nn trainer's barrier-synchronised shards. (The word2vec trainer is Hogwild by
# design, racy on purpose, and is not run under TSan.)
tsan:
	$(MAKE) B=build-tsan OPT="-O1 -fsanitize=thread" LDLIBS="$(LDLIBS) -fsanitize=thread" build-tsan/tests/test_index build-tsan/tests/test_nn
	TSAN_OPTIONS=halt_on_error=1 build-tsan/tests/test_index
	TSAN_OPTIONS=halt_on_error=1 build-tsan/tests/test_nn

# every tracked C file through .clang-format (clang-format from Debian)
format:
	git ls-files '*.c' '*.h' | xargs clang-format -i

fuzz:
	@sh fuzz/run.sh

bench: all
	@sh bench/bench_w2v.sh

bench-graph: all
	@sh bench/bench_graph.sh

bench-dense: all
	@sh bench/bench_dense.sh

bench-nn: all
	@sh bench/bench_nn.sh

bench-ann: all
	@sh bench/bench_ann.sh

bench-bert: all
	@sh bench/bench_encoders.sh

bench-load: all
	$(CC) $(CFLAGS) -o $(B)/bench_load bench/bench_load.c $(B)/liblatent.a $(LDLIBS)
	$(B)/bench_load 1000000 300 bench/out

check-quality: all
	@sh bench/quality.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/latent $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 $(B)/liblatent.a $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(B)/$(SONAME) $(DESTDIR)$(PREFIX)/lib/
	ln -sf $(SONAME) $(DESTDIR)$(PREFIX)/lib/liblatent.so
	install -m 644 include/latent/*.h $(DESTDIR)$(PREFIX)/include/latent/
	install -m 755 $(B)/latent $(DESTDIR)$(PREFIX)/bin/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|0.1.0|' -e 's|@LIBS@|-L$${libdir} -llatent|' tools/latent.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/latent.pc
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|0.1.0|' -e 's|@LIBS@|$${libdir}/liblatent.a|' -e 's|^Name: latent|Name: latent-static|' \
	    tools/latent.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/latent-static.pc
	@# the loader's cache, when installing into the system (a DESTDIR or a private prefix has none)
	@if [ -z "$(DESTDIR)" ] && [ -w /etc/ld.so.cache ] && command -v ldconfig > /dev/null; then ldconfig; fi
	install -d $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	sh tools/mkman.sh $(B)/latent > $(DESTDIR)$(PREFIX)/share/man/man1/latent.1
	install -m 644 $(B)/latent.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/latent

# The Python package, installed with pip (offline: --no-build-isolation, no index) against
# the installed library; LATENT_PREFIX tells setup.py where that is.
install-python: install
	LATENT_PREFIX=$(PREFIX) $(PYTHON) -m pip install --no-deps --no-build-isolation --no-index --break-system-packages ./python

clean:
	rm -rf build build-asan build-tsan build-fuzz latent
