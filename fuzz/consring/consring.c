/*
 * The console domain's reading of a client's ring (driver-domains/console/lines.c):
 * the input is the ring page (its prod and the console's cons come from it, as a
 * hostile client could set both). Every byte in [cons, prod) comes out exactly
 * once, in order, newlines ending lines and no line longer than CONSIF_LINE_MAX;
 * an out-of-range prod reads nothing.
 */
#include "../../driver-domains/console/lines.h"
#include <stdlib.h>
#include <string.h>

struct sink {
	char out[2 * CONSIF_BUF_SIZE];
	uint32_t n;
};

static void flush(struct cons_line *l, void *ctx)
{
	struct sink *s = ctx;
	if (l->len > CONSIF_LINE_MAX || s->n + l->len + 1 > sizeof(s->out))
		abort();
	memcpy(s->out + s->n, l->buf, l->len);
	s->n += l->len;
	s->out[s->n++] = '\n';
	l->len = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sink s;
	struct consif_ring *ring = calloc(1, sizeof(*ring));
	struct cons_line line = { .flush = flush, .ctx = &s };
	uint32_t cons, start, prod;
	int rc;
	if (!ring)
		abort();
	memcpy(ring, data, size < sizeof(*ring) ? size : sizeof(*ring));
	prod = ring->prod;
	start = cons = ring->cons;
	s.n = 0;
	rc = cons_take(ring, prod, &cons, &line);
	if (rc < 0) {
		if (prod - start <= CONSIF_BUF_SIZE || cons != start || s.n || line.len)
			abort();
	} else {
		/* What came out, lines then the open line, is the ring's bytes with breaks added. */
		uint32_t k = 0, pending = 0;
		if (cons != prod || rc != (prod != start))
			abort();
		for (uint32_t i = start; i != prod; i++) {
			char ch = ring->buf[i % CONSIF_BUF_SIZE];
			if (ch == '\n') {
				if (k + pending >= s.n || s.out[k + pending] != '\n')
					abort();
				k += pending + 1;
				pending = 0;
				continue;
			}
			if (pending == CONSIF_LINE_MAX) {
				if (s.out[k + pending] != '\n')
					abort();
				k += pending + 1;
				pending = 0;
			}
			if ((k + pending < s.n ? s.out[k + pending] : line.buf[pending]) != ch)
				abort();
			pending++;
		}
		if (k != s.n || line.len != pending)
			abort();
	}
	free(ring);
	return 0;
}
