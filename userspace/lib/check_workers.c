// SPDX-License-Identifier: GPL-2.0
/*
 * Workers. Reading (decompression, ELF) is the costly part; the checks
 * against the symvers index and the policy are cheap and run in the
 * parent (offline_check.c). Trees are read by worker processes, not
 * threads: reading maps and unmaps every module file (its buffers,
 * libkmod's map of a signed one), and with threads every munmap() sends a
 * TLB-shootdown IPI to the other CPUs running the same mm, which made two
 * threads slower than one (1.85 s against 0.70 s for Debian's 6.1 tree
 * on a 2-vCPU VM). Each worker has its own reader, takes the next file
 * from a counter in shared memory and sends each module back through its
 * pipe as one serialized record (check_record.c). A worker that crashes on a hostile file costs only
 * the files it had not sent back; they are reported as errors.
 */
#define _GNU_SOURCE	/* pipe2(), sched_setaffinity() */
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
#include <sys/wait.h>

#include "offline_check.h"

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

int kgc_run_workers(struct kgc_emitter *e, unsigned int n, bool want_signer)
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
