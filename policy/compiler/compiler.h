/*
 * tessera-policy: policy text -> checked model -> the binary of
 * tessera/policy.h. Shared types and the interfaces between its parts.
 */
#ifndef TPC_COMPILER_H
#define TPC_COMPILER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <tessera/access.h>
#include <tessera/policy.h>

/* Bounds on hostile input, beyond the binary's own (tessera/policy.h). */
#define TPC_FILE_MAX (1u << 20)	  /* bytes per source file */
#define TPC_INPUT_MAX (16u << 20) /* bytes in all source files together */
#define TPC_FILES_MAX 1024
#define TPC_INCLUDE_DEPTH 16
#define TPC_PATH_MAX 4095
#define TPC_STATEMENTS_MAX (1u << 18)
#define TPC_ATTRS_MAX 4096
#define TPC_STMT_NAMES_MAX 4096	  /* names in one rule's sources and targets, or in one attribute list */
#define TPC_NAMES_MAX (1u << 21)  /* such names in all statements together */
#define TPC_SYMS_MAX 16384	  /* types, attributes and names used but never declared */
#define TPC_EXPAND_MAX (1u << 24) /* (source, target, class) triples rules may expand to */
#define TPC_AV_MAX (TPOL_AVTAB_SLOTS_MAX / 2)
#define TPC_DISPLACE_MAX 8 /* grow the avtab until no entry lies further from home */
#define TPC_DOMAIN_NAME_MAX 15
#define TPC_ERRORS_MAX 100

_Static_assert(TESSERA_CLASS_COUNT <= 32, "classes are kept in a 32-bit mask");
_Static_assert(TPOL_TYPES_MAX <= 4096, "avtab keys pack a type id in 12 bits");

struct loc {
	uint32_t file, line, col;
};
#define LOC_FMT "%s:%u:%u"
#define LOC_ARGS(l) diag_file_name((l).file), (l).line, (l).col

