// SPDX-License-Identifier: GPL-2.0
/*
 * Repeated denials. A process can make the kernel try to load the same
 * denied module hundreds of times a second (an unprivileged
 * socket(AF_ALG, ...) in a loop autoloads its module each time); each try
 * is a load with a verdict and a sequence number, but a full event for
 * each would fill the ring with copies and push every earlier verdict
 * out. A denial identical to a recent one whose full event is still in
 * the ring (same module, srcversion, policy generation, signature and
 * in-tree state, violations listed, loader and requester) is published
 * as a small repeat event instead: it names the
 * full event (KABIGUARD_A_REPEAT_OF) and carries the count so far
 * (KABIGUARD_A_REPEAT_COUNT); ring.c keeps repeat events outside the
 * slots of full events.
 *
 * The table of recent denials has KG_REPEAT_SLOTS entries and is only
 * touched under the ring's mutex, from kg_ring_publish(), so numbering,
 * matching and counting are one step.
 */
#include <linux/jhash.h>
#include <linux/string.h>
#include "guard.h"

#define KG_REPEAT_SLOTS	16

struct kg_repeat_slot {
	struct kg_repeat_key key;
	u64 full_seq;		/* 0: free */
	u64 last_seq;		/* for least recently used replacement */
	u32 count;
};

static struct kg_repeat_slot kg_repeat_table[KG_REPEAT_SLOTS];

/**
 * kg_repeat_key_init() - the identity of a denial, for matching repeats
 * @key: filled in (zeroed first: keys are compared as bytes)
 * @v: a denied load with its loader
 */
void kg_repeat_key_init(struct kg_repeat_key *key, const struct kg_verdict *v)
{
	const struct kg_loader *l = v->loader;
	unsigned int i;

	memset(key, 0, sizeof(*key));
	strscpy(key->module, v->mod->name, sizeof(key->module));
	if (v->mod->srcversion)
		strscpy(key->srcversion, v->mod->srcversion,
			sizeof(key->srcversion));
	key->generation = v->generation;
	key->nr_violations = v->nr_violations;
	/*
	 * The same module denied for other reasons (signed now, or another
	 * policy answer) is a new verdict, not a repeat.
	 */
	for (i = 0; i < v->nr_listed; i++) {
		const struct kg_violation *x = &v->viol[i];

		key->viol_hash = jhash(x->symbol, strlen(x->symbol),
				       jhash_1word(x->reason, key->viol_hash));
	}
	key->origin = v->origin;
	key->sig_ok = v->sig_ok;
	key->uid = l->uid;
	key->euid = l->euid;
	memcpy(key->comm, l->comm, sizeof(key->comm));
	key->exe_hash = l->exe ? jhash(l->exe, strlen(l->exe), 0) : 0;
	key->has_req = l->has_req;
	key->req_uid = l->has_req ? l->req.uid : 0;
}

/**
 * kg_repeat_match() - is this denial a repeat of one in the ring?
 * @rep: the denial's key and its prepared repeat message
 * @seq: the sequence number the event will get
 *
 * Context: under the ring's mutex (kg_ring_publish()).
 * Return: the denial's count: 1 when it repeats nothing in the ring (it
 * becomes the full event later repeats name), more for a repeat, whose
 * KABIGUARD_A_REPEAT_OF and KABIGUARD_A_REPEAT_COUNT are filled in here.
 */
u32 kg_repeat_match(struct kg_repeat *rep, u64 seq)
{
	struct kg_repeat_slot *s, *victim = NULL;

	for (s = kg_repeat_table; s < kg_repeat_table + KG_REPEAT_SLOTS; s++) {
		bool live = s->full_seq && kg_ring_has(s->full_seq);

		if (live && !memcmp(&s->key, &rep->key, sizeof(s->key))) {
			if (s->count < U32_MAX)
				s->count++;
			s->last_seq = seq;
			memcpy(nla_data(rep->of_attr), &s->full_seq,
			       sizeof(s->full_seq));
			memcpy(nla_data(rep->count_attr), &s->count,
			       sizeof(s->count));
			return s->count;
		}
		if (!live)
			s->full_seq = 0;
		if (!victim || (victim->full_seq &&
				(!s->full_seq || s->last_seq < victim->last_seq)))
			victim = s;
	}
	victim->key = rep->key;
	victim->full_seq = seq;
	victim->last_seq = seq;
	victim->count = 1;
	return 1;
}
