/*
 * The vocabulary: class and permission names from tessera/access.def, hypercall
 * names from hypercall.def (only its first two fields, which do not change).
 */
#include <stdio.h>
#include <string.h>
#include "compiler.h"

static const char *const vocab_classes[] = {
#define ACCESS_CLASS(cls, doc) #cls,
#define ACCESS_PERM(cls, perm, doc)
#include <tessera/access.def>
#undef ACCESS_CLASS
#undef ACCESS_PERM
};

struct vocab_perm_entry {
	uint32_t cls, bit;
	const char *name;
};

static const struct vocab_perm_entry vocab_perms[] = {
#define ACCESS_CLASS(cls, doc)
#define ACCESS_PERM(cls, perm, doc) { TESSERA_CLASS_##cls, TESSERA_PERMBIT(cls, perm), #perm },
#include <tessera/access.def>
#undef ACCESS_CLASS
#undef ACCESS_PERM
};

static const char *const vocab_hcalls[] = {
#define HCALL(num, name, ...) #name,
#include <tessera/hypercall.def>
#undef HCALL
};

static const char *const vocab_keywords[] = {
	"type", "attribute", "typeattribute", "allow", "neverallow", "permissive", "label", "include", "self",
};

static bool vocab_eq(const char *a, const char *s, size_t n)
{
	return strlen(a) == n && !memcmp(a, s, n);
}

int vocab_class(const char *name, size_t n)
{
	for (uint32_t i = 0; i < TESSERA_CLASS_COUNT; i++)
		if (vocab_eq(vocab_classes[i], name, n))
			return (int)i;
	return -1;
}

const char *vocab_class_name(uint32_t cls)
{
	return cls < TESSERA_CLASS_COUNT ? vocab_classes[cls] : "?";
}

int vocab_perm(uint32_t cls, const char *name, size_t n)
{
	for (size_t i = 0; i < sizeof(vocab_perms) / sizeof(vocab_perms[0]); i++)
		if (vocab_perms[i].cls == cls && vocab_eq(vocab_perms[i].name, name, n))
			return (int)vocab_perms[i].bit;
	return -1;
}

bool vocab_perm_anywhere(const char *name, size_t n)
{
	for (size_t i = 0; i < sizeof(vocab_perms) / sizeof(vocab_perms[0]); i++)
		if (vocab_eq(vocab_perms[i].name, name, n))
			return true;
	return false;
}

const char *vocab_perm_name(uint32_t cls, uint32_t bit)
{
	for (size_t i = 0; i < sizeof(vocab_perms) / sizeof(vocab_perms[0]); i++)
		if (vocab_perms[i].cls == cls && vocab_perms[i].bit == bit)
			return vocab_perms[i].name;
	return NULL;
}

bool vocab_hcall(const char *name, size_t n)
{
	for (size_t i = 0; i < sizeof(vocab_hcalls) / sizeof(vocab_hcalls[0]); i++)
		if (vocab_eq(vocab_hcalls[i], name, n))
			return true;
	return false;
}

bool vocab_keyword(const char *name, size_t n)
{
	for (size_t i = 0; i < sizeof(vocab_keywords) / sizeof(vocab_keywords[0]); i++)
		if (vocab_eq(vocab_keywords[i], name, n))
			return true;
	return false;
}

/* "send" or "{ bind send }", in bit order: how rules are printed. */
void vocab_print_perms(uint32_t cls, uint32_t bits)
{
	bool many = bits & (bits - 1);
	printf("%s", many ? "{ " : "");
	for (uint32_t b = 0; b < TESSERA_PERMS_MAX; b++)
		if (bits >> b & 1)
			printf("%s%s", vocab_perm_name(cls, b), many ? " " : "");
	printf("%s", many ? "}" : "");
}

/* The vocabulary as a Markdown table, for policy/LANGUAGE.md (a test keeps the two equal). */
void vocab_print_table(void)
{
	printf("| class | permission | meaning |\n|---|---|---|\n");
#define ACCESS_CLASS(cls, doc) printf("| **%s** | | %s |\n", #cls, doc);
#define ACCESS_PERM(cls, perm, doc) printf("| | %s | %s |\n", #perm, doc);
#include <tessera/access.def>
#undef ACCESS_CLASS
#undef ACCESS_PERM
}
