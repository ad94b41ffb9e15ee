/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libkgclient below its interface: the netlink socket and message parser,
 * for tests that build their own messages or feed the parser directly.
 * Not for tools: these expose libnl and change with the wire format.
 */
#ifndef KGC_RAW_H
#define KGC_RAW_H

#include "kgc_client.h"

struct nl_sock;
struct nl_msg;
struct nlmsghdr;

/* The libnl socket under a client and the family's id. */
struct nl_sock *kgc_sock(struct kgc_client *c);
int kgc_family(const struct kgc_client *c);
/* Send a prepared message (already carrying the genl header), wait for the
 * ACK; returns the kernel's errno as a negative value. The caller keeps
 * ownership of msg (nlmsg_free() it). */
int kgc_send_msg(struct kgc_client *c, struct nl_msg *msg);

/*
 * Parses one netlink message of genl family @family strictly: every
 * attribute at its exact size or within its limit, strings terminated,
 * nests within their parent, no trailing bytes, no attribute but
 * KABIGUARD_A_VIOLATION twice. Returns 1 with *ev filled (kgc_event_free()
 * it), 0 when the message is not a verdict event, -EBADMSG with @err
 * naming the offending attribute, -ENOMEM.
 */
struct nlmsghdr;
int kgc_event_parse(const struct nlmsghdr *h, int family, struct kgc_event *ev,
		   char *err, size_t errlen);

#endif /* KGC_RAW_H */
