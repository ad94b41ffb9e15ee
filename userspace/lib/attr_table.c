// SPDX-License-Identifier: GPL-2.0
/*
 * The engine behind the attribute tables (attr_table.h): one strict
 * parser, one store, one JSON walk for every attribute set.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <netlink/attr.h>

#include "attr_table.h"

void kgc_set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/*
 * Every attribute at its exact size (fixed-size ones) or within its limit
 * (strings, NUL included, as the uapi header documents them): libnl's
 * nla_validate() checks minlen and maxlen and a string's NUL. A set that
 * is not exact only gets the types (libnl's minimum lengths).
 */
void kgc_attr_policy(const struct kgc_attr_set *set, struct nla_policy *policy)
{
	size_t i;

	memset(policy, 0, (set->maxtype + 1) * sizeof(*policy));
	for (i = 0; i < set->nr; i++) {
		const struct kgc_field *f = &set->f[i];
		struct nla_policy *p = &policy[f->attr];

		switch (f->type) {
		case KGC_T_BOOL8:
			*p = (struct nla_policy){ NLA_U8, 1, 1 };
			break;
		case KGC_T_U32:
			*p = (struct nla_policy){ NLA_U32, 4, 4 };
			break;
		case KGC_T_U64:
			*p = (struct nla_policy){ NLA_U64, 8, 8 };
			break;
		case KGC_T_STRING:
			*p = (struct nla_policy){ NLA_STRING, 1, f->len };
			break;
		case KGC_T_BINARY:
			*p = (struct nla_policy){ NLA_BINARY, 0, f->len };
			break;
		case KGC_T_NEST:
			*p = (struct nla_policy){ .type = NLA_NESTED };
			break;
		default:	/* KGC_T_NONE, KGC_T_PAD */
			continue;
		}
		if (!set->exact)
			p->minlen = p->maxlen = 0;
	}
}

