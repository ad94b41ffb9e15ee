// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side tests of kabiguardd's follower (daemon/follower.c), driven
 * with scripted event streams instead of netlink: a fake kernel ring
 * (events ring_first..ring_next-1) answers the EVENTS_GET dumps, the test
 * plays the multicast events and ENOBUFS, a fake clock moves time. The
 * batches go through the real batch.c and, where a log file is open,
 * logfile.c; the restarts read the real state file (statefile.c). Each
 * check asserts exactly which events were written (per batch), which
 * dumps declared what, and which ranges were reported lost. TAP 13.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "../daemon/kabiguardd.h"
#include "../daemon/follower.h"
#include "tap.h"

#define BOOT	"6e0c1f3a-2b4d-4c5e-8f90-a1b2c3d4e5f6"

static char tmpdir[] = "/tmp/kgd-follower-test.XXXXXX";

/* The host: what the follower asked for, as text to compare. */
struct host {
	uint64_t ring_first, ring_next;	/* the fake ring's contents */
	int dump_eagain;		/* dumps to interrupt (-EAGAIN) */
	int dump_fail;			/* dumps to fail (-ENOBUFS) */
	int write_fail;			/* writes to fail (-EIO) */
	uint64_t now;			/* the clock, ms */
	int log_fd;			/* -1: none */
	struct kgd_batch batch;
	struct kgc_event_json_ctx jx;
	char written[1024];		/* "1,2,3;4;" one ';' per batch */
	char dumps[256];		/* "from;" for each dump */
	char lost[256];			/* "first-last;" */
};

static void cat(char *buf, size_t len, const char *fmt,
		unsigned long long a, unsigned long long b)
{
	size_t n = strlen(buf);

	snprintf(buf + n, len - n, fmt, a, b);
}

static void ev_of(struct kgc_event *ev, uint64_t seq)
{
	memset(ev, 0, sizeof(*ev));
	ev->seq = seq;
	ev->kind = KABIGUARD_EVENT_LOAD;
	ev->verdict = seq % 3 ? KABIGUARD_VERDICT_ALLOWED :
		      KABIGUARD_VERDICT_DENIED;
	ev->mode = KABIGUARD_MODE_ENFORCE;
	ev->time_real_ns = 1700000000000000000ULL + seq;
	snprintf(ev->module, sizeof(ev->module), "mod%llu",
		 (unsigned long long)seq);
}

static int h_dump(void *arg, uint64_t from, kgc_event_cb cb, void *cbarg)
{
	struct host *h = arg;
	struct kgc_event ev;
	uint64_t s;
	int ret;

	cat(h->dumps, sizeof(h->dumps), "%llu;", from, 0);
	if (h->dump_fail) {
		h->dump_fail--;
		return -ENOBUFS;
	}
	for (s = from > h->ring_first ? from : h->ring_first;
	     s < h->ring_next; s++) {
		ev_of(&ev, s);
		ret = cb(&ev, cbarg);
		if (ret)
			return ret;
		/* A commit in the middle: the caller starts again. */
		if (h->dump_eagain) {
			h->dump_eagain--;
			return -EAGAIN;
		}
	}
	return 0;
}

static const char *h_extack(void *arg)
{
	(void)arg;
	return "";
}

static int h_queue(void *arg, const struct kgc_event *ev)
{
	struct host *h = arg;

	return kgd_batch_add(&h->batch, ev, &h->jx, KGD_LOG_NONE);
}

/* The batch's seqs, read back from its JSON lines. */
static void h_record(struct host *h)
{
	const char *p = h->batch.lines.s;
	size_t i;

	for (i = 0; i < h->batch.nr; p += h->batch.line[i].len + 1, i++) {
		unsigned long long seq = 0;

		sscanf(p, "{\"seq\":%llu", &seq);
		cat(h->written, sizeof(h->written), i ? ",%llu" : "%llu",
		    seq, 0);
	}
	cat(h->written, sizeof(h->written), ";", 0, 0);
}

