// SPDX-License-Identifier: GPL-2.0
/*
 * daemon_follow_test: every event in the log once, in sequence order,
 * whatever happens to the daemon or its socket: kill -9 and a torn last
 * line, hostile events (kg_huge, kg_evil_import) live and caught up from
 * the ring, 1,000 loads in a burst, ENOBUFS on a tiny socket buffer.
 *
 * One of the daemon_*_test programs (daemon_fixture.h): root,
 * kabiguard.ko loaded, kabiguardd in PATH.
 */
#include "kselftest_harness.h"
#include "kg_selftest.h"
#include "daemon_fixture.h"

/*
 * kill -9 the daemon, load modules while it is down, add a torn last line
 * as a crash in mid-write would leave, restart: every event once, in
 * sequence order.
 */
TEST_F_TIMEOUT(daemon, restart_after_kill9, 180)
{
	struct kgd_run *r = &self->r;
	struct kj *v = NULL;
	char why[256] = "";
	int n, fd;

	kgd_setup(r, NULL);
	r->base = ring_next();
	ASSERT_EQ(0, kgd_start(r)) show_stderr(_metadata, r);
	ASSERT_EQ(0, kg_t_load("kg_exporter"));
	n = kgd_wait_lines(r, "load", 1, &v, why, sizeof(why));
	ASSERT_EQ(1, n) show_stderr(_metadata, r);
	free(v);
	kgd_kill9(r);

	ASSERT_EQ(0, kg_t_load("kg_consumer_ok"));
	ASSERT_EQ(0, kg_t_load("kg_consumer_forbidden"));
	ASSERT_EQ(0, kg_t_unload("kg_consumer_forbidden"));
	ASSERT_EQ(0, kg_t_unload("kg_consumer_ok"));
	ASSERT_EQ(0, kg_t_load("kg_consumer_ok"));
	fd = open(r->log, O_WRONLY | O_APPEND);
	ASSERT_LE(0, fd);
	ASSERT_EQ(12, write(fd, "{\"seq\":99,\"b", 12));
	close(fd);

	ASSERT_EQ(0, kgd_start(r)) show_stderr(_metadata, r);
	EXPECT_TRUE(kgd_stderr_has(r, "removed a last line cut short"));
	ASSERT_EQ(0, kg_t_unload("kg_consumer_ok"));
	ASSERT_EQ(0, kg_t_load("kg_consumer_ok"));
	n = kgd_wait_lines(r, "load", 5, &v, why, sizeof(why));
	ASSERT_EQ(5, n) {
		TH_LOG("%s", why);
		show_stderr(_metadata, r);
	}
	free(v);
	usleep(300000);
	n = kgd_lines(r->log, r->base, "load", &v, why, sizeof(why));
	ASSERT_EQ(5, n) TH_LOG("%s", why);
	EXPECT_TRUE(kj_is(&v[2], "verdict", "audited"));
	free(v);
	EXPECT_EQ(0, kgd_stop(r)) show_stderr(_metadata, r);
}

/* Loads the hostile modules, then kg_consumer_ok @nr_ok times. */
static void hostile_then_normal(struct __test_metadata *_metadata, int nr_ok)
{
	size_t len;
	char *img;
	int i;

	kg_t_unload("kg_huge");
	ASSERT_EQ(0, kg_t_load("kg_huge"));
	ASSERT_EQ(0, kg_t_unload("kg_huge"));
	img = kg_t_evil_module(&len);
	ASSERT_NE(NULL, img);
	ASSERT_EQ(0, syscall(__NR_init_module, img, len, ""))
		TH_LOG("init_module: %s", strerror(errno));
	free(img);
	ASSERT_EQ(0, kg_t_unload(KG_T_EVIL));
	for (i = 0; i < nr_ok; i++) {
		ASSERT_EQ(0, kg_t_load("kg_consumer_ok"));
		ASSERT_EQ(0, kg_t_unload("kg_consumer_ok"));
	}
}

/* The log from base on: kg_huge, kg_evil_import, @nr_ok kg_consumer_ok. */
static void expect_hostile_lines(struct __test_metadata *_metadata,
				 const struct kj *v, int from, int nr_ok)
{
	int i;

	EXPECT_TRUE(kj_is(&v[from], "module", "kg_huge"));
	EXPECT_EQ(301, kj_u64(&v[from], "nr_violations"));
	EXPECT_TRUE(kj_is(&v[from + 1], "module", KG_T_EVIL));
	EXPECT_TRUE(kj_is(&v[from + 1], "violations.0.symbol", KG_T_EVIL_NAME))
		TH_LOG("symbol \"%s\"", kj_get(&v[from + 1],
					       "violations.0.symbol"));
	for (i = 0; i < nr_ok; i++)
		EXPECT_TRUE(kj_is(&v[from + 2 + i], "module", "kg_consumer_ok"))
			TH_LOG("line %d: %s", from + 2 + i,
			       kj_get(&v[from + 2 + i], "module"));
}

/*
 * Hostile events (kg_huge: a 65,531-byte import name, an 8 KiB version,
 * 301 violations; kg_evil_import: a newline, a forged verdict line and
 * ESC in an import name) cannot make the daemon skip what follows them,
 * neither live nor caught up from the ring after a crash.
 */
