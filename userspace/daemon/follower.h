/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The follower: which verdict events kabiguardd writes, and when.
 *
 * Events come two ways. The multicast group is the low-latency path. The
 * kernel's ring (KABIGUARD_CMD_EVENTS_GET) is the lossless one: at start,
 * after ENOBUFS (the events socket overflowed) and whenever multicast
 * skips a sequence number, the follower dumps the ring from the first
 * number not written. Every event is de-duplicated by sequence number:
 * nothing at or below the last one queued is queued again. A number the
 * ring no longer holds is reported lost, once, as a range.
 *
 * Durability: queued events form a batch (at most KGD_BATCH_LINES), which
 * the host writes and syncs in one go (ops->write). Only after that does
 * the follower count them written and, at most every KGD_DECLARE_MS,
 * declare progress to the kernel by an EVENTS_GET from the next number
 * wanted (which also brings whatever multicast has not yet). A failed
 * write drops the batch: its events stay in the ring and are dumped again
 * after KGD_RETRY_MS.
 *
 * No I/O here: netlink, files and the clock are the host's (ops), so
 * tests/follower_test.c drives it with scripted event streams.
 */
#ifndef KGD_FOLLOWER_H
#define KGD_FOLLOWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kgclient.h"

#define KGD_BATCH_LINES		512
#define KGD_DECLARE_MS		100
#define KGD_RETRY_MS		5000

struct kgd_follower_ops {
	/* EVENTS_GET from seq `from`: cb(ev, cbarg) for each event still in
	 * the ring, oldest first (a negative return from cb ends the dump
	 * with it); declares to the kernel that every event before `from`
	 * was read. 0, -EAGAIN (a commit interrupted it: again), -errno. */
	int (*dump)(void *arg, uint64_t from, kgc_event_cb cb, void *cbarg);
	/* The kernel's explanation of the last failed dump, or "". */
	const char *(*extack)(void *arg);
	/* Adds ev's line to the batch: 0, or -errno with nothing added. */
	int (*queue)(void *arg, const struct kgc_event *ev);
	/* Writes the batch (nr lines, events first..last; first is the
	 * number after the last written) durably, then advances the state
	 * file to last. 0, or -errno with none of the batch left in the log
	 * (the host has said why). */
	int (*write)(void *arg, size_t nr, uint64_t first, uint64_t last);
	/* Forgets the batch (after a failed write). */
	void (*drop)(void *arg);
	/* Events first..last left the ring before they were read. */
	void (*lost)(void *arg, uint64_t first, uint64_t last);
	/* CLOCK_MONOTONIC in ms. */
	uint64_t (*now_ms)(void *arg);
};

struct kgd_follower_stats {
	uint64_t dups, catchups, enobufs, lost;
};

struct kgd_follower {
	const struct kgd_follower_ops *ops;
	void *arg;
	uint64_t last_written;		/* on disk (and in syslog) */
	uint64_t last_queued;		/* in the batch */
	size_t pend_lines;		/* lines in the batch */
	bool in_dump;
	bool need_catchup;		/* ENOBUFS, a gap or a failed write */
	uint64_t retry_at_ms;		/* after a failure: when to retry */
	uint64_t declared;		/* last seq declared to the kernel + 1 */
	uint64_t declared_at_ms;
	struct kgd_follower_stats st;
};

void kgd_follower_init(struct kgd_follower *f,
		       const struct kgd_follower_ops *ops, void *arg);
/*
 * Where to resume: `written` is the last seq known written (the state
 * file's or the log's last line's, this boot), st the kernel's status.
 * A kernel whose next number is at or below it was reloaded: start over.
 */
void kgd_follower_resume(struct kgd_follower *f, uint64_t written,
			 const struct kgc_status *st);
/* One event from multicast: queued unless already queued or written; a
 * skipped number first dumps the ring. 0 or -errno (-ENOMEM). */
int kgd_follower_event(struct kgd_follower *f, const struct kgc_event *ev);
/* The events socket overflowed: catch up from the ring when next due. */
void kgd_follower_enobufs(struct kgd_follower *f);
/* Writes the batch (ops->write); on failure drops it and retries from
 * the ring after KGD_RETRY_MS. 0 or the write's -errno. */
int kgd_follower_flush(struct kgd_follower *f);
/* Flushes, dumps the ring from the first number not written, flushes. */
int kgd_follower_catch_up(struct kgd_follower *f);
/* Declares what was written (a dump from the next number), at most every
 * KGD_DECLARE_MS unless force. */
int kgd_follower_declare(struct kgd_follower *f, bool force);
/* After each wake-up: a due catch-up, flush, declare. */
void kgd_follower_tick(struct kgd_follower *f);
/* How long the host may sleep before kgd_follower_tick() has work: ms,
 * or -1 (until an event comes). */
int kgd_follower_timeout(const struct kgd_follower *f);

#endif /* KGD_FOLLOWER_H */
