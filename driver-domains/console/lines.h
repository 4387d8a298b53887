/* The console domain's reading of a client's ring (pure: fuzz/consring runs it on the host). */
#ifndef CONSOLE_LINES_H
#define CONSOLE_LINES_H
#include <rt/consif.h>

/* A client's line being assembled, and what prints a finished one. */
struct cons_line {
	char buf[CONSIF_LINE_MAX];
	uint32_t len;
	void (*flush)(struct cons_line *l, void *ctx); /* prints buf[0, len), then len = 0 */
	void *ctx;
};

/*
 * Bytes [*cons, prod) of ring's buffer into l, a line (ended by '\n', or
 * CONSIF_LINE_MAX long) at a time; *cons moves to prod. -1 without reading
 * anything if prod - *cons exceeds the buffer (the client broke the ring), else
 * 1 if there were bytes and 0 if not.
 */
int cons_take(const struct consif_ring *ring, uint32_t prod, uint32_t *cons, struct cons_line *l);
#endif
