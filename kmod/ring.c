// SPDX-License-Identifier: GPL-2.0
/*
 * The event sequence and the ring of recent events.
 *
 * Every verdict event gets the next sequence number and a copy of its
 * netlink payload is kept in a ring of ring_size slots, so that a reader
 * that missed multicast messages (ENOBUFS, a restart) can dump what it
 * missed by sequence number. Numbering, storing and multicasting happen
 * under one mutex, so the multicast group sees events in sequence order.
 * A reader (a netlink socket that dumps the ring) declares what it has by
 * the first sequence number it asks for, never beyond the events that
 * exist; each reader keeps its own position and its own overflow count
 * (events that left the ring before it had them), so no reader's request
 * can hide a loss from another. The global count is of events that left
 * before some open reader had them, or, with no reader open, before any
 * reader had declared them.
 *
 * Events leave the ring when their slot is needed, or earlier, oldest
 * first, to keep the payload bytes held within ring_bytes: an event with
 * hundreds of violations weighs tens of kilobytes, and ring_size of them
 * must not pin unbounded memory. The newest event always stays.
 *
 * Repeated denials (repeat.c): a denial identical to one still in the
 * ring (same module, srcversion, policy generation, loader and requester
 * identity) gets its own sequence number and its own event, multicast like
 * any other, but a small one that names the full event it repeats
 * (KABIGUARD_A_REPEAT_OF) and how often that denial happened so far
 * (KABIGUARD_A_REPEAT_COUNT). Such repeat events do not take the slots of
 * full events: ring_size full events and, besides them, up to ring_size
 * repeat events are kept, so a flood of one denial pushes out only older
 * repeats, never an earlier verdict. Records live in an xarray keyed by
 * sequence number, so that either kind can leave without the other.
 */
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include "guard.h"

/* Set at load time only (0444): the ring is allocated once. */
static int kg_ring_size_set(const char *val, const struct kernel_param *kp)
{
	return kg_param_set_bounded(val, kp, 1, KG_RING_SIZE_MAX);
}

static const struct kernel_param_ops kg_ring_size_ops = {
	.set = kg_ring_size_set,
	.get = param_get_uint,
};

unsigned int kg_ring_size = 4096;
module_param_cb(ring_size, &kg_ring_size_ops, &kg_ring_size, 0444);
MODULE_PARM_DESC(ring_size,
		 "verdict events kept for readers that catch up (default 4096, 1 to 65536)");

static int kg_ring_bytes_set(const char *val, const struct kernel_param *kp)
{
	return kg_param_set_bounded(val, kp, 1, KG_RING_BYTES_MAX);
}

static const struct kernel_param_ops kg_ring_bytes_ops = {
	.set = kg_ring_bytes_set,
	.get = param_get_uint,
};

static unsigned int kg_ring_bytes = 16 << 20;
module_param_cb(ring_bytes, &kg_ring_bytes_ops, &kg_ring_bytes, 0644);
MODULE_PARM_DESC(ring_bytes,
		 "most payload bytes the event ring keeps (default 16 MiB, at most 256 MiB)");

/* Open sockets that have dumped the ring; at most KG_RING_READERS_MAX. */
struct kg_reader {
	struct list_head node;
	u32 portid;
	u64 acked;		/* it declared having every event before */
	u64 overflow;		/* events that left the ring before it had them */
};

#define KG_RING_READERS_MAX 64

struct kg_event_rec {
	u64 seq;
	u32 len;		/* bytes of genl payload */
	bool repeat;		/* a repeat event: outside the ring_size slots */
	u8 data[];
};

/* kg_ring_mutex protects the ring and every counter below. */
static DEFINE_MUTEX(kg_ring_mutex);
static DEFINE_XARRAY(kg_ring);	/* struct kg_event_rec by sequence number */
static unsigned int kg_ring_nr[2];	/* full and repeat records kept */
static u64 kg_ring_next = 1;	/* sequence number of the next event */
static u64 kg_ring_first = 1;	/* oldest sequence number still kept */
static u64 kg_ring_used;	/* payload bytes kept */
static u64 kg_ring_acked = 1;	/* the furthest any reader ever declared */
static u64 kg_ring_overflow;
static LIST_HEAD(kg_readers);
static unsigned int kg_nr_readers;

int kg_ring_init(void)
{
	return 0;
}

void kg_ring_exit(void)
{
	struct kg_reader *r, *tmp;
	struct kg_event_rec *rec;
	unsigned long seq;

	list_for_each_entry_safe(r, tmp, &kg_readers, node)
		kfree(r);
	xa_for_each(&kg_ring, seq, rec)
		kfree(rec);
	xa_destroy(&kg_ring);
}

static struct kg_reader *kg_reader_find(u32 portid)
{
	struct kg_reader *r;

