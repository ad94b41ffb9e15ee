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

#include "internal.h"

/* Bursts of module loads (boot, udev coldplug) queue many events. */
#define KG_EVENTS_RCVBUF	(4 * 1024 * 1024)

/*
 * Every attribute at its exact size (fixed-size ones) or within its limit
 * (strings, NUL included, as the uapi header documents them): libnl's
 * nla_parse() checks minlen and maxlen and a string's NUL.
 */
#define KG_U8	{ .type = NLA_U8, .minlen = 1, .maxlen = 1 }
#define KG_U32	{ .type = NLA_U32, .minlen = 4, .maxlen = 4 }
#define KG_U64	{ .type = NLA_U64, .minlen = 8, .maxlen = 8 }
#define KG_STR(max) { .type = NLA_STRING, .minlen = 1, .maxlen = (max) }

static struct nla_policy kgc_event_policy[KABIGUARD_A_MAX + 1] = {
	[KABIGUARD_A_PAD]		= { .type = NLA_UNSPEC },
	[KABIGUARD_A_MODE]		= KG_U32,
	[KABIGUARD_A_GENERATION]	= KG_U64,
	[KABIGUARD_A_VERDICT]		= KG_U32,
	[KABIGUARD_A_MODULE]		= KG_STR(KABIGUARD_MODNAME_MAX),
	[KABIGUARD_A_MODULE_VERSION]	= KG_STR(KABIGUARD_MODINFO_MAX),
	[KABIGUARD_A_SRCVERSION]	= KG_STR(KABIGUARD_MODINFO_MAX),
	[KABIGUARD_A_SIG_OK]		= KG_U8,
	[KABIGUARD_A_TAINTS]		= KG_U64,
	[KABIGUARD_A_NR_IMPORTS]	= KG_U32,
	[KABIGUARD_A_NR_VIOLATIONS]	= KG_U32,
	[KABIGUARD_A_VIOLATION]		= { .type = NLA_NESTED },
	[KABIGUARD_A_PID]		= KG_U32,
	[KABIGUARD_A_UID]		= KG_U32,
	[KABIGUARD_A_COMM]		= KG_STR(32),
	[KABIGUARD_A_CHECK_NS]		= KG_U64,
	[KABIGUARD_A_SEQ]		= KG_U64,
	[KABIGUARD_A_EVENT_KIND]	= KG_U32,
	[KABIGUARD_A_TIME_BOOT_NS]	= KG_U64,
	[KABIGUARD_A_TIME_REAL_NS]	= KG_U64,
	[KABIGUARD_A_PPID]		= KG_U32,
	[KABIGUARD_A_EUID]		= KG_U32,
	[KABIGUARD_A_LOGINUID]		= KG_U32,
	[KABIGUARD_A_SESSIONID]		= KG_U32,
	[KABIGUARD_A_EXE]		= KG_STR(2 * KABIGUARD_PATH_MAX),
	[KABIGUARD_A_CGROUP]		= KG_STR(2 * KABIGUARD_PATH_MAX),
	[KABIGUARD_A_KMOD_REQUEST]	= KG_U8,
	[KABIGUARD_A_GID]		= KG_U32,
	[KABIGUARD_A_EGID]		= KG_U32,
	[KABIGUARD_A_TTY]		= KG_STR(64),
	[KABIGUARD_A_CGROUP_ID]		= KG_U64,
	[KABIGUARD_A_PIDNS]		= KG_U32,
	[KABIGUARD_A_ARGV]		= { .type = NLA_BINARY,
					    .maxlen = KABIGUARD_ARGV_MAX },
	[KABIGUARD_A_ARGV_TRUNCATED]	= KG_U8,
	[KABIGUARD_A_LSM_LABEL]		= KG_STR(KABIGUARD_LABEL_MAX),
	[KABIGUARD_A_EVENT_FLAGS]	= KG_U32,
	[KABIGUARD_A_REQ_PID]		= KG_U32,
	[KABIGUARD_A_REQ_UID]		= KG_U32,
	[KABIGUARD_A_REQ_COMM]		= KG_STR(32),
	[KABIGUARD_A_REQ_NAME]		= KG_STR(KABIGUARD_MODNAME_MAX),
	[KABIGUARD_A_REPEAT_OF]		= KG_U64,
	[KABIGUARD_A_REPEAT_COUNT]	= KG_U32,
};

