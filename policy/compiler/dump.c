/*
 * `dump`: a binary back to policy text. The binary is read through the
 * core's own validator (core/policy.c), so the tool accepts exactly what the
 * core would boot with; the text compiles back to the same bytes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <core/policy.h>
#include "compiler.h"

bool dump_open(const char *path, struct policy *p, char **buf)
{
	const char *why = NULL;
	size_t len;
	int rc = file_read(path, TPOL_SIZE_MAX, buf, &len);
	if (rc == -EFBIG) {
		diag_path_error(path, "larger than %u MiB", TPOL_SIZE_MAX >> 20);
		return false;
	}
	if (rc) {
		diag_path_error(path, "cannot read: %s", strerror(-rc));
		return false;
	}
	/* calloc's alignment is at least 8, as policy_load requires. */
	if (policy_load(p, *buf, len, &why)) {
		diag_path_error(path, "%s", why);
		free(*buf);
		*buf = NULL;
		return false;
	}
	return true;
}

static int dump_av_cmp(const void *a, const void *b)
{
	const struct tpol_av *x = *(const struct tpol_av *const *)a, *y = *(const struct tpol_av *const *)b;
	if (x->source != y->source)
		return x->source < y->source ? -1 : 1;
	if (x->target != y->target)
		return x->target < y->target ? -1 : 1;
	return x->cls < y->cls ? -1 : x->cls > y->cls;
}

int dump_main(const char *path)
{
	struct policy p;
	const struct tpol_av **av;
	char *buf, line[256];
	uint32_t n = 0;
	if (!dump_open(path, &p, &buf))
		return 1;
	/* The validator accepts any well-formed name; the language reserves its keywords. */
	for (uint32_t i = 0; i < p.ntypes; i++) {
		const char *name = policy_type_name(&p, i);
		if (vocab_keyword(name, strlen(name))) {
			diag_path_error(path, "type name '%s' is a keyword: the policy has no text form", name);
			free(buf);
			return 1;
		}
	}
	for (uint32_t i = 0; i < p.ntypes; i++) {
		printf("type %s;\n", policy_type_name(&p, i));
		if (policy_permissive(&p, i))
			printf("permissive %s;\n", policy_type_name(&p, i));
	}
	for (uint32_t i = 0; i < p.nlabels; i++) {
		const struct tpol_label *l = &p.labels[i];
		label_format(l, p.strings + l->name, policy_type_name(&p, l->type), line, sizeof(line));
		printf("%s\n", line);
	}
	av = mem_zalloc(((size_t)p.avmask + 1) * sizeof(*av));
	for (uint32_t i = 0; i <= p.avmask; i++)
		if (p.avtab[i].flags & TPOL_AV_USED)
			av[n++] = &p.avtab[i];
	if (n)
		qsort(av, n, sizeof(*av), dump_av_cmp);
	for (uint32_t i = 0; i < n; i++) {
		printf("allow %s %s:%s ", policy_type_name(&p, av[i]->source), policy_type_name(&p, av[i]->target),
		       vocab_class_name(av[i]->cls));
		vocab_print_perms(av[i]->cls, av[i]->allowed);
		printf(";\n");
	}
	free(av);
	free(buf);
	return 0;
}
