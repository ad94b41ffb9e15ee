/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Raw kabiguard requests on a kgc_client's socket: a genl message of the
 * family with attributes built by hand (kg_nla.h), sent with
 * kgc_send_msg(), so that the library's own checks never hide what the
 * kernel does with it. libnl's headers come from the Makefile (pkg-config
 * --cflags libnl-genl-3.0).
 */
#ifndef KG_NLMSG_H
#define KG_NLMSG_H

#include <errno.h>
#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/socket.h>
#include <netlink/genl/genl.h>

#include "kgclient.h"
#include "kg_nla.h"

/*
 * A request for cmd of c's family with nlmsg flags (NLM_F_DUMP, ...) and
 * room for a kg_nla_buf: nlmsg_free() it. NULL when out of memory.
 */
static inline struct nl_msg *kg_t_genl_msg(struct kgc_client *c, uint8_t cmd,
					   int flags)
{
	struct nl_msg *msg = nlmsg_alloc_size(sizeof(struct kg_nla_buf) + 4096);

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, kgc_family(c), 0, flags,
			 cmd, KABIGUARD_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* Sends cmd with the attributes a (may be NULL): the kernel's errno. */
static inline int kg_t_send_raw(struct kgc_client *c, uint8_t cmd,
				const struct kg_nla_buf *a)
{
	struct nl_msg *msg = kg_t_genl_msg(c, cmd, 0);
	int ret;

	if (!msg)
		return -ENOMEM;
	if (a && a->len &&
	    nlmsg_append(msg, (void *)a->buf, a->len, NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	ret = kgc_send_msg(c, msg);
	nlmsg_free(msg);
	return ret;
}

#endif /* KG_NLMSG_H */
