// SPDX-License-Identifier: GPL-2.0
/*
 * daemon_verdict_test: kabiguardd's line for each verdict. A scripted
 * series of allowed, audited and denied loads gives one JSON line each,
 * every field checked; syslog gets them too, and kabiguardctl events
 * prints the same lines.
 *
 * One of the daemon_*_test programs (daemon_fixture.h): root,
 * kabiguard.ko loaded, kabiguardd in PATH.
 */
#include <sys/utsname.h>

#include "kselftest_harness.h"
#include "kg_selftest.h"
#include "daemon_fixture.h"

/*
 * A scripted series: allowed, allowed, audited, denied. One line each,
 * every field checked; syslog gets them too; kabiguardctl events prints
 * the same lines.
 */
TEST_F_TIMEOUT(daemon, one_line_per_verdict, 180)
{
	struct kgd_run *r = &self->r;
	char why[256] = "", host[256] = "", exe[64], want[128];
	struct kgc_status st;
	struct utsname u;
	struct kj *v = NULL;
	uint64_t gen;
	int n, i;
	FILE *p;

	kgd_setup(r, NULL);
	/* A syslog daemon, when busybox has one: kabiguardd logs to it. */
	if (system("pidof syslogd >/dev/null || syslogd -O /tmp/kgd-syslog "
		   "2>/dev/null"))
		TH_LOG("no syslogd: syslog not checked");
	ASSERT_EQ(0, kgd_start(r)) show_stderr(_metadata, r);
	/* After the start's retro scan: only these loads follow. */
	ASSERT_TRUE(kgd_wait_stderr(r, "loaded modules checked"));
	r->base = ring_next();
	st = status();
	gen = st.generation;
	ASSERT_NE(0, gen);
	EXPECT_EQ(KABIGUARD_MODE_AUDIT, st.mode);

	ASSERT_EQ(0, kg_t_load("kg_exporter"));
	ASSERT_EQ(0, kg_t_load("kg_consumer_ok"));
	ASSERT_EQ(0, kg_t_load("kg_consumer_forbidden"));
	ASSERT_EQ(0, kg_t_unload("kg_consumer_forbidden"));
	ASSERT_EQ(0, set_mode(KABIGUARD_MODE_ENFORCE));
	ASSERT_EQ(EPERM, kg_t_load("kg_consumer_forbidden"));
	ASSERT_EQ(0, set_mode(KABIGUARD_MODE_AUDIT));

	n = kgd_wait_lines(r, "load", 4, &v, why, sizeof(why));
	ASSERT_EQ(4, n) {
		TH_LOG("%s", why);
		show_stderr(_metadata, r);
	}
	usleep(300000);
	free(v);
	/* Exactly these, no more. */
	n = kgd_lines(r->log, r->base, "load", &v, why, sizeof(why));
	ASSERT_EQ(4, n) TH_LOG("%s", why);
	EXPECT_TRUE(kgd_consecutive(v, n, r->base));

	gethostname(host, sizeof(host) - 1);
	uname(&u);
	snprintf(exe, sizeof(exe), "%d", getpid());
	for (i = 0; i < n; i++) {
		static const char *const mods[] = { "kg_exporter",
			"kg_consumer_ok", "kg_consumer_forbidden",
			"kg_consumer_forbidden" };
		static const char *const verdicts[] = { "allowed", "allowed",
			"audited", "denied" };
		const struct kj *j = &v[i];

		EXPECT_TRUE(kj_is(j, "module", mods[i])) TH_LOG("line %d", i);
		EXPECT_TRUE(kj_is(j, "verdict", verdicts[i]))
			TH_LOG("line %d: %s", i, kj_get(j, "verdict"));
		EXPECT_TRUE(kj_is(j, "kind", "load"));
		EXPECT_TRUE(kj_is(j, "mode", i == 3 ? "enforce" : "audit"));
		EXPECT_EQ(gen, kj_u64(j, "generation"));
		EXPECT_TRUE(kj_is(j, "host", host));
		EXPECT_TRUE(kj_is(j, "kernel", u.release));
		EXPECT_TRUE(kj_is(j, "pid", exe));
		EXPECT_EQ((uint64_t)getppid(), kj_u64(j, "ppid"));
		EXPECT_TRUE(kj_is(j, "uid", "0"));
		EXPECT_TRUE(kj_is(j, "euid", "0"));
		EXPECT_TRUE(kj_is(j, "gid", "0"));
		EXPECT_TRUE(kj_is(j, "egid", "0"));
		EXPECT_NE(NULL, kj_get(j, "tty"));
		EXPECT_NE(0, kj_u64(j, "cgroup_id"));
		EXPECT_NE(0, kj_u64(j, "pidns"));
		EXPECT_TRUE(kj_is(j, "argv.0", program_invocation_name))
			TH_LOG("argv.0 %s", kj_get(j, "argv.0"));
		EXPECT_TRUE(kj_is(j, "argv_truncated", "false"));
		EXPECT_NE(NULL, kj_get(j, "lsm_label"));
		EXPECT_NE(NULL, kj_get(j, "loginuid"));
		EXPECT_NE(NULL, kj_get(j, "sessionid"));
		/* comm: the name's first 15 bytes (TASK_COMM_LEN). */
		EXPECT_TRUE(kj_is(j, "comm", "daemon_verdict_"))
			TH_LOG("comm %s", kj_get(j, "comm"));
		EXPECT_TRUE(kj_is(j, "exe", "/kabiguard/daemon_verdict_test"))
			TH_LOG("exe %s", kj_get(j, "exe"));
		EXPECT_NE(NULL, kj_get(j, "cgroup"));
		EXPECT_TRUE(kj_is(j, "kmod_request", "false"));
		EXPECT_TRUE(kj_is(j, "sig_ok", "false"));
		EXPECT_NE(NULL, strchr(kj_get(j, "taint_flags") ?: "", 'O'));
		EXPECT_NE(0, kj_u64(j, "time_real_ns"));
		EXPECT_NE(0, kj_u64(j, "time_boot_ns"));
		EXPECT_NE(NULL, kj_get(j, "srcversion"));
		EXPECT_NE(NULL, kj_get(j, "version"));
		EXPECT_NE(NULL, kj_get(j, "check_ns"));
		EXPECT_EQ(36, strlen(kj_get(j, "boot_id") ?: ""));
		/* 2026-11-23T10:22:15.997748105Z */
		EXPECT_EQ(30, strlen(kj_get(j, "time") ?: ""));
		EXPECT_EQ('Z', (kj_get(j, "time") ?: "?")[29]);
		EXPECT_EQ(i < 2 ? 0 : 1, kj_u64(j, "nr_violations"));
		EXPECT_TRUE(kj_is(j, "violations_truncated", "false"));
		if (i >= 2) {
			EXPECT_TRUE(kj_is(j, "violations.0.symbol",
					  "kg_plain_b"));
			EXPECT_TRUE(kj_is(j, "violations.0.exporter",
					  "kg_exporter"));
			EXPECT_TRUE(kj_is(j, "violations.0.reason",
					  "not-allowed"));
			EXPECT_TRUE(kj_is(j, "violations.0.namespace", "null"));
			EXPECT_NE(NULL, kj_get(j, "violations.0.kernel_crc"));
			EXPECT_TRUE(kj_is(j, "violations.0.rule_crc", "null"));
			EXPECT_EQ(NULL, kj_get(j, "violations.1.symbol"));
		}
	}
	{
		struct kg_t_ko ko;

		ASSERT_EQ(0, kg_t_read_ko("kg_consumer_ok", &ko));
		EXPECT_EQ(ko.nr_imports, kj_u64(&v[1], "nr_imports"));
	}

	/* syslog has each line (busybox syslogd cuts long ones); syslogd
	 * writes on its own time. */
	if (!access("/tmp/kgd-syslog", F_OK)) {
		int64_t until = kg_t_now_ms() + KGD_WAIT_MS;
		char *sl = NULL;
		int found;

		do {
			free(sl);
			sl = slurp("/tmp/kgd-syslog");
			for (i = found = 0; i < n; i++) {
				snprintf(want, sizeof(want),
					 "{\"seq\":%llu,\"boot_id\"",
					 (unsigned long long)kj_u64(&v[i], "seq"));
				found += strstr(sl, want) != NULL;
			}
		} while (found < n && kg_t_now_ms() < until && !usleep(50000));
		EXPECT_EQ(n, found) TH_LOG("syslog:\n%s", sl);
		free(sl);
	}

	/* kabiguardctl events --json: the same lines (the loads; the
	 * start's retro scan may add scan events of whatever else is
	 * loaded). */
	snprintf(want, sizeof(want), "kabiguardctl -j events --since %llu "
		 "2>/dev/null", (unsigned long long)r->base);
	p = popen(want, "r");
	ASSERT_NE(NULL, p);
	{
		char line[8192], *text = slurp(r->log);
		int same = 0, got = 0;

		while (fgets(line, sizeof(line), p)) {
			if (!strstr(line, "\"kind\":\"load\""))
				continue;
			got++;
			same += strstr(text, line) != NULL;
		}
		free(text);
		EXPECT_EQ(0, pclose(p));
		EXPECT_EQ(4, got);
		EXPECT_EQ(4, same);
	}
	free(v);
	EXPECT_EQ(0, kgd_stop(r)) show_stderr(_metadata, r);
}

TEST_HARNESS_MAIN
