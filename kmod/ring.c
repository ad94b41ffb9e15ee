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
 */
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include "kabiguard.h"

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
	u8 data[];
};

/* kg_ring_mutex protects the ring and every counter below. */
static DEFINE_MUTEX(kg_ring_mutex);
static struct kg_event_rec **kg_ring;
static u64 kg_ring_next = 1;	/* sequence number of the next event */
static u64 kg_ring_first = 1;	/* oldest sequence number still kept */
static u64 kg_ring_used;	/* payload bytes kept */
static u64 kg_ring_acked = 1;	/* the furthest any reader ever declared */
static u64 kg_ring_overflow;
static LIST_HEAD(kg_readers);
static unsigned int kg_nr_readers;

int kg_ring_init(void)
{
	kg_ring = kvcalloc(kg_ring_size, sizeof(*kg_ring), GFP_KERNEL);
	return kg_ring ? 0 : -ENOMEM;
}

void kg_ring_exit(void)
{
	struct kg_reader *r, *tmp;
	unsigned int i;

	list_for_each_entry_safe(r, tmp, &kg_readers, node)
		kfree(r);
	for (i = 0; i < kg_ring_size; i++)
		kfree(kg_ring[i]);
	kvfree(kg_ring);
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

/*
 * Drops the oldest events until event seq, of len payload bytes, has its
 * slot and fits within ring_bytes; counts the unread ones as overflow.
 */
static void kg_ring_evict(u64 seq, u32 len)
{
	u64 limit = READ_ONCE(kg_ring_bytes);

	lockdep_assert_held(&kg_ring_mutex);
	while (kg_ring_first < seq &&
	       (seq - kg_ring_first >= kg_ring_size ||
		kg_ring_used + len > limit)) {
		struct kg_event_rec **slot = &kg_ring[kg_ring_first % kg_ring_size];

		if (*slot && (*slot)->seq == kg_ring_first) {
			kg_ring_count_lost(kg_ring_first);
			kg_ring_used -= (*slot)->len;
			kfree(*slot);
			*slot = NULL;
		}
		kg_ring_first++;
	}
}

/**
 * kg_ring_publish() - number, keep and multicast one verdict event
 * @msg: the finished KABIGUARD_CMD_VERDICT message; consumed
 * @seq_attr: its KABIGUARD_A_SEQ attribute, filled in here
 *
 * Return: the sequence number it got.
 */
u64 kg_ring_publish(struct sk_buff *msg, struct nlattr *seq_attr)
{
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	u32 len = genlmsg_len(gh);
	struct kg_event_rec *rec;
	u64 seq;

	/* Without memory for the copy the event still goes out live. */
	rec = kmalloc(struct_size(rec, data, len), GFP_KERNEL);

	mutex_lock(&kg_ring_mutex);
	seq = kg_ring_next++;
	memcpy(nla_data(seq_attr), &seq, sizeof(seq));
	kg_ring_evict(seq, rec ? len : 0);
	if (rec) {
		rec->seq = seq;
		rec->len = len;
		memcpy(rec->data, genlmsg_data(gh), len);
		kg_ring[seq % kg_ring_size] = rec;
		kg_ring_used += len;
	}
	if (genl_has_listeners(&kg_genl_family, &init_net, 0))
		genlmsg_multicast(&kg_genl_family, msg, 0, 0, GFP_KERNEL);
	else
		nlmsg_free(msg);
	mutex_unlock(&kg_ring_mutex);
	return seq;
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
	for (; seq < kg_ring_next; seq++) {
		struct kg_event_rec *rec = kg_ring[seq % kg_ring_size];

		if (!rec || rec->seq != seq)
			continue;	/* it had no memory for its copy */
		if (skb_tailroom(skb) < nlmsg_total_size(GENL_HDRLEN + rec->len))
			break;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &kg_genl_family,
				  NLM_F_MULTI, KABIGUARD_CMD_VERDICT);
		if (!hdr)
			break;
		memcpy(skb_put(skb, rec->len), rec->data, rec->len);
		genlmsg_end(skb, hdr);
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
