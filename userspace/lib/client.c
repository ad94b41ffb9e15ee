// SPDX-License-Identifier: GPL-2.0
/*
 * The request socket: connect, resolve the family (and refuse a module
 * of another ABI version), send one request and
 * collect its replies and ACK, and turn the kernel's extended ACK into
 * kgc_extack().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <netlink/netlink.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/family.h>

#include "internal.h"

/*
 * Large enough for one POLICY_ADD batch (48 KiB, see commands.c) in both
 * directions; the kernel caps it at wmem_max/rmem_max and doubles it.
 */
#define KG_SOCK_BUF	(256 * 1024)

int kgc_nlerr(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case 0:			return 0;
	case NLE_INTR:		return -EINTR;
	case NLE_BAD_SOCK:	return -EBADF;
	case NLE_AGAIN:		return -EAGAIN;
	case NLE_NOMEM:		return -ENOMEM;
	case NLE_EXIST:		return -EEXIST;
	case NLE_INVAL:		return -EINVAL;
	case NLE_RANGE:		return -ERANGE;
	case NLE_MSGSIZE:	return -EMSGSIZE;
	case NLE_OPNOTSUPP:	return -EOPNOTSUPP;
	case NLE_AF_NOSUPPORT:	return -EAFNOSUPPORT;
	case NLE_OBJ_NOTFOUND:	return -ENOENT;
	case NLE_NOATTR:	return -ENOENT;
	case NLE_MISSING_ATTR:	return -EINVAL;
	case NLE_AF_MISMATCH:	return -EAFNOSUPPORT;
	case NLE_SEQ_MISMATCH:	return -EILSEQ;
	case NLE_MSG_OVERFLOW:	return -EOVERFLOW;
	case NLE_MSG_TRUNC:	return -EMSGSIZE;
	case NLE_NOADDR:	return -EADDRNOTAVAIL;
	case NLE_SRCRT_NOSUPPORT: return -EOPNOTSUPP;
	case NLE_MSG_TOOSHORT:	return -EBADMSG;
	case NLE_MSGTYPE_NOSUPPORT: return -EOPNOTSUPP;
	case NLE_OBJ_MISMATCH:	return -EINVAL;
	case NLE_NOCACHE:	return -ENOENT;
	case NLE_BUSY:		return -EBUSY;
	case NLE_PROTO_MISMATCH: return -EPROTONOSUPPORT;
	case NLE_NOACCESS:	return -EACCES;
	case NLE_PERM:		return -EPERM;
	case NLE_PKTLOC_FILE:	return -ENOENT;
	case NLE_PARSE_ERR:	return -EBADMSG;
	case NLE_NODEV:		return -ENODEV;
	case NLE_IMMUTABLE:	return -EROFS;
	case NLE_DUMP_INTR:	return -EAGAIN;
	case NLE_ATTRSIZE:	return -ERANGE;
	default:		return -EIO;
	}
}

/* The version of the last family kgc_family_version_check() was given. */
static unsigned int kgc_module_version;

int kgc_family_version_check(unsigned int version)
{
	kgc_module_version = version;
	return version == KABIGUARD_GENL_VERSION ? 0 : -EPROTO;
}

unsigned int kgc_family_version(void)
{
	return kgc_module_version;
}

/*
 * The family's id and version, from the genl controller's list: its
 * attributes are numbered by the version (2 nested the loader and ring
 * fields), so a module of another one would be misread.
 */
static int kgc_resolve(struct kgc_client *c)
{
	struct genl_family *fam;
	struct nl_cache *cache;
	int ret;

	ret = genl_ctrl_alloc_cache(c->sk, &cache);
	if (ret < 0)
		return kgc_nlerr(ret);
	fam = genl_ctrl_search_by_name(cache, KABIGUARD_GENL_NAME);
	if (!fam) {
		nl_cache_free(cache);
		return -ENOENT;
	}
	c->family = genl_family_get_id(fam);
	ret = kgc_family_version_check(genl_family_get_version(fam));
	genl_family_put(fam);
	nl_cache_free(cache);
	return ret;
}

