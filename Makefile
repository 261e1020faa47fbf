bench:
	scripts/bench

test:
	scripts/test

serve:
	scripts/serve

.PHONY: bench test serve