static int h_write(void *arg, size_t nr, uint64_t first, uint64_t last)
{
	struct host *h = arg;
	off_t start;
	int ret;

	(void)first;
	(void)last;
	if (nr != h->batch.nr)
		return -EPROTO;
	if (h->write_fail) {
		h->write_fail--;
		return -EIO;
	}
	if (h->log_fd >= 0) {
		ret = kgd_log_append(h->log_fd, h->batch.lines.s,
				     h->batch.lines.len, &start);
		if (ret)
			return ret;
	}
	h_record(h);
	kgd_batch_clear(&h->batch);
	return 0;
}

static void h_drop(void *arg)
{
	struct host *h = arg;

	kgd_batch_clear(&h->batch);
}

static void h_lost(void *arg, uint64_t first, uint64_t last)
{
	struct host *h = arg;

	cat(h->lost, sizeof(h->lost), "%llu-%llu;", first, last);
}

static uint64_t h_now(void *arg)
{
	return ((struct host *)arg)->now;
}

static const struct kgd_follower_ops ops = {
	.dump = h_dump, .extack = h_extack, .queue = h_queue,
	.write = h_write, .drop = h_drop, .lost = h_lost, .now_ms = h_now,
};

static struct host h;
static struct kgd_follower f;

/* A new host (ring first..next-1) and follower resumed after written. */
static void start(uint64_t written, uint64_t first, uint64_t next)
{
	struct kgc_status st = {
		.features = KABIGUARD_FEAT_RING,
		.ring_first = first, .ring_next = next,
	};

	kgd_batch_free(&h.batch);
	memset(&h, 0, sizeof(h));
	h.log_fd = -1;
	h.jx.boot_id = BOOT;
	h.ring_first = first;
	h.ring_next = next;
	h.now = 1000;
	kgd_follower_init(&f, &ops, &h);
	kgd_follower_resume(&f, written, &st);
}

/* Forget what was recorded so far. */
static void mark(void)
{
	h.written[0] = h.dumps[0] = h.lost[0] = '\0';
}

/* A multicast event; the kernel put it in its ring too. */
static int mcast(uint64_t seq)
{
	struct kgc_event ev;

	if (seq >= h.ring_next)
		h.ring_next = seq + 1;
	ev_of(&ev, seq);
	return kgd_follower_event(&f, &ev);
}

static void test_in_order(void)
{
	start(0, 1, 1);
	ok(kgd_follower_catch_up(&f) == 0 && !strcmp(h.dumps, "1;") &&
	   !*h.written, "start: the empty ring dumped from 1, nothing written");
	mark();
	ok(!mcast(1) && !mcast(2) && !mcast(3) && !*h.written &&
	   f.last_queued == 3 && f.last_written == 0,
	   "in order: 3 events queued, none written before the flush");
	ok(kgd_follower_flush(&f) == 0 && !strcmp(h.written, "1,2,3;") &&
	   f.last_written == 3 && !*h.dumps,
	   "in order: one batch 1,2,3 written, no dump");
	ok(kgd_follower_timeout(&f) == KGD_DECLARE_MS &&
	   (kgd_follower_declare(&f, false), !*h.dumps),
	   "declare: not before KGD_DECLARE_MS after the last one");
	h.now += KGD_DECLARE_MS;
	kgd_follower_tick(&f);
	ok(!strcmp(h.dumps, "4;") && f.declared == 4 &&
	   kgd_follower_timeout(&f) == -1,
	   "declare: 1-3 declared by a dump from 4, then nothing to do");
	mark();
	ok(!mcast(2) && !mcast(3) && !*h.written && f.st.dups == 2 &&
	   (kgd_follower_flush(&f), !*h.written),
	   "duplicates: 2 and 3 again are not written");
	ok(!*h.lost && !f.st.lost, "in order: nothing lost");
}

static void test_gap(void)
{
	start(3, 1, 4);
	h.ring_next = 6;		/* 4 and 5 missed multicast */
	mark();
	ok(!mcast(6) && !strcmp(h.dumps, "4;") && f.last_queued == 6,
	   "gap: 6 after 3 dumps the ring from 4");
	kgd_follower_flush(&f);
	ok(!strcmp(h.written, "4,5,6;") && !*h.lost && f.st.dups == 1,
	   "gap: 4,5,6 written once (6 from multicast a duplicate), "
	   "nothing lost");
	mark();
	ok(!mcast(6) && !mcast(7) && (kgd_follower_flush(&f),
	   !strcmp(h.written, "7;")), "gap: then 7 in order");
}