int kgc_connect(struct kgc_client **out)
{
	struct kgc_client *c;
	int one = 1, fd, ret;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->sk = nl_socket_alloc();
	if (!c->sk) {
		ret = -ENOMEM;
		goto err_free;
	}
	ret = genl_connect(c->sk);
	if (ret < 0) {
		ret = kgc_nlerr(ret);
		goto err_sock;
	}
	fd = nl_socket_get_fd(c->sk);
	/*
	 * EXT_ACK makes the kernel explain each rejection. CAP_ACK keeps it
	 * from echoing our whole request (up to a 48 KiB batch) back in the
	 * error; the attribute offset in the extack still refers to it. Both
	 * are best effort: kernels before 4.12 lack them.
	 */
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	ret = nl_socket_set_buffer_size(c->sk, KG_SOCK_BUF, KG_SOCK_BUF);
	if (ret < 0) {
		ret = kgc_nlerr(ret);
		goto err_sock;
	}
	/* Let libnl size its receive buffer to each message. */
	nl_socket_enable_msg_peek(c->sk);

	ret = kgc_resolve(c);
	if (ret < 0)
		goto err_sock;
	*out = c;
	return 0;

err_sock:
	nl_socket_free(c->sk);
err_free:
	free(c);
	return ret;
}

int kgc_open(struct kgc_client **out)
{
	return kgc_connect(out);
}

void kgc_close(struct kgc_client *c)
{
	if (!c)
		return;
	nl_socket_free(c->sk);
	free(c->buf);
	free(c);
}

const char *kgc_extack(const struct kgc_client *c)
{
	return c->extack;
}

struct nl_sock *kgc_sock(struct kgc_client *c)
{
	return c->sk;
}

int kgc_family(const struct kgc_client *c)
{
	return c->family;
}

int kgc_fd(const struct kgc_client *c)
{
	return nl_socket_get_fd(c->sk);
}

const struct kgc_rule *kgc_bad_rule(const struct kgc_client *c)
{
	return c->bad_rule;
}

struct nl_msg *kgc_msg_new(const struct kgc_client *c, uint8_t cmd, int flags,
			  size_t size)
{
	struct nl_msg *msg;

	msg = size ? nlmsg_alloc_size(size) : nlmsg_alloc();
	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, c->family, 0, flags,
			 cmd, KABIGUARD_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* State of one request while its replies come in. */
struct kgc_req {
	struct kgc_client *c;
	kgc_reply_fn reply;
	void *arg;
	int error;
	bool done;
	bool intr;
};

/*
 * Reads the extended ACK TLVs that follow a struct nlmsgerr (or the error
 * code of an NLMSG_DONE): NLMSGERR_ATTR_MSG, _OFFS and _MISS_TYPE.
 */
static void kgc_parse_ack_tlvs(struct kgc_client *c, const struct nlmsghdr *h,
			      size_t payload)
{
	const unsigned char *start = (const unsigned char *)h;
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = { 0 };
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(payload);
	size_t len;

	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS) || off >= h->nlmsg_len)
		return;
	len = h->nlmsg_len - off;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)(start + off),
		      len, NULL) < 0)
		return;
	if (tb[NLMSGERR_ATTR_MSG] && nla_len(tb[NLMSGERR_ATTR_MSG]) > 0) {
		size_t n = nla_len(tb[NLMSGERR_ATTR_MSG]);

		if (n >= sizeof(c->extack))
			n = sizeof(c->extack) - 1;
		memcpy(c->extack, nla_data(tb[NLMSGERR_ATTR_MSG]), n);
		c->extack[n] = '\0';
		/* The string may or may not carry its NUL. */
		c->extack[strnlen(c->extack, n)] = '\0';
	}
	if (tb[NLMSGERR_ATTR_OFFS] && nla_len(tb[NLMSGERR_ATTR_OFFS]) >= 4) {
		c->bad_offs = nla_get_u32(tb[NLMSGERR_ATTR_OFFS]);
		c->has_bad_offs = true;
	}
	if (tb[NLMSGERR_ATTR_MISS_TYPE] &&
	    nla_len(tb[NLMSGERR_ATTR_MISS_TYPE]) >= 4) {
		size_t used = strlen(c->extack);

		snprintf(c->extack + used, sizeof(c->extack) - used,
			 "%smissing attribute %u", used ? ", " : "",
			 nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]));
	}
}

