# Provisio's make targets. `make test` is the one test command; .ci/run
# calls it after starting PostgreSQL and setting PROVISIO_TEST_POSTGRES_URL.
GO ?= go
PKGS := ./...

.PHONY: test lint bench build refresh-disposable

test:
	$(GO) vet $(PKGS)
	$(GO) test -count=1 $(PKGS)

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1; }
	$(GO) vet $(PKGS)
	@if $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.6.1 -version >/dev/null 2>&1; then \
		$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.6.1 $(PKGS); \
	else echo "staticcheck unavailable from the module proxy; skipped"; fi

# Benchmarks are kept out of the default test run.
bench:
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

build:
	$(GO) build -o provisio ./cmd/provisio

# Refresh the embedded disposable-domain list (R-USER-2) from npm.
DISPOSABLE_VERSION ?= 1.26.0
refresh-disposable:
	cd $$(mktemp -d) && npm pack disposable-email-domains-js@$(DISPOSABLE_VERSION) >/dev/null && \
		tar xzf disposable-email-domains-js-$(DISPOSABLE_VERSION).tgz && \
		cp package/dist/dict/disposable_email_blocklist.json $(CURDIR)/internal/domain/data/
	@echo "updated internal/domain/data/disposable_email_blocklist.json; rebuild to embed it"
