// SPDX-License-Identifier: GPL-2.0
/*
 * genl_fuzz: sending. One run is a series of steps drawn from a seeded
 * generator: single valid, mutated or random messages, batches of them in
 * one datagram, dumps left half-read, policy transactions begun and
 * abandoned, multicast joins and leaves, sockets closed and reopened. The
 * replies are read and counted but never steer the generator, so a seed
 * replays the same requests.
 */
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/kabiguard.h>
#include <linux/netlink.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "genl_fuzz_run.h"
#include "kg_nla.h"

#define SOL_NETLINK_ 270	/* SOL_NETLINK, not in every libc */

unsigned int fz_sanitize(struct fz_msg *m, const struct fz_family *f,
			 int forbid, uint8_t instead)
{
	size_t off = 0;
	unsigned int n = 0;

	while (m->len - off >= NLMSG_HDRLEN) {
		struct nlmsghdr *h = (void *)(m->buf + off);
		size_t len = NLMSG_ALIGN(h->nlmsg_len);

		if (h->nlmsg_len < NLMSG_HDRLEN || h->nlmsg_len > m->len - off)
			break;
		if ((h->nlmsg_flags & NLM_F_REQUEST) &&
		    h->nlmsg_type >= NLMSG_MIN_TYPE) {
			struct genlmsghdr *g = NLMSG_DATA(h);

			/* Never another family's: their bugs are not ours. */
			h->nlmsg_type = f->id;
			if (h->nlmsg_len >= NLMSG_LENGTH(GENL_HDRLEN) &&
			    g->cmd == forbid) {
				g->cmd = instead;
				n++;
			}
		}
		off += len < m->len - off ? len : m->len - off;
	}
	return n;
}

static int fz_sock_open(struct fz_run *R, bool small)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd, one = 1, sz = 4096;

	/* Failures count as failed sends: a run that cannot open stops. */
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0) {
		R->st->sock_errs[errno < FZ_ERRNO_MAX ? errno : 0]++;
		R->fails++;
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		R->st->sock_errs[errno < FZ_ERRNO_MAX ? errno : 0]++;
		R->fails++;
		close(fd);
		return -1;
	}
	/* Extended acks and capped acks on some sockets, not on others. */
	if (fz_below(&R->r, 2))
		setsockopt(fd, SOL_NETLINK_, NETLINK_EXT_ACK, &one, sizeof(one));
	if (!fz_below(&R->r, 4))
		setsockopt(fd, SOL_NETLINK_, NETLINK_CAP_ACK, &one, sizeof(one));
	/* A tiny receive buffer: dumps and events then hit ENOBUFS. */
	if (small)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	return fd;
}

static void fz_err(unsigned long *hist, int e)
{
	hist[e > 0 && e < FZ_ERRNO_MAX ? e : 0]++;
}

