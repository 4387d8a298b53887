/*
 * The verifier's event log parser (attest/eventlog.c): the first byte picks the
 * profile (core or firmware), the rest is the log. An accepted log must walk in
 * exactly as many events as it counted, each inside the log, with a digest per
 * bank, and replay to PCRs it reports for every bank it has.
 */
#include "eventlog.h"
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct eventlog l;
	struct eventlog_event ev;
	uint32_t n = 0;
	if (!size)
		return 0;
	if (eventlog_parse(&l, data + 1, size - 1, data[0] & 1 ? EVENTLOG_FIRMWARE : EVENTLOG_CORE)) {
		if (!l.error[0] || eventlog_next(&l, &ev))
			abort();
		return 0;
	}
	memset(&ev, 0, sizeof(ev));
	while (eventlog_next(&l, &ev)) {
		if (++n != ev.index || ev.pcr >= TCG_PCR_COUNT || ev.offset >= size - 1 ||
		    ev.data_size > size - 1 || ev.data < data + 1 || ev.data + ev.data_size > data + size)
			abort();
		for (unsigned b = 0; b < l.nbanks; b++)
			if (eventlog_digest(&l, &ev, l.bank[b].alg) != ev.digest[b] ||
			    ev.digest[b] + l.bank[b].size > ev.data)
				abort();
		(void)eventlog_type_name(ev.type);
	}
	if (n != l.events)
		abort();
	for (unsigned b = 0; b < l.nbanks; b++)
		for (unsigned p = 0; p < TCG_PCR_COUNT; p++)
			if (!eventlog_pcr(&l, l.bank[b].alg, p))
				abort();
	return 0;
}