static void test_lost(void)
{
	start(6, 10, 12);		/* 7-9 left the ring while we ran */
	mark();
	ok(!mcast(12) && (kgd_follower_flush(&f), 1) &&
	   !strcmp(h.dumps, "7;") && !strcmp(h.written, "10,11,12;"),
	   "loss: the ring from 7 gives 10-12, written");
	ok(!strcmp(h.lost, "7-9;") && f.st.lost == 3,
	   "loss: 7-9 reported lost, once, as one range");
	mark();
	h.ring_first = 1;
	ok(!mcast(13) && (kgd_follower_flush(&f), 1) && !*h.lost &&
	   !strcmp(h.written, "13;"), "loss: then 13 in order, no loss");
	mark();
	h.ring_first = 15;		/* 14 alone left the ring */
	ok(!mcast(16) && (kgd_follower_flush(&f), 1) &&
	   !strcmp(h.lost, "14-14;") && f.st.lost == 4 &&
	   !strcmp(h.written, "15,16;"), "loss: a single lost event, 14");
}

static void test_enobufs(void)
{
	start(14, 1, 15);
	h.ring_next = 18;		/* 15-17 were dropped by the socket */
	kgd_follower_enobufs(&f);
	mark();
	ok(f.need_catchup && kgd_follower_timeout(&f) == 0 && !*h.dumps,
	   "ENOBUFS: a catch-up is due now, none done yet");
	kgd_follower_tick(&f);
	ok(!strcmp(h.dumps, "15;") && !strcmp(h.written, "15,16,17;") &&
	   !f.need_catchup && f.st.enobufs == 1 && !*h.lost,
	   "ENOBUFS: the ring from 15 gives 15-17, written, nothing lost");
	mark();
	ok(!mcast(16) && !mcast(17) && !mcast(18) &&
	   (kgd_follower_flush(&f), !strcmp(h.written, "18;")),
	   "ENOBUFS: multicast copies of 16 and 17 skipped, 18 written");

	/* A failed ring read: retried after KGD_RETRY_MS (declared up to
	 * date, so no declaration dumps the ring before). */
	start(18, 1, 19);
	kgd_follower_catch_up(&f);
	h.ring_next = 21;
	h.dump_fail = 1;
	kgd_follower_enobufs(&f);
	mark();
	kgd_follower_tick(&f);
	ok(!strcmp(h.dumps, "19;") && !*h.written && f.need_catchup &&
	   kgd_follower_timeout(&f) == KGD_RETRY_MS,
	   "ring read failed: retry in KGD_RETRY_MS");
	h.now += KGD_RETRY_MS - 1;
	kgd_follower_tick(&f);
	ok(!strcmp(h.dumps, "19;"), "ring read failed: not retried early");
	h.now += 1;
	kgd_follower_tick(&f);
	ok(!strcmp(h.dumps, "19;19;") && !strcmp(h.written, "19,20;") &&
	   !f.need_catchup, "ring read failed: retried, 19-20 written");
}

static void test_eagain(void)
{
	start(0, 1, 5);
	h.dump_eagain = 1;		/* after the first event */
	mark();
	ok(kgd_follower_catch_up(&f) == 0 && !strcmp(h.dumps, "1;1;") &&
	   !strcmp(h.written, "1,2,3,4;") && f.st.dups == 1,
	   "interrupted dump: started again, event 1 not written twice");
}

