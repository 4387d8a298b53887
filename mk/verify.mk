# Machine-checked proofs and models (verification/README.md): Frama-C WP proves the
# ACSL contracts in core/ with z3 and cvc4; Spin checks the ring, event-channel and
# grant protocols, and that each model's broken twin fails. Part of `make test`.
.PHONY: verify
verify:
	@scripts/deps.sh verify
	@verification/run.sh
