/* SPDX-License-Identifier: GPL-2.0 */
/*
 * genl_fuzz: one sender's run (genl_fuzz_run.c) and its figures. The
 * figures live in memory the driver can share with an unprivileged child.
 */
#ifndef GENL_FUZZ_RUN_H
#define GENL_FUZZ_RUN_H

#include "genl_fuzz.h"

#define FZ_ERRNO_MAX	140
#define FZ_POOL		4	/* sockets reused for single messages */
#define FZ_PARK		6	/* sockets left with a dump or transaction */
#define FZ_SEQLOG	1024

struct fz_stats {
	unsigned long total;			/* netlink messages sent */
	unsigned long sent[FZ_NR_CLASSES];
	unsigned long batches, halfdumps, halfdumps_open, txns, txn_parked, txn_abandoned;
	unsigned long mcast_ops, reopens, lock_rewritten;
	unsigned long acks_ok, acks_cmd[16], replies, events, dones, truncated;
	unsigned long nl_errs[FZ_ERRNO_MAX];	/* NLMSG_ERROR, by errno */
	unsigned long sock_errs[FZ_ERRNO_MAX];	/* send/recv, by errno */
	unsigned long mcast_errs[FZ_ERRNO_MAX];	/* setsockopt, by errno */
	unsigned long loads, load_errs[FZ_ERRNO_MAX];
	unsigned long unpriv_bad;		/* must stay 0 */
	int userns;	/* 1: half sent from a user namespace, -errno: not */
	char unpriv_what[96];
	struct fz_stats_build b;
};

struct fz_seqlog {
	uint32_t seq, len;
	uint16_t flags;
	uint8_t cmd;
};

struct fz_run {
	struct fz_rng r;
	const struct fz_family *f;
	bool root;
	bool rewrite_lock;	/* LOCK becomes GET_STATUS: the guard stays usable */
	bool events_admin;	/* the kernel restricts the events group */
	struct fz_stats *st;
	int pool[FZ_POOL], park[FZ_PARK];
	unsigned int park_next;
	uint32_t seq;
	unsigned int fails;	/* sends failed in a row */
	struct fz_seqlog seqlog[FZ_SEQLOG];
	struct fz_msg m;
	union {
		unsigned char rx[65536];
		uint64_t rx_align;	/* for the header casts */
	};
};

/*
 * Walks the datagram as the kernel's netlink_rcv_skb() does and rewrites
 * every request it would hand to generic netlink so that it goes to
 * family @f and never carries command @forbid (-1: none), which becomes
 * @instead. Returns how many commands were rewritten.
 */
unsigned int fz_sanitize(struct fz_msg *m, const struct fz_family *f,
			 int forbid, uint8_t instead);

void fz_run_init(struct fz_run *R, const struct fz_family *f, uint64_t seed,
		 bool root, bool events_admin, struct fz_stats *st);
/* One step; -EIO once sends keep failing (the family is gone). */
int fz_step(struct fz_run *R);
/* Closes every socket (aborting transactions, ending dumps). */
void fz_run_close(struct fz_run *R);

#endif /* GENL_FUZZ_RUN_H */