TEST_F_TIMEOUT(daemon, hostile_events_skip_nothing, 300)
{
	struct kgd_run *r = &self->r;
	struct kj *v = NULL;
	char why[256] = "";
	int n;

	kgd_setup(r, NULL);
	ASSERT_EQ(0, kg_t_load("kg_exporter"));
	ASSERT_EQ(0, kgd_start(r)) show_stderr(_metadata, r);
	ASSERT_TRUE(kgd_wait_stderr(r, "loaded modules checked"));
	r->base = ring_next();

	/* Live. */
	hostile_then_normal(_metadata, 5);
	n = kgd_wait_lines(r, "load", 7, &v, why, sizeof(why));
	ASSERT_EQ(7, n) {
		TH_LOG("%s", why);
		show_stderr(_metadata, r);
	}
	EXPECT_TRUE(kgd_consecutive(v, n, r->base));
	expect_hostile_lines(_metadata, v, 0, 5);
	free(v);

	/* While it is down: caught up from the ring at its restart. */
	kgd_kill9(r);
	hostile_then_normal(_metadata, 3);
	ASSERT_EQ(0, kgd_start(r)) show_stderr(_metadata, r);
	n = kgd_wait_lines(r, "load", 12, &v, why, sizeof(why));
	ASSERT_EQ(12, n) {
		TH_LOG("%s", why);
		show_stderr(_metadata, r);
	}
	EXPECT_TRUE(kgd_consecutive(v, n, r->base));
	expect_hostile_lines(_metadata, v, 7, 3);
	free(v);
	EXPECT_EQ(0, kgd_stop(r)) show_stderr(_metadata, r);
}

/* 1,000 load attempts in a row: 1,000 events, none lost, no overflow. */
TEST_F_TIMEOUT(daemon, burst_of_1000, 900)
{
	struct kgd_run *r = &self->r;
	struct kgc_status st;
	struct kj *v = NULL;
	char why[256] = "";
	int64_t t0;
	int i, n;

	kgd_setup(r, NULL);
	ASSERT_EQ(0, kg_t_load("kg_exporter"));
	ASSERT_EQ(0, kgd_start(r)) show_stderr(_metadata, r);
	/* After the start's retro scan (kg_exporter): only loads follow. */
	ASSERT_TRUE(kgd_wait_stderr(r, "loaded modules checked"));
	r->base = ring_next();
	t0 = kg_t_now_ms();
	for (i = 0; i < KGD_BURST; i++) {
		ASSERT_EQ(0, kg_t_load("kg_consumer_ok")) TH_LOG("load %d", i);
		ASSERT_EQ(0, kg_t_unload("kg_consumer_ok"));
	}
	TH_LOG("%d loads in %lld ms", KGD_BURST,
	       (long long)(kg_t_now_ms() - t0));
	n = kgd_wait_lines(r, "load", KGD_BURST, &v, why, sizeof(why));
	ASSERT_EQ(KGD_BURST, n) {
		TH_LOG("%s", why);
		show_stderr(_metadata, r);
	}
	EXPECT_TRUE(kgd_consecutive(v, n, r->base));
	EXPECT_TRUE(kj_is(&v[KGD_BURST - 1], "module", "kg_consumer_ok"));
	free(v);
	st = status();
	EXPECT_EQ(0, st.ring_overflow);
	EXPECT_EQ(4096, st.ring_size);
	kill(r->pid, SIGUSR1);
	ASSERT_TRUE(kgd_wait_stderr(r, "stats:"));
	EXPECT_EQ(0, kgd_stop(r));
	show_stderr(_metadata, r);
}

/*
 * A tiny receive buffer and a stopped daemon: multicast overflows
 * (ENOBUFS) and the daemon catches up from the ring, losing nothing.
 */
TEST_F_TIMEOUT(daemon, enobufs_catch_up, 300)
{
	struct kgd_run *r = &self->r;
	struct kj *v = NULL;
	char why[256] = "";
	int i, n;

	kgd_setup(r, "events_buffer = 4096\n");
	ASSERT_EQ(0, kg_t_load("kg_exporter"));
	ASSERT_EQ(0, kgd_start(r)) show_stderr(_metadata, r);
	/* After the start's retro scan (kg_exporter): only loads follow. */
	ASSERT_TRUE(kgd_wait_stderr(r, "loaded modules checked"));
	r->base = ring_next();
	kill(r->pid, SIGSTOP);
	for (i = 0; i < 100; i++) {
		ASSERT_EQ(0, kg_t_load("kg_consumer_ok"));
		ASSERT_EQ(0, kg_t_unload("kg_consumer_ok"));
	}
	kill(r->pid, SIGCONT);
	n = kgd_wait_lines(r, "load", 100, &v, why, sizeof(why));
	ASSERT_EQ(100, n) {
		TH_LOG("%s", why);
		show_stderr(_metadata, r);
	}
	EXPECT_TRUE(kgd_consecutive(v, n, r->base));
	free(v);
	kill(r->pid, SIGUSR1);
	ASSERT_TRUE(kgd_wait_stderr(r, "stats:"));
	EXPECT_FALSE(kgd_stderr_has(r, "(0 ENOBUFS)"));
	EXPECT_EQ(0, kgd_stop(r));
	show_stderr(_metadata, r);
}

TEST_HARNESS_MAIN
