# The static release binary is built for the explicit target so that
# crt-static reaches the binary and not the build scripts.
TARGET   := x86_64-unknown-linux-gnu
RELEASE  := target/$(TARGET)/release/runr
STATIC   := RUSTFLAGS="-C target-feature=+crt-static"

.PHONY: build test demo bench fuzz clean

build:
	$(STATIC) cargo build --release --target $(TARGET)
	@ls -l $(RELEASE)

test:
	cargo test

demo: build
	./units/demo.sh $(RELEASE)

bench: build
	cargo bench

fuzz:
	./fuzz/run.sh

clean:
	cargo clean