static struct nla_policy kgc_viol_policy[KABIGUARD_VIOL_A_MAX + 1] = {
	[KABIGUARD_VIOL_A_SYMBOL]	= KG_STR(KABIGUARD_SYMBOL_MAX),
	[KABIGUARD_VIOL_A_NAMESPACE]	= KG_STR(KABIGUARD_NAMESPACE_MAX),
	[KABIGUARD_VIOL_A_EXPORTER]	= KG_STR(KABIGUARD_MODNAME_MAX),
	[KABIGUARD_VIOL_A_REASON]	= KG_U32,
	[KABIGUARD_VIOL_A_KERNEL_CRC]	= KG_U32,
	[KABIGUARD_VIOL_A_RULE_CRC]	= KG_U32,
	[KABIGUARD_VIOL_A_FLAGS]	= KG_U32,
};

/* Attribute names for error messages. */
#define KG_N(x) [KABIGUARD_A_##x] = "KABIGUARD_A_" #x
static const char *const kgc_event_attr_names[KABIGUARD_A_MAX + 1] = {
	KG_N(PAD), KG_N(MODE), KG_N(GENERATION), KG_N(VERDICT), KG_N(MODULE),
	KG_N(MODULE_VERSION), KG_N(SRCVERSION), KG_N(SIG_OK), KG_N(TAINTS),
	KG_N(NR_IMPORTS), KG_N(NR_VIOLATIONS), KG_N(VIOLATION), KG_N(PID),
	KG_N(UID), KG_N(COMM), KG_N(CHECK_NS), KG_N(SEQ), KG_N(EVENT_KIND),
	KG_N(TIME_BOOT_NS), KG_N(TIME_REAL_NS), KG_N(PPID), KG_N(EUID),
	KG_N(LOGINUID), KG_N(SESSIONID), KG_N(EXE), KG_N(CGROUP),
	KG_N(KMOD_REQUEST), KG_N(GID), KG_N(EGID), KG_N(TTY), KG_N(CGROUP_ID),
	KG_N(PIDNS), KG_N(ARGV), KG_N(ARGV_TRUNCATED), KG_N(LSM_LABEL),
	KG_N(EVENT_FLAGS), KG_N(REQ_PID), KG_N(REQ_UID), KG_N(REQ_COMM),
	KG_N(REQ_NAME), KG_N(REPEAT_OF), KG_N(REPEAT_COUNT),
};
#undef KG_N
#define KG_N(x) [KABIGUARD_VIOL_A_##x] = "KABIGUARD_VIOL_A_" #x
static const char *const kgc_viol_attr_names[KABIGUARD_VIOL_A_MAX + 1] = {
	KG_N(SYMBOL), KG_N(NAMESPACE), KG_N(EXPORTER), KG_N(REASON),
	KG_N(KERNEL_CRC), KG_N(RULE_CRC), KG_N(FLAGS),
};
#undef KG_N

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

static void kgc_strcpy_attr(char *dst, size_t size, const struct nlattr *a)
{
	size_t n;

	dst[0] = '\0';
	if (!a)
		return;
	n = strnlen(nla_data(a), nla_len(a));
	if (n >= size)
		n = size - 1;
	memcpy(dst, nla_data(a), n);
	dst[n] = '\0';
}

static void kgc_set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void kgc_set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/*
 * Strict walk of a stream of attributes (a message's or a nest's): each
 * one valid against @policy (exact sizes, string limits and NUL), none
 * overrunning the stream, no bytes left over, none but @repeat (0: none)
 * given twice (@pad: 0 or a padding attribute, which may repeat too).
 * Attributes newer than @maxtype are skipped (the ABI grows append-only).
 * On error names the attribute in @err.
 */
