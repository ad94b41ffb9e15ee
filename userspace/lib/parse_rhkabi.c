// SPDX-License-Identifier: GPL-2.0
/*
 * Red Hat kABI whitelists and stablelists (/lib/modules/kabi-current/
 * kabi_stablelist_<arch>): "[section]" header lines, then one symbol per
 * line indented by a TAB (openEuler: spaces). There are no comments, and a
 * list may be only a header. Every symbol becomes a plain SYMBOL rule: the
 * list names symbols, not their exporter, namespace or CRC.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

static char *kgc_trim(char *s)
{
	size_t len;

	while (*s == ' ' || *s == '\t')
		s++;
	len = strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		s[--len] = '\0';
	return s;
}

int kgc_parse_rhkabi(struct kgc_policy *p, struct kgc_lines *l)
{
	bool in_section = false;
	char *line, *sym;
	int ret;

	while ((ret = kgc_next_line(l, &line)) > 0) {
		struct kgc_rule r = {
			.kind = KABIGUARD_RULE_SYMBOL,
			.file = l->file,
			.line = l->lineno,
		};

		sym = kgc_trim(line);
		if (!*sym)
			continue;
		if (*sym == '[') {
			if (sym[strlen(sym) - 1] != ']' || strlen(sym) < 3)
				return kgc_parse_error(l, "expected a section "
						      "header '[name]'");
			in_section = true;
			continue;
		}
		if (!in_section)
			return kgc_parse_error(l, "expected a '[section]' header "
					      "before the first symbol");
		if (strpbrk(sym, " \t"))
			return kgc_parse_error(l, "expected one symbol per line");
		ret = kgc_check_len(l, "symbol name", sym, KABIGUARD_SYMBOL_MAX);
		if (ret)
			return ret;
		r.name = sym;
		ret = kgc_policy_append(p, &r);
		if (ret)
			return ret;
	}
	return ret;
}
