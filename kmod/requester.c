// SPDX-License-Identifier: GPL-2.0
/*
 * Who asked for an autoloaded module. request_module() runs modprobe as a
 * child of a kernel thread, so the loader the notifier sees is modprobe,
 * uid 0, whoever caused the load: an unprivileged socket(AF_ALG, ...) or
 * a mount of an unknown file system type. The task that asked is current
 * only in __request_module(), which announces itself on the kernel's
 * module_request tracepoint; a probe there remembers the task per
 * requested name, and the notifier finds the entry again by the name the
 * kernel put on modprobe's command line ("modprobe -q -- NAME").
 *
 * The table is small and fixed: KG_REQ_SLOTS entries, each kept at most
 * KG_REQ_TTL; a flood of requests recycles the oldest entry, and a name
 * longer than any module name is not remembered (its load then names no
 * requester rather than a wrong one).
 */
#include <linux/cred.h>
#include <linux/jiffies.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include "guard.h"

#define KG_REQ_SLOTS	32
#define KG_REQ_TTL	(60 * HZ)

struct kg_req_entry {
	unsigned long when;	/* jiffies of the latest request; 0: free */
	struct kg_requester req;
};

/* Taken from the tracepoint probe, where preemption is off: a raw lock. */
static DEFINE_RAW_SPINLOCK(kg_req_lock);
static struct kg_req_entry kg_req_table[KG_REQ_SLOTS];
static struct tracepoint *kg_req_tp;

static bool kg_req_live(const struct kg_req_entry *e, unsigned long now)
{
	return e->when && time_before(now, e->when + KG_REQ_TTL);
}

/* The module_request probe: runs in the requesting task. */
static void kg_req_probe(void *data, char *name, bool wait, unsigned long ip)
{
	const struct cred *cred = current_cred();
	struct kg_req_entry *e, *slot = NULL, *victim = NULL;
	unsigned long now = jiffies;
	unsigned long flags;
	size_t len = strnlen(name, KG_REQ_NAME_MAX);
	char comm[TASK_COMM_LEN];

	if (len >= KG_REQ_NAME_MAX)
		return;		/* no module has so long a name */
	/* get_task_comm() may take the task lock: not under a raw lock. */
	get_task_comm(comm, current);
	raw_spin_lock_irqsave(&kg_req_lock, flags);
	for (e = kg_req_table; e < kg_req_table + KG_REQ_SLOTS; e++) {
		if (!kg_req_live(e, now)) {
			if (!victim || kg_req_live(victim, now))
				victim = e;
			continue;
		}
		if (!strcmp(e->req.name, name)) {
			slot = e;
			break;
		}
		if (!victim || (kg_req_live(victim, now) &&
				time_before(e->when, victim->when)))
			victim = e;
	}
	if (!slot) {
		slot = victim;
		memset(&slot->req, 0, sizeof(slot->req));
		memcpy(slot->req.name, name, len);
	}
	/* The latest requester of a name is the one its load names. */
	slot->when = now ?: 1;
	slot->req.pid = task_tgid_nr(current);
	slot->req.uid = from_kuid(&init_user_ns, cred->uid);
	memcpy(slot->req.comm, comm, sizeof(comm));
	raw_spin_unlock_irqrestore(&kg_req_lock, flags);
}

/*
 * The name modprobe was asked to load: the kernel starts it as
 * "MODPROBE -q -- NAME", so NAME is the argument after "--", and the last.
 */
static const char *kg_req_argv_name(const struct kg_loader *l)
{
	const char *p = l->argv, *end = l->argv + l->argv_len;
	bool after_dashes = false;

	if (l->argv_truncated || !l->argv_len || end[-1])
		return NULL;
	while (p < end) {
		size_t n = strlen(p);

		if (after_dashes)
			return p + n + 1 == end ? p : NULL;
		after_dashes = !strcmp(p, "--");
		p += n + 1;
	}
	return NULL;
}

/**
 * kg_requester_find() - the task that asked for the module @l loads
 * @l: a loader started by the kernel (kmod_request), its argv read
 *
 * Fills in l->req and sets l->has_req when a request for the name on
 * modprobe's command line is remembered.
 */
void kg_requester_find(struct kg_loader *l)
{
	const char *name = kg_req_argv_name(l);
	unsigned long now = jiffies;
	struct kg_req_entry *e;
	unsigned long flags;

	if (!name || !kg_req_tp)
		return;
	raw_spin_lock_irqsave(&kg_req_lock, flags);
	for (e = kg_req_table; e < kg_req_table + KG_REQ_SLOTS; e++) {
		if (kg_req_live(e, now) && !strcmp(e->req.name, name)) {
			l->req = e->req;
			l->has_req = true;
			break;
		}
	}
	raw_spin_unlock_irqrestore(&kg_req_lock, flags);
}

static void kg_req_tp_find(struct tracepoint *tp, void *priv)
{
	struct tracepoint **found = priv;

	if (!strcmp(tp->name, "module_request"))
		*found = tp;
}

/*
 * Not fatal when missing: a kernel without the tracepoint (no
 * CONFIG_TRACEPOINTS) still gets verdicts, without requesters.
 */
int kg_requester_init(void)
{
	struct tracepoint *tp = NULL;
	int ret;

	for_each_kernel_tracepoint(kg_req_tp_find, &tp);
	if (!tp) {
		pr_info("no module_request tracepoint: autoload events will not name the requesting task\n");
		return 0;
	}
	ret = tracepoint_probe_register(tp, kg_req_probe, NULL);
	if (ret) {
		pr_warn("cannot probe module_request (%d): autoload events will not name the requesting task\n",
			ret);
		return 0;
	}
	kg_req_tp = tp;
	return 0;
}

void kg_requester_exit(void)
{
	if (!kg_req_tp)
		return;
	tracepoint_probe_unregister(kg_req_tp, kg_req_probe, NULL);
	/* No probe may still run once the module text goes away. */
	tracepoint_synchronize_unregister();
	kg_req_tp = NULL;
}