int kgc_attr_set_check(const struct kgc_attr_set *set, char *err,
		       size_t errlen)
{
	size_t i;
	int ret;

	if (set->maxtype < 1 || set->maxtype > KABIGUARD_A_MAX) {
		kgc_set_err(err, errlen, "%s: maxtype %d outside 1..%d",
			    set->where, set->maxtype, KABIGUARD_A_MAX);
		return -EINVAL;
	}
	for (i = 0; i < set->nr; i++) {
		const struct kgc_field *f = &set->f[i];
		const char *bad = NULL;

		if (f->type != KGC_T_NONE &&
		    (f->attr < 1 || f->attr > set->maxtype))
			bad = "attribute outside 1..maxtype";
		else if ((f->type == KGC_T_U32 && f->size != 4) ||
			 (f->type == KGC_T_U64 && f->size != 8) ||
			 (f->type == KGC_T_BOOL8 && f->size != sizeof(bool)))
			bad = "integer row on a member of another size";
		else if ((f->type == KGC_T_STRING ||
			  f->type == KGC_T_BINARY) && (!f->size || !f->len))
			bad = "string or binary row without room or limit";
		else if ((f->type == KGC_T_BINARY || f->json == KGC_J_HEX) &&
			 f->aux == KGC_NO_AUX)
			bad = "binary or hex row without its aux member";
		else if (f->json == KGC_J_NUM && f->size != 4 && f->size != 8)
			bad = "number written from a member of 4 or 8 bytes only";
		else if ((f->json == KGC_J_INLINE || f->sub) &&
			 (f->type != KGC_T_NEST || !f->sub))
			bad = "inline or table row that is not a nest with a table";
		else if (f->sub && (f->flags & KGC_F_REPEAT))
			bad = "nest with a table of its own repeated";
		if (bad) {
			kgc_set_err(err, errlen, "%s: row %zu (%s): %s",
				    set->where, i, f->name ? f->name : f->key,
				    bad);
			return -EINVAL;
		}
		if (f->sub) {
			ret = kgc_attr_set_check(f->sub, err, errlen);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static const struct kgc_field *kgc_row(const struct kgc_attr_set *set,
				       int attr)
{
	size_t i;

	for (i = 0; i < set->nr; i++)
		if (set->f[i].type != KGC_T_NONE && set->f[i].attr == attr)
			return &set->f[i];
	return NULL;
}

int kgc_attr_parse(const struct kgc_attr_set *set, struct nlattr *head,
		   int len, struct nlattr **tb, char *err, size_t errlen)
{
	struct nla_policy policy[KABIGUARD_A_MAX + 1];
	unsigned char seen[KABIGUARD_A_MAX + 1] = { 0 };
	struct nlattr *sub_tb[KABIGUARD_A_MAX + 1];
	struct nlattr *a;
	size_t i;
	int rem, ret;

	kgc_attr_policy(set, policy);
	memset(tb, 0, (set->maxtype + 1) * sizeof(*tb));
	nla_for_each_attr(a, head, len, rem) {
		int type = nla_type(a);
		const struct kgc_field *f;
		const char *name;

		if (type > set->maxtype)
			continue;
		f = kgc_row(set, type);
		name = f ? f->name : "attribute";
		if (type == 0 || nla_validate(a, a->nla_len, set->maxtype,
					      policy) < 0) {
			kgc_set_err(err, errlen,
				    "%s: %s (type %d) invalid (length %d)",
				    set->where, name, type, nla_len(a));
			return -EBADMSG;
		}
		if (seen[type]++ && !(f && (f->type == KGC_T_PAD ||
					    (f->flags & KGC_F_REPEAT)))) {
			kgc_set_err(err, errlen, "%s: %s given twice",
				    set->where, name);
			return -EBADMSG;
		}
		tb[type] = a;
	}
	if (rem != 0) {
		kgc_set_err(err, errlen,
			    "%s: %d trailing bytes after the last attribute",
			    set->where, rem);
		return -EBADMSG;
	}
	for (i = 0; i < set->nr; i++) {
		if ((set->f[i].flags & KGC_F_REQUIRED) && !tb[set->f[i].attr]) {
			kgc_set_err(err, errlen, "%s", set->missing);
			return -EBADMSG;
		}
	}
	for (i = 0; i < set->nr; i++) {
		const struct kgc_field *f = &set->f[i];

		if (!f->sub || !tb[f->attr])
			continue;
		ret = kgc_attr_parse(f->sub, nla_data(tb[f->attr]),
				     nla_len(tb[f->attr]), sub_tb, err, errlen);
		if (ret)
			return ret;
	}
	return 0;
}

static void kgc_store_one(const struct kgc_field *f, struct nlattr *a,
			  void *obj)
{
	char *p = (char *)obj + f->off;
	uint32_t v32;
	uint64_t v64;
	size_t n;

	if (!a) {
		if (f->flags & KGC_F_UNSET_MAX) {
			v32 = UINT32_MAX;
			memcpy(p, &v32, sizeof(v32));
		}
		return;
	}
	if (f->aux != KGC_NO_AUX && f->type != KGC_T_BINARY)
		*(bool *)((char *)obj + f->aux) = true;
	switch (f->type) {
	case KGC_T_BOOL8:
		*(bool *)p = nla_get_u8(a) != 0;
		break;
	case KGC_T_U32:
		v32 = nla_get_u32(a);
		memcpy(p, &v32, sizeof(v32));
		break;
	case KGC_T_U64:
		v64 = nla_get_u64(a);
		memcpy(p, &v64, sizeof(v64));
		break;
	case KGC_T_STRING:
		n = strnlen(nla_data(a), nla_len(a));
		if (n >= f->size)
			n = f->size - 1;
		memcpy(p, nla_data(a), n);
		p[n] = '\0';
		break;
	case KGC_T_BINARY:
		n = nla_len(a);
		if (n >= f->size)
			n = f->size - 1;
		memcpy(p, nla_data(a), n);
		p[n] = '\0';
		*(size_t *)((char *)obj + f->aux) = n;
		break;
	default:	/* no value of its own */
		break;
	}
}

int kgc_attr_store(const struct kgc_attr_set *set, struct nlattr **tb,
		   void *obj)
{
	struct nla_policy policy[KABIGUARD_A_MAX + 1];
	struct nlattr *sub_tb[KABIGUARD_A_MAX + 1];
	size_t i;
	int ret;

	for (i = 0; i < set->nr; i++) {
		const struct kgc_field *f = &set->f[i];
		struct nlattr *a;

		if (f->type == KGC_T_NONE || f->type == KGC_T_PAD)
			continue;
		a = tb[f->attr];
		kgc_store_one(f, a, obj);
		if (!f->sub)
			continue;
		/* Absent: its rows' defaults (KGC_F_UNSET_MAX) all the same. */
		memset(sub_tb, 0, (f->sub->maxtype + 1) * sizeof(*sub_tb));
		if (a) {
			kgc_attr_policy(f->sub, policy);
			if (nla_parse_nested(sub_tb, f->sub->maxtype, a,
					     policy) < 0)
				return -EBADMSG;
		}
		ret = kgc_attr_store(f->sub, sub_tb, obj);
		if (ret)
			return ret;
	}
	return 0;
}

uint64_t kgc_field_u64(const struct kgc_field *f, const void *obj)
{
	const char *p = (const char *)obj + f->off;
	uint32_t v32;
	uint64_t v64;

	if (f->size == sizeof(bool))
		return *(const bool *)p;
	if (f->size == sizeof(v32)) {
		memcpy(&v32, p, sizeof(v32));
		return v32;
	}
	memcpy(&v64, p, sizeof(v64));
	return v64;
}

static bool kgc_member_zero(const void *obj, size_t off, size_t size)
{
	const unsigned char *p = (const unsigned char *)obj + off;

	while (size--)
		if (*p++)
			return false;
	return true;
}

bool kgc_field_null(const struct kgc_field *f, const void *obj)
{
	return (f->cond_size &&
		kgc_member_zero(obj, f->cond_off, f->cond_size)) ||
	       ((f->flags & KGC_F_ZERO_NULL) &&
		kgc_member_zero(obj, f->off, f->size));
}

const char *kgc_field_str(const struct kgc_field *f, const void *obj)
{
	const char *p = (const char *)obj + f->off;

	switch (f->json) {
	case KGC_J_NAME:
		return f->enum_name(kgc_field_u64(f, obj));
	case KGC_J_STR:
		return *p ? p : NULL;
	case KGC_J_STR_EMPTY:
		return p;
	default:
		return NULL;
	}
}

static int kgc_field_value(struct kgc_strbuf *b, const struct kgc_field *f,
			   const void *obj)
{
	const char *p = (const char *)obj + f->off;

	switch (f->json) {
	case KGC_J_NUM:
		return kgc_json_u64(b, kgc_field_u64(f, obj));
	case KGC_J_STR:
	case KGC_J_NAME:
		return kgc_json_str_or_null(b, kgc_field_str(f, obj));
	case KGC_J_STR_EMPTY:
		return kgc_json_str(b, p);
	case KGC_J_BOOL:
		return kgc_json_bool(b, *(const bool *)p);
	case KGC_J_BIT:
		return kgc_json_bool(b, kgc_field_u64(f, obj) & f->mask);
	case KGC_J_HEX:
		if (!*(const bool *)((const char *)obj + f->aux))
			return kgc_json_null(b);
		return kgc_json_hex32(b, kgc_field_u64(f, obj));
	default:
		return -EINVAL;
	}
}

/* kgc_fields_json(); *first: nothing written yet. */
static int kgc_rows_json(struct kgc_strbuf *b, const struct kgc_attr_set *set,
			 const void *obj, const void *ctx, bool *first)
{
	size_t i;
	int ret = 0;

	for (i = 0; !ret && i < set->nr; i++) {
		const struct kgc_field *f = &set->f[i];
		bool null;

		if (f->json == KGC_J_NONE)
			continue;
		if (f->json == KGC_J_INLINE) {
			ret = kgc_rows_json(b, f->sub, obj, ctx, first);
			continue;
		}
		null = kgc_field_null(f, obj);
		if (f->json == KGC_J_HOOK && !null) {
			ret = f->hook(b, f, obj, ctx);
			*first = false;
			continue;
		}
		if (*first) {
			ret = kgc_json_str(b, f->key);
			if (!ret)
				ret = kgc_strbuf_put(b, ":", 1);
			*first = false;
		} else {
			ret = kgc_json_key(b, f->key);
		}
		if (!ret)
			ret = null ? kgc_json_null(b) : kgc_field_value(b, f, obj);
	}
	return ret;
}

int kgc_fields_json(struct kgc_strbuf *b, const struct kgc_attr_set *set,
		    const void *obj, const void *ctx, bool first)
{
	return kgc_rows_json(b, set, obj, ctx, &first);
}