static int kgc_validate_attrs(struct nlattr *head, int len, int maxtype,
			     struct nla_policy *policy,
			     const char *const *names, int repeat, int pad,
			     const char *where, char *err, size_t errlen)
{
	unsigned char seen[KABIGUARD_A_MAX + 1] = { 0 };
	struct nlattr *a;
	int rem;

	nla_for_each_attr(a, head, len, rem) {
		int type = nla_type(a);
		const char *name;

		if (type > maxtype)
			continue;
		name = names[type] ? names[type] : "attribute";
		if (type == 0 || nla_validate(a, a->nla_len, maxtype,
					      policy) < 0) {
			kgc_set_err(err, errlen,
				   "%s: %s (type %d) invalid (length %d)",
				   where, name, type, nla_len(a));
			return -EBADMSG;
		}
		if (seen[type]++ && type != repeat && type != pad) {
			kgc_set_err(err, errlen, "%s: %s given twice", where,
				   name);
			return -EBADMSG;
		}
	}
	if (rem != 0) {
		kgc_set_err(err, errlen,
			   "%s: %d trailing bytes after the last attribute",
			   where, rem);
		return -EBADMSG;
	}
	return 0;
}

static int kgc_parse_violation(struct nlattr *nest, struct kgc_violation *v,
			      char *err, size_t errlen)
{
	struct nlattr *tb[KABIGUARD_VIOL_A_MAX + 1];
	int ret;

	ret = kgc_validate_attrs(nla_data(nest), nla_len(nest),
				KABIGUARD_VIOL_A_MAX, kgc_viol_policy,
				kgc_viol_attr_names, 0, 0, "KABIGUARD_A_VIOLATION",
				err, errlen);
	if (ret)
		return ret;
	if (nla_parse_nested(tb, KABIGUARD_VIOL_A_MAX, nest,
			     kgc_viol_policy) < 0 ||
	    !tb[KABIGUARD_VIOL_A_SYMBOL] || !tb[KABIGUARD_VIOL_A_REASON]) {
		kgc_set_err(err, errlen,
			   "KABIGUARD_A_VIOLATION: no KABIGUARD_VIOL_A_SYMBOL or KABIGUARD_VIOL_A_REASON");
		return -EBADMSG;
	}
	kgc_strcpy_attr(v->symbol, sizeof(v->symbol),
		       tb[KABIGUARD_VIOL_A_SYMBOL]);
	kgc_strcpy_attr(v->ns, sizeof(v->ns), tb[KABIGUARD_VIOL_A_NAMESPACE]);
	kgc_strcpy_attr(v->exporter, sizeof(v->exporter),
		       tb[KABIGUARD_VIOL_A_EXPORTER]);
	v->reason = nla_get_u32(tb[KABIGUARD_VIOL_A_REASON]);
	if (tb[KABIGUARD_VIOL_A_KERNEL_CRC]) {
		v->has_kernel_crc = true;
		v->kernel_crc = nla_get_u32(tb[KABIGUARD_VIOL_A_KERNEL_CRC]);
	}
	if (tb[KABIGUARD_VIOL_A_RULE_CRC]) {
		v->has_rule_crc = true;
		v->rule_crc = nla_get_u32(tb[KABIGUARD_VIOL_A_RULE_CRC]);
	}
	if (tb[KABIGUARD_VIOL_A_FLAGS])
		v->flags = nla_get_u32(tb[KABIGUARD_VIOL_A_FLAGS]);
	return 0;
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
	ret = kgc_validate_attrs(genlmsg_attrdata(gh, 0),
				genlmsg_attrlen(gh, 0), KABIGUARD_A_MAX,
				kgc_event_policy, kgc_event_attr_names,
				KABIGUARD_A_VIOLATION, KABIGUARD_A_PAD,
				"verdict event", err,
				errlen);
	if (ret)
		return ret;
	if (genlmsg_parse(nlh, 0, tb, KABIGUARD_A_MAX, kgc_event_policy) < 0) {
		kgc_set_err(err, errlen, "verdict event: invalid attributes");
		return -EBADMSG;
	}
	if (!tb[KABIGUARD_A_SEQ] || !tb[KABIGUARD_A_MODULE] ||
	    !tb[KABIGUARD_A_VERDICT]) {
		kgc_set_err(err, errlen,
			   "verdict event: no KABIGUARD_A_SEQ, KABIGUARD_A_MODULE or KABIGUARD_A_VERDICT");
		return -EBADMSG;
	}

	memset(ev, 0, sizeof(*ev));
	if (tb[KABIGUARD_A_VERDICT])
		ev->verdict = nla_get_u32(tb[KABIGUARD_A_VERDICT]);
	if (tb[KABIGUARD_A_MODE])
		ev->mode = nla_get_u32(tb[KABIGUARD_A_MODE]);
	if (tb[KABIGUARD_A_GENERATION])
		ev->generation = nla_get_u64(tb[KABIGUARD_A_GENERATION]);
	kgc_strcpy_attr(ev->module, sizeof(ev->module), tb[KABIGUARD_A_MODULE]);
	kgc_strcpy_attr(ev->version, sizeof(ev->version),
		       tb[KABIGUARD_A_MODULE_VERSION]);
	kgc_strcpy_attr(ev->srcversion, sizeof(ev->srcversion),
		       tb[KABIGUARD_A_SRCVERSION]);
	ev->sig_ok = tb[KABIGUARD_A_SIG_OK] &&
		     nla_get_u8(tb[KABIGUARD_A_SIG_OK]);
	if (tb[KABIGUARD_A_TAINTS])
		ev->taints = nla_get_u64(tb[KABIGUARD_A_TAINTS]);
	if (tb[KABIGUARD_A_NR_IMPORTS])
		ev->nr_imports = nla_get_u32(tb[KABIGUARD_A_NR_IMPORTS]);
	if (tb[KABIGUARD_A_NR_VIOLATIONS])
		ev->nr_violations = nla_get_u32(tb[KABIGUARD_A_NR_VIOLATIONS]);
	if (tb[KABIGUARD_A_PID])
		ev->pid = nla_get_u32(tb[KABIGUARD_A_PID]);
	if (tb[KABIGUARD_A_UID])
		ev->uid = nla_get_u32(tb[KABIGUARD_A_UID]);
	kgc_strcpy_attr(ev->comm, sizeof(ev->comm), tb[KABIGUARD_A_COMM]);
	if (tb[KABIGUARD_A_CHECK_NS])
		ev->check_ns = nla_get_u64(tb[KABIGUARD_A_CHECK_NS]);
	if (tb[KABIGUARD_A_SEQ])
		ev->seq = nla_get_u64(tb[KABIGUARD_A_SEQ]);
	if (tb[KABIGUARD_A_EVENT_KIND])
		ev->kind = nla_get_u32(tb[KABIGUARD_A_EVENT_KIND]);
	if (tb[KABIGUARD_A_TIME_BOOT_NS])
		ev->time_boot_ns = nla_get_u64(tb[KABIGUARD_A_TIME_BOOT_NS]);
	if (tb[KABIGUARD_A_TIME_REAL_NS])
		ev->time_real_ns = nla_get_u64(tb[KABIGUARD_A_TIME_REAL_NS]);
	/* Loads carry the loading process, scans do not. */
	ev->has_process = tb[KABIGUARD_A_PID] != NULL;
	if (tb[KABIGUARD_A_PPID])
		ev->ppid = nla_get_u32(tb[KABIGUARD_A_PPID]);
	if (tb[KABIGUARD_A_EUID])
		ev->euid = nla_get_u32(tb[KABIGUARD_A_EUID]);
	ev->loginuid = ev->sessionid = UINT32_MAX;
	if (tb[KABIGUARD_A_LOGINUID])
		ev->loginuid = nla_get_u32(tb[KABIGUARD_A_LOGINUID]);
	if (tb[KABIGUARD_A_SESSIONID])
		ev->sessionid = nla_get_u32(tb[KABIGUARD_A_SESSIONID]);
	kgc_strcpy_attr(ev->exe, sizeof(ev->exe), tb[KABIGUARD_A_EXE]);
	kgc_strcpy_attr(ev->cgroup, sizeof(ev->cgroup), tb[KABIGUARD_A_CGROUP]);
	if (tb[KABIGUARD_A_GID])
		ev->gid = nla_get_u32(tb[KABIGUARD_A_GID]);
	if (tb[KABIGUARD_A_EGID])
		ev->egid = nla_get_u32(tb[KABIGUARD_A_EGID]);
	kgc_strcpy_attr(ev->tty, sizeof(ev->tty), tb[KABIGUARD_A_TTY]);
	if (tb[KABIGUARD_A_CGROUP_ID])
		ev->cgroup_id = nla_get_u64(tb[KABIGUARD_A_CGROUP_ID]);
	if (tb[KABIGUARD_A_PIDNS])
		ev->pidns = nla_get_u32(tb[KABIGUARD_A_PIDNS]);
	if (tb[KABIGUARD_A_ARGV]) {
		ev->argv_len = nla_len(tb[KABIGUARD_A_ARGV]);
		memcpy(ev->argv, nla_data(tb[KABIGUARD_A_ARGV]), ev->argv_len);
		ev->argv[ev->argv_len] = '\0';
	}
	ev->argv_truncated = tb[KABIGUARD_A_ARGV_TRUNCATED] &&
			     nla_get_u8(tb[KABIGUARD_A_ARGV_TRUNCATED]);
	kgc_strcpy_attr(ev->lsm_label, sizeof(ev->lsm_label),
		       tb[KABIGUARD_A_LSM_LABEL]);
	ev->kmod_request = tb[KABIGUARD_A_KMOD_REQUEST] &&
			   nla_get_u8(tb[KABIGUARD_A_KMOD_REQUEST]);

	if (tb[KABIGUARD_A_EVENT_FLAGS])
		ev->flags = nla_get_u32(tb[KABIGUARD_A_EVENT_FLAGS]);
	/* The task whose request_module() started the loader. */
	ev->has_requester = tb[KABIGUARD_A_REQ_PID] != NULL;
	if (ev->has_requester != (tb[KABIGUARD_A_REQ_UID] != NULL) ||
	    ev->has_requester != (tb[KABIGUARD_A_REQ_COMM] != NULL) ||
	    ev->has_requester != (tb[KABIGUARD_A_REQ_NAME] != NULL)) {
		kgc_set_err(err, errlen,
			   "verdict event: KABIGUARD_A_REQ_PID, _UID, _COMM and _NAME come together or not at all");
		return -EBADMSG;
	}
	if (ev->has_requester) {
		ev->req_pid = nla_get_u32(tb[KABIGUARD_A_REQ_PID]);
		ev->req_uid = nla_get_u32(tb[KABIGUARD_A_REQ_UID]);
		kgc_strcpy_attr(ev->req_comm, sizeof(ev->req_comm),
			       tb[KABIGUARD_A_REQ_COMM]);
		kgc_strcpy_attr(ev->req_name, sizeof(ev->req_name),
			       tb[KABIGUARD_A_REQ_NAME]);
	}
	/* A repeat event: both, with a count of at least 2. */
	if ((tb[KABIGUARD_A_REPEAT_OF] != NULL) !=
	    (tb[KABIGUARD_A_REPEAT_COUNT] != NULL)) {
		kgc_set_err(err, errlen,
			   "verdict event: KABIGUARD_A_REPEAT_OF and KABIGUARD_A_REPEAT_COUNT come together");
		return -EBADMSG;
	}
	if (tb[KABIGUARD_A_REPEAT_OF]) {
		ev->repeat_of = nla_get_u64(tb[KABIGUARD_A_REPEAT_OF]);
		ev->repeat_count = nla_get_u32(tb[KABIGUARD_A_REPEAT_COUNT]);
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