	lockdep_assert_held(&kg_ring_mutex);
	list_for_each_entry(r, &kg_readers, node)
		if (r->portid == portid)
			return r;
	return NULL;
}

/**
 * kg_ring_reader_add() - make socket @portid a reader, if it is not one
 * @portid: the socket that asks for EVENTS_GET
 * @extack: for the error message
 *
 * Return: 0, -ENOMEM, or -EBUSY when KG_RING_READERS_MAX sockets read.
 */
int kg_ring_reader_add(u32 portid, struct netlink_ext_ack *extack)
{
	struct kg_reader *r = kzalloc(sizeof(*r), GFP_KERNEL);
	int ret = 0;

	if (!r)
		return -ENOMEM;
	mutex_lock(&kg_ring_mutex);
	if (kg_reader_find(portid))
		goto unlock;
	if (kg_nr_readers >= KG_RING_READERS_MAX) {
		NL_SET_ERR_MSG_MOD(extack,
				   "too many sockets read the event ring: close one");
		ret = -EBUSY;
		goto unlock;
	}
	r->portid = portid;
	list_add_tail(&r->node, &kg_readers);
	kg_nr_readers++;
	r = NULL;
unlock:
	mutex_unlock(&kg_ring_mutex);
	kfree(r);
	return ret;
}

/* Socket @portid closed: it no longer reads. */
void kg_ring_reader_release(u32 portid)
{
	struct kg_reader *r;

	mutex_lock(&kg_ring_mutex);
	r = kg_reader_find(portid);
	if (r) {
		list_del(&r->node);
		kg_nr_readers--;
		kfree(r);
	}
	mutex_unlock(&kg_ring_mutex);
}

/*
 * Reader @r (NULL: none known) declares having every event before @seq;
 * nobody can declare an event that does not exist yet.
 */
static void kg_ring_declare(struct kg_reader *r, u64 seq)
{
	lockdep_assert_held(&kg_ring_mutex);
	seq = min(seq, kg_ring_next);
	kg_ring_acked = max(kg_ring_acked, seq);
	if (r)
		r->acked = max(r->acked, seq);
}

/* Event @seq leaves the ring: count it for each reader that lacked it. */
static void kg_ring_count_lost(u64 seq)
{
	bool lost = list_empty(&kg_readers) && seq >= kg_ring_acked;
	struct kg_reader *r;

	lockdep_assert_held(&kg_ring_mutex);
	list_for_each_entry(r, &kg_readers, node) {
		if (seq >= r->acked) {
			r->overflow++;
			lost = true;
		}
	}
	if (lost)
		kg_ring_overflow++;
}

/* Record @rec leaves the ring. */
static void kg_ring_drop(struct kg_event_rec *rec)
{
	lockdep_assert_held(&kg_ring_mutex);
	xa_erase(&kg_ring, rec->seq);
	kg_ring_count_lost(rec->seq);
	kg_ring_used -= rec->len;
	kg_ring_nr[rec->repeat]--;
	kfree(rec);
}

/* Records are marked by kind, so that the oldest of a kind is found fast. */
#define KG_MARK_FULL	XA_MARK_0
#define KG_MARK_REPEAT	XA_MARK_1

/* The oldest record, of kind @repeat, or of any kind when @any. */
static struct kg_event_rec *kg_ring_oldest(bool any, bool repeat)
{
	unsigned long idx = 0;

	return xa_find(&kg_ring, &idx, ULONG_MAX,
		       any ? XA_PRESENT :
		       repeat ? KG_MARK_REPEAT : KG_MARK_FULL);
}

/*
 * Drops records until a new one of @len payload bytes fits: within
 * ring_bytes (oldest first, whatever their kind), and within the
 * ring_size records of its own kind (oldest of that kind first).
 */
static void kg_ring_evict(bool repeat, u32 len)
{
	u64 limit = READ_ONCE(kg_ring_bytes);
	struct kg_event_rec *rec;

	lockdep_assert_held(&kg_ring_mutex);
	while (kg_ring_nr[repeat] >= kg_ring_size &&
	       (rec = kg_ring_oldest(false, repeat)))
		kg_ring_drop(rec);
	while (kg_ring_used + len > limit && (rec = kg_ring_oldest(true, 0)))
		kg_ring_drop(rec);
}

/* Keeps kg_ring_first at the oldest record, or at the next event. */
static void kg_ring_update_first(void)
{
	struct kg_event_rec *rec = kg_ring_oldest(true, 0);

	kg_ring_first = rec ? rec->seq : kg_ring_next;
}

