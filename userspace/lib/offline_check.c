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
 * Files are spread over worker processes, one module reader each.
 */
#define _GNU_SOURCE	/* pipe2() */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "internal.h"

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

/*
 * Workers. Reading (decompression, ELF) is the costly part; the checks
 * against the symvers index and the policy are cheap and run here. Trees
 * are read by worker processes, not threads: reading maps and unmaps every
 * module file (its buffers, libkmod's map of a signed one), and with
 * threads every munmap() sends a TLB-shootdown IPI to the other CPUs running the same mm, which made two threads slower than
 * one (1.85 s against 0.70 s for Debian's 6.1 tree on a 2-vCPU VM). Each
 * worker has its own reader, takes the next file from a counter in
 * shared memory and sends each module back through its pipe as one
 * serialized record. A worker that crashes on a hostile file costs only
 * the files it had not sent back; they are reported as errors.
 */
struct kgc_buf {
	unsigned char *d;
	size_t len, cap, pos;
	bool bad;
};

static void kgc_put(struct kgc_buf *b, const void *src, size_t len)
{
	if (b->bad)
		return;
	if (b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		unsigned char *n;

		while (cap < b->len + len)
			cap *= 2;
		n = realloc(b->d, cap);
		if (!n) {
			b->bad = true;
			return;
		}
		b->d = n;
		b->cap = cap;
	}
	memcpy(b->d + b->len, src, len);
	b->len += len;
}

static void kgc_put_u32(struct kgc_buf *b, uint32_t v)
{
	kgc_put(b, &v, sizeof(v));
}

/* NULL is length 0xffffffff. */
static void kgc_put_str(struct kgc_buf *b, const char *s)
{
	uint32_t len = s ? strlen(s) : UINT32_MAX;

	kgc_put_u32(b, len);
	if (s)
		kgc_put(b, s, len);
}

static bool kgc_get(struct kgc_buf *b, void *dst, size_t len)
{
	if (b->bad || b->len - b->pos < len) {
		b->bad = true;
		return false;
	}
	memcpy(dst, b->d + b->pos, len);
	b->pos += len;
	return true;
}

static uint32_t kgc_get_u32(struct kgc_buf *b)
{
	uint32_t v = 0;

	kgc_get(b, &v, sizeof(v));
	return v;
}

static char *kgc_get_str(struct kgc_buf *b)
{
	uint32_t len = kgc_get_u32(b);
	char *s;

	if (len == UINT32_MAX || b->bad)
		return NULL;
	if (b->len - b->pos < len) {
		b->bad = true;
		return NULL;
	}
	s = malloc(len + 1);
	if (!s) {
		b->bad = true;
		return NULL;
	}
	kgc_get(b, s, len);
	s[len] = '\0';
	return s;
}

static void kgc_put_syms(struct kgc_buf *b, const struct kgc_modsym *v,
			size_t nr)
{
	size_t i;

	kgc_put_u32(b, nr);
	for (i = 0; i < nr; i++) {
		kgc_put_str(b, v[i].name);
		kgc_put_u32(b, v[i].crc);
		kgc_put_u32(b, v[i].has_crc | v[i].weak << 1);
	}
}

static void kgc_get_syms(struct kgc_buf *b, struct kgc_modsym **v, size_t *nr)
{
	uint32_t i, n = kgc_get_u32(b), f;

	if (n > b->len)
		b->bad = true;
	if (!b->bad && n) {
		*v = calloc(n, sizeof(**v));
		b->bad = !*v;
	}
	for (i = 0; i < n && !b->bad; i++, (*nr)++) {
		(*v)[i].name = kgc_get_str(b);
		(*v)[i].crc = kgc_get_u32(b);
		f = kgc_get_u32(b);
		(*v)[i].has_crc = f & 1;
		(*v)[i].weak = f & 2;
	}
}

/* Record: u32 length of the rest, u32 index, i32 err, then either the
 * error message or the modinfo. */
