// SPDX-License-Identifier: GPL-2.0
/*
 * events_scan_test: a scan (KABIGUARD_CMD_SCAN) reports a loaded module's
 * violations as an event of its own kind, never denies, and refuses
 * unknown modules; reading the ring and scanning need CAP_SYS_MODULE,
 * following the events group CAP_SYS_ADMIN.
 *
 * One of the events_*_test programs (events_fixture.h): root, kabiguard.ko
 * loaded with a small ring_size.
 */
#include "kselftest_harness.h"
#include "kg_selftest.h"
#include "events_fixture.h"

/*
 * The name the test modules' pr_*() calls import: _printk since 5.15,
 * printk before (5.10). Read from the module, as the guard sees it.
 */
static const char *printk_name(struct __test_metadata *_metadata)
{
	struct kg_t_ko ko;

	EXPECT_EQ(0, kg_t_read_ko(CONSUMER_FORB, &ko));
	if (_metadata->passed == 0)
		return "_printk";
	if (kg_t_ko_import_index(&ko, "_printk") >= 0)
		return "_printk";
	EXPECT_LE(0, kg_t_ko_import_index(&ko, "printk"))
		TH_LOG("%s imports neither _printk nor printk", CONSUMER_FORB);
	return "printk";
}

TEST_F(ev, scan_reports_loaded_module)
{
	const char *imports[] = {
		"kg_plain_a", "kg_plain_b", printk_name(_metadata),
	};
	struct kg_t_kmsg k;
	struct kgc_event ev;
	char *log;

	TH_LOG("the modules print with %s", imports[2]);
	ASSERT_EQ(0, kg_t_load(CONSUMER_FORB));
	ASSERT_EQ(1, kg_t_event_for(self->evc, CONSUMER_FORB, &ev,
				    KG_EVENT_TIMEOUT_MS));
	kgc_event_free(&ev);

	kg_t_kmsg_mark(&k);
	ASSERT_EQ(0, kgc_cmd_scan(self->c, CONSUMER_FORB, imports,
			     ARRAY_SIZE(imports)))
		TH_LOG("scan: %s", kgc_extack(self->c));
	ASSERT_EQ(1, kg_t_event_for(self->evc, CONSUMER_FORB, &ev,
				    KG_EVENT_TIMEOUT_MS));
	EXPECT_EQ(KABIGUARD_EVENT_SCAN, ev.kind);
	EXPECT_EQ(KABIGUARD_VERDICT_AUDITED, ev.verdict);
	EXPECT_EQ(3, ev.nr_imports);
	ASSERT_EQ(1, ev.nr_violations);
	ASSERT_EQ(1, ev.nr_listed);
	EXPECT_STREQ("kg_plain_b", ev.viol[0].symbol);
	EXPECT_STREQ(EXPORTER, ev.viol[0].exporter);
	EXPECT_EQ(KABIGUARD_REASON_NOT_ALLOWED, ev.viol[0].reason);
	/* A scan has no loading process. */
	EXPECT_EQ(0, ev.pid);
	kgc_event_free(&ev);

	log = kg_t_kmsg_read(&k);
	ASSERT_NE(NULL, log);
	EXPECT_NE(NULL, strstr(log,
		"\nkabiguard: kg_consumer_forbidden: scanned: audited (audit, generation "))
		TH_LOG("kernel log:\n%s", log);
	EXPECT_NE(NULL, strstr(log, "), 1 of 3 imports not allowed\n"))
		TH_LOG("kernel log:\n%s", log);
	EXPECT_TRUE(kg_t_log_has(log,
		"kabiguard: kg_consumer_forbidden: kg_plain_b from kg_exporter: not allowed"))
		TH_LOG("kernel log:\n%s", log);
	free(log);
	kg_t_kmsg_close(&k);

	/* Enforce mode does not make a scan deny anything. */
	ASSERT_EQ(0, kgc_cmd_set_mode(self->c, KABIGUARD_MODE_ENFORCE));
	ASSERT_EQ(0, kgc_cmd_scan(self->c, CONSUMER_FORB, imports,
			     ARRAY_SIZE(imports)));
	ASSERT_EQ(1, kg_t_event_for(self->evc, CONSUMER_FORB, &ev,
				    KG_EVENT_TIMEOUT_MS));
	EXPECT_EQ(KABIGUARD_VERDICT_AUDITED, ev.verdict);
	kgc_event_free(&ev);
	EXPECT_TRUE(kg_t_loaded(CONSUMER_FORB));
	ASSERT_EQ(0, kgc_cmd_set_mode(self->c, KABIGUARD_MODE_AUDIT));
}

TEST_F(ev, scan_unknown_module)
{
	const char *imports[] = { printk_name(_metadata) };

	EXPECT_EQ(-ENOENT, kgc_cmd_scan(self->c, "kg_no_such_module", imports, 1));
	EXPECT_NE(NULL, strstr(kgc_extack(self->c), "no live module"));
}

static int nop(const struct kgc_event *ev, void *arg)
{
	(void)ev;
	(void)arg;
	return 0;
}

/*
 * In a child that drops to nobody: the ring and scans are refused; joining
 * the events group gives @join_err (0 or -EPERM). Returns the child's exit
 * status: 0, or the step that failed.
 */
static int unprivileged_child(const char *printk, int join_err)
{
	const char *imports[] = { printk };
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return 9;
	if (!pid) {
		struct kgc_client *c;

		if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534) || kgc_open(&c))
			_exit(10);
		if (kgc_cmd_events_get(c, 0, nop, NULL) != -EPERM)
			_exit(11);
		if (kgc_cmd_scan(c, EXPORTER, imports, 1) != -EPERM)
			_exit(12);
		kgc_close(c);
		if (kgc_events_open(&c) != join_err)
			_exit(13);
		if (!join_err)
			kgc_close(c);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 8;
	return WEXITSTATUS(status);
}

/* Where the kernel can require it, only CAP_SYS_ADMIN follows events live. */
TEST_F(ev, unprivileged_refused)
{
	struct kgc_status st;
	int step;

	ASSERT_EQ(0, kgc_cmd_get_status(self->c, &st));
	if (!(st.features & KABIGUARD_FEAT_EVENTS_ADMIN))
		SKIP(return,
		     "kernel cannot restrict a genl multicast group (no GENL_MCAST_CAP_SYS_ADMIN): unprivileged_events_open_on_old_kernel checks what it does");
	step = unprivileged_child(printk_name(_metadata), -EPERM);
	EXPECT_EQ(0, step) TH_LOG("child step %d failed", step);
}

/*
 * Before Linux 6.7 (and 6.1.66) a genl multicast group cannot require a
 * capability: there any local user may join the events group (a known gap,
 * in the uapi header), while the ring and scans stay refused.
 */
TEST_F(ev, unprivileged_events_open_on_old_kernel)
{
	struct kgc_status st;
	int step;

	ASSERT_EQ(0, kgc_cmd_get_status(self->c, &st));
	if (st.features & KABIGUARD_FEAT_EVENTS_ADMIN)
		SKIP(return,
		     "kernel restricts the events group to CAP_SYS_ADMIN: unprivileged_refused checks it");
	step = unprivileged_child(printk_name(_metadata), 0);
	EXPECT_EQ(0, step) TH_LOG("child step %d failed", step);
}

TEST_HARNESS_MAIN