/* What an unprivileged sender must never get back. */
static void fz_unpriv_check(struct fz_run *R, const struct nlmsghdr *h)
{
	const struct genlmsghdr *g = NLMSG_DATA(h);

	if (R->root || h->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
		return;
	if (g->cmd == KABIGUARD_CMD_GET_STATUS)
		return;
	/* Multicast events: only where the kernel cannot restrict the group. */
	if (g->cmd == KABIGUARD_CMD_VERDICT && !h->nlmsg_seq &&
	    !R->events_admin)
		return;
	R->st->unpriv_bad++;
	if (R->st->unpriv_bad == 1)
		snprintf(R->st->unpriv_what, sizeof(R->st->unpriv_what),
			 "reply command %u, seq %u", g->cmd, h->nlmsg_seq);
}

static void fz_ack(struct fz_run *R, const struct nlmsghdr *h)
{
	const struct nlmsgerr *e = NLMSG_DATA(h);
	const struct fz_seqlog *l;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
		return;
	if (e->error) {
		fz_err(R->st->nl_errs, -e->error);
		return;
	}
	R->st->acks_ok++;
	l = &R->seqlog[e->msg.nlmsg_seq % FZ_SEQLOG];
	if (l->seq == e->msg.nlmsg_seq && l->len == e->msg.nlmsg_len &&
	    (l->flags & NLM_F_REQUEST) && l->cmd < ARRAY_SIZE(R->st->acks_cmd))
		R->st->acks_cmd[l->cmd]++;
	/*
	 * Only GET_STATUS may succeed for an unprivileged sender. (netlink
	 * acks a message without NLM_F_REQUEST unseen: not a success.)
	 */
	if (!R->root && l->seq == e->msg.nlmsg_seq &&
	    l->len == e->msg.nlmsg_len && l->flags == e->msg.nlmsg_flags &&
	    (l->flags & NLM_F_REQUEST) && l->len >= NLMSG_LENGTH(GENL_HDRLEN) &&
	    l->cmd != KABIGUARD_CMD_GET_STATUS && e->msg.nlmsg_type == R->f->id) {
		R->st->unpriv_bad++;
		if (R->st->unpriv_bad == 1)
			snprintf(R->st->unpriv_what, sizeof(R->st->unpriv_what),
				 "command %u acknowledged", l->cmd);
	}
}

/* Reads what is queued on @fd; @max datagrams at most (0: all). */
static void fz_drain(struct fz_run *R, int fd, unsigned int max)
{
	unsigned int got = 0;

	for (;;) {
		ssize_t n = recv(fd, R->rx, sizeof(R->rx), MSG_DONTWAIT | MSG_TRUNC);
		const struct nlmsghdr *h;
		size_t rem;

		if (n < 0) {
			if (errno == EAGAIN)
				return;
			fz_err(R->st->sock_errs, errno);
			if (errno == ENOBUFS)
				continue;
			return;
		}
		if ((size_t)n > sizeof(R->rx)) {
			R->st->truncated++;
			n = sizeof(R->rx);
		}
		rem = (size_t)n;
		for (h = (void *)R->rx; NLMSG_OK(h, rem); h = NLMSG_NEXT(h, rem)) {
			if (h->nlmsg_type == NLMSG_ERROR) {
				fz_ack(R, h);
			} else if (h->nlmsg_type == NLMSG_DONE) {
				R->st->dones++;
			} else if (h->nlmsg_type == R->f->id) {
				const struct genlmsghdr *g = NLMSG_DATA(h);

				if (!h->nlmsg_seq && g->cmd == KABIGUARD_CMD_VERDICT)
					R->st->events++;
				else
					R->st->replies++;
				fz_unpriv_check(R, h);
			}
		}
		if (max && ++got >= max)
			return;
	}
}

/* Logs every message of the datagram (for the ack check) and sends it. */
static int fz_send(struct fz_run *R, int fd, struct fz_msg *m)
{
	uint32_t i;

	R->st->lock_rewritten += fz_sanitize(m, R->f, R->rewrite_lock ?
					     KABIGUARD_CMD_LOCK : -1,
					     KABIGUARD_CMD_GET_STATUS);
	for (i = 0; i < m->nr; i++) {
		const struct nlmsghdr *h = (void *)(m->buf + m->off[i]);
		struct fz_seqlog *l = &R->seqlog[h->nlmsg_seq % FZ_SEQLOG];

		l->seq = h->nlmsg_seq;
		l->len = h->nlmsg_len;
		l->flags = h->nlmsg_flags;
		l->cmd = ((const struct genlmsghdr *)NLMSG_DATA(h))->cmd;
	}
	if (send(fd, m->buf, m->len, 0) < 0) {
		fz_err(R->st->sock_errs, errno);
		R->fails++;
		return -1;
	}
	R->fails = 0;
	R->st->total += m->nr;
	return 0;
}

static int fz_pool_fd(struct fz_run *R)
{
	unsigned int i = fz_below(&R->r, FZ_POOL);

	if (R->pool[i] < 0)
		R->pool[i] = fz_sock_open(R, i == FZ_POOL - 1);
	return R->pool[i];
}

/* Keeps @fd (a half-read dump, an open transaction) for a while. */
static void fz_park(struct fz_run *R, int fd)
{
	unsigned int i = R->park_next++ % FZ_PARK;

	if (R->park[i] >= 0)
		close(R->park[i]);
	R->park[i] = fd;
}

static void fz_one_msg(struct fz_run *R, enum fz_class cls)
{
	int fd = fz_pool_fd(R);

	fz_msg_reset(&R->m);
	fz_build(&R->r, R->f, cls, ++R->seq, &R->m, &R->st->b);
	if (fd < 0 || fz_send(R, fd, &R->m))
		return;
	R->st->sent[cls]++;
	fz_drain(R, fd, 0);
}

static void fz_batch(struct fz_run *R)
{
	unsigned int i, k = 2 + fz_below(&R->r, 5);
	enum fz_class cls[8];
	int fd = fz_pool_fd(R);

	fz_msg_reset(&R->m);
	for (i = 0; i < k; i++) {
		cls[i] = (enum fz_class)fz_below(&R->r, FZ_NR_CLASSES);
		fz_build(&R->r, R->f, cls[i], ++R->seq, &R->m, &R->st->b);
	}
	if (fd < 0 || fz_send(R, fd, &R->m))
		return;
	for (i = 0; i < R->m.nr; i++)
		R->st->sent[cls[i]]++;
	R->st->batches++;
	fz_drain(R, fd, 0);
}

/* A dump read for one datagram, then left: parked or closed. */
static void fz_halfdump(struct fz_run *R)
{
	const struct fz_op *dumps[FZ_MAX_OPS];
	unsigned long done, replies;
	unsigned int i, n = 0;
	int fd;

	for (i = 0; i < R->f->nr_ops; i++)
		if (R->f->ops[i].flags & GENL_CMD_CAP_DUMP)
			dumps[n++] = &R->f->ops[i];
	if (!n)
		return;
	fd = fz_sock_open(R, fz_below(&R->r, 4) == 0);
	if (fd < 0)
		return;
	fz_msg_reset(&R->m);
	fz_build_cmd(&R->r, R->f, dumps[fz_below(&R->r, n)]->cmd, true,
		     fz_below(&R->r, 2), ++R->seq, &R->m);
	if (fz_send(R, fd, &R->m)) {
		close(fd);
		return;
	}
	R->st->sent[FZ_VALID]++;
	R->st->halfdumps++;
	done = R->st->dones;
	replies = R->st->replies;
	fz_drain(R, fd, 1);
	/* Replies but no NLMSG_DONE yet: really unfinished. */
	if (done == R->st->dones && replies != R->st->replies)
		R->st->halfdumps_open++;
	if (fz_below(&R->r, 3)) {
		fz_park(R, fd);
		return;
	}
	/* Or ask again on the same socket while the dump is unfinished. */
	fz_msg_reset(&R->m);
	fz_build(&R->r, R->f, FZ_VALID, ++R->seq, &R->m, &R->st->b);
	if (!fz_send(R, fd, &R->m))
		R->st->sent[FZ_VALID]++;
	close(fd);
}

/*
 * One to three rules the guard accepts, so that commits carry real
 * policies and the loads meanwhile are checked against them. Random
 * rules from the policy alone rarely pass the guard's own checks (a kind
 * needs its name, flags their partners).
 */
static void fz_known_rules(struct fz_run *R, struct kg_nla_buf *a)
{
	static const char *const syms[] = {
		"kg_plain_a", "kg_plain_b", "printk", "_printk", "module_layout",
	};
	unsigned int i, k = 1 + fz_below(&R->r, 3);

	for (i = 0; i < k; i++) {
		uint32_t kind = KABIGUARD_RULE_SYMBOL;
		size_t nest = kg_nla_nest(a, KABIGUARD_A_RULE);

		switch (fz_below(&R->r, 6)) {
		case 0:
			kg_nla_str(a, KABIGUARD_RULE_A_NAME,
				   syms[fz_below(&R->r, ARRAY_SIZE(syms))]);
			break;
		case 1:
			kg_nla_str(a, KABIGUARD_RULE_A_NAME, "kg_ns_a");
			kg_nla_str(a, KABIGUARD_RULE_A_NAMESPACE, "KABIGUARD_TEST");
			break;
		case 2:
			kind = KABIGUARD_RULE_NAMESPACE;
			kg_nla_str(a, KABIGUARD_RULE_A_NAME, "KABIGUARD_TEST");
			break;
		case 3:
			kind = KABIGUARD_RULE_ANY;
			kg_nla_str(a, KABIGUARD_RULE_A_EXPORTER, "kg_exporter");
			break;
		case 4:
			kind = KABIGUARD_RULE_ANY;
			kg_nla_u32(a, KABIGUARD_RULE_A_FLAGS,
				   KABIGUARD_RULE_F_SIGNED_ONLY |
				   KABIGUARD_RULE_F_IN_TREE);
			break;
		default:
			kg_nla_str(a, KABIGUARD_RULE_A_NAME, "kg_plain_a");
			kg_nla_str(a, KABIGUARD_RULE_A_MODULE, "kg_consumer_ok");
		}
		/* The kind last: the order the fuzzer has always sent. */
		kg_nla_u32(a, KABIGUARD_RULE_A_KIND, kind);
		kg_nla_nest_end(a, nest);
	}
}

/* BEGIN, some ADDs, then commit, abort, close (abandon) or park. */
static void fz_txn(struct fz_run *R)
{
	unsigned int i, k = fz_below(&R->r, 4), end = fz_below(&R->r, 10);
	int fd = fz_sock_open(R, false);

	if (fd < 0)
		return;
	R->st->txns++;
	for (i = 0; i < k + 2; i++) {
		uint8_t cmd = i == 0 ? KABIGUARD_CMD_POLICY_BEGIN :
			      i <= k ? KABIGUARD_CMD_POLICY_ADD :
			      end < 2 ? KABIGUARD_CMD_POLICY_COMMIT :
			      end < 4 ? KABIGUARD_CMD_POLICY_ABORT : 0;

		if (!cmd)
			break;
		fz_msg_reset(&R->m);
		if (cmd == KABIGUARD_CMD_POLICY_ADD && fz_below(&R->r, 2)) {
			struct kg_nla_buf rules = { .len = 0 };

			fz_known_rules(R, &rules);
			fz_build_cmd(&R->r, R->f, cmd, false, false, ++R->seq,
				     &R->m);
			fz_append(&R->m, rules.buf, rules.len);
		} else {
			fz_build_cmd(&R->r, R->f, cmd, false, true, ++R->seq,
				     &R->m);
		}
		if (fz_send(R, fd, &R->m))
			break;
		R->st->sent[FZ_VALID]++;
		fz_drain(R, fd, 0);
	}
	if (end >= 4 && end < 7) {
		R->st->txn_parked++;
		fz_park(R, fd);
		return;
	}
	if (end >= 7)
		R->st->txn_abandoned++;
	close(fd);
}

static void fz_mcast(struct fz_run *R)
{
	int fd = fz_pool_fd(R), opt;
	uint32_t grp;

	if (fd < 0)
		return;
	opt = fz_below(&R->r, 2) ? NETLINK_ADD_MEMBERSHIP :
	      NETLINK_DROP_MEMBERSHIP;
	switch (fz_below(&R->r, 6)) {
	case 0:
		grp = 0;
		break;
	case 1:
		grp = (uint32_t)fz_rand(&R->r);
		break;
	case 2:
		grp = R->f->mcgrp + 1 + fz_below(&R->r, 4);
		break;
	default:
		grp = R->f->mcgrp;
	}
	R->st->mcast_ops++;
	if (setsockopt(fd, SOL_NETLINK_, opt, &grp, sizeof(grp))) {
		fz_err(R->st->mcast_errs, errno);
	} else if (opt == NETLINK_ADD_MEMBERSHIP && grp == R->f->mcgrp &&
		   !R->root && R->events_admin) {
		R->st->unpriv_bad++;
		snprintf(R->st->unpriv_what, sizeof(R->st->unpriv_what),
			 "joined the events group");
	}
	fz_drain(R, fd, 0);
}

static void fz_reopen(struct fz_run *R)
{
	unsigned int i;

	R->st->reopens++;
	if (fz_below(&R->r, 2)) {
		i = fz_below(&R->r, FZ_POOL);
		if (R->pool[i] >= 0)
			close(R->pool[i]);
		R->pool[i] = fz_sock_open(R, i == FZ_POOL - 1);
		return;
	}
	i = fz_below(&R->r, FZ_PARK);
	if (R->park[i] < 0)
		return;
	if (fz_below(&R->r, 2)) {	/* one more request on it first */
		fz_msg_reset(&R->m);
		fz_build(&R->r, R->f, FZ_VALID, ++R->seq, &R->m, &R->st->b);
		if (!fz_send(R, R->park[i], &R->m))
			R->st->sent[FZ_VALID]++;
		fz_drain(R, R->park[i], 1);
	}
	close(R->park[i]);
	R->park[i] = -1;
}

void fz_run_init(struct fz_run *R, const struct fz_family *f, uint64_t seed,
		 bool root, bool events_admin, struct fz_stats *st)
{
	unsigned int i;

	memset(R, 0, sizeof(*R));
	R->r.s = seed;
	R->f = f;
	R->root = root;
	R->rewrite_lock = root;
	R->events_admin = events_admin;
	R->st = st;
	for (i = 0; i < FZ_POOL; i++)
		R->pool[i] = -1;
	for (i = 0; i < FZ_PARK; i++)
		R->park[i] = -1;
}

int fz_step(struct fz_run *R)
{
	uint32_t d = fz_below(&R->r, 100);

	if (d < 42)
		fz_one_msg(R, FZ_VALID);
	else if (d < 76)
		fz_one_msg(R, FZ_MUTATED);
	else if (d < 86)
		fz_one_msg(R, FZ_RANDOM);
	else if (d < 91)
		fz_batch(R);
	else if (d < 94)
		fz_halfdump(R);
	else if (d < 97)
		fz_txn(R);
	else if (d < 99)
		fz_mcast(R);
	else
		fz_reopen(R);
	/* A family that went away makes every send fail: stop, loudly. */
	return R->fails > 1000 ? -EIO : 0;
}

void fz_run_close(struct fz_run *R)
{
	bool rewrite = R->rewrite_lock;
	unsigned int i;

	for (i = 0; i < FZ_POOL; i++)
		if (R->pool[i] >= 0)
			close(R->pool[i]);
	for (i = 0; i < FZ_PARK; i++)
		if (R->park[i] >= 0)
			close(R->park[i]);
	fz_run_init(R, R->f, R->r.s, R->root, R->events_admin, R->st);
	R->rewrite_lock = rewrite;
}
