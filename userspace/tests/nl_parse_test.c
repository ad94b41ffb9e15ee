// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side tests of libkgclient's netlink parsers: the strict parser of
 * verdict event messages (hand-built malformed messages, each rejected
 * with an error naming the attribute), the status reply with its nested
 * ring figures, and the attribute tables that drive them. TAP 13 output;
 * exits 1 when any test fails.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include "kgc_raw.h"
#include "../lib/internal.h"
#include "../lib/attr_table.h"
#include "tap.h"

/* The family id the messages carry and the parser is told to expect. */
#define EV_FAMILY	0x20

static void diag(const char *what, const char *s)
{
	printf("# %s: %s\n", what, s);
}

/* A verdict event message: SEQ, MODULE, VERDICT, one violation. */
static struct nl_msg *ev_msg(void)
{
	struct nl_msg *m = nlmsg_alloc_size(65536);
	struct nlattr *nest;

	if (!m || !genlmsg_put(m, 0, 0, EV_FAMILY, 0, 0,
			       KABIGUARD_CMD_VERDICT, 1))
		abort();
	nla_put_u64(m, KABIGUARD_A_SEQ, 7);
	nla_put_string(m, KABIGUARD_A_MODULE, "kg_test");
	nla_put_u32(m, KABIGUARD_A_VERDICT, KABIGUARD_VERDICT_AUDITED);
	nla_put_u32(m, KABIGUARD_A_NR_VIOLATIONS, 1);
	nest = nla_nest_start(m, KABIGUARD_A_VIOLATION);
	nla_put_string(m, KABIGUARD_VIOL_A_SYMBOL, "kg_plain_b");
	nla_put_u32(m, KABIGUARD_VIOL_A_REASON, KABIGUARD_REASON_NOT_ALLOWED);
	nla_nest_end(m, nest);
	return m;
}

/* Parses m; 1 when it was rejected with an error holding want. */
static int ev_rejected(struct nl_msg *m, const char *want, const char *what)
{
	struct kgc_event ev;
	char err[256];
	int ret;

	ret = kgc_event_parse(nlmsg_hdr(m), EV_FAMILY, &ev, err, sizeof(err));
	if (ret == 1)
		kgc_event_free(&ev);
	ok(ret == -EBADMSG && strstr(err, want), "event parse: %s", what);
	if (ret != -EBADMSG || !strstr(err, want)) {
		printf("# ret %d, error \"%s\", want \"%s\"\n", ret, err, want);
	}
	nlmsg_free(m);
	return ret == -EBADMSG;
}

/* Appends raw bytes to m as they are, growing nlmsg_len. */
static void ev_raw(struct nl_msg *m, const void *data, size_t len)
{
	struct nlmsghdr *h = nlmsg_hdr(m);

	memcpy((char *)h + h->nlmsg_len, data, len);
	h->nlmsg_len += len;
}

