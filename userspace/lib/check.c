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
 *                     weak-modules asks before reusing a module.
 *   - ns-not-imported: the entry has a namespace the module's import_ns
 *                     does not list: refused since v5.4.
 *   - policy:         kg_matcher_allows() (the kernel's own semantics, with
 *                     the namespace, exporter and CRC from the entry)
 *                     refuses it; kabiguard.ko would report or deny it.
 * Files are spread over threads, one libkmod reader each.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "internal.h"

static const char *const kg_issue_kinds[] = {
	[KG_ISSUE_POLICY] = "policy",
	[KG_ISSUE_NS_NOT_IMPORTED] = "ns-not-imported",
	[KG_ISSUE_UNKNOWN] = "unknown-symbol",
	[KG_ISSUE_CRC] = "crc-differs",
};

const char *kg_issue_kind_name(enum kg_issue_kind k)
{
	if ((unsigned int)k >= sizeof(kg_issue_kinds) / sizeof(*kg_issue_kinds))
		return "?";
	return kg_issue_kinds[k];
}

void kg_check_result_free(struct kg_check_result *r)
{
	kg_modinfo_free(&r->mi);
	free(r->issues);
	r->issues = NULL;
	r->nr_issues = 0;
}

static bool kg_imports_ns(const struct kg_modinfo *mi, const char *ns)
{
	size_t i;

	for (i = 0; i < mi->nr_import_ns; i++)
		if (!strcmp(mi->import_ns[i], ns))
			return true;
	return false;
}