static void test_write_fails(void)
{
	start(0, 1, 1);
	kgd_follower_catch_up(&f);
	mark();
	mcast(1);
	mcast(2);
	h.write_fail = 1;
	ok(kgd_follower_flush(&f) == -EIO && !*h.written && !h.batch.nr &&
	   f.last_written == 0 && f.last_queued == 0 && f.need_catchup,
	   "write failed: the batch is dropped, nothing counted written");
	ok(kgd_follower_timeout(&f) == KGD_RETRY_MS,
	   "write failed: the ring is read again in KGD_RETRY_MS");
	h.now += KGD_RETRY_MS - 1;
	kgd_follower_tick(&f);
	ok(!*h.written && !*h.dumps, "write failed: not retried early");
	h.now += 1;
	kgd_follower_tick(&f);
	ok(!strcmp(h.dumps, "1;") && !strcmp(h.written, "1,2;") && !*h.lost,
	   "write failed: 1-2 written from the ring, once each, none lost");

	/* Multicast meanwhile sees a gap: the ring is read at once. */
	mcast(3);
	h.write_fail = 1;
	kgd_follower_flush(&f);
	mark();
	ok(!mcast(4) && !strcmp(h.dumps, "3;") && f.last_queued == 4 &&
	   (kgd_follower_flush(&f), !strcmp(h.written, "3,4;")) &&
	   f.st.dups == 1 && !*h.lost,
	   "write failed, then an event: read from the ring at once, 3-4 "
	   "written once each");
}

static void test_batch_limit(void)
{
	uint64_t s;
	int ret = 0;

	start(0, 1, 1);
	mark();
	for (s = 1; s <= KGD_BATCH_LINES + 1 && !ret; s++)
		ret = mcast(s);
	ok(!ret && f.last_written == KGD_BATCH_LINES && h.batch.nr == 1,
	   "a full batch (KGD_BATCH_LINES) is written without waiting");
}