static void kgc_put_result(struct kgc_buf *b, size_t idx,
			  const struct kgc_check_result *r)
{
	const struct kgc_modinfo *mi = &r->mi;
	size_t start = b->len, i;
	uint32_t len;

	kgc_put_u32(b, 0);
	kgc_put_u32(b, idx);
	kgc_put_u32(b, (uint32_t)r->err);
	if (r->err) {
		kgc_put_str(b, r->errmsg);
	} else {
		kgc_put_str(b, mi->path);
		kgc_put_str(b, mi->name);
		kgc_put_str(b, mi->vermagic);
		kgc_put_str(b, mi->signer);
		kgc_put_u32(b, mi->has_versions | mi->has_ext_versions << 1 |
			   mi->signed_file << 2);
		kgc_put_u32(b, mi->nr_import_ns);
		for (i = 0; i < mi->nr_import_ns; i++)
			kgc_put_str(b, mi->import_ns[i]);
		kgc_put_syms(b, mi->imports, mi->nr_imports);
		kgc_put_syms(b, mi->crc_checks, mi->nr_crc_checks);
	}
	if (b->bad)
		return;
	len = b->len - start - sizeof(len);
	memcpy(b->d + start, &len, sizeof(len));
}

/* The records of one worker are trusted as much as the worker: only
 * bounds are checked. */
static int kgc_get_result(struct kgc_buf *b, size_t nr,
			 struct kgc_check_result *results, size_t *idx)
{
	struct kgc_check_result *r;
	struct kgc_modinfo *mi;
	uint32_t i, n, f;

	*idx = kgc_get_u32(b);
	if (b->bad || *idx >= nr)
		return -EBADMSG;
	r = &results[*idx];
	mi = &r->mi;
	r->err = (int32_t)kgc_get_u32(b);
	if (r->err) {
		char *msg = kgc_get_str(b);

		snprintf(r->errmsg, sizeof(r->errmsg), "%s", msg ? msg : "?");
		free(msg);
		return b->bad ? -EBADMSG : 0;
	}
	mi->path = kgc_get_str(b);
	mi->name = kgc_get_str(b);
	mi->vermagic = kgc_get_str(b);
	mi->signer = kgc_get_str(b);
	f = kgc_get_u32(b);
	mi->has_versions = f & 1;
	mi->has_ext_versions = f & 2;
	mi->signed_file = f & 4;
	n = kgc_get_u32(b);
	if (n > b->len)
		b->bad = true;
	if (!b->bad && n) {
		mi->import_ns = calloc(n, sizeof(*mi->import_ns));
		b->bad = !mi->import_ns;
	}
	for (i = 0; i < n && !b->bad; i++, mi->nr_import_ns++)
		mi->import_ns[i] = kgc_get_str(b);
	kgc_get_syms(b, &mi->imports, &mi->nr_imports);
	kgc_get_syms(b, &mi->crc_checks, &mi->nr_crc_checks);
	if (b->bad || !mi->path || !mi->name)
		return -EBADMSG;
	for (i = 0; i < mi->nr_import_ns; i++)
		if (!mi->import_ns[i])
			return -EBADMSG;
	for (i = 0; i < mi->nr_imports; i++)
		if (!mi->imports[i].name)
			return -EBADMSG;
	for (i = 0; i < mi->nr_crc_checks; i++)
		if (!mi->crc_checks[i].name)
			return -EBADMSG;
	return 0;
}

static void kgc_read_one(struct kgc_modreader *rd, int rd_err,
			const char *path, struct kgc_check_result *res)
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

