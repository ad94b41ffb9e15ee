// SPDX-License-Identifier: GPL-2.0
/*
 * A target kernel's exports for offline checks: the rules of its
 * Module.symvers (or symsets) files, indexed by symbol name. The first file
 * that exports a name wins, so a vendor's own Module.symvers given after
 * the kernel's only adds its modules' exports.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

struct kgc_symtab {
	struct kgc_policy p;
	uint32_t *slot;		/* rule index + 1, 0: empty */
	size_t mask;
};

int kgc_symtab_new(struct kgc_symtab **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

void kgc_symtab_free(struct kgc_symtab *t)
{
	if (!t)
		return;
	kgc_policy_free(&t->p);
	free(t->slot);
	free(t);
}

size_t kgc_symtab_count(const struct kgc_symtab *t)
{
	return t ? t->p.nr : 0;
}

size_t kgc_symtab_crcs(const struct kgc_symtab *t)
{
	size_t i, n = 0;

	for (i = 0; t && i < t->p.nr; i++)
		n += t->p.rules[i].has_crc;
	return n;
}

const struct kgc_rule *kgc_symtab_find(const struct kgc_symtab *t,
				     const char *name)
{
	size_t i;

	if (!t || !t->slot)
		return NULL;
	for (i = kgc_str_hash(name) & t->mask; t->slot[i];
	     i = (i + 1) & t->mask) {
		const struct kgc_rule *r = &t->p.rules[t->slot[i] - 1];

		if (!strcmp(r->name, name))
			return r;
	}
	return NULL;
}

/* Rebuilt after each file: rules may have moved (realloc). */
static int kgc_symtab_index(struct kgc_symtab *t)
{
	size_t size = 16, i, j;
	uint32_t *slot;

	while (size < t->p.nr * 2)
		size *= 2;
	slot = calloc(size, sizeof(*slot));
	if (!slot)
		return -ENOMEM;
	free(t->slot);
	t->slot = slot;
	t->mask = size - 1;
	for (i = 0; i < t->p.nr; i++) {
		const char *name = t->p.rules[i].name;

		for (j = kgc_str_hash(name) & t->mask; slot[j];
		     j = (j + 1) & t->mask)
			if (!strcmp(t->p.rules[slot[j] - 1].name, name))
				break;
		if (!slot[j])
			slot[j] = i + 1;
	}
	return 0;
}

int kgc_symtab_load(struct kgc_symtab *t, const char *path, char *err,
		   size_t errlen)
{
	struct kgc_policy tmp = { 0 };
	size_t i;
	int ret;

	ret = kgc_policy_load_file(&tmp, path, KG_FORMAT_AUTO, err, errlen);
	if (ret)
		return ret;
	for (i = 0; i < tmp.nr; i++) {
		const struct kgc_rule *r = &tmp.rules[i];

		if (r->kind != KABIGUARD_RULE_SYMBOL || !r->exporter ||
		    r->module) {
			snprintf(err, errlen, "%s:%u: not a Module.symvers or "
				 "symsets line (every line must name a symbol "
				 "and its exporter)", r->file ? r->file : path,
				 r->line);
			kgc_policy_free(&tmp);
			return -EINVAL;
		}
	}
	ret = kgc_policy_move(&t->p, &tmp);
	kgc_policy_free(&tmp);
	if (!ret)
		ret = kgc_symtab_index(t);
	if (ret)
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
	return ret;
}

int kgc_kernel_symvers(const char *kver, char *path, size_t len)
{
	static const char *const fmts[] = {
		"/lib/modules/%s/build/Module.symvers",
		"/lib/modules/%s/symvers.gz",
		"/lib/modules/%s/symvers.xz",
		"/boot/symvers-%s.gz",
		"/boot/symvers-%s.xz",
		"/usr/src/linux-headers-%s/Module.symvers",
	};
	size_t i;

	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		snprintf(path, len, fmts[i], kver);
		if (!access(path, R_OK))
			return 0;
	}
	return -ENOENT;
}