static void test_event_parse(void)
{
	char err[256], big[200];
	struct kgc_event ev;
	struct nl_msg *m;
	int ret;

	m = ev_msg();
	ret = kgc_event_parse(nlmsg_hdr(m), EV_FAMILY, &ev, err, sizeof(err));
	ok(ret == 1 && ev.seq == 7 && !strcmp(ev.module, "kg_test") &&
	   ev.nr_listed == 1 && !strcmp(ev.viol[0].symbol, "kg_plain_b"),
	   "event parse: a well-formed event");
	if (ret == 1)
		kgc_event_free(&ev);
	else
		diag("error", err);
	nlmsg_free(m);

	/* A u32 attribute of 8 bytes. */
	m = ev_msg();
	nla_put_u64(m, KABIGUARD_A_NR_IMPORTS, 1);
	ev_rejected(m, "KABIGUARD_A_NR_IMPORTS", "a u32 of 8 bytes is refused");

	/* A string without its NUL. */
	m = ev_msg();
	{
		struct nlattr *nest = nla_nest_start(m, KABIGUARD_A_LOADER);

		nla_put(m, KABIGUARD_LOADER_A_COMM, 4, "abcd");
		nla_nest_end(m, nest);
	}
	ev_rejected(m, "KABIGUARD_LOADER_A_COMM",
		    "a string without NUL is refused");

	/* A string over its limit. */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	m = ev_msg();
	nla_put_string(m, KABIGUARD_A_SRCVERSION, big);
	ev_rejected(m, "KABIGUARD_A_SRCVERSION",
		    "a string over its limit is refused");

	/* A path one byte over KABIGUARD_PATH_MAX (NUL included). */
	{
		char path[KABIGUARD_PATH_MAX + 1];
		struct nlattr *nest;

		memset(path, 'p', sizeof(path) - 1);
		path[sizeof(path) - 1] = '\0';
		m = ev_msg();
		nest = nla_nest_start(m, KABIGUARD_A_LOADER);
		nla_put_string(m, KABIGUARD_LOADER_A_EXE, path);
		nla_nest_end(m, nest);
		ev_rejected(m, "KABIGUARD_LOADER_A_EXE",
			    "an exe path over KABIGUARD_PATH_MAX is refused");
		path[sizeof(path) - 2] = '\0';
		m = ev_msg();
		nest = nla_nest_start(m, KABIGUARD_A_LOADER);
		nla_put_string(m, KABIGUARD_LOADER_A_CGROUP, path);
		nla_nest_end(m, nest);
		ret = kgc_event_parse(nlmsg_hdr(m), EV_FAMILY, &ev, err,
				      sizeof(err));
		ok(ret == 1 && strlen(ev.cgroup) == KABIGUARD_PATH_MAX - 1,
		   "event parse: a cgroup path of KABIGUARD_PATH_MAX bytes "
		   "is kept whole");
		if (ret == 1)
			kgc_event_free(&ev);
		nlmsg_free(m);
	}

	/* A second KABIGUARD_A_SEQ, as a wrapped attribute length forged. */
	m = ev_msg();
	nla_put_u64(m, KABIGUARD_A_SEQ, 999999);
	ev_rejected(m, "KABIGUARD_A_SEQ given twice",
		    "a forged second sequence number is refused");

	/* Bytes after the last attribute. */
	m = ev_msg();
	ev_raw(m, "\1\2\3", 3);
	ev_rejected(m, "trailing bytes", "trailing bytes are refused");

	/* A nested attribute overrunning its parent: the nest holds 8
	 * bytes, its one attribute says 100. */
	m = ev_msg();
	{
		unsigned char raw[12] = { 0 };
		struct nlattr *outer = (void *)raw, *inner = (void *)(raw + 4);

		outer->nla_len = 12;
		outer->nla_type = KABIGUARD_A_VIOLATION;
		inner->nla_len = 100;
		inner->nla_type = KABIGUARD_VIOL_A_SYMBOL;
		ev_raw(m, raw, sizeof(raw));
	}
	ev_rejected(m, "KABIGUARD_A_VIOLATION",
		    "a nest overrun by its attribute is refused");

	/* A violation attribute of the wrong size names the nest. */
	m = ev_msg();
	{
		struct nlattr *nest = nla_nest_start(m, KABIGUARD_A_VIOLATION);

		nla_put_string(m, KABIGUARD_VIOL_A_SYMBOL, "x");
		nla_put_u8(m, KABIGUARD_VIOL_A_REASON, 1);
		nla_nest_end(m, nest);
	}
	ev_rejected(m, "KABIGUARD_VIOL_A_REASON",
		    "a violation's u32 of 1 byte is refused");

	/* More violations listed than counted. */
	m = ev_msg();
	{
		struct nlattr *nest = nla_nest_start(m, KABIGUARD_A_VIOLATION);

		nla_put_string(m, KABIGUARD_VIOL_A_SYMBOL, "x");
		nla_put_u32(m, KABIGUARD_VIOL_A_REASON, 0);
		nla_nest_end(m, nest);
	}
	ev_rejected(m, "KABIGUARD_A_NR_VIOLATIONS",
		    "more violations listed than counted is refused");

	/* No sequence number. */
	m = nlmsg_alloc();
	genlmsg_put(m, 0, 0, EV_FAMILY, 0, 0, KABIGUARD_CMD_VERDICT, 1);
	nla_put_string(m, KABIGUARD_A_MODULE, "kg_test");
	nla_put_u32(m, KABIGUARD_A_VERDICT, 0);
	ev_rejected(m, "KABIGUARD_A_SEQ", "an event without SEQ is refused");

	/* A repeat event and a requester, well formed. */
	m = ev_msg();
	{
		struct nlattr *nest = nla_nest_start(m, KABIGUARD_A_REQUESTER);

		nla_put_u32(m, KABIGUARD_REQUESTER_A_PID, 321);
		nla_put_u32(m, KABIGUARD_REQUESTER_A_UID, 65534);
		nla_put_string(m, KABIGUARD_REQUESTER_A_COMM, "flood");
		nla_put_string(m, KABIGUARD_REQUESTER_A_NAME, "net-pf-38");
		nla_nest_end(m, nest);
	}
	nla_put_u64(m, KABIGUARD_A_REPEAT_OF, 3);
	nla_put_u32(m, KABIGUARD_A_REPEAT_COUNT, 5);
	ret = kgc_event_parse(nlmsg_hdr(m), EV_FAMILY, &ev, err, sizeof(err));
	ok(ret == 1 && ev.has_requester && ev.req_pid == 321 &&
	   ev.req_uid == 65534 && !strcmp(ev.req_comm, "flood") &&
	   !strcmp(ev.req_name, "net-pf-38") && ev.repeat_of == 3 &&
	   ev.repeat_count == 5,
	   "event parse: a repeat event naming its requester");
	if (ret == 1)
		kgc_event_free(&ev);
	else
		diag("error", err);
	nlmsg_free(m);

	m = ev_msg();
	nla_put_u64(m, KABIGUARD_A_REPEAT_OF, 3);
	ev_rejected(m, "KABIGUARD_A_REPEAT_COUNT",
		    "a repeat without its count is refused");
	m = ev_msg();
	nla_put_u64(m, KABIGUARD_A_REPEAT_OF, 7);
	nla_put_u32(m, KABIGUARD_A_REPEAT_COUNT, 2);
	ev_rejected(m, "KABIGUARD_A_REPEAT_COUNT",
		    "a repeat of itself (or a later event) is refused");
	m = ev_msg();
	nla_put_u64(m, KABIGUARD_A_REPEAT_OF, 3);
	nla_put_u32(m, KABIGUARD_A_REPEAT_COUNT, 1);
	ev_rejected(m, "KABIGUARD_A_REPEAT_COUNT",
		    "a repeat count below 2 is refused");
	m = ev_msg();
	{
		struct nlattr *nest = nla_nest_start(m, KABIGUARD_A_REQUESTER);

		nla_put_u32(m, KABIGUARD_REQUESTER_A_PID, 321);
		nla_nest_end(m, nest);
	}
	ev_rejected(m, "KABIGUARD_REQUESTER_A_PID",
		    "a requester pid without the rest is refused");
	m = ev_msg();
	{
		struct nlattr *nest = nla_nest_start(m, KABIGUARD_A_REQUESTER);

		nla_put_u32(m, KABIGUARD_REQUESTER_A_PID, 321);
		nla_put_u32(m, KABIGUARD_REQUESTER_A_UID, 65534);
		nla_put_string(m, KABIGUARD_REQUESTER_A_COMM, "flood");
		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		nla_put_string(m, KABIGUARD_REQUESTER_A_NAME, big);
		nla_nest_end(m, nest);
	}
	ev_rejected(m, "KABIGUARD_REQUESTER_A_NAME",
		    "a requested name over its limit is refused");
	/* The loader nest given as a u32: its payload is no attribute. */
	m = ev_msg();
	nla_put_u32(m, KABIGUARD_A_LOADER, 1);
	ev_rejected(m, "KABIGUARD_A_LOADER",
		    "a loader nest that is not a nest is refused");

	/* An attribute newer than this parser is skipped, not refused. */
	m = ev_msg();
	nla_put_u32(m, KABIGUARD_A_MAX + 5, 1);
	ret = kgc_event_parse(nlmsg_hdr(m), EV_FAMILY, &ev, err, sizeof(err));
	ok(ret == 1, "event parse: an unknown newer attribute is skipped");
	if (ret == 1)
		kgc_event_free(&ev);
	nlmsg_free(m);
}

