/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kabiguardd's running state, shared by the main loop (daemon.c) and
 * where written events go (output.c). Not for the tests: they drive the
 * parts (follower.h, kabiguardd.h) without it.
 */
#ifndef KGD_DAEMON_H
#define KGD_DAEMON_H

#include "kabiguardd.h"
#include "follower.h"

/* The metrics file: at most every second, and every 30 s when idle. */
#define KGD_METRICS_MIN_MS	1000
#define KGD_METRICS_IDLE_MS	30000

struct kgd_stats {
	uint64_t written, batches, scans;
	uint64_t first_event_ns, last_write_ns;
	uint64_t lat_sum_ns, lat_max_ns;
	uint64_t batch_lat_ns;		/* longest of the last batch */
};

struct kgd {
	const struct kgd_opts *o;
	struct kgd_config cfg;
	struct kgc_client *ev;		/* events: multicast only */
	struct kgc_client *req;		/* requests and dumps */
	struct kgc_scanner *scanner;
	int sfd;			/* signalfd */
	int log_fd;			/* -1: no log file */
	char boot_id[40], host[256], kernel[128];
	struct kgc_event_json_ctx jx;

	struct kgd_follower fl;		/* what is written, and when */
	struct kgd_batch batch;		/* lines not written yet */
	enum kgd_log_target target;	/* log_target resolved: never AUTO */
	bool journal_failed;		/* said once */
	uint64_t metrics_at_ms;		/* last metrics file write */
	bool metrics_due;		/* events written since */
	struct kgd_stats st;
};

uint64_t kgd_now_ms(void);		/* CLOCK_MONOTONIC */
uint64_t kgd_real_ns(void);		/* CLOCK_REALTIME */
/* The follower's I/O: the ring on d->req, the batch to the log file, the
 * journal or syslog and the state file. Its arg is the struct kgd. */
extern const struct kgd_follower_ops kgd_output_ops;
/* Resolves log_target: auto and an absent journal become syslog. Only
 * with an empty batch. */
void kgd_resolve_target(struct kgd *d);
/* The metrics file, when configured: now if forced, else when due. */
void kgd_metrics(struct kgd *d, bool force);
/* SIGUSR1: the statistics as one message. */
void kgd_stats(struct kgd *d);

#endif /* KGD_DAEMON_H */
