/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The offline checker's internals, shared by its files and by nothing
 * else (kgc_check.h is its API):
 *   offline_check.c  the checks of one module and kgc_check_files()
 *   check_record.c   a module read by a worker, as the record it sends back
 *   check_workers.c  the worker processes that read the files
 */
#ifndef KG_OFFLINE_CHECK_H
#define KG_OFFLINE_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "internal.h"

/* A growing byte buffer, read back from pos; bad once anything failed
 * (no memory, or a read past the end). */
struct kgc_buf {
	unsigned char *d;
	size_t len, cap, pos;
	bool bad;
};

/* check_record.c: appends result r (of paths[idx]) as one record: u32
 * length of the rest, u32 index, i32 err, then either the error message
 * or the modinfo. b->bad on failure. */
void kgc_put_result(struct kgc_buf *b, size_t idx,
		    const struct kgc_check_result *r);
/* The record in b (without its length) into results[*idx], *idx < nr.
 * Returns 0 or -EBADMSG. */
int kgc_get_result(struct kgc_buf *b, size_t nr,
		   struct kgc_check_result *results, size_t *idx);

/* offline_check.c: reads path into res (res->err and errmsg on failure;
 * rd_err: the reader could not be made). */
void kgc_read_one(struct kgc_modreader *rd, int rd_err, const char *path,
		  struct kgc_check_result *res);

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

/* Finishes and hands on the results done so far, in path order. */
void kgc_emit_ready(struct kgc_emitter *e);

/* check_workers.c: reads e->paths in n worker processes, marking each
 * result done and emitting as records arrive. What no worker sent back
 * stays not done. Returns 0, or a negative errno when none could start. */
int kgc_run_workers(struct kgc_emitter *e, unsigned int n, bool want_signer);

#endif /* KG_OFFLINE_CHECK_H */
