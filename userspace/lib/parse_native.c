// SPDX-License-Identifier: GPL-2.0
/*
 * The native policy format, documented in kabiguard-policy(5):
 *
 *	symbol NAME [ns=NAMESPACE|ns=-] [from=EXPORTER] [crc=0xHEX] [module=MOD] [signed-only [in-tree]]
 *	namespace NAME [from=EXPORTER] [module=MOD] [signed-only [in-tree]]
 *	any [from=EXPORTER] [module=MOD] [signed-only [in-tree]]
 *	livepatch [module=MOD] [signed-only [in-tree]]
 *
 * '#' starts a comment; tokens are separated by spaces and tabs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define KG_MAX_TOKENS	16

/* Options: which rule kinds take them, and the uapi length limit. */
enum { KG_OPT_NS, KG_OPT_FROM, KG_OPT_CRC, KG_OPT_MODULE, KG_OPT_SIGNED,
       KG_OPT_IN_TREE, KG_NR_OPTS };

static const struct {
	const char *name;	/* as written, with its '=' */
	bool symbol_only;
	size_t max;
	const char *what;
} kgc_opts[KG_NR_OPTS] = {
	[KG_OPT_NS]	= { "ns=", true, KABIGUARD_NAMESPACE_MAX, "namespace" },
	[KG_OPT_FROM]	= { "from=", false, KABIGUARD_MODNAME_MAX,
			    "exporter name" },
	[KG_OPT_CRC]	= { "crc=", true, 0, "crc" },
	[KG_OPT_MODULE]	= { "module=", false, KABIGUARD_MODNAME_MAX,
			    "module name" },
	[KG_OPT_SIGNED]	= { "signed-only", false, 0, NULL },
	[KG_OPT_IN_TREE] = { "in-tree", false, 0, NULL },
};

/* The options that are a word alone, without '='. */
static bool kgc_is_flag(int i)
{
	return i == KG_OPT_SIGNED || i == KG_OPT_IN_TREE;
}

static bool kgc_is_option(const char *tok)
{
	return strchr(tok, '=') || !strcmp(tok, "signed-only") ||
	       !strcmp(tok, "in-tree");
}

/* Splits line at spaces and tabs, dropping a '#' comment. */
static int kgc_tokenize(struct kgc_lines *l, char *line, char **tok, int *nr)
{
	char *p, *hash;
	int n = 0;

	hash = strchr(line, '#');
	if (hash)
		*hash = '\0';
	for (p = line; *p; p++) {
		unsigned char ch = *p;

		if (ch != ' ' && ch != '\t' && (ch < 0x21 || ch > 0x7e))
			return kgc_parse_error(l, "invalid character 0x%02x",
					      ch);
	}
	for (p = strtok(line, " \t"); p; p = strtok(NULL, " \t")) {
		if (n == KG_MAX_TOKENS)
			return kgc_parse_error(l, "too many words on one line");
		tok[n++] = p;
	}
	*nr = n;
	return 0;
}

static int kgc_parse_crc(struct kgc_lines *l, const char *s, uint32_t *crc)
{
	size_t i, digits;
	char *end;

	if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		goto bad;
	digits = strlen(s + 2);
	if (!digits)
		goto bad;
	for (i = 2; s[i]; i++)
		if (!strchr("0123456789abcdefABCDEF", s[i]))
			goto bad;
	/* Leading zeros are fine; the value must fit 32 bits. */
	while (digits > 8 && s[2] == '0') {
		s++;
		digits--;
	}
	if (digits > 8)
		goto bad;
	*crc = strtoul(s + 2, &end, 16);
	return 0;
bad:
	return kgc_parse_error(l, "bad crc '%s' (expected 0x and 1 to 8 hex "
			      "digits)", s);
}

