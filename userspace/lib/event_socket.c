// SPDX-License-Identifier: GPL-2.0
/*
 * Verdict events: a socket of its own subscribed to the "events" group, so
 * that a burst of events never mixes with request replies. Datagrams are
 * read with plain recvfrom() rather than libnl's nl_recv(), because libnl
 * folds ENOBUFS (events lost) into NLE_NOMEM and the caller must be able to
 * tell a lost event from a failure.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>

#include "attr_table.h"
#include "internal.h"

/* Bursts of module loads (boot, udev coldplug) queue many events. */
#define KG_EVENTS_RCVBUF	(4 * 1024 * 1024)

int kgc_events_open(struct kgc_client **out)
{
	struct kgc_client *c;
	int ret, grp, fd, size = KG_EVENTS_RCVBUF;

	ret = kgc_connect(&c);
	if (ret)
		return ret;
	grp = genl_ctrl_resolve_grp(c->sk, KABIGUARD_GENL_NAME,
				    KABIGUARD_MCGRP_EVENTS);
	if (grp < 0) {
		ret = kgc_nlerr(grp);
		goto err_close;
	}
	/* Events are not replies: they carry no sequence number of ours. */
	nl_socket_disable_seq_check(c->sk);
	ret = nl_socket_add_membership(c->sk, grp);
	if (ret < 0) {
		ret = kgc_nlerr(ret);
		goto err_close;
	}
	/* FORCE works as root past rmem_max; otherwise take what we get. */
	fd = nl_socket_get_fd(c->sk);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	*out = c;
	return 0;

err_close:
	kgc_close(c);
	return ret;
}

void kgc_event_free(struct kgc_event *ev)
{
	if (!ev)
		return;
	free(ev->viol);
	ev->viol = NULL;
	ev->nr_listed = 0;
}

static int kgc_parse_violation(struct nlattr *nest, struct kgc_violation *v,
			       char *err, size_t errlen)
{
	struct nlattr *tb[KABIGUARD_VIOL_A_MAX + 1];
	int ret;

	ret = kgc_attr_parse(&kgc_violation_attrs, nla_data(nest),
			     nla_len(nest), tb, err, errlen);
	if (!ret)
		ret = kgc_attr_store(&kgc_violation_attrs, tb, v);
	return ret;
}

int kgc_event_parse(const struct nlmsghdr *h, int family, struct kgc_event *ev,
		   char *err, size_t errlen)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)h;
	struct nlattr *tb[KABIGUARD_A_MAX + 1];
	struct genlmsghdr *gh;
	struct nlattr *a;
	size_t nr = 0;
	int rem, ret;

	kgc_set_err(err, errlen, "%s", "");
	if (h->nlmsg_type != family)
		return 0;
	if (!genlmsg_valid_hdr(nlh, 0)) {
		kgc_set_err(err, errlen, "message too short for its headers");
		return -EBADMSG;
	}
	gh = nlmsg_data(nlh);
	if (gh->cmd != KABIGUARD_CMD_VERDICT)
		return 0;
	ret = kgc_attr_parse(&kgc_event_attrs, genlmsg_attrdata(gh, 0),
			     genlmsg_attrlen(gh, 0), tb, err, errlen);
	if (ret)
		return ret;
	memset(ev, 0, sizeof(*ev));
	ret = kgc_attr_store(&kgc_event_attrs, tb, ev);
	if (ret) {
		kgc_set_err(err, errlen, "verdict event: a nest does not parse");
		return ret;
	}
	/* The special cases: what a repeat is, the violations (one repeated
	 * nest). The requester's four come together: its table requires
	 * them. */
	/* A repeat event: both, with a count of at least 2. */
	if ((tb[KABIGUARD_A_REPEAT_OF] != NULL) !=
	    (tb[KABIGUARD_A_REPEAT_COUNT] != NULL)) {
		kgc_set_err(err, errlen,
			   "verdict event: KABIGUARD_A_REPEAT_OF and KABIGUARD_A_REPEAT_COUNT come together");
		return -EBADMSG;
	}
	if (tb[KABIGUARD_A_REPEAT_OF]) {
		if (ev->repeat_count < 2 || !ev->repeat_of ||
		    (ev->seq && ev->repeat_of >= ev->seq)) {
			kgc_set_err(err, errlen,
				   "verdict event: KABIGUARD_A_REPEAT_COUNT %u of event %" PRIu64 " is not a repeat",
				   ev->repeat_count, ev->repeat_of);
			return -EBADMSG;
		}
	}

	/* The violations repeat the same attribute: walk the message. */
	nla_for_each_attr(a, genlmsg_attrdata(gh, 0), genlmsg_attrlen(gh, 0),
			  rem)
		if (nla_type(a) == KABIGUARD_A_VIOLATION)
			nr++;
	if (!nr)
		return 1;
	ev->viol = calloc(nr, sizeof(*ev->viol));
	if (!ev->viol) {
		kgc_set_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	nla_for_each_attr(a, genlmsg_attrdata(gh, 0), genlmsg_attrlen(gh, 0),
			  rem) {
		if (nla_type(a) != KABIGUARD_A_VIOLATION)
			continue;
		ret = kgc_parse_violation(a, &ev->viol[ev->nr_listed], err,
					 errlen);
		if (ret < 0) {
			kgc_event_free(ev);
			return ret;
		}
		ev->nr_listed++;
	}
	if (ev->nr_listed > ev->nr_violations) {
		kgc_set_err(err, errlen,
			   "verdict event: %zu violations listed, KABIGUARD_A_NR_VIOLATIONS says %u",
			   ev->nr_listed, ev->nr_violations);
		kgc_event_free(ev);
		return -EBADMSG;
	}
	return 1;
}

