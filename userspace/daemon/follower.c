// SPDX-License-Identifier: GPL-2.0
/*
 * The follower (follower.h): sequence numbers, duplicates, gaps, loss,
 * catch-up from the kernel's ring, and declaring what was written.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <syslog.h>

#include "kabiguardd.h"
#include "follower.h"

void kgd_follower_init(struct kgd_follower *f,
		       const struct kgd_follower_ops *ops, void *arg)
{
	memset(f, 0, sizeof(*f));
	f->ops = ops;
	f->arg = arg;
}

void kgd_follower_resume(struct kgd_follower *f, uint64_t written,
			 const struct kgc_status *st)
{
	f->last_written = written;
	if (!(st->features & KABIGUARD_FEAT_RING))
		kgd_msg(LOG_WARNING, "this kabiguard.ko has no event ring: "
			"events missed while kabiguardd is down are lost");
	if (st->ring_next && f->last_written >= st->ring_next) {
		kgd_msg(LOG_WARNING, "the kernel's next event is %" PRIu64
			" but %" PRIu64 " was written already: kabiguard.ko "
			"was reloaded; starting over", st->ring_next,
			f->last_written);
		f->last_written = 0;
	}
	if (f->last_written + 1 < st->ring_first)
		kgd_msg(LOG_ERR, "events %" PRIu64 "-%" PRIu64 " left the "
			"kernel's ring while kabiguardd was not running",
			f->last_written + 1, st->ring_first - 1);
	f->last_queued = f->last_written;
	kgd_msg(LOG_INFO, "resuming after event %" PRIu64 " (kernel's next: %"
		PRIu64 ", ring overflow count %" PRIu64 ")", f->last_written,
		st->ring_next, st->ring_overflow);
}

int kgd_follower_flush(struct kgd_follower *f)
{
	int ret;

	if (!f->pend_lines)
		return 0;
	ret = f->ops->write(f->arg, f->pend_lines, f->last_written + 1,
			    f->last_queued);
	if (ret) {
		/* The events stay in the kernel's ring: read them again. */
		f->ops->drop(f->arg);
		f->pend_lines = 0;
		f->last_queued = f->last_written;
		f->need_catchup = true;
		f->retry_at_ms = f->ops->now_ms(f->arg) + KGD_RETRY_MS;
		return ret;
	}
	f->last_written = f->last_queued;
	f->pend_lines = 0;
	return 0;
}

/* Queues one event unless it was written or queued already. */
static int kgd_follower_queue(struct kgd_follower *f,
			      const struct kgc_event *ev)
{
	int ret;

	if (ev->seq && ev->seq <= f->last_queued) {
		f->st.dups++;
		return 0;
	}
	if (ev->seq > f->last_queued + 1 && !f->in_dump) {
		/* Multicast skipped some: the ring has them. */
		ret = kgd_follower_catch_up(f);
		if (ret)
			return ret;
		if (ev->seq <= f->last_queued) {
			f->st.dups++;
			return 0;
		}
	}
	if (ev->seq > f->last_queued + 1 && f->last_queued) {
		f->st.lost += ev->seq - f->last_queued - 1;
		kgd_msg(LOG_ERR, "events %" PRIu64 "-%" PRIu64 " lost: they "
			"left the kernel's ring before kabiguardd could read "
			"them (raise kabiguard's ring_size)",
			f->last_queued + 1, ev->seq - 1);
		if (f->ops->lost)
			f->ops->lost(f->arg, f->last_queued + 1, ev->seq - 1);
	}
	ret = f->ops->queue(f->arg, ev);
	if (ret)
		return ret;
	f->pend_lines++;
	if (ev->seq)
		f->last_queued = ev->seq;
	if (f->pend_lines >= KGD_BATCH_LINES)
		return kgd_follower_flush(f);
	return 0;
}

int kgd_follower_event(struct kgd_follower *f, const struct kgc_event *ev)
{
	return kgd_follower_queue(f, ev);
}

void kgd_follower_enobufs(struct kgd_follower *f)
{
	f->st.enobufs++;
	f->need_catchup = true;
}

static int kgd_follower_dump_cb(const struct kgc_event *ev, void *arg)
{
	return kgd_follower_queue(arg, ev);
}

/* EVENTS_GET from the first seq not written: *nr gets what it queued. */
static int kgd_follower_dump(struct kgd_follower *f, uint64_t *nr)
{
	uint64_t before = f->last_queued, from;
	int ret, tries = 0;

	/* What is queued must be on disk before the kernel hears we have
	 * it. */
	ret = kgd_follower_flush(f);
	if (ret)
		return ret;
	do {
		from = f->last_written + 1;
		f->in_dump = true;
		ret = f->ops->dump(f->arg, from, kgd_follower_dump_cb, f);
		f->in_dump = false;
		/* A failed dump may have queued part: keep it, it is in
		 * order. */
	} while (ret == -EAGAIN && ++tries < 3);
	if (!ret) {
		f->declared = from;
		f->declared_at_ms = f->ops->now_ms(f->arg);
	}
	*nr = f->last_queued - before;
	return ret;
}

int kgd_follower_catch_up(struct kgd_follower *f)
{
	uint64_t t0 = f->ops->now_ms(f->arg), first = f->last_written + 1, nr;
	const char *x;
	int ret;

	f->st.catchups++;
	f->need_catchup = false;
	ret = kgd_follower_dump(f, &nr);
	if (ret) {
		x = f->ops->extack ? f->ops->extack(f->arg) : "";
		kgd_msg(LOG_ERR, "reading the kernel's event ring: %s%s%s",
			strerror(-ret), *x ? ": " : "", x);
		f->need_catchup = true;
		f->retry_at_ms = f->ops->now_ms(f->arg) + KGD_RETRY_MS;
		return ret;
	}
	ret = kgd_follower_flush(f);
	if (nr)
		kgd_msg(LOG_INFO, "caught up %" PRIu64 " events (seq %" PRIu64
			"-%" PRIu64 ") from the kernel's ring in %" PRIu64
			" ms", nr, first, f->last_written,
			f->ops->now_ms(f->arg) - t0);
	return ret;
}

int kgd_follower_declare(struct kgd_follower *f, bool force)
{
	uint64_t nr;
	int ret;

	if (f->declared == f->last_written + 1 ||
	    (!force && f->ops->now_ms(f->arg) <
	     f->declared_at_ms + KGD_DECLARE_MS))
		return 0;
	ret = kgd_follower_dump(f, &nr);
	if (!ret)
		ret = kgd_follower_flush(f);
	return ret;
}

void kgd_follower_tick(struct kgd_follower *f)
{
	if (f->need_catchup && f->ops->now_ms(f->arg) >= f->retry_at_ms)
		kgd_follower_catch_up(f);
	kgd_follower_flush(f);
	kgd_follower_declare(f, false);
}

int kgd_follower_timeout(const struct kgd_follower *f)
{
	uint64_t now = f->ops->now_ms(f->arg);

	if (f->need_catchup)
		return f->retry_at_ms > now ? f->retry_at_ms - now : 0;
	if (f->declared != f->last_written + 1)
		return f->declared_at_ms + KGD_DECLARE_MS > now ?
		       f->declared_at_ms + KGD_DECLARE_MS - now : 0;
	return -1;
}