static const char *path_of(const char *name)
{
	static char path[512];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

/* The daemon's resume: the state file (this boot) or the log's last
 * line, whichever is later. */
static void restart(const char *state, int log_fd, uint64_t first,
		    uint64_t next)
{
	struct kgd_state s;
	uint64_t log_seq = 0, written = 0;
	char err[512];
	size_t cut = 0;
	int log = h.log_fd;

	if (log_fd >= 0)
		kgd_log_recover(log_fd, BOOT, &log_seq, &cut);
	if (!kgd_state_read(state, &s, err, sizeof(err)) &&
	    !strcmp(s.boot_id, BOOT))
		written = s.last_seq;
	if (log_seq > written)
		written = log_seq;
	start(written, first, next);
	h.log_fd = log_fd >= 0 ? log_fd : log;
}

static void save_state(const char *path, uint64_t seq)
{
	struct kgd_state s = { .last_seq = seq };

	snprintf(s.boot_id, sizeof(s.boot_id), "%s", BOOT);
	if (kgd_state_write(path, &s)) {
		perror(path);
		exit(1);
	}
}

static void test_restart(void)
{
	char state[512];

	snprintf(state, sizeof(state), "%s", path_of("state"));
	save_state(state, 14);
	restart(state, -1, 10, 17);
	mark();
	ok(f.last_written == 14 && kgd_follower_catch_up(&f) == 0 &&
	   !strcmp(h.dumps, "15;") && !strcmp(h.written, "15,16;") &&
	   !*h.lost, "restart: from the state file's 14, 15-16 written, "
	   "nothing repeated, nothing lost");

	save_state(state, 14);
	restart(state, -1, 10, 14);
	mark();
	ok(f.last_written == 0 && kgd_follower_catch_up(&f) == 0 &&
	   !strcmp(h.dumps, "1;") && !strcmp(h.written, "10,11,12,13;"),
	   "restart: a reloaded module (next 14, 14 written) starts over");

	/* Another boot's state counts for nothing. */
	{
		struct kgd_state s = { .last_seq = 5 };

		snprintf(s.boot_id, sizeof(s.boot_id), "other-boot");
		kgd_state_write(state, &s);
		restart(state, -1, 1, 3);
		ok(f.last_written == 0, "restart: another boot's state ignored");
	}
}

static size_t count_lines(const char *path, char *text, size_t len)
{
	FILE *fp = fopen(path, "r");
	size_t n = 0, i;

	text[0] = '\0';
	if (!fp)
		return 0;
	n = fread(text, 1, len - 1, fp);
	fclose(fp);
	text[n] = '\0';
	for (i = n = 0; text[i]; i++)
		n += text[i] == '\n';
	return n;
}

static void test_torn_line(void)
{
	static const char torn[] = "{\"seq\":4,\"boot_id\":\"" BOOT "\",\"ki";
	char state[512], log[512], text[16384], want[64];
	int fd, seqs_once = 1;
	size_t n;
	uint64_t s;

	snprintf(state, sizeof(state), "%s", path_of("state2"));
	snprintf(log, sizeof(log), "%s", path_of("events.jsonl"));
	fd = open(log, O_RDWR | O_APPEND | O_CREAT, 0640);
	if (fd < 0) {
		perror(log);
		exit(1);
	}
	/* Events 1-3 written and synced, the state saved at 2 (the crash
	 * came before the state's rename), then 4 cut short. */
	start(0, 1, 1);
	h.log_fd = fd;
	mcast(1);
	mcast(2);
	kgd_follower_flush(&f);
	save_state(state, 2);
	mcast(3);
	kgd_follower_flush(&f);
	if (write(fd, torn, strlen(torn)) != (ssize_t)strlen(torn)) {
		perror(log);
		exit(1);
	}

	restart(state, fd, 1, 6);
	mark();
	ok(f.last_written == 3, "torn line: resumes after 3 (the log's last "
	   "whole line, past the state's 2)");
	ok(kgd_follower_catch_up(&f) == 0 && !strcmp(h.written, "4,5;") &&
	   !*h.lost, "torn line: 4 written again whole, then 5");
	n = count_lines(log, text, sizeof(text));
	for (s = 1; s <= 5; s++) {
		char *p;

		snprintf(want, sizeof(want), "{\"seq\":%llu,",
			 (unsigned long long)s);
		p = strstr(text, want);
		seqs_once &= p && !strstr(p + 1, want) &&
			     (p == text || p[-1] == '\n');
	}
	ok(n == 5 && seqs_once && text[strlen(text) - 1] == '\n' &&
	   !strstr(text, "\"ki{"),
	   "torn line: the log holds 1-5, each once, each a whole line");
	close(fd);
	h.log_fd = -1;
}

/* The syslog form of a line too long for syslog: the event without its
 * violation list, every other member kept; its priority from the event's
 * verdict. */
static void test_syslog_form(void)
{
	struct kgd_batch b = { 0 };
	struct kgc_event_json_ctx jx = { .boot_id = BOOT };
	struct kgc_violation v[200];
	struct kgc_event ev;
	const char *line;
	int i;

	ev_of(&ev, 7);
	ev.verdict = KABIGUARD_VERDICT_AUDITED;
	for (i = 0; i < 200; i++)
		v[i] = (struct kgc_violation){ .symbol = "a_symbol_with_a_long_name",
					      .exporter = "vmlinux" };
	ev.viol = v;
	ev.nr_listed = ev.nr_violations = 200;
	ev.repeat_of = 3;
	ev.repeat_count = 2;
	ok(kgd_batch_add(&b, &ev, &jx, KGD_LOG_SYSLOG) == 0 && b.nr == 1 &&
	   b.line[0].len > 4096 && b.line[0].short_len > 0 &&
	   b.line[0].short_len < 4096 &&
	   b.line[0].verdict == KABIGUARD_VERDICT_AUDITED,
	   "syslog form: made for a line over 4096 bytes, verdict kept");
	line = b.short_lines.s + b.line[0].short_off;
	ok(!strncmp(line, "{\"seq\":7,", 9) &&
	   strstr(line, "\"violations\":[]") &&
	   strstr(line, "\"violations_truncated\":true") &&
	   strstr(line, "\"repeat_count\":2}") &&
	   line[b.line[0].short_len - 1] == '}' &&
	   line[b.line[0].short_len] == '\n',
	   "syslog form: no violations, truncated said, later members kept");
	ev.nr_listed = ev.nr_violations = 1;
	ok(kgd_batch_add(&b, &ev, &jx, KGD_LOG_SYSLOG) == 0 && b.nr == 2 &&
	   !b.line[1].short_len, "syslog form: none for a short line");
	kgd_batch_free(&b);
}

int main(void)
{
	char cmd[600];

	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	kgd_msg_init(false, false);
	printf("TAP version 13\n");
	test_in_order();
	test_gap();
	test_lost();
	test_enobufs();
	test_eagain();
	test_write_fails();
	test_batch_limit();
	test_restart();
	test_torn_line();
	test_syslog_form();
	kgd_batch_free(&h.batch);
	printf("1..%u\n", tap_nr_tests);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd))
		return 1;
	return tap_nr_failed ? 1 : 0;
}
