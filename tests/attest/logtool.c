/*
 * Test helper for tests/attest/run.sh:
 *   logtool write OUT BANKS EVENT...   a log built by the core's own code (core/tlog.c)
 *       BANKS: comma-separated sha1,sha256,sha384,sha512
 *       EVENT: PCR:ipl:PAYLOAD-FILE:DATA, PCR:action:PAYLOAD-FILE:DATA or PCR:separator
 *   logtool dump LOG [core|firmware]   what attest/eventlog.c makes of a log, one fact
 *       a line, in the form run.sh also derives from tpm2_eventlog's YAML:
 *         event N pcr P type EV_X / digest ALG HEX / size N / string TEXT or hex HEX /
 *         pcr ALG INDEX HEX (the replayed value of every PCR an event extended)
 * Exit status: 0, 1 on a rejected log (message on stderr), 2 on a usage or I/O error.
 */
#include "eventlog.h"
#include <core/tlog.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_CAP (64 * 1024)

static int usage(void)
{
	fprintf(stderr, "usage: logtool write OUT BANKS EVENT... | logtool dump LOG [core|firmware]\n");
	return 2;
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0, got;
	if (!f)
		return NULL;
	do {
		if (n == cap) {
			uint8_t *more = realloc(buf, cap = cap * 2 + 4096);
			if (!more) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = more;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got);
	fclose(f);
	*len = n;
	return buf;
}

static int parse_banks(const char *s, uint32_t *banks)
{
	static const char *const names[HASH_ALGS] = { "sha1", "sha256", "sha384", "sha512" };
	char copy[64], *save = NULL;
	*banks = 0;
	if (strlen(s) >= sizeof(copy))
		return -1;
	strcpy(copy, s);
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		unsigned a = 0;
		while (a < HASH_ALGS && strcmp(t, names[a]))
			a++;
		if (a == HASH_ALGS)
			return -1;
		*banks |= 1u << a;
	}
	return 0;
}

static int add_event(struct tlog *l, char *spec)
{
	struct hash_digests d;
	char *save = NULL, *pcr = strtok_r(spec, ":", &save), *type = strtok_r(NULL, ":", &save);
	char *file = strtok_r(NULL, ":", &save), *data = strtok_r(NULL, "", &save);
	uint32_t t = 0;
	size_t plen = 0;
	int rc;

	if (!pcr || !type)
		return -1;
	if (!strcmp(type, "separator"))
		return tlog_separator(l, (uint32_t)strtoul(pcr, NULL, 10), &d);
	if (!strcmp(type, "ipl"))
		t = TCG_EV_IPL;
	else if (!strcmp(type, "action"))
		t = TCG_EV_ACTION;
	if (!t || !file || !data)
		return -1;
	uint8_t *payload = read_file(file, &plen);
	if (!payload)
		return -1;
	rc = tlog_measure(l, (uint32_t)strtoul(pcr, NULL, 10), t, payload, plen, data, strlen(data),
			  &d);
	free(payload);
	return rc;
}

static int write_log(int argc, char **argv)
{
	static uint8_t buf[LOG_CAP];
	struct tlog l;
	uint32_t banks;
	FILE *f;

	if (argc < 4 || parse_banks(argv[3], &banks) || tlog_init(&l, buf, sizeof(buf), banks))
		return usage();
	for (int i = 4; i < argc; i++)
		if (add_event(&l, argv[i])) {
			fprintf(stderr, "logtool: cannot log event '%s'\n", argv[i]);
			return 2;
		}
	f = fopen(argv[2], "wb");
	if (!f || fwrite(buf, 1, l.len, f) != l.len || fclose(f)) {
		fprintf(stderr, "logtool: cannot write %s\n", argv[2]);
		return 2;
	}
	return 0;
}

static void print_hex(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
}

static int printable(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] > 0x7e || p[i] == '\\' || p[i] == '\'')
			return 0;
	return 1;
}

static int dump_log(int argc, char **argv)
{
	static const uint16_t order[] = { TCG_ALG_SHA1, TCG_ALG_SHA256, TCG_ALG_SHA384,
					  TCG_ALG_SHA512 };
	static struct eventlog l;
	struct eventlog_event ev = { 0 };
	enum eventlog_profile p = EVENTLOG_CORE;
	size_t len;
	uint8_t *buf;
	int rc;

	if (argc == 4 && !strcmp(argv[3], "firmware"))
		p = EVENTLOG_FIRMWARE;
	else if (argc != 3 && !(argc == 4 && !strcmp(argv[3], "core")))
		return usage();
	buf = read_file(argv[2], &len);
	if (!buf) {
		fprintf(stderr, "logtool: cannot read %s\n", argv[2]);
		return 2;
	}
	rc = eventlog_parse(&l, buf, len, p);
	if (rc) {
		fprintf(stderr, "%s\n", l.error);
		free(buf);
		return 1;
	}
	while (eventlog_next(&l, &ev)) {
		const char *name = eventlog_type_name(ev.type);
		printf("event %u pcr %u type %s\n", ev.index, ev.pcr, name);
		for (unsigned b = 0; b < l.nbanks; b++) {
			printf("digest %s ", eventlog_alg_name(l.bank[b].alg));
			print_hex(ev.digest[b], l.bank[b].size);
			printf("\n");
		}
		printf("size %u\n", ev.data_size);
		if (!ev.data_size)
			continue;
		if (ev.type == TCG_EV_IPL && printable(ev.data, ev.data_size)) {
			printf("string %.*s\n", (int)ev.data_size, (const char *)ev.data);
		} else {
			printf("hex ");
			print_hex(ev.data, ev.data_size);
			printf("\n");
		}
	}
	/* Banks in the order tpm2_eventlog prints them; only PCRs an event extended. */
	for (size_t o = 0; o < sizeof(order) / sizeof(order[0]); o++)
		for (unsigned i = 0; i < TCG_PCR_COUNT; i++) {
			const uint8_t *v = eventlog_pcr(&l, order[o], i);
			if (!v || !(l.extended & (1u << i)))
				continue;
			printf("pcr %s %u ", eventlog_alg_name(order[o]), i);
			print_hex(v, eventlog_alg_size(order[o]));
			printf("\n");
		}
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "write"))
		return write_log(argc, argv);
	if (argc >= 2 && !strcmp(argv[1], "dump"))
		return dump_log(argc, argv);
	return usage();
}