/* Returns 1 with ev filled, 0 when h is not a verdict, -EBADMSG. */
static int kgc_parse_event(struct kgc_client *c, struct nlmsghdr *h,
			  struct kgc_event *ev)
{
	return kgc_event_parse(h, c->family, ev, c->extack, sizeof(c->extack));
}

/* Reads one datagram into c->buf. 1: got one, 0: none waiting. */
static int kgc_events_recv(struct kgc_client *c)
{
	int fd = nl_socket_get_fd(c->sk);
	struct sockaddr_nl from;
	socklen_t fromlen;
	ssize_t n;

	for (;;) {
		/* Size the buffer to the datagram: verdicts with hundreds of
		 * violations are far larger than a page. */
		n = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
		if (n < 0)
			return errno == EAGAIN ? 0 : -errno;
		if ((size_t)n > c->bufsize) {
			unsigned char *nb = realloc(c->buf, n);

			if (!nb)
				return -ENOMEM;
			c->buf = nb;
			c->bufsize = n;
		}
		fromlen = sizeof(from);
		n = recvfrom(fd, c->buf, c->bufsize, MSG_DONTWAIT,
			     (struct sockaddr *)&from, &fromlen);
		if (n < 0)
			return errno == EAGAIN ? 0 : -errno;
		/* Only the kernel may speak for kabiguard. */
		if (fromlen != sizeof(from) || from.nl_pid != 0)
			continue;
		c->buflen = n;
		c->bufpos = 0;
		return 1;
	}
}

static int64_t kgc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int kgc_events_next(struct kgc_client *c, struct kgc_event *ev, int timeout_ms)
{
	int64_t deadline = timeout_ms > 0 ? kgc_now_ms() + timeout_ms : 0;
	struct pollfd pfd = { .fd = nl_socket_get_fd(c->sk), .events = POLLIN };
	int ret, wait;

	for (;;) {
		/* First whatever the last datagram still holds. */
		while (c->bufpos < c->buflen) {
			struct nlmsghdr *h = (void *)(c->buf + c->bufpos);
			int left = c->buflen - c->bufpos;

			if (!nlmsg_ok(h, left)) {
				c->bufpos = c->buflen;
				return -EBADMSG;
			}
			c->bufpos += NLMSG_ALIGN(h->nlmsg_len);
			ret = kgc_parse_event(c, h, ev);
			if (ret)
				return ret;
		}

		ret = kgc_events_recv(c);
		if (ret < 0)
			return ret;
		if (ret > 0)
			continue;

		if (timeout_ms < 0) {
			wait = -1;
		} else if (timeout_ms == 0) {
			return 0;
		} else {
			int64_t left = deadline - kgc_now_ms();

			if (left <= 0)
				return 0;
			wait = left > 1000000 ? 1000000 : (int)left;
		}
		ret = poll(&pfd, 1, wait);
		if (ret < 0)
			return -errno;
		if (ret > 0 && (pfd.revents & (POLLERR | POLLNVAL)) &&
		    !(pfd.revents & POLLIN))
			return pfd.revents & POLLNVAL ? -EBADF : -EIO;
	}
}

struct kgc_events_dump_ctx {
	struct kgc_client *c;
	kgc_event_cb cb;
	void *arg;
};

static int kgc_events_dump_reply(struct nl_msg *msg, void *arg)
{
	struct kgc_events_dump_ctx *ctx = arg;
	struct kgc_event ev;
	int ret;

	ret = kgc_parse_event(ctx->c, nlmsg_hdr(msg), &ev);
	if (ret <= 0)
		return ret;
	ret = ctx->cb(&ev, ctx->arg);
	kgc_event_free(&ev);
	return ret < 0 ? ret : 0;
}

int kgc_cmd_events_get(struct kgc_client *c, uint64_t since, kgc_event_cb cb,
		   void *arg)
{
	struct kgc_events_dump_ctx ctx = { .c = c, .cb = cb, .arg = arg };
	struct nl_msg *msg;
	int ret;

	msg = kgc_msg_new(c, KABIGUARD_CMD_EVENTS_GET, NLM_F_DUMP, 0);
	if (!msg)
		return -ENOMEM;
	ret = nla_put_u64(msg, KABIGUARD_A_SEQ, since);
	if (ret < 0) {
		ret = kgc_nlerr(ret);
		goto out;
	}
	ret = kgc_request(c, msg, kgc_events_dump_reply, &ctx);
out:
	nlmsg_free(msg);
	return ret;
}
