/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The attribute tables' parser (attr_table.c), inside the library: the
 * tables themselves are described in kgc_fields.h.
 */
#ifndef KGC_ATTR_TABLE_H
#define KGC_ATTR_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/kabiguard.h>
#include <netlink/attr.h>
#include "kgc_fields.h"

/* Writes set's own policy (from its rows) into policy[0..maxtype]. */
void kgc_attr_policy(const struct kgc_attr_set *set,
		     struct nla_policy *policy);
/*
 * Strict walk of a stream of attributes (a message's or a nest's): each one
 * valid against its row (exact sizes, string limits and NUL), none
 * overrunning the stream, no bytes left over, none given twice but padding
 * and KGC_F_REPEAT rows. Attributes newer than the set's maxtype are
 * skipped (the ABI grows append-only). Fills tb[0..maxtype] (NULL where
 * absent; a repeated one: its last), checks the required ones, and walks
 * each nest that has a table of its own (KGC_T_NEST with .sub) the same
 * way. On error names the attribute in err and returns -EBADMSG.
 */
int kgc_attr_parse(const struct kgc_attr_set *set, struct nlattr *head,
		   int len, struct nlattr **tb, char *err, size_t errlen);
/*
 * Checks the rows of set against what the parser and writers assume: the
 * set's maxtype within KABIGUARD_A_MAX (the parser's arrays), each row's
 * attribute within maxtype, integer rows on members of their size, string
 * and binary rows with room and a limit, binary and hex rows with their
 * aux member, inline rows with a table, nests with a table not repeated;
 * and every such table, the same way. 0, or -EINVAL naming the first bad
 * row in err. The tests run it over every table, so that a new row cannot
 * break the parser.
 */
int kgc_attr_set_check(const struct kgc_attr_set *set, char *err,
		       size_t errlen);
/*
 * Stores every row's attribute of tb into obj (zeroed by the caller), a
 * nest with a table of its own through that table (its absent rows as
 * absent). 0, or -EBADMSG when such a nest does not parse by its table's
 * policy (kgc_attr_parse() has checked it already, a reply parsed by
 * kgc_attr_policy() alone has not).
 */
int kgc_attr_store(const struct kgc_attr_set *set, struct nlattr **tb,
		   void *obj);
/* event_json.c: "2026-11-23T10:00:00.123456789Z" */
void kgc_iso8601(uint64_t ns, char *buf, size_t len);

void kgc_set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Row builders. T is the struct, m its member. */
#define KGC_SIZE_IS(T, m, n) \
	(0 * sizeof(char[sizeof(((T *)0)->m) == (n) ? 1 : -1]))
#define KGC_MEMBER(T, m) \
	.off = offsetof(T, m), .size = sizeof(((T *)0)->m)

#endif /* KGC_ATTR_TABLE_H */