static int kg_add_issue(struct kg_check_result *res, size_t *cap,
			const struct kg_issue *is)
{
	struct kg_issue *n;

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

static int kg_check_imports(const struct kg_checker *ck,
			    struct kg_check_result *res)
{
	const struct kg_modinfo *mi = &res->mi;
	bool sig_ok = ck->assume_signed || mi->signer;
	size_t i, cap = 0;
	int ret = 0;

	res->loads = true;
	res->allowed = true;
	for (i = 0; i < mi->nr_imports && !ret; i++) {
		const struct kg_modsym *s = &mi->imports[i];
		const struct kg_rule *k = kg_symtab_find(ck->kernel, s->name);
		struct kg_issue is = { .sym = s, .kernel = k };
		struct kg_import imp = { .name = s->name };

		if (ck->kernel && !k && !s->weak) {
			is.kind = KG_ISSUE_UNKNOWN;
			ret = kg_add_issue(res, &cap, &is);
			res->loads = false;
		}
		if (k && k->ns && !kg_imports_ns(mi, k->ns)) {
			is.kind = KG_ISSUE_NS_NOT_IMPORTED;
			ret = ret ? ret : kg_add_issue(res, &cap, &is);
			res->loads = false;
		}
		if (k && k->has_crc && s->has_crc && k->crc != s->crc) {
			is.kind = KG_ISSUE_CRC;
			ret = ret ? ret : kg_add_issue(res, &cap, &is);
			res->loads = false;
		}
		if (!ck->policy)
			continue;
		if (k) {
			imp.ns = k->ns;
			imp.exporter = k->exporter;
			imp.crc = k->crc;
			imp.has_crc = k->has_crc;
		}
		if (!kg_matcher_allows(ck->policy, &imp, mi->name, sig_ok,
				       &is.match)) {
			is.kind = KG_ISSUE_POLICY;
			ret = ret ? ret : kg_add_issue(res, &cap, &is);
			res->allowed = false;
		}
	}
	return ret;
}

struct kg_check_job {
	const struct kg_checker *ck;
	char *const *paths;
	size_t nr;
	struct kg_check_result *results;
	atomic_size_t next;
};

static void kg_check_one(struct kg_check_job *job, struct kg_modreader *rd,
			 int rd_err, size_t i)
{
	struct kg_check_result *res = &job->results[i];
	int ret;

	memset(res, 0, sizeof(*res));
	if (rd_err) {
		res->err = rd_err;
		snprintf(res->errmsg, sizeof(res->errmsg), "%s: libkmod: %s",
			 job->paths[i], strerror(-rd_err));
		return;
	}
	ret = kg_modreader_read(rd, job->paths[i], &res->mi, res->errmsg,
				sizeof(res->errmsg));
	if (!ret)
		ret = kg_check_imports(job->ck, res);
	if (ret) {
		res->err = ret;
		if (!*res->errmsg)
			snprintf(res->errmsg, sizeof(res->errmsg), "%s: %s",
				 job->paths[i], strerror(-ret));
	}
}

static void *kg_check_thread(void *arg)
{
	struct kg_check_job *job = arg;
	struct kg_modreader *rd = NULL;
	int rd_err = kg_modreader_new(&rd);
	size_t i;

	while ((i = atomic_fetch_add(&job->next, 1)) < job->nr)
		kg_check_one(job, rd, rd_err, i);
	kg_modreader_free(rd);
	return NULL;
}

int kg_check_files(const struct kg_checker *ck, char *const *paths, size_t nr,
		   unsigned int nthreads, struct kg_check_result *results)
{
	struct kg_check_job job = {
		.ck = ck, .paths = paths, .nr = nr, .results = results,
	};
	pthread_t *tids;
	unsigned int i, started = 0;

	if (!nthreads) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		nthreads = cpus > 0 ? cpus : 1;
	}
	if (nthreads > nr)
		nthreads = nr ? nr : 1;
	atomic_init(&job.next, 0);
	tids = calloc(nthreads, sizeof(*tids));
	if (!tids)
		return -ENOMEM;
	/* This thread works too; the others help with what is left. */
	for (i = 1; i < nthreads; i++)
		if (!pthread_create(&tids[started], NULL, kg_check_thread,
				    &job))
			started++;
	kg_check_thread(&job);
	for (i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	free(tids);
	return 0;
}

/* Module file names libkmod can read (given the decompressors it has). */
static bool kg_is_module_name(const char *n)
{
	static const char *const ext[] = { ".ko", ".ko.xz", ".ko.zst",
					   ".ko.gz" };
	size_t len = strlen(n), i, el;

	for (i = 0; i < sizeof(ext) / sizeof(*ext); i++) {
		el = strlen(ext[i]);
		if (len > el && !strcmp(n + len - el, ext[i]))
			return true;
	}
	return false;
}

struct kg_strv {
	char **v;
	size_t nr, cap;
};

static int kg_strv_add(struct kg_strv *s, const char *str)
{
	if (s->nr == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		char **n = realloc(s->v, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		s->v = n;
		s->cap = cap;
	}
	s->v[s->nr] = strdup(str);
	if (!s->v[s->nr])
		return -ENOMEM;
	s->nr++;
	return 0;
}

void kg_free_strv(char **v, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		free(v[i]);
	free(v);
}

/* Recursive walk; symlinked directories are not followed (no loops). */
static int kg_walk(struct kg_strv *s, const char *dir, char *err,
		   size_t errlen)
{
	struct dirent *de;
	int ret = 0;
	DIR *d;

	d = opendir(dir);
	if (!d) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", dir, strerror(-ret));
		return ret;
	}
	while (!ret && (de = readdir(d))) {
		char path[4096];
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
				     de->d_name) >= sizeof(path))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW))
			continue;
		if (S_ISDIR(st.st_mode))
			ret = kg_walk(s, path, err, errlen);
		else if (kg_is_module_name(de->d_name) &&
			 !fstatat(dirfd(d), de->d_name, &st, 0) &&
			 S_ISREG(st.st_mode))
			ret = kg_strv_add(s, path);
	}
	closedir(d);
	if (ret == -ENOMEM)
		snprintf(err, errlen, "%s: %s", dir, strerror(ENOMEM));
	return ret;
}

static int kg_cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int kg_find_modules(char *const *paths, size_t nr, char ***out, size_t *nr_out,
		    char *err, size_t errlen)
{
	struct kg_strv s = { 0 };
	size_t i, first;
	int ret = 0;

	for (i = 0; i < nr && !ret; i++) {
		struct stat st;

		if (stat(paths[i], &st)) {
			ret = -errno;
			snprintf(err, errlen, "%s: %s", paths[i],
				 strerror(-ret));
			break;
		}
		if (!S_ISDIR(st.st_mode)) {
			/* Named explicitly: checked whatever its name. */
			ret = kg_strv_add(&s, paths[i]);
			if (ret)
				snprintf(err, errlen, "%s", strerror(ENOMEM));
			continue;
		}
		first = s.nr;
		ret = kg_walk(&s, paths[i], err, errlen);
		if (!ret)
			qsort(s.v + first, s.nr - first, sizeof(*s.v),
			      kg_cmp_path);
	}
	if (ret) {
		kg_free_strv(s.v, s.nr);
		return ret;
	}
	*out = s.v;
	*nr_out = s.nr;
	return 0;
}
