/*
 * For tests/policy/run.sh: write DIR/main.tpol (and the files it includes),
 * a policy whose access vectors all hash into the first HOMES slots of every
 * table size, so they form one cluster however large the table grows. The
 * compiler must give up on each size at once, not place the whole cluster.
 *   avclash DIR HOMES   prints the number of access vectors
 */
#include <stdio.h>
#include <stdlib.h>
#include <tessera/access.h>
#include <tessera/policy.h>

int main(int argc, char **argv)
{
	static const char *const cls[] = { "core", "domain", "event", "grant" };
	static const char *const perm[] = { "version", "getinfo", "send", "offer" };
	char name[4096];
	unsigned homes, n = 0, part = 0, lines = 0;
	FILE *main_f, *f = NULL;
	if (argc != 3 || (homes = (unsigned)strtoul(argv[2], NULL, 0)) == 0)
		return 2;
	snprintf(name, sizeof(name), "%s/main.tpol", argv[1]);
	if (!(main_f = fopen(name, "w")))
		return 1;
	/* Zero-padded names sort as their numbers: the type ids are the numbers. */
	for (unsigned t = 0; t < TPOL_TYPES_MAX; t++)
		fprintf(main_f, "type t%04u;\n", t);
	fprintf(main_f, "label core t0000;\n");
	for (unsigned s = 0; s < TPOL_TYPES_MAX; s++)
		for (unsigned t = 0; t < TPOL_TYPES_MAX; t++)
			for (unsigned c = 0; c < 4 && c < TESSERA_CLASS_COUNT; c++) {
				if ((tpol_av_hash(s, t, c) & (TPOL_AVTAB_SLOTS_MAX - 1)) >= homes)
					continue;
				if (!f || lines == 30000) {
					if (f)
						fclose(f);
					snprintf(name, sizeof(name), "%s/p%u.tpol", argv[1], part);
					if (!(f = fopen(name, "w")))
						return 1;
					fprintf(main_f, "include \"p%u.tpol\";\n", part++);
					lines = 0;
				}
				fprintf(f, "allow t%04u t%04u:%s %s;\n", s, t, cls[c], perm[c]);
				lines++;
				n++;
			}
	if (f)
		fclose(f);
	fclose(main_f);
	printf("%u\n", n);
	return 0;
}