/**
 * kg_ring_publish() - number, keep and multicast one verdict event
 * @msg: the finished KABIGUARD_CMD_VERDICT message; consumed
 * @seq_attr: its KABIGUARD_A_SEQ attribute, filled in here
 * @rep: for a denial, its repeat state (repeat.c); NULL otherwise. When
 *	the denial repeats one in the ring, @msg is freed and rep's small
 *	repeat message is the one numbered, kept and sent; otherwise that
 *	one is freed.
 * @v: the verdict, logged here (kg_log_verdict()) once it is known to be
 *	a repeat or not, and before its event is sent
 *
 * Return: the sequence number the event got.
 */
u64 kg_ring_publish(struct sk_buff *msg, struct nlattr *seq_attr,
		    struct kg_repeat *rep, const struct kg_verdict *v)
{
	struct genlmsghdr *gh;
	struct kg_event_rec *rec;
	u32 count = 1, len;
	bool repeat;
	u64 seq;

	mutex_lock(&kg_ring_mutex);
	count = rep ? kg_repeat_match(rep, kg_ring_next) : 1;
	repeat = count > 1;
	if (rep) {
		if (repeat) {
			nlmsg_free(msg);
			msg = rep->msg;
			seq_attr = rep->seq_attr;
		} else {
			nlmsg_free(rep->msg);
		}
		rep->msg = NULL;
	}
	gh = nlmsg_data(nlmsg_hdr(msg));
	len = genlmsg_len(gh);
	seq = kg_ring_next++;
	memcpy(nla_data(seq_attr), &seq, sizeof(seq));

	/* Without memory for the copy the event still goes out live. */
	rec = kmalloc(struct_size(rec, data, len), GFP_KERNEL);
	if (rec) {
		kg_ring_evict(repeat, len);
		rec->seq = seq;
		rec->len = len;
		rec->repeat = repeat;
		memcpy(rec->data, genlmsg_data(gh), len);
		if (xa_err(xa_store(&kg_ring, seq, rec, GFP_KERNEL))) {
			kfree(rec);
			rec = NULL;
		} else {
			xa_set_mark(&kg_ring, seq,
				    repeat ? KG_MARK_REPEAT : KG_MARK_FULL);
		}
	}
	if (rec) {
		kg_ring_used += len;
		kg_ring_nr[repeat]++;
	} else {
		kg_ring_count_lost(seq);
	}
	kg_ring_update_first();
	kg_log_verdict(v, count);
	if (genl_has_listeners(&kg_genl_family, &init_net, 0))
		genlmsg_multicast(&kg_genl_family, msg, 0, 0, GFP_KERNEL);
	else
		nlmsg_free(msg);
	mutex_unlock(&kg_ring_mutex);
	return seq;
}

/* Is full event @seq still in the ring? For repeat.c, under the lock. */
bool kg_ring_has(u64 seq)
{
	lockdep_assert_held(&kg_ring_mutex);
	return xa_load(&kg_ring, seq);
}

/**
 * kg_ring_dump() - the events from cb->args[0] on, one message each
 * @skb: the dump message
 * @cb: dump state; args[0] is the next sequence number to send
 *
 * Return: the dump's length, 0 when done.
 */
int kg_ring_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	u64 seq = cb->args[0];
	struct kg_reader *r;
	void *hdr;

	mutex_lock(&kg_ring_mutex);
	r = kg_reader_find(NETLINK_CB(cb->skb).portid);
	kg_ring_declare(r, seq);
	seq = max(seq, kg_ring_first);
	for (;;) {
		unsigned long idx = seq;
		struct kg_event_rec *rec = xa_find(&kg_ring, &idx, ULONG_MAX,
						   XA_PRESENT);

		if (!rec) {
			seq = kg_ring_next;
			break;
		}
		seq = idx;
		if (skb_tailroom(skb) < nlmsg_total_size(GENL_HDRLEN + rec->len))
			break;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &kg_genl_family,
				  NLM_F_MULTI, KABIGUARD_CMD_VERDICT);
		if (!hdr)
			break;
		memcpy(skb_put(skb, rec->len), rec->data, rec->len);
		genlmsg_end(skb, hdr);
		seq++;
	}
	cb->args[0] = seq;
	kg_ring_declare(r, seq);
	mutex_unlock(&kg_ring_mutex);
	return skb->len;
}

/* The ring's state, and that of socket @portid as a reader. */
void kg_ring_status(struct kg_ring_status *rs, u32 portid)
{
	struct kg_reader *r;

	mutex_lock(&kg_ring_mutex);
	r = kg_reader_find(portid);
	rs->is_reader = r;
	rs->reader_overflow = r ? r->overflow : 0;
	rs->size = kg_ring_size;
	rs->next = kg_ring_next;
	rs->first = kg_ring_first;
	rs->overflow = kg_ring_overflow;
	rs->bytes = kg_ring_used;
	rs->bytes_max = READ_ONCE(kg_ring_bytes);
	mutex_unlock(&kg_ring_mutex);
}