/* A status reply: the ring's figures from their nest, a bad nest refused. */
static void test_status_parse(void)
{
	struct kgc_status st = { 0 };
	struct nlattr *nest;
	struct nl_msg *m;

	m = nlmsg_alloc();
	if (!m || !genlmsg_put(m, 0, 0, EV_FAMILY, 0, 0,
			       KABIGUARD_CMD_GET_STATUS, KABIGUARD_GENL_VERSION))
		abort();
	nla_put_u32(m, KABIGUARD_A_MODE, KABIGUARD_MODE_AUDIT);
	nla_put_u64(m, KABIGUARD_A_CNT_CHECKED, 9);
	nest = nla_nest_start(m, KABIGUARD_A_RING);
	nla_put_u32(m, KABIGUARD_RING_A_SIZE, 16);
	nla_put_u64(m, KABIGUARD_RING_A_FIRST, 3);
	nla_put_u64(m, KABIGUARD_RING_A_NEXT, 19);
	nla_put_u64(m, KABIGUARD_RING_A_OVERFLOW, 2);
	nla_put_u64(m, KABIGUARD_RING_A_BYTES, 4000);
	nla_put_u64(m, KABIGUARD_RING_A_BYTES_MAX, 65536);
	nla_put_u64(m, KABIGUARD_RING_A_READER_OVERFLOW, 1);
	nla_nest_end(m, nest);
	ok(kgc_status_reply(m, &st) == 0 && st.mode == KABIGUARD_MODE_AUDIT &&
	   st.checked == 9 && st.ring_size == 16 && st.ring_first == 3 &&
	   st.ring_next == 19 && st.ring_overflow == 2 &&
	   st.ring_bytes == 4000 && st.ring_bytes_max == 65536 &&
	   st.ring_reader && st.ring_reader_overflow == 1,
	   "status parse: the ring's figures from KABIGUARD_A_RING");
	nlmsg_free(m);

	memset(&st, 0, sizeof(st));
	m = nlmsg_alloc();
	if (!m || !genlmsg_put(m, 0, 0, EV_FAMILY, 0, 0,
			       KABIGUARD_CMD_GET_STATUS, KABIGUARD_GENL_VERSION))
		abort();
	nest = nla_nest_start(m, KABIGUARD_A_RING);
	nla_put_u16(m, KABIGUARD_RING_A_FIRST, 3);
	nla_nest_end(m, nest);
	ok(kgc_status_reply(m, &st) == -EBADMSG,
	   "status parse: a ring nest with a short u64 is refused");
	nlmsg_free(m);
}