/* diag.c: messages in the form file:line:col: error: text */
struct quote {
	char s[192];
};
uint32_t diag_add_file(const char *name);
const char *diag_file_name(uint32_t file);
void diag_error(const struct loc *at, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void diag_warning(const struct loc *at, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void diag_path_error(const char *path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
unsigned diag_errors(void);
unsigned diag_flush_warnings(void);
const char *diag_quote(struct quote *q, const char *s, size_t n);

/* util.c: allocation that cannot fail (out of memory ends the tool), bounded reads */
void *mem_zalloc(size_t n);
void *mem_grow(void *p, uint32_t *cap, uint32_t need, size_t elem);
char *mem_strndup(const char *s, size_t n);
int file_read(const char *path, size_t max, char **buf, size_t *len);
/* Open a regular file without blocking on a FIFO or taking a terminal: fd, -errno or -FILE_NOT_REGULAR. */
#define FILE_NOT_REGULAR 100000
int file_open_regular(const char *path, struct stat *st);
int file_read_fd(int fd, size_t max, char **buf, size_t *len);
int file_write(const char *path, const void *buf, size_t len);

/* vocab.c: classes and permissions of tessera/access.def */
int vocab_class(const char *name, size_t n);
const char *vocab_class_name(uint32_t cls);
int vocab_perm(uint32_t cls, const char *name, size_t n);
bool vocab_perm_anywhere(const char *name, size_t n);
const char *vocab_perm_name(uint32_t cls, uint32_t bit);
bool vocab_hcall(const char *name, size_t n);
bool vocab_keyword(const char *name, size_t n);
void vocab_print_perms(uint32_t cls, uint32_t bits);
void vocab_print_table(void);

/* lex.c */
enum tok_kind { TOK_EOF, TOK_WORD, TOK_STRING, TOK_PUNCT, TOK_BAD };
struct token {
	enum tok_kind kind;
	const char *text; /* WORD, STRING (without quotes), PUNCT */
	size_t len;
	struct loc at;
	char bad[64]; /* TOK_BAD: what is wrong */
};
struct lexer {
	const char *p, *end;
	struct loc at;
};
void lex_init(struct lexer *lx, const char *buf, size_t len, uint32_t file);
/* device: ':' joins words, for PCI addresses */
void lex_next(struct lexer *lx, struct token *t, bool device);
const char *lex_describe(const struct token *t, struct quote *q);
bool tok_is(const struct token *t, const char *word);
bool tok_punct(const struct token *t, char c);

/* The policy as written, then resolved. */
enum sym_kind { SYM_UNDECLARED, SYM_TYPE, SYM_ATTR };
struct sym {
	char *name;
	enum sym_kind kind;
	struct loc decl;
	uint32_t id; /* types: id (after sym_resolve); attributes: index in attr_sets */
	bool permissive, used;
};
struct name_ref {
	uint32_t sym;
	struct loc at;
};
struct rule {
	struct loc at;
	bool never, self;
	uint32_t src, nsrc, tgt, ntgt; /* ranges of model.refs */
	uint32_t classes;	       /* bit per class */
	uint32_t perms[TESSERA_CLASS_COUNT];
};
struct member {
	struct name_ref type, attr;
};
struct label {
	uint32_t kind; /* enum tpol_label_kind */
	char name[TPC_DOMAIN_NAME_MAX + 1];
	uint64_t lo, hi;
	struct name_ref type;
	struct loc at;
	uint32_t type_id;
};
struct tset {
	uint64_t w[TPOL_TYPES_MAX / 64];
};
struct model {
	struct sym *syms;
	uint32_t nsyms, syms_cap, *hash;
	uint32_t ntypes, nattrs;
	uint32_t *type_syms;	/* type id -> sym */
	struct tset *attr_sets; /* attribute index -> its types */
	struct name_ref *refs;
	uint32_t nrefs, refs_cap;
	struct rule *rules;
	uint32_t nrules, rules_cap;
	struct member *members;
	uint32_t nmembers, members_cap;
	struct name_ref *permissives;
	uint32_t npermissives, permissives_cap;
	struct label *labels;
	uint32_t nlabels, labels_cap;
	uint32_t statements;
	uint64_t work; /* expansion budget used, against TPC_EXPAND_MAX */
	bool fatal;    /* a limit was hit: stop reading */
	struct loc start;
};

/* sym.c */
uint32_t sym_ref(struct model *m, const char *name, size_t n, const struct loc *at);
uint32_t sym_declare(struct model *m, const char *name, size_t n, const struct loc *at, enum sym_kind kind);
bool sym_resolve(struct model *m);
void sym_free(struct model *m);
void tset_add(struct tset *s, uint32_t id);
bool tset_has(const struct tset *s, uint32_t id);
uint32_t tset_count(const struct tset *s);
/* The next member at or after id, or UINT32_MAX. */
uint32_t tset_next(const struct tset *s, uint32_t id);

/* src.c and parse.c: read the main file and everything it includes */
bool src_parse(struct model *m, const char *path);
bool src_include(struct model *m, const struct token *path, uint32_t depth);
bool parse_file(struct model *m, const char *buf, size_t len, uint32_t file, uint32_t depth);

/* label.c */
bool label_domain_name(const char *s, size_t n);
bool label_range(uint32_t kind, const char *s, size_t n, uint64_t *lo, uint64_t *hi, char *why, size_t whysz);
bool label_add(struct model *m, const struct label *l);
int label_format(const struct tpol_label *l, const char *name, const char *type, char *buf, size_t n);

/* expand.c: rules to access vectors */
struct av_entry {
	uint32_t key; /* source << 17 | target << 5 | class: sorts as (source, target, class) */
	uint32_t perms;
	uint32_t grants; /* the newest of its av_grants + 1 (0: none) */
};
/* Which rule first granted which bits of an entry: a neverallow names it in O(1). */
struct av_grant {
	uint32_t rule, bits, next; /* next: the older grant + 1 (0: none) */
};
struct av_map {
	struct av_entry *e;
	uint32_t n, cap;
	uint32_t *index, index_mask;
	struct av_grant *g;
	uint32_t ng, gcap;
};
#define AV_KEY(s, t, c) ((uint32_t)(s) << 17 | (uint32_t)(t) << 5 | (uint32_t)(c))
void rule_sets(const struct model *m, const struct rule *r, struct tset *src, struct tset *tgt);
const char *type_name(const struct model *m, uint32_t id);
bool expand_allow(struct model *m, struct av_map *av, bool *covered);
bool expand_neverallow(struct model *m, const struct av_map *av);
const struct av_entry *av_find(const struct av_map *av, uint32_t key);
void av_free(struct av_map *av);

/* emit.c */
bool emit_policy(const struct model *m, const struct av_map *av, uint8_t **out, size_t *len);

/* check.c */
void check_warn(struct model *m, const bool *covered);

/* dump.c and audit.c: the commands that read binaries and logs */
struct policy;
bool dump_open(const char *path, struct policy *p, char **buf);
int dump_main(const char *path);
int audit_main(const char *log, const char *policy, bool explain);
#endif
