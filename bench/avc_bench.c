/*
 * Host benchmark of the core's access check: policy_allowed() from core/policy.c,
 * the very code the core runs on every hypercall (core/avc.c), linked into a
 * host program.
 *
 *   avc-bench [-n ITERATIONS] POLICY.tpb ...
 *
 * Each compiled policy is validated with policy_load() (as the core does at
 * boot), then timed with two query sets of (source, target, class) triples,
 * half hits (entries the table holds) and half misses (triples it does not),
 * interleaved in a pseudo-random order (fixed seed: every run asks the same):
 *
 *   hot     8 triples asked over and over: the table lines they touch stay in
 *           the cache and the branch predictor learns the pattern, as for a
 *           domain that makes the same few hypercalls. The lookup's own cost:
 *           hash, at most probe + 1 slot reads, compare.
 *   spread  65536 triples over the whole table (every entry of a small policy,
 *           a random subset of a big one's): nothing for the branch predictor
 *           to learn (hit or miss, how far to probe), and a big table does not
 *           fit in the caches, so this adds mispredictions and cache misses.
 *           The pessimistic case.
 *
 * Each query's position in its set depends on the previous answer (through a
 * bit that is always 0, which the compiler cannot know), so the lookups run one
 * after another, not overlapped: the time is the latency of one check, as in
 * a hypercall. Every answer goes into a volatile sink, and policy_allowed()
 * lives in another translation unit, so no lookup can be optimised away. The
 * answers are checked against the table before timing. Each set is timed
 * three times (CLOCK_MONOTONIC) after a warm-up pass a tenth as long; the best
 * counts.
 *
 * Output, one line per policy after a '#' header:
 *   file bytes types slots used probe hot_ns spread_ns
 * where probe is the header's bound: a lookup reads at most probe + 1 slots.
 */
#define _POSIX_C_SOURCE 200809L
#include <core/policy.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SPREAD 65536u /* a power of two */
#define HOT 8u        /* a power of two */
#define REPS 3

static volatile uint32_t sink;

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint64_t next_random(void) /* xorshift64* */
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1du;
}

static uint32_t below(uint32_t n)
{
	return (uint32_t)((next_random() >> 32) % n);
}

struct query {
	uint16_t source, target, cls, hit;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* n queries of p (even), exactly half hits and half misses, in a random order. */
static void make_queries(const struct policy *p, struct query *q, uint32_t n)
{
	uint32_t used = 0, *slots = malloc(sizeof(*slots) * (p->avmask + 1));
	if (!slots) {
		perror("avc-bench");
		exit(1);
	}
	for (uint32_t i = 0; i <= p->avmask; i++)
		if (p->avtab[i].flags)
			slots[used++] = i;
	if (!used) {
		fprintf(stderr, "avc-bench: the policy has no entries\n");
		exit(1);
	}
	for (uint32_t h = 0; h < n / 2; h++) {
		/* Entries without repeats while any are left: a partial Fisher-Yates shuffle. */
		uint32_t k = h < used ? h + below(used - h) : below(used), slot = slots[k];
		const struct tpol_av *e = &p->avtab[slot];
		if (h < used) {
			slots[k] = slots[h];
			slots[h] = slot;
		}
		q[h] = (struct query){ e->source, e->target, e->cls, 1 };
	}
	free(slots);
	for (uint32_t i = n / 2; i < n; i++)
		for (;;) { /* a triple of existing types and a real class that no entry holds */
			uint32_t s = below(p->ntypes), t = below(p->ntypes), c = below(TESSERA_CLASS_COUNT);
			if (!policy_allowed(p, s, t, c)) {
				q[i] = (struct query){ (uint16_t)s, (uint16_t)t, (uint16_t)c, 0 };
				break;
			}
		}
	for (uint32_t i = n - 1; i > 0; i--) { /* hits and misses interleaved at random */
		uint32_t k = below(i + 1);
		struct query tmp = q[k];
		q[k] = q[i];
		q[i] = tmp;
	}
	for (uint32_t i = 0; i < n; i++)
		if (!policy_allowed(p, q[i].source, q[i].target, q[i].cls) != !q[i].hit) {
			fprintf(stderr, "avc-bench: query %u answered wrongly\n", i);
			exit(1);
		}
}

/* Best ns per check over REPS timed runs of iters dependent lookups. */
static double time_queries(const struct policy *p, const struct query *q, uint32_t mask,
			   uint64_t iters)
{
	double best = 0;
	for (int rep = -1; rep < REPS; rep++) { /* rep -1: warm-up */
		uint32_t i = 0;
		uint64_t n = rep < 0 ? iters / 10 + 1 : iters;
		double t0 = now();
		for (uint64_t k = 0; k < n; k++) {
			uint32_t r = policy_allowed(p, q[i].source, q[i].target, q[i].cls);
			sink = sink + r;
			i = (i + 1 + (r >> 31)) & mask; /* r >> 31 is 0, but only at run time */
		}
		double ns = (now() - t0) * 1e9 / (double)n;
		if (rep >= 0 && (best == 0 || ns < best))
			best = ns;
	}
	return best;
}

static void *read_file(const char *path, uint64_t *size)
{
	FILE *f = fopen(path, "rb");
	void *buf = NULL;
	long n;
	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		goto fail;
	buf = malloc((size_t)n + 8); /* malloc aligns to at least 8, as policy_load needs */
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
		goto fail;
	fclose(f);
	*size = (uint64_t)n;
	return buf;
fail:
	fprintf(stderr, "avc-bench: %s: %s\n", path, errno ? strerror(errno) : "read error");
	if (f)
		fclose(f);
	free(buf);
	exit(1);
}

int main(int argc, char **argv)
{
	uint64_t iters = 20000000;
	int first = 1;
	static struct query spread[SPREAD], hot[HOT];
	if (argc > 2 && !strcmp(argv[1], "-n")) {
		char *end;
		iters = strtoull(argv[2], &end, 10);
		if (*end || !iters) {
			fprintf(stderr, "avc-bench: -n wants a positive number\n");
			return 2;
		}
		first = 3;
	}
	if (first >= argc) {
		fprintf(stderr, "usage: avc-bench [-n ITERATIONS] POLICY.tpb ...\n");
		return 2;
	}
	printf("# file bytes types slots used probe hot_ns spread_ns (%llu checks per timing)\n",
	       (unsigned long long)iters);
	for (int a = first; a < argc; a++) {
		struct policy p;
		const char *why = "";
		uint64_t size;
		void *buf = read_file(argv[a], &size);
		if (policy_load(&p, buf, size, &why)) {
			fprintf(stderr, "avc-bench: %s: refused: %s\n", argv[a], why);
			return 1;
		}
		rng = 0x9e3779b97f4a7c15u;
		make_queries(&p, hot, HOT);
		make_queries(&p, spread, SPREAD);
		double h = time_queries(&p, hot, HOT - 1, iters);
		double s = time_queries(&p, spread, SPREAD - 1, iters);
		printf("%s %llu %u %u %u %u %.2f %.2f\n", argv[a], (unsigned long long)size, p.ntypes,
		       p.hdr->avtab_slots, p.hdr->avtab_used, p.probe, h, s);
		fflush(stdout);
		free(buf);
	}
	return 0;
}
