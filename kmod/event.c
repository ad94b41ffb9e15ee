// SPDX-License-Identifier: GPL-2.0
/*
 * Verdict events: KABIGUARD_CMD_VERDICT messages, numbered and kept by
 * ring.c and sent on the "events" multicast group.
 */
#include <linux/kallsyms.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include "guard.h"

/* Longest symbol name an event carries, NUL included. */
#define KG_SYMBOL_CAP	min_t(size_t, KSYM_NAME_LEN, KABIGUARD_SYMBOL_MAX)

/* Bytes a string attribute of at most @cap bytes (NUL included) takes. */
static size_t kg_str_size(const char *s, size_t cap)
{
	return s ? nla_total_size(strnlen(s, cap - 1) + 1) : 0;
}

/*
 * Puts @s cut to @cap - 1 bytes and its NUL; sets @flag in *@flags when it
 * was cut. No module-controlled string can make an attribute longer.
 */
static int kg_put_capped(struct sk_buff *msg, int type, const char *s,
			 size_t cap, u32 *flags, u32 flag)
{
	size_t len = strnlen(s, cap - 1);
	struct nlattr *a;

	a = nla_reserve(msg, type, len + 1);
	if (!a)
		return -EMSGSIZE;
	memcpy(nla_data(a), s, len);
	((char *)nla_data(a))[len] = '\0';
	if (s[len])
		*flags |= flag;
	return 0;
}

/* Bytes kg_put_requester() takes at most: the nest and its four. */
#define KG_REQUESTER_SIZE (nla_total_size(0) +				\
			   2 * nla_total_size(sizeof(u32)) +		\
			   nla_total_size(TASK_COMM_LEN) +		\
			   nla_total_size(KG_REQ_NAME_MAX))

/*
 * Payload bytes of a minimal event: the sequence number and kg_put_head()
 * with every string full.
 */
#define KG_EVENT_MIN_SIZE (7 * nla_total_size_64bit(sizeof(u64)) +	\
			   8 * nla_total_size(sizeof(u32)) +		\
			   nla_total_size(KABIGUARD_MODNAME_MAX) +		\
			   2 * nla_total_size(KABIGUARD_MODINFO_MAX))

/*
 * Bytes of KABIGUARD_A_LOADER but its strings: the nest, one u64, nine
 * u32 and two u8 attributes, and the comm.
 */
#define KG_LOADER_FIXED_SIZE (nla_total_size(0) +			\
			      nla_total_size_64bit(sizeof(u64)) +	\
			      11 * nla_total_size(sizeof(u32)) +	\
			      nla_total_size(TASK_COMM_LEN))

static size_t kg_violation_size(const struct kg_violation *x)
{
	return nla_total_size(0) + kg_str_size(x->symbol, KG_SYMBOL_CAP) +
	       kg_str_size(x->ns, KABIGUARD_NAMESPACE_MAX) +
	       kg_str_size(x->exporter, KABIGUARD_MODNAME_MAX) +
	       4 * nla_total_size(sizeof(u32));
}

/*
 * Payload bytes of the event without its violations: every string at its
 * cap, so this is an upper bound.
 */
static size_t kg_event_base_size(const struct kg_verdict *v)
{
	const struct kg_loader *l = v->loader;
	size_t size = KG_EVENT_MIN_SIZE;

	if (l)
		size += KG_LOADER_FIXED_SIZE + nla_total_size(sizeof(l->tty)) +
			nla_total_size(sizeof(l->lsm_label)) +
			nla_total_size(l->argv_len) +
			kg_str_size(l->exe, KABIGUARD_PATH_MAX) +
			kg_str_size(l->cgroup, KABIGUARD_PATH_MAX) +
			KG_REQUESTER_SIZE;
	return size;
}

/*
 * Payload bytes of the event with as many violations as fit within
 * KABIGUARD_EVENT_MAX; *@listed gets how many.
 */
static size_t kg_event_size(const struct kg_verdict *v, unsigned int *listed)
{
	size_t size = kg_event_base_size(v);
	unsigned int i;

	for (i = 0; i < v->nr_listed; i++) {
		size_t more = kg_violation_size(&v->viol[i]);

		if (size + more > KABIGUARD_EVENT_MAX)
			break;
		size += more;
	}
	*listed = i;
	return size;
}