static int kgc_parse_option(struct kgc_lines *l, struct kgc_rule *r,
			   bool *seen, char *tok)
{
	const char *val;
	int i, ret;

	for (i = 0; i < KG_NR_OPTS; i++) {
		size_t n = strlen(kgc_opts[i].name);

		if (kgc_is_flag(i) ? !strcmp(tok, kgc_opts[i].name) :
				    !strncmp(tok, kgc_opts[i].name, n))
			break;
	}
	if (i == KG_NR_OPTS) {
		if (!strncmp(tok, "signed-only=", 12))
			return kgc_parse_error(l, "'signed-only' takes no value");
		if (!strncmp(tok, "in-tree=", 8))
			return kgc_parse_error(l, "'in-tree' takes no value");
		if (strchr(tok, '='))
			return kgc_parse_error(l, "unknown option '%.*s' "
					      "(expected ns=, from=, crc=, "
					      "module=, signed-only or "
					      "in-tree)",
					      (int)(strchr(tok, '=') - tok + 1),
					      tok);
		return kgc_parse_error(l, "unexpected '%s' (expected an option: "
				      "ns=, from=, crc=, module=, "
				      "signed-only or in-tree)", tok);
	}
	if (seen[i])
		return kgc_parse_error(l, "duplicate option '%s'",
				      kgc_opts[i].name);
	seen[i] = true;
	if (kgc_opts[i].symbol_only && r->kind != KABIGUARD_RULE_SYMBOL)
		return kgc_parse_error(l, "'%s' is only valid in symbol rules",
				      kgc_opts[i].name);
	if (i == KG_OPT_FROM && r->kind == KABIGUARD_RULE_LIVEPATCH)
		return kgc_parse_error(l, "'from=' is not valid in livepatch "
				      "rules (they allow references to any "
				      "object)");
	if (i == KG_OPT_SIGNED) {
		r->flags |= KABIGUARD_RULE_F_SIGNED_ONLY;
		return 0;
	}
	if (i == KG_OPT_IN_TREE) {
		r->flags |= KABIGUARD_RULE_F_IN_TREE;
		return 0;
	}
	val = tok + strlen(kgc_opts[i].name);
	if (!*val)
		return kgc_parse_error(l, "empty value for '%s'",
				      kgc_opts[i].name);
	if (i == KG_OPT_CRC) {
		ret = kgc_parse_crc(l, val, &r->crc);
		if (ret)
			return ret;
		r->has_crc = true;
		return 0;
	}
	ret = kgc_check_len(l, kgc_opts[i].what, val, kgc_opts[i].max);
	if (ret)
		return ret;
	switch (i) {
	case KG_OPT_NS:
		/* "ns=-": pinned to no namespace (never a namespace's name). */
		if (!strcmp(val, "-"))
			r->flags |= KABIGUARD_RULE_F_NS_PINNED;
		else
			r->ns = (char *)val;
		break;
	case KG_OPT_FROM:
		r->exporter = (char *)val;
		kgc_modname_normalise(r->exporter);
		break;
	case KG_OPT_MODULE:
		r->module = (char *)val;
		kgc_modname_normalise(r->module);
		break;
	}
	return 0;
}

static int kgc_parse_native_line(struct kgc_lines *l, char *line,
				struct kgc_rule *r)
{
	bool seen[KG_NR_OPTS] = { false };
	char *tok[KG_MAX_TOKENS];
	int nr, i = 1, ret;

	ret = kgc_tokenize(l, line, tok, &nr);
	if (ret || !nr)
		return ret ? ret : 1;	/* 1: nothing on this line */

	if (!strcmp(tok[0], "symbol")) {
		r->kind = KABIGUARD_RULE_SYMBOL;
	} else if (!strcmp(tok[0], "namespace")) {
		r->kind = KABIGUARD_RULE_NAMESPACE;
	} else if (!strcmp(tok[0], "any")) {
		r->kind = KABIGUARD_RULE_ANY;
	} else if (!strcmp(tok[0], "livepatch")) {
		r->kind = KABIGUARD_RULE_LIVEPATCH;
	} else {
		return kgc_parse_error(l, "unknown keyword '%s' (expected "
				      "symbol, namespace, any or livepatch)",
				      tok[0]);
	}

	if (r->kind == KABIGUARD_RULE_ANY ||
	    r->kind == KABIGUARD_RULE_LIVEPATCH) {
		if (nr > 1 && !kgc_is_option(tok[1]))
			return kgc_parse_error(l, "'%s' takes no name (got "
					      "'%s')", tok[0], tok[1]);
	} else {
		if (nr < 2 || kgc_is_option(tok[1]))
			return kgc_parse_error(l, "missing %s name after '%s'",
					      tok[0], tok[0]);
		ret = kgc_check_len(l, r->kind == KABIGUARD_RULE_SYMBOL ?
				   "symbol name" : "namespace name", tok[1],
				   r->kind == KABIGUARD_RULE_SYMBOL ?
				   KABIGUARD_SYMBOL_MAX :
				   KABIGUARD_NAMESPACE_MAX);
		if (ret)
			return ret;
		r->name = tok[1];
		i = 2;
	}
	for (; i < nr; i++) {
		ret = kgc_parse_option(l, r, seen, tok[i]);
		if (ret)
			return ret;
	}
	/* As the kernel: an unsigned module's intree=Y is its own claim. */
	if ((r->flags & KABIGUARD_RULE_F_IN_TREE) &&
	    !(r->flags & KABIGUARD_RULE_F_SIGNED_ONLY))
		return kgc_parse_error(l, "'in-tree' needs 'signed-only' (an "
				      "unsigned module's in-tree mark is its "
				      "own claim)");
	return 0;
}

int kgc_parse_native(struct kgc_policy *p, struct kgc_lines *l)
{
	char *line;
	int ret;

	while ((ret = kgc_next_line(l, &line)) > 0) {
		struct kgc_rule r = { .file = l->file, .line = l->lineno };

		ret = kgc_parse_native_line(l, line, &r);
		if (ret < 0)
			return ret;
		if (ret > 0)
			continue;
		ret = kgc_policy_append(p, &r);
		if (ret)
			return ret;
	}
	return ret;
}
