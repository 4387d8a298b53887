/* Reading a client's console ring: see lines.h. */
#include "lines.h"

int cons_take(const struct consif_ring *ring, uint32_t prod, uint32_t *cons, struct cons_line *l)
{
	if (prod - *cons > CONSIF_BUF_SIZE)
		return -1;
	if (prod == *cons)
		return 0;
	while (*cons != prod) {
		char ch = ring->buf[*cons % CONSIF_BUF_SIZE];
		(*cons)++;
		if (ch == '\n') {
			l->flush(l, l->ctx);
			continue;
		}
#ifdef FUZZ_PLANTED_BUG /* the line buffer overflows by one (fuzz/planted.sh) */
		if (l->len > CONSIF_LINE_MAX)
#else
		if (l->len == CONSIF_LINE_MAX)
#endif
			l->flush(l, l->ctx);
		l->buf[l->len++] = ch;
	}
	return 1;
}