static int kg_put_violation(struct sk_buff *msg, const struct kg_violation *x)
{
	struct nlattr *nest = nla_nest_start(msg, KABIGUARD_A_VIOLATION);
	u32 flags = 0;

	if (!nest ||
	    kg_put_capped(msg, KABIGUARD_VIOL_A_SYMBOL, x->symbol,
			  KG_SYMBOL_CAP, &flags, KABIGUARD_VIOLF_SYMBOL_TRUNC) ||
	    (x->ns &&
	     kg_put_capped(msg, KABIGUARD_VIOL_A_NAMESPACE, x->ns,
			   KABIGUARD_NAMESPACE_MAX, &flags,
			   KABIGUARD_VIOLF_NAMESPACE_TRUNC)) ||
	    (x->exporter &&
	     kg_put_capped(msg, KABIGUARD_VIOL_A_EXPORTER, x->exporter,
			   KABIGUARD_MODNAME_MAX, &flags,
			   KABIGUARD_VIOLF_EXPORTER_TRUNC)) ||
	    nla_put_u32(msg, KABIGUARD_VIOL_A_REASON, x->reason) ||
	    (x->has_kernel_crc &&
	     nla_put_u32(msg, KABIGUARD_VIOL_A_KERNEL_CRC, x->kernel_crc)) ||
	    (x->has_rule_crc &&
	     nla_put_u32(msg, KABIGUARD_VIOL_A_RULE_CRC, x->rule_crc)) ||
	    (flags && nla_put_u32(msg, KABIGUARD_VIOL_A_FLAGS, flags)))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

/* The task whose request_module() started the loader (requester.c). */
static int kg_put_requester(struct sk_buff *msg, const struct kg_loader *l)
{
	struct nlattr *nest;

	if (!l->has_req)
		return 0;
	nest = nla_nest_start(msg, KABIGUARD_A_REQUESTER);
	if (!nest ||
	    nla_put_u32(msg, KABIGUARD_REQUESTER_A_PID, l->req.pid) ||
	    nla_put_u32(msg, KABIGUARD_REQUESTER_A_UID, l->req.uid) ||
	    nla_put_string(msg, KABIGUARD_REQUESTER_A_COMM, l->req.comm) ||
	    nla_put_string(msg, KABIGUARD_REQUESTER_A_NAME, l->req.name))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

/* The loading process (KABIGUARD_A_LOADER), then its requester. */
static int kg_put_loader(struct sk_buff *msg, const struct kg_loader *l)
{
	struct nlattr *nest = nla_nest_start(msg, KABIGUARD_A_LOADER);

	if (!nest ||
	    nla_put_u32(msg, KABIGUARD_LOADER_A_PID, l->pid) ||
	    nla_put_u32(msg, KABIGUARD_LOADER_A_PPID, l->ppid) ||
	    nla_put_u32(msg, KABIGUARD_LOADER_A_UID, l->uid) ||
	    nla_put_u32(msg, KABIGUARD_LOADER_A_EUID, l->euid) ||
	    nla_put_u32(msg, KABIGUARD_LOADER_A_GID, l->gid) ||
	    nla_put_u32(msg, KABIGUARD_LOADER_A_EGID, l->egid) ||
	    nla_put_u32(msg, KABIGUARD_LOADER_A_LOGINUID, l->loginuid) ||
	    nla_put_u32(msg, KABIGUARD_LOADER_A_SESSIONID, l->sessionid) ||
	    nla_put_string(msg, KABIGUARD_LOADER_A_COMM, l->comm) ||
	    (l->tty[0] &&
	     nla_put_string(msg, KABIGUARD_LOADER_A_TTY, l->tty)) ||
	    nla_put_u32(msg, KABIGUARD_LOADER_A_PIDNS, l->pidns) ||
	    (l->argv_len &&
	     nla_put(msg, KABIGUARD_LOADER_A_ARGV, l->argv_len, l->argv)) ||
	    nla_put_u8(msg, KABIGUARD_LOADER_A_ARGV_TRUNCATED,
		       l->argv_truncated) ||
	    (l->lsm_label[0] &&
	     nla_put_string(msg, KABIGUARD_LOADER_A_LSM_LABEL,
			    l->lsm_label)) ||
	    (l->cgroup_id &&
	     nla_put_u64_64bit(msg, KABIGUARD_LOADER_A_CGROUP_ID,
			       l->cgroup_id, KABIGUARD_LOADER_A_PAD)) ||
	    (l->exe && nla_put_string(msg, KABIGUARD_LOADER_A_EXE, l->exe)) ||
	    (l->cgroup &&
	     nla_put_string(msg, KABIGUARD_LOADER_A_CGROUP, l->cgroup)) ||
	    nla_put_u8(msg, KABIGUARD_LOADER_A_KMOD_REQUEST, l->kmod_request))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return kg_put_requester(msg, l);
}

/* A repeat event's loader: only what tells one denial's loads apart. */
static int kg_put_loader_ids(struct sk_buff *msg, const struct kg_loader *l)
{
	struct nlattr *nest = nla_nest_start(msg, KABIGUARD_A_LOADER);

	if (!nest ||
	    nla_put_u32(msg, KABIGUARD_LOADER_A_PID, l->pid) ||
	    nla_put_u32(msg, KABIGUARD_LOADER_A_UID, l->uid) ||
	    nla_put_u32(msg, KABIGUARD_LOADER_A_EUID, l->euid) ||
	    nla_put_string(msg, KABIGUARD_LOADER_A_COMM, l->comm) ||
	    nla_put_u8(msg, KABIGUARD_LOADER_A_KMOD_REQUEST, l->kmod_request))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return kg_put_requester(msg, l);
}

/*
 * The module's own part of an event: what a minimal event carries too.
 * @flags: KABIGUARD_EVF_* known so far; the string cuts are added here.
 */
static int kg_put_head(struct sk_buff *msg, const struct kg_verdict *v,
		       u32 flags)
{
	const struct module *mod = v->mod;

	if (nla_put_u32(msg, KABIGUARD_A_EVENT_KIND, v->kind) ||
	    nla_put_u64_64bit(msg, KABIGUARD_A_TIME_BOOT_NS, v->time_boot_ns,
			      KABIGUARD_A_PAD) ||
	    nla_put_u64_64bit(msg, KABIGUARD_A_TIME_REAL_NS, v->time_real_ns,
			      KABIGUARD_A_PAD) ||
	    nla_put_u32(msg, KABIGUARD_A_VERDICT, v->verdict) ||
	    nla_put_u32(msg, KABIGUARD_A_MODE, v->mode) ||
	    nla_put_u64_64bit(msg, KABIGUARD_A_GENERATION, v->generation,
			      KABIGUARD_A_PAD) ||
	    kg_put_capped(msg, KABIGUARD_A_MODULE, mod->name,
			  KABIGUARD_MODNAME_MAX, &flags,
			  KABIGUARD_EVF_MODULE_TRUNC) ||
	    (mod->version &&
	     kg_put_capped(msg, KABIGUARD_A_MODULE_VERSION, mod->version,
			   KABIGUARD_MODINFO_MAX, &flags,
			   KABIGUARD_EVF_VERSION_TRUNC)) ||
	    (mod->srcversion &&
	     kg_put_capped(msg, KABIGUARD_A_SRCVERSION, mod->srcversion,
			   KABIGUARD_MODINFO_MAX, &flags,
			   KABIGUARD_EVF_SRCVERSION_TRUNC)) ||
	    nla_put_u8(msg, KABIGUARD_A_SIG_OK, v->sig_ok) ||
	    nla_put_u64_64bit(msg, KABIGUARD_A_TAINTS, mod->taints,
			      KABIGUARD_A_PAD) ||
	    nla_put_u32(msg, KABIGUARD_A_NR_IMPORTS, v->nr_imports) ||
	    nla_put_u32(msg, KABIGUARD_A_NR_VIOLATIONS, v->nr_violations) ||
	    nla_put_u64_64bit(msg, KABIGUARD_A_CHECK_NS, v->check_ns,
			      KABIGUARD_A_PAD) ||
	    nla_put_u32(msg, KABIGUARD_A_EVENT_FLAGS, flags))
		return -EMSGSIZE;
	return 0;
}

static int kg_put_event(struct sk_buff *msg, const struct kg_verdict *v,
			unsigned int listed)
{
	u32 flags = 0;
	unsigned int i;

	if (v->minimal)
		flags |= KABIGUARD_EVF_MINIMAL;
	if (listed < v->nr_violations)
		flags |= KABIGUARD_EVF_VIOLATIONS_CUT;
	if (v->loader && v->loader->argv_not_resident)
		flags |= KABIGUARD_EVF_ARGV_NOT_RESIDENT;
	if (kg_put_head(msg, v, flags) ||
	    (v->loader && kg_put_loader(msg, v->loader)))
		return -EMSGSIZE;
	for (i = 0; i < listed; i++)
		if (kg_put_violation(msg, &v->viol[i]))
			return -EMSGSIZE;
	return 0;
}

static struct sk_buff *kg_event_new(size_t size, gfp_t gfp,
				    struct nlattr **seq_attr)
{
	struct sk_buff *msg = genlmsg_new(size, gfp);
	void *hdr;

	if (!msg)
		return NULL;
	hdr = genlmsg_put(msg, 0, 0, &kg_genl_family, 0, KABIGUARD_CMD_VERDICT);
	/* Reserved first; ring.c fills in the number under its lock. */
	*seq_attr = hdr ? nla_reserve_64bit(msg, KABIGUARD_A_SEQ, sizeof(u64),
					    KABIGUARD_A_PAD) : NULL;
	if (!*seq_attr) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/*
 * Payload bytes of a repeat event: the head, the loader's ids (a nest of
 * four small integers and the comm), the requester and the repeat.
 */
#define KG_EVENT_REPEAT_SIZE (KG_EVENT_MIN_SIZE + nla_total_size(0) +	\
			      4 * nla_total_size(sizeof(u32)) +		\
			      nla_total_size(TASK_COMM_LEN) +		\
			      KG_REQUESTER_SIZE +				\
			      nla_total_size_64bit(sizeof(u64)) +	\
			      nla_total_size(sizeof(u32)))

/*
 * Prepares the small repeat event of denial @v in @rep (repeat.c decides
 * under the ring's lock whether it is one). False when @v cannot repeat
 * (not a denied load, or no loader known) or memory is short: the full
 * event then goes out alone.
 */
static bool kg_event_repeat_prepare(const struct kg_verdict *v,
				    struct kg_repeat *rep)
{
	const struct kg_loader *l = v->loader;
	struct sk_buff *msg;

	if (v->kind != KABIGUARD_EVENT_LOAD ||
	    v->verdict != KABIGUARD_VERDICT_DENIED || !l)
		return false;
	kg_repeat_key_init(&rep->key, v);
	msg = kg_event_new(KG_EVENT_REPEAT_SIZE, GFP_KERNEL | __GFP_NOWARN,
			   &rep->seq_attr);
	if (!msg)
		return false;
	if (kg_put_head(msg, v, KABIGUARD_EVF_VIOLATIONS_CUT) ||
	    kg_put_loader_ids(msg, l))
		goto fail;
	/* repeat.c fills these in under the ring's lock. */
	rep->of_attr = nla_reserve_64bit(msg, KABIGUARD_A_REPEAT_OF,
					 sizeof(u64), KABIGUARD_A_PAD);
	rep->count_attr = nla_reserve(msg, KABIGUARD_A_REPEAT_COUNT,
				      sizeof(u32));
	if (!rep->of_attr || !rep->count_attr)
		goto fail;
	nlmsg_end(msg, nlmsg_hdr(msg));
	rep->msg = msg;
	return true;
fail:
	nlmsg_free(msg);
	return false;
}

/**
 * kg_event_publish() - number, keep and multicast the event for a verdict
 * @v: the verdict
 *
 * Every verdict gets an event and a sequence number: when the full event
 * cannot be built (out of memory), a minimal one (KABIGUARD_EVF_MINIMAL)
 * is built from a small allocation that does not fail. A denial that
 * repeats one still in the ring goes out as a small repeat event. The
 * verdict's log lines are written on the way (ring.c), and its audit
 * record goes out with its sequence number (audit.c).
 */
void kg_event_publish(const struct kg_verdict *v)
{
	struct kg_repeat rep = {};
	struct nlattr *seq_attr;
	struct sk_buff *msg;
	unsigned int listed;
	bool can_repeat;
	size_t size;

	can_repeat = kg_event_repeat_prepare(v, &rep);
	size = kg_event_size(v, &listed);
	if (!v->minimal) {
		msg = kg_nomem(KG_NOMEM_EVENT) ? NULL :
		      kg_event_new(size, GFP_KERNEL | __GFP_NOWARN, &seq_attr);
		if (msg && !kg_put_event(msg, v, listed))
			goto publish;
		nlmsg_free(msg);
		pr_warn("%*pE: out of memory for the verdict event, sending a minimal one\n",
			kg_esc_len(v->mod->name, MODULE_NAME_LEN), v->mod->name);
	}
	/*
	 * A minimal event lists no violation: it neither stands for later
	 * denials nor is summed up as a repeat of an earlier one.
	 */
	if (can_repeat) {
		nlmsg_free(rep.msg);
		can_repeat = false;
	}
	msg = kg_event_new(KG_EVENT_MIN_SIZE, GFP_KERNEL | __GFP_NOFAIL,
			   &seq_attr);
	if (WARN_ON_ONCE(!msg) ||
	    WARN_ON_ONCE(kg_put_head(msg, v, KABIGUARD_EVF_MINIMAL |
				     (v->nr_violations ?
				      KABIGUARD_EVF_VIOLATIONS_CUT : 0)))) {
		nlmsg_free(msg);
		kg_log_verdict(v, 1);
		return;
	}
publish:
	nlmsg_end(msg, nlmsg_hdr(msg));
	kg_audit_verdict(v, kg_ring_publish(msg, seq_attr,
					    can_repeat ? &rep : NULL, v));
}
