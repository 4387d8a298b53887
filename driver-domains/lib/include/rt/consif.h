/*
 * The console service (driver-domains/console): a client's lines reach the
 * serial port through the console domain over one shared page.
 *
 * Bootstrap: the client offers its ring page (writable) to the domain named
 * CONSIF_SERVER, opens a port for it, and publishes both with console_publish;
 * the console domain finds them with domain_info (it is signalled on every
 * publication), binds, maps, and prints each line as "[name] line" under the
 * name the core gives the client, so no client can speak for another.
 *
 * The ring: bytes [cons, prod) of buf (indexes run free, modulo
 * CONSIF_BUF_SIZE) are written and not yet printed. Only the client writes prod
 * and buf, only the server writes cons. The client signals its port after
 * writing; the server signals back after consuming. A server that finds
 * prod - cons > CONSIF_BUF_SIZE drops the client. The page outlives a server:
 * a console domain made again maps it and goes on from cons.
 */
#ifndef RT_CONSIF_H
#define RT_CONSIF_H
#include <stdint.h>

#define CONSIF_SERVER "console"
#define CONSIF_BUF_SIZE 4032u
/* Longer lines are printed in pieces of this many bytes. */
#define CONSIF_LINE_MAX 200u

struct consif_ring {
	uint32_t prod;
	uint32_t cons;
	uint32_t reserved[14];
	char buf[CONSIF_BUF_SIZE];
};
_Static_assert(sizeof(struct consif_ring) == 4096, "one page");
#endif
