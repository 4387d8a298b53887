/*
 * The tokenizer. Words are runs of [A-Za-z0-9_.-] so that ranges (0x60-0x64)
 * and domain names (oob-1) are one token; the parser decides what a word may
 * be in its place, which gives errors that quote the whole word.
 */
#include <stdio.h>
#include <string.h>
#include "compiler.h"

void lex_init(struct lexer *lx, const char *buf, size_t len, uint32_t file)
{
	lx->p = buf;
	lx->end = buf + len;
	lx->at = (struct loc){ file, 1, 1 };
}

static void lex_advance(struct lexer *lx)
{
	if (*lx->p == '\n') {
		lx->at.line++;
		lx->at.col = 1;
	} else {
		lx->at.col++;
	}
	lx->p++;
}

static bool lex_word_char(char c, bool device)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
	       c == '-' || (device && c == ':');
}

static void lex_bad(struct token *t, const char *what, char c)
{
	struct quote q;
	snprintf(t->bad, sizeof(t->bad), "%s '%s'", what, diag_quote(&q, &c, 1));
	t->kind = TOK_BAD;
}

static void lex_string(struct lexer *lx, struct token *t)
{
	t->kind = TOK_STRING;
	lex_advance(lx);
	t->text = lx->p;
	while (lx->p < lx->end && *lx->p != '"') {
		char c = *lx->p;
		if (c == '\n')
			break;
		if ((c < 0x20 || c > 0x7e) && t->kind != TOK_BAD)
			lex_bad(t, "bad character in string:", c);
		lex_advance(lx);
	}
	t->len = (size_t)(lx->p - t->text);
	if (lx->p == lx->end || *lx->p != '"') {
		snprintf(t->bad, sizeof(t->bad), "unterminated string");
		t->kind = TOK_BAD;
		return;
	}
	lex_advance(lx);
}

void lex_next(struct lexer *lx, struct token *t, bool device)
{
	for (;;) {
		while (lx->p < lx->end && *lx->p && strchr(" \t\r\n\f\v", *lx->p))
			lex_advance(lx);
		if (lx->p < lx->end && *lx->p == '#') {
			while (lx->p < lx->end && *lx->p != '\n')
				lex_advance(lx);
			continue;
		}
		break;
	}
	t->at = lx->at;
	t->text = lx->p;
	t->len = 0;
	if (lx->p == lx->end) {
		t->kind = TOK_EOF;
		return;
	}
	if (lex_word_char(*lx->p, device)) {
		while (lx->p < lx->end && lex_word_char(*lx->p, device))
			lex_advance(lx);
		t->kind = TOK_WORD;
		t->len = (size_t)(lx->p - t->text);
	} else if (*lx->p == '"') {
		lex_string(lx, t);
	} else if (*lx->p && strchr(";,{}*:", *lx->p)) {
		t->kind = TOK_PUNCT;
		t->len = 1;
		lex_advance(lx);
	} else {
		lex_bad(t, "stray character", *lx->p);
		lex_advance(lx);
	}
}

/* For "expected X, got ...". */
const char *lex_describe(const struct token *t, struct quote *q)
{
	struct quote inner;
	switch (t->kind) {
	case TOK_EOF:
		return "end of file";
	case TOK_STRING:
		snprintf(q->s, sizeof(q->s), "'\"%s\"'", diag_quote(&inner, t->text, t->len));
		return q->s;
	default:
		snprintf(q->s, sizeof(q->s), "'%s'", diag_quote(&inner, t->text, t->len));
		return q->s;
	}
}

bool tok_is(const struct token *t, const char *word)
{
	return t->kind == TOK_WORD && strlen(word) == t->len && !memcmp(t->text, word, t->len);
}

bool tok_punct(const struct token *t, char c)
{
	return t->kind == TOK_PUNCT && t->text[0] == c;
}
