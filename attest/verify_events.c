/*
 * Every event of a replayed log against the golden manifest, in order. Each log event
 * is matched with the next expected one by (PCR, type, data); an event the manifest
 * has elsewhere is "out of order", one it does not have is "not in the manifest", and
 * expected events never seen are "missing". Digests are compared in every bank the
 * log carries. Each difference names the component (the manifest's "what").
 */
#include "tool.h"
#include "eventlog.h"
#include <string.h>
#include <tessera/measure.h>

static const uint8_t zero_separator[TCG_SEPARATOR_SIZE];

static bool same_key(const struct eventlog_event *ev, const struct man_event *e)
{
	const void *data = e->type == TCG_EV_SEPARATOR ? (const void *)zero_separator : e->data;
	size_t len = e->type == TCG_EV_SEPARATOR ? TCG_SEPARATOR_SIZE : strlen(e->data);
	return ev->pcr == e->pcr && ev->type == e->type && ev->data_size == len &&
	       !memcmp(ev->data, data, len);
}

/* The event as the log has it, for messages: "EV_IPL at PCR 13, data 'tessera:...'". */
static void describe(char *out, size_t n, const struct eventlog_event *ev)
{
	const char *type = eventlog_type_name(ev->type);
	size_t k = 0;
	char data[72];
	for (uint32_t i = 0; i < ev->data_size && k + 5 < sizeof(data); i++) {
		uint8_t c = ev->data[i];
		bool plain = c >= 0x20 && c < 0x7f && c != '\'';
		k += (size_t)snprintf(data + k, sizeof(data) - k, plain ? "%c" : "\\x%02x", c);
	}
	data[k] = 0;
	snprintf(out, n, "%s at PCR %u, data '%s%s'", type ? type : "?", ev->pcr, data,
		 k + 5 >= sizeof(data) ? "..." : "");
}

/* Digest differences of a matched event: one line per bank that differs (SHA-256 first). */
static void compare_digests(const struct eventlog *l, const struct eventlog_event *ev,
			    const struct man_event *e, struct att_report *r)
{
	static const int order[MAN_BANKS] = { 1, 0, 2, 3 };
	for (int i = 0; i < MAN_BANKS; i++) {
		int b = order[i];
		const uint8_t *got = eventlog_digest(l, ev, man_alg[b]);
		unsigned size = eventlog_alg_size(man_alg[b]);
		char hg[129], he[129];
		if (!got || !memcmp(got, e->digest[b], size))
			continue;
		att_hex(hg, got, size);
		att_hex(he, e->digest[b], size);
		att_diff(r, ev->index, "digest", "%s differs: %s %s, expected %s", e->what,
			 eventlog_alg_name(man_alg[b]), hg, he);
		return; /* one bank is enough to name the component */
	}
}

static void note_boot_path(const struct eventlog_event *ev, struct att_report *r)
{
	size_t k = strlen(TESSERA_EV_BOOT_PATH);
	if (ev->type != TCG_EV_ACTION || ev->data_size <= k || ev->data_size - k >= sizeof(r->boot_path) ||
	    memcmp(ev->data, TESSERA_EV_BOOT_PATH, k))
		return;
	memcpy(r->boot_path, ev->data + k, ev->data_size - k);
	r->boot_path[ev->data_size - k] = 0;
	for (char *p = r->boot_path; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			*p = '?';
}

static int check_pcrs(const struct manifest *m, const struct eventlog *l, struct att_report *r)
{
	for (int b = 0; b < MAN_BANKS; b++)
		for (unsigned i = 0; i < TCG_PCR_COUNT; i++) {
			const uint8_t *v = eventlog_pcr(l, man_alg[b], i);
			unsigned size = eventlog_alg_size(man_alg[b]);
			char hv[129], hm[129];
			if (!v || !(m->pcr_set & (1u << i)) || (m->external & (1u << i)) ||
			    !memcmp(v, m->pcr[b][i], size))
				continue;
			att_hex(hv, v, size);
			att_hex(hm, m->pcr[b][i], size);
			att_diff(r, 0, "pcr", "%s PCR %u replays to %s, the manifest expects %s",
				 eventlog_alg_name(man_alg[b]), i, hv, hm);
		}
	return r->ndiffs ? att_fail(r, ATT_MEASUREMENT, "the log's PCR values differ from the manifest's")
			 : 0;
}

int verify_events(const struct manifest *m, const void *log, size_t len, struct att_report *r)
{
	static struct eventlog l;
	struct eventlog_event ev = { 0 };
	bool used[MAN_MAX_EVENTS] = { false };
	unsigned next = 0;
	char d[160];

	if (eventlog_parse(&l, log, len, EVENTLOG_CORE))
		return att_fail(r, ATT_LOG, "%s", l.error);
	while (eventlog_next(&l, &ev)) {
		unsigned k;
		note_boot_path(&ev, r);
		while (next < m->nevents && used[next])
			next++;
		if (next < m->nevents && same_key(&ev, &m->ev[next])) {
			used[next] = true;
			compare_digests(&l, &ev, &m->ev[next], r);
		} else {
			for (k = 0; k < m->nevents && (used[k] || !same_key(&ev, &m->ev[k])); k++)
				;
			describe(d, sizeof(d), &ev);
			if (k == m->nevents) {
				att_diff(r, ev.index, "extra", "event %u (%s) is not in the manifest",
					 ev.index, d);
			} else {
				used[k] = true;
				att_diff(r, ev.index, "order", "event %u is the %s, expected the %s there "
					 "(events out of order)", ev.index, m->ev[k].what,
					 next < m->nevents ? m->ev[next].what : "end of the log");
				compare_digests(&l, &ev, &m->ev[k], r);
			}
		}
	}
	for (unsigned k = 0; k < m->nevents; k++)
		if (!used[k])
			att_diff(r, 0, "missing", "the log has no event for the %s", m->ev[k].what);
	r->events = l.events;
	r->have_log = true;
	if (r->ndiffs)
		return att_fail(r, ATT_MEASUREMENT, "%s%s", r->diff[0].text,
				r->ndiffs + r->dropped > 1 ? " (and more, below)" : "");
	return check_pcrs(m, &l, r);
}