static int kgc_write_all(int fd, const unsigned char *d, size_t len)
{
	while (len) {
		ssize_t w = write(fd, d, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		d += w;
		len -= w;
	}
	return 0;
}

static void __attribute__((noreturn))
kgc_worker(char *const *paths, size_t nr, atomic_size_t *next, int fd,
	  bool want_signer)
{
	struct kgc_modreader *rd = NULL;
	int rd_err = kgc_modreader_new(&rd);

	if (!rd_err)
		kgc_modreader_want_signer(rd, want_signer);
	struct kgc_buf b = { 0 };
	struct kgc_check_result res;
	size_t i;

	while ((i = atomic_fetch_add(next, 1)) < nr) {
		kgc_read_one(rd, rd_err, paths[i], &res);
		kgc_put_result(&b, i, &res);
		kgc_check_result_free(&res);
		/* Batches of a few records: fewer syscalls. */
		if (b.bad || (b.len > 65536 && kgc_write_all(fd, b.d, b.len)))
			_exit(1);
		if (b.len > 65536)
			b.len = 0;
	}
	if (b.len && kgc_write_all(fd, b.d, b.len))
		_exit(1);
	_exit(0);
}

/*
 * Worker k runs on the k-th CPU this process may use, from its first
 * instruction on: the parent pins itself there before the fork (and is
 * unpinned afterwards), so the child never runs anywhere else. A process
 * that has run on several CPUs keeps them in its mm_cpumask, and every
 * munmap() sends them a TLB-shootdown IPI. Best effort.
 */
static void kgc_pin(const cpu_set_t *allowed, unsigned int k)
{
	unsigned int cpu, seen = 0;
	cpu_set_t one;

	for (cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, allowed))
			continue;
		if (seen++ == k % CPU_COUNT(allowed)) {
			CPU_ZERO(&one);
			CPU_SET(cpu, &one);
			sched_setaffinity(0, sizeof(one), &one);
			return;
		}
	}
}

/* Results in path order: those done so far are finished (matched) and
 * handed to ck->each at once, so that output and freeing follow the
 * workers instead of waiting for the last file. */
struct kgc_emitter {
	const struct kgc_checker *ck;
	char *const *paths;
	struct kgc_check_result *results;
	bool *done;
	size_t nr, next;
};

static void kgc_emit_ready(struct kgc_emitter *e)
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

struct kgc_worker_state {
	pid_t pid;
	int fd;
	struct kgc_buf in;
};

/* Parses the complete records in w->in; keeps a partial one. */
static int kgc_drain(struct kgc_worker_state *w, struct kgc_emitter *e)
{
	for (;;) {
		struct kgc_buf rec;
		uint32_t len;
		size_t idx;

		if (w->in.len - w->in.pos < sizeof(len))
			break;
		memcpy(&len, w->in.d + w->in.pos, sizeof(len));
		if (w->in.len - w->in.pos - sizeof(len) < len)
			break;
		rec = (struct kgc_buf){ .d = w->in.d + w->in.pos + sizeof(len),
				       .len = len };
		if (kgc_get_result(&rec, e->nr, e->results, &idx))
			return -EBADMSG;
		e->done[idx] = true;
		w->in.pos += sizeof(len) + len;
	}
	kgc_emit_ready(e);
	memmove(w->in.d, w->in.d + w->in.pos, w->in.len - w->in.pos);
	w->in.len -= w->in.pos;
	w->in.pos = 0;
	return 0;
}

