// SPDX-License-Identifier: GPL-2.0
/*
 * Offline module checks: what a target kernel and a kabiguard policy would
 * say about a module file before it is shipped.
 *
 * For each import (an undefined symbol of the module), with the target
 * kernel's Module.symvers entry for it:
 *   - unknown:        no entry, and the import is not weak: the kernel's
 *                     loader refuses the module ("Unknown symbol").
 *   - crc:            both CRCs known and different: the loader refuses it
 *                     ("disagrees about version of symbol"); the question
 *                     weak-modules asks before reusing a module. A kernel
 *                     whose Module.symvers has no CRC other than 0 was
 *                     built without CONFIG_MODVERSIONS: no CRC is checked
 *                     there, and vermagic alone decides (kgc_symtab_crcs()).
 *   - ns-not-imported: the entry has a namespace the module's import_ns
 *                     does not list: refused since v5.4; a module-
 *                     restricted export (6.16+, "module:NAME,...") is
 *                     usable without the import by a module it lists
 *                     (kgc_ns_allows_module(), the loader's test).
 *   - no-modversions: the module has no CRC table at all while the target
 *                     kernel checks CRCs: its loader refuses it, or with
 *                     CONFIG_MODULE_FORCE_LOAD (Debian) loads it tainted
 *                     (F); one issue, at the first import it checks.
 *   - policy:         kgc_matcher_allows() (the kernel's own semantics, with
 *                     the namespace, exporter and CRC from the entry)
 *                     refuses it; kabiguard.ko would report or deny it.
 * The module's CRC checks (mi->crc_checks: CRC entries no import has) are
 * no imports: neither the policy nor namespaces apply to them. They get
 * the unknown and crc issues depmod -E gives them, flagged crc_check; only
 * module_layout's CRC stops the load (check_modstruct_version()), the
 * loader never looks at the others.
 * Files are spread over worker processes, one module reader each
 * (check_workers.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "offline_check.h"

static const char *const kgc_issue_kinds[] = {
	[KG_ISSUE_POLICY] = "policy",
	[KG_ISSUE_NS_NOT_IMPORTED] = "ns-not-imported",
	[KG_ISSUE_UNKNOWN] = "unknown-symbol",
	[KG_ISSUE_CRC] = "crc-differs",
	[KG_ISSUE_NO_MODVERSIONS] = "no-modversions",
};

const char *kgc_issue_kind_name(enum kgc_issue_kind k)
{
	if ((unsigned int)k >= sizeof(kgc_issue_kinds) / sizeof(*kgc_issue_kinds))
		return "?";
	return kgc_issue_kinds[k];
}

void kgc_check_result_free(struct kgc_check_result *r)
{
	kgc_modinfo_free(&r->mi);
	free(r->issues);
	r->issues = NULL;
	r->nr_issues = 0;
}

static bool kgc_imports_ns(const struct kgc_modinfo *mi, const char *ns)
{
	size_t i;

	for (i = 0; i < mi->nr_import_ns; i++)
		if (!strcmp(mi->import_ns[i], ns))
			return true;
	return false;
}

static int kgc_add_issue(struct kgc_check_result *res, size_t *cap,
			const struct kgc_issue *is)
{
	struct kgc_issue *n;

	if (res->nr_issues == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		n = realloc(res->issues, *cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		res->issues = n;
	}
	res->issues[res->nr_issues++] = *is;
	return 0;
}

static int kgc_check_imports(const struct kgc_checker *ck,
			    struct kgc_check_result *res)
{
	const struct kgc_modinfo *mi = &res->mi;
	/* The in-tree mark is read from the file, as the loader reads it. */
	unsigned int origin = (ck->assume_signed || mi->signer ?
			       KG_MATCH_SIGNED : 0) |
			      (mi->in_tree ? KG_MATCH_IN_TREE : 0);
	bool no_crcs = !mi->has_versions && !mi->has_ext_versions;
	size_t i, cap = 0;
	int ret = 0;

	res->loads = true;
	res->allowed = true;
	for (i = 0; i < mi->nr_imports && !ret; i++) {
		const struct kgc_modsym *s = &mi->imports[i];
		const struct kgc_rule *k = kgc_symtab_find(ck->kernel, s->name);
		struct kgc_issue is = { .sym = s, .kernel = k };
		struct kgc_import imp = { .name = s->name };

		if (ck->kernel && !k && !s->weak) {
			is.kind = KG_ISSUE_UNKNOWN;
			ret = kgc_add_issue(res, &cap, &is);
			res->loads = false;
		}
		if (k && k->ns && !kgc_imports_ns(mi, k->ns) &&
		    !kgc_ns_allows_module(k->ns, mi->name)) {
			is.kind = KG_ISSUE_NS_NOT_IMPORTED;
			ret = ret ? ret : kgc_add_issue(res, &cap, &is);
			res->loads = false;
		}
		if (k && k->has_crc && s->has_crc && k->crc != s->crc) {
			is.kind = KG_ISSUE_CRC;
			ret = ret ? ret : kgc_add_issue(res, &cap, &is);
			res->loads = false;
		}
		/* check_version(): no table at all is a forced load. */
		if (k && k->has_crc && no_crcs) {
			is.kind = KG_ISSUE_NO_MODVERSIONS;
			ret = ret ? ret : kgc_add_issue(res, &cap, &is);
			res->loads = false;
			no_crcs = false;	/* once */
		}
		if (!ck->policy)
			continue;
		if (k) {
			imp.ns = k->ns;
			imp.exporter = k->exporter;
			imp.crc = k->crc;
			imp.has_crc = k->has_crc;
		}
		if (!kgc_matcher_allows(ck->policy, &imp, mi->name, origin,
				       &is.match)) {
			is.kind = KG_ISSUE_POLICY;
			ret = ret ? ret : kgc_add_issue(res, &cap, &is);
			res->allowed = false;
		}
	}
	for (i = 0; i < mi->nr_crc_checks && !ret; i++) {
		const struct kgc_modsym *s = &mi->crc_checks[i];
		const struct kgc_rule *k = kgc_symtab_find(ck->kernel, s->name);
		struct kgc_issue is = { .sym = s, .kernel = k,
				       .crc_check = true };
		bool layout = !strcmp(s->name, "module_layout");

		if (ck->kernel && !k) {
			is.kind = KG_ISSUE_UNKNOWN;
			ret = kgc_add_issue(res, &cap, &is);
		} else if (k && k->has_crc && k->crc != s->crc) {
			is.kind = KG_ISSUE_CRC;
			ret = kgc_add_issue(res, &cap, &is);
			if (layout)
				res->loads = false;
		}
	}
	return ret;
}