static int kgc_err_cb(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	/* libnl hands us nlmsg_data() of the NLMSG_ERROR message. */
	const struct nlmsghdr *h = (const struct nlmsghdr *)
		((const unsigned char *)e - NLMSG_HDRLEN);
	struct kgc_req *r = arg;
	size_t payload = sizeof(*e);

	(void)nla;
	if (!(h->nlmsg_flags & NLM_F_CAPPED) &&
	    e->msg.nlmsg_len >= NLMSG_HDRLEN)
		payload += e->msg.nlmsg_len - NLMSG_HDRLEN;
	kgc_parse_ack_tlvs(r->c, h, payload);
	if (!r->error)
		r->error = e->error < 0 ? e->error : -EIO;
	r->done = true;
	return NL_STOP;
}

static int kgc_ack_cb(struct nl_msg *msg, void *arg)
{
	struct kgc_req *r = arg;

	(void)msg;
	r->done = true;
	return NL_STOP;
}

static int kgc_finish_cb(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct kgc_req *r = arg;
	int err;

	/* A dump that failed midway puts its errno in NLMSG_DONE. */
	if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(int))) {
		memcpy(&err, nlmsg_data(h), sizeof(err));
		if (err < 0) {
			kgc_parse_ack_tlvs(r->c, h, sizeof(int));
			if (!r->error)
				r->error = err;
		}
	}
	r->done = true;
	return NL_STOP;
}

static int kgc_intr_cb(struct nl_msg *msg, void *arg)
{
	struct kgc_req *r = arg;

	(void)msg;
	/*
	 * Keep reading to NLMSG_DONE so the socket stays in sync: NL_OK lets
	 * libnl go on with this message (DONE carries the flag too), and
	 * kgc_valid_cb() stops delivering rules.
	 */
	r->intr = true;
	return NL_OK;
}

static int kgc_valid_cb(struct nl_msg *msg, void *arg)
{
	struct kgc_req *r = arg;
	int ret;

	/* After an error or an interruption, drain without delivering. */
	if (!r->reply || r->error || r->intr)
		return NL_SKIP;
	ret = r->reply(msg, r->arg);
	if (ret < 0)
		r->error = ret;
	return NL_OK;
}

int kgc_request(struct kgc_client *c, struct nl_msg *msg, kgc_reply_fn reply,
	       void *arg)
{
	struct kgc_req r = { .c = c, .reply = reply, .arg = arg };
	struct nl_cb *cb;
	int ret;

	c->extack[0] = '\0';
	c->has_bad_offs = false;
	c->bad_rule = NULL;

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, kgc_valid_cb, &r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, kgc_ack_cb, &r);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, kgc_finish_cb, &r);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, kgc_intr_cb, &r);
	nl_cb_err(cb, NL_CB_CUSTOM, kgc_err_cb, &r);

	nl_complete_msg(c->sk, msg);
	/* A dump ends with NLMSG_DONE; an ACK request there only risks a
	 * stray ACK left on the socket. */
	if ((nlmsg_hdr(msg)->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP)
		nlmsg_hdr(msg)->nlmsg_flags &= ~NLM_F_ACK;
	ret = nl_send(c->sk, msg);
	if (ret < 0) {
		ret = kgc_nlerr(ret);
		goto out;
	}
	while (!r.done) {
		ret = nl_recvmsgs(c->sk, cb);
		if (ret < 0 && !r.done) {
			ret = kgc_nlerr(ret);
			goto out;
		}
	}
	ret = r.error;
	if (!ret && r.intr)
		ret = -EAGAIN;
out:
	nl_cb_put(cb);
	return ret;
}

int kgc_send_msg(struct kgc_client *c, struct nl_msg *msg)
{
	return kgc_request(c, msg, NULL, NULL);
}