static int kgc_run_workers(struct kgc_emitter *e, unsigned int n,
			  bool want_signer)
{
	struct kgc_worker_state *w;
	struct pollfd *pfd;
	atomic_size_t *next;
	unsigned int i, live = 0;
	bool pinned = false;
	cpu_set_t allowed;
	int ret = 0;

	next = mmap(NULL, sizeof(*next), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (next == MAP_FAILED)
		return -errno;
	atomic_init(next, 0);
	w = calloc(n, sizeof(*w));
	pfd = calloc(n, sizeof(*pfd));
	if (!w || !pfd) {
		ret = -ENOMEM;
		goto out;
	}
	fflush(NULL);	/* nothing buffered twice */
	pinned = !sched_getaffinity(0, sizeof(allowed), &allowed);
	for (i = 0; i < n; i++) {
		int p[2];

		if (pipe2(p, O_CLOEXEC))
			break;
		if (pinned)
			kgc_pin(&allowed, i);
		w[live].pid = fork();
		if (w[live].pid < 0) {
			close(p[0]);
			close(p[1]);
			break;
		}
		if (!w[live].pid) {
			unsigned int j;

			close(p[0]);
			for (j = 0; j < live; j++)
				close(w[j].fd);
			kgc_worker(e->paths, e->nr, next, p[1], want_signer);
		}
		close(p[1]);
		w[live].fd = p[0];
		live++;
	}
	if (pinned)
		sched_setaffinity(0, sizeof(allowed), &allowed);
	if (!live) {
		ret = -EAGAIN;
		goto out;
	}
	for (i = 0; i < live; i++)
		pfd[i] = (struct pollfd){ .fd = w[i].fd, .events = POLLIN };
	for (unsigned int open = live; open;) {
		if (poll(pfd, live, -1) < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		for (i = 0; i < live; i++) {
			struct kgc_buf *in = &w[i].in;
			ssize_t r;

			if (pfd[i].fd < 0 || !pfd[i].revents)
				continue;
			if (in->cap - in->len < 65536) {
				size_t cap = in->cap * 2 + 65536;
				unsigned char *d = realloc(in->d, cap);

				if (d) {
					in->d = d;
					in->cap = cap;
				}
			}
			r = in->cap > in->len ?
			    read(w[i].fd, in->d + in->len, in->cap - in->len) :
			    -1;
			if (r < 0 && errno == EINTR)
				continue;
			if (r > 0) {
				in->len += r;
				if (!kgc_drain(&w[i], e))
					continue;
			}
			/* EOF, error or garbage: this worker is done. */
			close(w[i].fd);
			pfd[i].fd = -1;
			open--;
		}
	}
	for (i = 0; i < live; i++) {
		waitpid(w[i].pid, NULL, 0);
		if (pfd[i].fd >= 0)
			close(pfd[i].fd);
		free(w[i].in.d);
	}
out:
	free(w);
	free(pfd);
	munmap(next, sizeof(*next));
	return ret;
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

/* Module file names (modread.c decompresses gzip, xz and zstd). */
static bool kgc_is_module_name(const char *n)
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

struct kgc_strv {
	char **v;
	size_t nr, cap;
};

static int kgc_strv_add(struct kgc_strv *s, const char *str)
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

void kgc_free_strv(char **v, size_t nr)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < nr; i++)
		free(v[i]);
	free(v);
}

/* Recursive walk; symlinked directories are not followed (no loops). */
static int kgc_walk(struct kgc_strv *s, const char *dir, char *err,
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
		/* d_type spares a stat per entry where the file system
		 * fills it in; a symlink is followed to a file only. */
		if (de->d_type == DT_DIR) {
			ret = kgc_walk(s, path, err, errlen);
			continue;
		}
		if (de->d_type == DT_REG) {
			if (kgc_is_module_name(de->d_name))
				ret = kgc_strv_add(s, path);
			continue;
		}
		if (de->d_type != DT_LNK && de->d_type != DT_UNKNOWN)
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW))
			continue;
		if (S_ISDIR(st.st_mode))
			ret = kgc_walk(s, path, err, errlen);
		else if (kgc_is_module_name(de->d_name) &&
			 !fstatat(dirfd(d), de->d_name, &st, 0) &&
			 S_ISREG(st.st_mode))
			ret = kgc_strv_add(s, path);
	}
	closedir(d);
	if (ret == -ENOMEM)
		snprintf(err, errlen, "%s: %s", dir, strerror(ENOMEM));
	return ret;
}

static int kgc_cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int kgc_find_modules(char *const *paths, size_t nr, char ***out, size_t *nr_out,
		    char *err, size_t errlen)
{
	struct kgc_strv s = { 0 };
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
			ret = kgc_strv_add(&s, paths[i]);
			if (ret)
				snprintf(err, errlen, "%s", strerror(ENOMEM));
			continue;
		}
		first = s.nr;
		ret = kgc_walk(&s, paths[i], err, errlen);
		if (!ret)
			qsort(s.v + first, s.nr - first, sizeof(*s.v),
			      kgc_cmp_path);
	}
	if (ret) {
		kgc_free_strv(s.v, s.nr);
		return ret;
	}
	*out = s.v;
	*nr_out = s.nr;
	return 0;
}