void kgc_read_one(struct kgc_modreader *rd, int rd_err, const char *path,
		  struct kgc_check_result *res)
{
	memset(res, 0, sizeof(*res));
	if (rd_err) {
		res->err = rd_err;
		snprintf(res->errmsg, sizeof(res->errmsg), "%s: module "
			 "reader: %s", path, strerror(-rd_err));
		return;
	}
	res->err = kgc_modreader_read(rd, path, &res->mi, res->errmsg,
				     sizeof(res->errmsg));
}

static void kgc_finish_one(const struct kgc_checker *ck, const char *path,
			  struct kgc_check_result *res)
{
	int ret;

	if (res->err)
		return;
	ret = kgc_check_imports(ck, res);
	if (ret) {
		res->err = ret;
		snprintf(res->errmsg, sizeof(res->errmsg), "%s: %s", path,
			 strerror(-ret));
	}
}

void kgc_emit_ready(struct kgc_emitter *e)
{
	for (; e->next < e->nr && e->done[e->next]; e->next++) {
		struct kgc_check_result *r = &e->results[e->next];

		kgc_finish_one(e->ck, e->paths[e->next], r);
		if (!e->ck->each)
			continue;
		e->ck->each(r, e->next, e->ck->arg);
		kgc_check_result_free(r);
		memset(r, 0, sizeof(*r));
	}
}

int kgc_check_files(const struct kgc_checker *ck, char *const *paths, size_t nr,
		   unsigned int nworkers, struct kgc_check_result *results)
{
	struct kgc_emitter e = { .ck = ck, .paths = paths, .results = results,
				.nr = nr };
	struct kgc_modreader *rd = NULL;
	int rd_err;

	if (!nworkers) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		nworkers = cpus > 0 ? cpus : 1;
	}
	/* Below a few dozen files a fork costs more than it saves. */
	if (nworkers > nr / 16)
		nworkers = nr / 16 ? nr / 16 : 1;
	e.done = calloc(nr ? nr : 1, sizeof(*e.done));
	if (!e.done)
		return -ENOMEM;
	memset(results, 0, nr * sizeof(*results));
	if (nworkers > 1)
		kgc_run_workers(&e, nworkers, !ck->no_signer);
	/* Here: everything when alone, what workers could not do otherwise
	 * (reported, not retried: it may be what killed them). */
	rd_err = nworkers > 1 ? 0 : kgc_modreader_new(&rd);
	if (rd)
		kgc_modreader_want_signer(rd, !ck->no_signer);
	for (; e.next < nr; kgc_emit_ready(&e)) {
		struct kgc_check_result *r = &results[e.next];

		if (nworkers > 1) {
			kgc_check_result_free(r);
			r->err = -EIO;
			snprintf(r->errmsg, sizeof(r->errmsg), "%s: the worker "
				 "reading it died (a crash on this or an "
				 "earlier file?)", paths[e.next]);
		} else {
			kgc_read_one(rd, rd_err, paths[e.next], r);
		}
		e.done[e.next] = true;
	}
	kgc_modreader_free(rd);
	free(e.done);
	return 0;
}
