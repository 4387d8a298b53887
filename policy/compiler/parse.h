/* The parser's state and the helpers its two halves share (parse.c, parse_rule.c). */
#ifndef TPC_PARSE_H
#define TPC_PARSE_H
#include "compiler.h"

struct parser {
	struct lexer lx;
	struct model *m;
	struct token tok; /* the token just read */
	uint32_t depth;	  /* of includes */
	uint32_t names;	  /* in the statement being read: rule sources and targets, or attributes */
};

bool parse_next(struct parser *p, bool device);
bool parse_expected(struct parser *p, const char *what);
bool parse_punct(struct parser *p, char c, const char *what);
bool parse_ident(struct parser *p, const char *what);
bool parse_name(struct parser *p, const char *what);
bool parse_ref(struct parser *p, struct name_ref *r);
bool parse_count_name(struct parser *p, const char *what);
bool parse_rule(struct parser *p, bool never);
#endif
