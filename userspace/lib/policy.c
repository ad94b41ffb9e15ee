// SPDX-License-Identifier: GPL-2.0
/* struct kg_policy: a growable array of rules owning all their strings. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static void kg_rule_free(struct kg_rule *r)
{
	free(r->name);
	free(r->ns);
	free(r->exporter);
	free(r->module);
}

void kg_policy_free(struct kg_policy *p)
{
	size_t i;

	for (i = 0; i < p->nr; i++)
		kg_rule_free(&p->rules[i]);
	free(p->rules);
	for (i = 0; i < p->nr_files; i++)
		free(p->files[i]);
	free(p->files);
	memset(p, 0, sizeof(*p));
}

static int kg_policy_reserve(struct kg_policy *p, size_t more)
{
	struct kg_rule *n;
	size_t cap;

	if (p->nr + more <= p->cap)
		return 0;
	cap = p->cap ? p->cap : 256;
	while (cap < p->nr + more)
		cap *= 2;
	n = realloc(p->rules, cap * sizeof(*n));
	if (!n)
		return -ENOMEM;
	p->rules = n;
	p->cap = cap;
	return 0;
}

/* One copy of each file name per policy; rules point at it. */
static const char *kg_policy_intern(struct kg_policy *p, const char *file)
{
	char **files, *copy;
	size_t i;

	/* Rules come file by file: the last one almost always matches. */
	for (i = p->nr_files; i-- > 0;)
		if (!strcmp(p->files[i], file))
			return p->files[i];
	copy = strdup(file);
	if (!copy)
		return NULL;
	files = realloc(p->files, (p->nr_files + 1) * sizeof(*files));
	if (!files) {
		free(copy);
		return NULL;
	}
	p->files = files;
	p->files[p->nr_files++] = copy;
	return copy;
}

static int kg_dup(char **dst, const char *src)
{
	*dst = NULL;
	if (!src)
		return 0;
	*dst = strdup(src);
	return *dst ? 0 : -ENOMEM;
}

int kg_policy_add_rule(struct kg_policy *p, const struct kg_rule *r)
{
	struct kg_rule n = {
		.kind = r->kind,
		.crc = r->crc,
		.has_crc = r->has_crc,
		.flags = r->flags,
		.line = r->line,
	};

	if (kg_policy_reserve(p, 1))
		return -ENOMEM;
	if (r->file) {
		n.file = kg_policy_intern(p, r->file);
		if (!n.file)
			return -ENOMEM;
	}
	if (kg_dup(&n.name, r->name) || kg_dup(&n.ns, r->ns) ||
	    kg_dup(&n.exporter, r->exporter) || kg_dup(&n.module, r->module)) {
		kg_rule_free(&n);
		return -ENOMEM;
	}
	p->rules[p->nr++] = n;
	return 0;
}

/*
 * Moves every rule and file name of src to the end of dst, leaving src
 * empty. On allocation failure both stay as they were.
 */
int kg_policy_move(struct kg_policy *dst, struct kg_policy *src)
{
	char **files;

	if (kg_policy_reserve(dst, src->nr))
		return -ENOMEM;
	files = realloc(dst->files,
			(dst->nr_files + src->nr_files + 1) * sizeof(*files));
	if (!files)
		return -ENOMEM;
	dst->files = files;
	memcpy(dst->files + dst->nr_files, src->files,
	       src->nr_files * sizeof(*files));
	dst->nr_files += src->nr_files;
	memcpy(dst->rules + dst->nr, src->rules, src->nr * sizeof(*src->rules));
	dst->nr += src->nr;
	free(src->rules);
	free(src->files);
	memset(src, 0, sizeof(*src));
	return 0;
}

int kg_rule_format(const struct kg_rule *r, char *buf, size_t len)
{
	char crc[16] = "";
	int n;

	if (r->has_crc)
		snprintf(crc, sizeof(crc), " crc=0x%08x", r->crc);
	n = snprintf(buf, len, "%s%s%s%s%s%s%s%s%s%s%s",
		     kg_kind_name(r->kind),
		     r->kind != KABIGUARD_RULE_ANY && r->name ? " " : "",
		     r->kind != KABIGUARD_RULE_ANY && r->name ? r->name : "",
		     r->ns ? " ns=" : "", r->ns ? r->ns : "",
		     r->exporter ? " from=" : "",
		     r->exporter ? r->exporter : "",
		     crc,
		     r->module ? " module=" : "", r->module ? r->module : "",
		     r->flags & KABIGUARD_RULE_F_SIGNED_ONLY ?
		     " signed-only" : "");
	return n;
}
