/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One table per attribute set (the verdict event, its violation, loader and
 * requester nests, the status reply and its ring nest): each row says where an attribute's value lives in the
 * library's struct, how the wire carries it, and how JSON and text output
 * write it. The strict parser (attr_table.c) builds its nla_policy and its
 * error names from the rows, checks and stores every value by them; the
 * JSON writer (kgc_fields_json()) and kabiguardctl's status printer walk
 * the same rows in order. What is not a plain copy (argv as NUL-separated
 * strings, taints as letters, times as ISO 8601, members that come from
 * the caller or from several attributes) is a small hook on its row. A
 * nest whose attributes are members of the same struct (the loading
 * process, the requester, the ring's figures) is a KGC_T_NEST row with a
 * table of its own in .sub: parsed, stored and written by that table, as
 * if its rows were the outer table's, in the row's place.
 * Adding a field is one row, plus the uapi and the kernel.
 */
#ifndef KGC_FIELDS_H
#define KGC_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/kabiguard.h>
#include "kgc_json.h"

/* How the wire carries an attribute, and how the row stores it. */
enum kgc_attr_type {
	KGC_T_NONE,	/* no attribute: a JSON member made from others */
	KGC_T_PAD,	/* padding: may repeat, holds nothing */
	KGC_T_BOOL8,	/* u8, stored as bool (non-zero: true) */
	KGC_T_U32,	/* stored as a 4-byte member (u32 or a uapi enum) */
	KGC_T_U64,
	KGC_T_STRING,	/* NUL-terminated, at most .len bytes with the NUL;
			 * copied into char[.size] */
	KGC_T_BINARY,	/* at most .len bytes, copied into char[.size] and
			 * NUL-terminated; the byte count into size_t .aux */
	KGC_T_NEST,	/* a nest: with .sub, parsed and stored by that
			 * set into the same struct (once, not repeated);
			 * without, parsed by the set's owner */
};

/* How the JSON walk writes a row's member. */
enum kgc_json_kind {
	KGC_J_NONE,	/* not written (its value shows up elsewhere) */
	KGC_J_NUM,	/* the member (4 or 8 bytes) as a number */
	KGC_J_STR,	/* a string, "" as null */
	KGC_J_STR_EMPTY, /* a string, "" as "" */
	KGC_J_BOOL,	/* a bool member */
	KGC_J_BIT,	/* true when the u32 member has any bit of .mask */
	KGC_J_HEX,	/* "0x%08x" when the bool at .aux is set, else null */
	KGC_J_NAME,	/* a u32 enum member through .enum_name() */
	KGC_J_HOOK,	/* .hook writes the whole member, key included
			 * (kgc_json_key(b, f->key)), or nothing */
	KGC_J_INLINE,	/* a KGC_T_NEST row's .sub rows, in its place, as
			 * members of the same object */
};

#define KGC_F_REQUIRED	0x01	/* the set is invalid without it */
#define KGC_F_REPEAT	0x02	/* may come more than once */
#define KGC_F_UNSET_MAX	0x04	/* UINT32_MAX when absent */
#define KGC_F_ZERO_NULL	0x08	/* JSON null when the member is 0 */

#define KGC_NO_AUX	((size_t)-1)

struct kgc_field;
struct kgc_attr_set;
/* Writes a KGC_J_HOOK row's member for obj; 0 or -ENOMEM. ctx is what
 * the caller of kgc_fields_json() passed. */
typedef int (*kgc_field_json_fn)(struct kgc_strbuf *b,
				 const struct kgc_field *f, const void *obj,
				 const void *ctx);

struct kgc_field {
	const char *key;		/* JSON member name */
	const char *name;		/* attribute name, for errors */
	uint16_t attr;			/* 0 with KGC_T_NONE */
	uint8_t type;			/* enum kgc_attr_type */
	uint8_t json;			/* enum kgc_json_kind */
	uint16_t len;			/* string/binary limit on the wire */
	uint16_t flags;			/* KGC_F_* */
	size_t off, size;		/* the member in the struct */
	/* Set to true when the attribute is present (or, for KGC_T_BINARY,
	 * its byte count); KGC_NO_AUX: nothing. KGC_J_HEX reads it. */
	size_t aux;
	/* JSON null unless this member (cond_size bytes) is non-zero. */
	size_t cond_off, cond_size;
	uint32_t mask;			/* KGC_J_BIT */
	/* Text output (kabiguardctl): a printf format taking the value;
	 * NULL: JSON only. text_null: printed instead when the member is
	 * null. group: the JSON object holding the member. */
	const char *text;
	const char *text_null;
	const char *group;
	const char *(*enum_name)(uint32_t v);	/* KGC_J_NAME */
	kgc_field_json_fn hook;			/* KGC_J_HOOK */
	const struct kgc_attr_set *sub;		/* KGC_T_NEST: its rows */
};

struct kgc_attr_set {
	const struct kgc_field *f;
	size_t nr;
	int maxtype;			/* the set's highest attribute */
	bool exact;			/* exact sizes and string limits */
	const char *where;		/* names the set in errors */
	const char *missing;		/* error when a required one is absent */
};

/* event_fields.c, status_fields.c */
extern const struct kgc_attr_set kgc_event_attrs;
extern const struct kgc_attr_set kgc_violation_attrs;
extern const struct kgc_attr_set kgc_loader_attrs;
extern const struct kgc_attr_set kgc_requester_attrs;
extern const struct kgc_attr_set kgc_status_attrs;
extern const struct kgc_attr_set kgc_ring_attrs;

/* Appends obj's members in row order, each as ,"key":value (the first
 * without its comma when first is set); KGC_J_INLINE rows' sets in their
 * place. */
int kgc_fields_json(struct kgc_strbuf *b, const struct kgc_attr_set *set,
		    const void *obj, const void *ctx, bool first);
/* A row's member as a number (4 or 8 bytes; a bool as 0 or 1). */
uint64_t kgc_field_u64(const struct kgc_field *f, const void *obj);
/* Whether the row's member is written as null (its condition, or
 * KGC_F_ZERO_NULL and 0). */
bool kgc_field_null(const struct kgc_field *f, const void *obj);
/* A KGC_J_NAME row's name, a string row's string ("" as NULL for
 * KGC_J_STR); NULL for other rows. */
const char *kgc_field_str(const struct kgc_field *f, const void *obj);

#endif /* KGC_FIELDS_H */
