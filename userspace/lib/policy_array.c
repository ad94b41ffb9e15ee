// SPDX-License-Identifier: GPL-2.0
/*
 * struct kgc_policy: a growable array of rules owning all their strings.
 *
 * The strings of one rule share one allocation (a Module.symvers is 27,000
 * rules: one malloc per rule instead of three keeps loading it in a few
 * ms). They are laid out in field order, name, ns, exporter, module, so
 * the block starts at the first of them that is set, which is what
 * kgc_rule_free() frees.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "internal.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

void kgc_prefault(void *addr, size_t len)
{
	uintptr_t page = sysconf(_SC_PAGESIZE);
	uintptr_t start = ((uintptr_t)addr + page - 1) & ~(page - 1);
	uintptr_t end = ((uintptr_t)addr + len) & ~(page - 1);

	/*
	 * Faulting megabytes in one page at a time is what dominates loading
	 * a large Module.symvers on some (virtualised) machines; one madvise
	 * does it in a batch. Only whole pages inside the buffer; failure
	 * (kernels before 5.14) just means the faults come later.
	 */
	if (end > start)
		madvise((void *)start, end - start, MADV_POPULATE_WRITE);
}

static void kgc_rule_free(struct kgc_rule *r)
{
	free(r->name ? r->name : r->ns ? r->ns :
	     r->exporter ? r->exporter : r->module);
}

void kgc_policy_free(struct kgc_policy *p)
{
	size_t i;

	for (i = 0; i < p->nr; i++)
		kgc_rule_free(&p->rules[i]);
	free(p->rules);
	for (i = 0; i < p->nr_files; i++)
		free(p->files[i]);
	free(p->files);
	memset(p, 0, sizeof(*p));
}

int kgc_policy_reserve(struct kgc_policy *p, size_t more)
{
	struct kgc_rule *n;
	size_t cap;

	if (p->nr + more <= p->cap)
		return 0;
	cap = p->cap ? p->cap : 256;
	while (cap < p->nr + more)
		cap *= 2;
	n = realloc(p->rules, cap * sizeof(*n));
	if (!n)
		return -ENOMEM;
	if (cap - p->nr > 4096)
		kgc_prefault(n + p->nr, (cap - p->nr) * sizeof(*n));
	p->rules = n;
	p->cap = cap;
	return 0;
}

/* One copy of each file name per policy; rules point at it. */
static const char *kgc_policy_intern(struct kgc_policy *p, const char *file)
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

/* Copies src to *pos and advances it; NULL stays NULL. */
static char *kgc_place(char **pos, const char *src, size_t len)
{
	char *dst = *pos;

	if (!src)
		return NULL;
	memcpy(dst, src, len + 1);
	*pos += len + 1;
	return dst;
}

int kgc_policy_append(struct kgc_policy *p, const struct kgc_rule *r)
{
	struct kgc_rule n = {
		.kind = r->kind,
		.crc = r->crc,
		.has_crc = r->has_crc,
		.flags = r->flags,
		.line = r->line,
	};
	size_t ln = r->name ? strlen(r->name) : 0;
	size_t ls = r->ns ? strlen(r->ns) : 0;
	size_t le = r->exporter ? strlen(r->exporter) : 0;
	size_t lm = r->module ? strlen(r->module) : 0;
	char *block, *pos;

	if (kgc_policy_reserve(p, 1))
		return -ENOMEM;
	if (r->file) {
		n.file = kgc_policy_intern(p, r->file);
		if (!n.file)
			return -ENOMEM;
	}
	if (r->name || r->ns || r->exporter || r->module) {
		block = malloc(ln + ls + le + lm + 4);
		if (!block)
			return -ENOMEM;
		pos = block;
		n.name = kgc_place(&pos, r->name, ln);
		n.ns = kgc_place(&pos, r->ns, ls);
		n.exporter = kgc_place(&pos, r->exporter, le);
		n.module = kgc_place(&pos, r->module, lm);
	}
	p->rules[p->nr++] = n;
	return 0;
}

/*
 * Moves every rule and file name of src to the end of dst, leaving src
 * empty. On allocation failure both stay as they were.
 */
int kgc_policy_move(struct kgc_policy *dst, struct kgc_policy *src)
{
	char **files;

	/* Loading one file into an empty policy: hand the arrays over. */
	if (!dst->nr && !dst->nr_files) {
		free(dst->rules);
		free(dst->files);
		*dst = *src;
		memset(src, 0, sizeof(*src));
		return 0;
	}
	if (kgc_policy_reserve(dst, src->nr))
		return -ENOMEM;
	files = realloc(dst->files,
			(dst->nr_files + src->nr_files + 1) * sizeof(*files));
	if (!files)
		return -ENOMEM;
	dst->files = files;
	/* memcpy() from NULL is undefined even for 0 bytes (an empty file). */
	if (src->nr_files)
		memcpy(dst->files + dst->nr_files, src->files,
		       src->nr_files * sizeof(*files));
	dst->nr_files += src->nr_files;
	if (src->nr)
		memcpy(dst->rules + dst->nr, src->rules,
		       src->nr * sizeof(*src->rules));
	dst->nr += src->nr;
	free(src->rules);
	free(src->files);
	memset(src, 0, sizeof(*src));
	return 0;
}

int kgc_rule_format(const struct kgc_rule *r, char *buf, size_t len)
{
	char crc[16] = "";
	int n;

	if (r->has_crc)
		snprintf(crc, sizeof(crc), " crc=0x%08x", r->crc);
	n = snprintf(buf, len, "%s%s%s%s%s%s%s%s%s%s%s%s",
		     kgc_kind_name(r->kind),
		     r->name ? " " : "", r->name ? r->name : "",
		     r->ns ? " ns=" : "",
		     r->ns ? r->ns : r->flags & KABIGUARD_RULE_F_NS_PINNED ?
		     " ns=-" : "",
		     r->exporter ? " from=" : "",
		     r->exporter ? r->exporter : "",
		     crc,
		     r->module ? " module=" : "", r->module ? r->module : "",
		     r->flags & KABIGUARD_RULE_F_SIGNED_ONLY ?
		     " signed-only" : "",
		     r->flags & KABIGUARD_RULE_F_IN_TREE ? " in-tree" : "");
	return n;
}

const struct kgc_rule *kgc_policy_unsupported(const struct kgc_policy *p,
					    uint32_t features, char *msg,
					    size_t len)
{
	size_t i;

	if (features & KABIGUARD_FEAT_SIG)
		return NULL;
	/* Every module would count as signed there (module_sig_ok()). */
	for (i = 0; i < p->nr; i++) {
		if (p->rules[i].flags & KABIGUARD_RULE_F_SIGNED_ONLY) {
			snprintf(msg, len, "signed-only: this kernel verifies "
				 "no module signature (built without "
				 "CONFIG_MODULE_SIG; status feature sig is "
				 "clear)");
			return &p->rules[i];
		}
	}
	return NULL;
}