/* Every attribute table fits what its parser and writers assume. */
static void test_attr_tables(void)
{
	const struct kgc_attr_set *sets[] = {
		&kgc_event_attrs, &kgc_violation_attrs, &kgc_loader_attrs,
		&kgc_requester_attrs, &kgc_status_attrs, &kgc_ring_attrs,
	};
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		*err = '\0';
		ok(kgc_attr_set_check(sets[i], err, sizeof(err)) == 0,
		   "attribute table %s: %zu rows sound%s%s", sets[i]->where,
		   sets[i]->nr, *err ? ": " : "", err);
	}
	/* And the check can fail: a u64 row on a 4-byte member, an
	 * attribute past the set's maxtype. */
	{
		struct kgc_field bad[] = {
			{ .key = "seq", .name = "KABIGUARD_A_SEQ",
			  .attr = KABIGUARD_A_SEQ, .type = KGC_T_U64,
			  .json = KGC_J_NUM, .off = 0, .size = 4,
			  .aux = KGC_NO_AUX },
			{ .key = "x", .name = "X", .attr = 40,
			  .type = KGC_T_U32, .json = KGC_J_NUM, .size = 4,
			  .aux = KGC_NO_AUX },
		};
		struct kgc_attr_set set = { .f = bad, .nr = 1,
					    .maxtype = KABIGUARD_A_MAX,
					    .where = "test" };

		ok(kgc_attr_set_check(&set, err, sizeof(err)) == -EINVAL &&
		   strstr(err, "KABIGUARD_A_SEQ"),
		   "attribute tables: a u64 row on a 4-byte member is caught "
		   "(%s)", err);
		set.f = bad + 1;
		set.maxtype = 39;
		ok(kgc_attr_set_check(&set, err, sizeof(err)) == -EINVAL &&
		   strstr(err, "maxtype"),
		   "attribute tables: a row past maxtype is caught (%s)", err);
	}
	/* A nest's table is checked too, and an inline row needs one. */
	{
		struct kgc_field bad_sub[] = {
			{ .key = "seq", .name = "KABIGUARD_LOADER_A_PID",
			  .attr = KABIGUARD_LOADER_A_PID, .type = KGC_T_U64,
			  .json = KGC_J_NUM, .off = 0, .size = 4,
			  .aux = KGC_NO_AUX },
		};
		struct kgc_attr_set sub = { .f = bad_sub, .nr = 1,
					    .maxtype = KABIGUARD_LOADER_A_MAX,
					    .where = "test loader" };
		struct kgc_field outer[] = {
			{ .name = "KABIGUARD_A_LOADER",
			  .attr = KABIGUARD_A_LOADER, .type = KGC_T_NEST,
			  .json = KGC_J_INLINE, .sub = &sub,
			  .aux = KGC_NO_AUX },
		};
		struct kgc_attr_set set = { .f = outer, .nr = 1,
					    .maxtype = KABIGUARD_A_MAX,
					    .where = "test" };

		ok(kgc_attr_set_check(&set, err, sizeof(err)) == -EINVAL &&
		   strstr(err, "test loader") &&
		   strstr(err, "KABIGUARD_LOADER_A_PID"),
		   "attribute tables: a bad row of a nest's table is caught "
		   "(%s)", err);
		outer[0].sub = NULL;
		ok(kgc_attr_set_check(&set, err, sizeof(err)) == -EINVAL &&
		   strstr(err, "KABIGUARD_A_LOADER"),
		   "attribute tables: an inline row without a table is "
		   "caught (%s)", err);
		outer[0].sub = &kgc_loader_attrs;
		outer[0].flags = KGC_F_REPEAT;
		ok(kgc_attr_set_check(&set, err, sizeof(err)) == -EINVAL &&
		   strstr(err, "repeated"),
		   "attribute tables: a repeated nest with a table is caught "
		   "(%s)", err);
	}
}

int main(void)
{
	printf("TAP version 13\n");
	test_attr_tables();
	test_status_parse();
	test_event_parse();
	printf("1..%u\n", tap_nr_tests);
	return tap_nr_failed ? 1 : 0;
}
