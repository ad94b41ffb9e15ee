// SPDX-License-Identifier: GPL-2.0
/*
 * daemon_signal_test: kabiguardd's signals. SIGHUP with a broken policy
 * file keeps the running policy and reopens the log; SIGUSR2 while modules
 * load (logrotate's rename, then signal) splits the log where no event is
 * lost or repeated.
 *
 * One of the daemon_*_test programs (daemon_fixture.h): root,
 * kabiguard.ko loaded, kabiguardd in PATH.
 */
#include "kselftest_harness.h"
#include "kg_selftest.h"
#include "daemon_fixture.h"

/*
 * SIGHUP with a broken policy file: reported with file:line, the running
 * policy stays (same generation). The log is reopened (logrotate). A
 * fixed policy is committed at the next SIGHUP.
 */
TEST_F_TIMEOUT(daemon, sighup_bad_policy_keeps_old, 180)
{
	struct kgd_run *r = &self->r;
	char bad[192], rotated[160], want[256], why[256] = "";
	struct kj *v = NULL;
	uint64_t gen;
	int n;

	kgd_setup(r, NULL);
	r->base = ring_next();
	ASSERT_EQ(0, kgd_start(r)) show_stderr(_metadata, r);
	gen = status().generation;
	ASSERT_NE(0, gen);
	ASSERT_EQ(0, kg_t_load("kg_exporter"));
	ASSERT_EQ(1, kgd_wait_lines(r, "load", 1, &v, why, sizeof(why)));
	free(v);

	snprintf(bad, sizeof(bad), "%s/20-bad.policy", r->policy);
	put_file(bad, "symbol kg_plain_b\nsymbol kg_plain_c bogus=1\n");
	snprintf(rotated, sizeof(rotated), "%s.1", r->log);
	ASSERT_EQ(0, rename(r->log, rotated));
	kill(r->pid, SIGHUP);
	snprintf(want, sizeof(want), "%s:2:", bad);
	ASSERT_TRUE(kgd_wait_stderr(r, want)) show_stderr(_metadata, r);
	snprintf(want, sizeof(want), "policy not changed (generation %llu "
		 "stays)", (unsigned long long)gen);
	EXPECT_TRUE(kgd_wait_stderr(r, want)) show_stderr(_metadata, r);
	EXPECT_EQ(gen, status().generation);
	/* kg_plain_b is still not allowed: the old policy decides. */
	ASSERT_EQ(0, kg_t_load("kg_consumer_forbidden"));
	n = kgd_wait_lines(r, "load", 1, &v, why, sizeof(why));
	ASSERT_EQ(1, n) show_stderr(_metadata, r);
	EXPECT_TRUE(kj_is(&v[0], "verdict", "audited"));
	EXPECT_EQ(gen, kj_u64(&v[0], "generation"));
	free(v);
	/* The rotated file kept the first line only. */
	n = kgd_lines(rotated, r->base, "load", &v, why, sizeof(why));
	EXPECT_EQ(1, n);
	free(v);

	/* Fixed: the next SIGHUP commits it. */
	put_file(bad, "symbol kg_plain_b\n");
	kill(r->pid, SIGHUP);
	snprintf(want, sizeof(want), "policy generation %llu committed: 3 "
		 "rules from 2 files", (unsigned long long)gen + 1);
	ASSERT_TRUE(kgd_wait_stderr(r, want)) show_stderr(_metadata, r);
	EXPECT_EQ(gen + 1, status().generation);
	EXPECT_EQ(0, kgd_stop(r)) show_stderr(_metadata, r);
}

/* How many times s is in the daemon's stderr. */
static int kgd_stderr_count(struct kgd_run *r, const char *s)
{
	char *err = slurp(r->err), *p = err;
	int n = 0;

	while ((p = strstr(p, s))) {
		n++;
		p += strlen(s);
	}
	free(err);
	return n;
}

#define KGD_ROTATIONS	5
#define KGD_ROT_LOADS	300

/*
 * logrotate's way (rename, then SIGUSR2) while modules load: each renamed
 * file ends where the next begins, so the files read oldest first are
 * every event once, in order; SIGUSR2 changes nothing else (no policy
 * commit, no retro scan).
 */
TEST_F_TIMEOUT(daemon, sigusr2_rotation_under_load, 600)
{
	struct kgd_run *r = &self->r;
	char rotated[KGD_ROTATIONS][160], all[160], cmd[1200], why[256] = "";
	struct kj *v = NULL;
	uint64_t gen;
	pid_t child;
	int i, n, st, len;

	kgd_setup(r, NULL);
	ASSERT_EQ(0, kg_t_load("kg_exporter"));
	ASSERT_EQ(0, kgd_start(r)) show_stderr(_metadata, r);
	ASSERT_TRUE(kgd_wait_stderr(r, "loaded modules checked"));
	gen = status().generation;
	r->base = ring_next();
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		for (i = 0; i < KGD_ROT_LOADS; i++)
			if (kg_t_load("kg_consumer_ok") ||
			    kg_t_unload("kg_consumer_ok"))
				_exit(1);
		_exit(0);
	}
	for (i = 0; i < KGD_ROTATIONS; i++) {
		usleep(300000);
		snprintf(rotated[i], sizeof(rotated[i]), "%s.%d", r->log,
			 i + 1);
		ASSERT_EQ(0, rename(r->log, rotated[i]));
		kill(r->pid, SIGUSR2);
		/* One rotation at a time, as logrotate's postrotate. */
		while (kgd_stderr_count(r, "SIGUSR2: reopened") < i + 1 &&
		       kill(r->pid, 0) == 0)
			usleep(20000);
	}
	ASSERT_EQ(child, waitpid(child, &st, 0));
	ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/*
	 * One load after the last rotation, whether or not the loads above
	 * outlasted the rotations (a fast kernel finishes them first).
	 */
	ASSERT_EQ(0, kg_t_load("kg_consumer_ok"));
	ASSERT_EQ(0, kg_t_unload("kg_consumer_ok"));

	/* The files oldest first, as one log. */
	snprintf(all, sizeof(all), "%s/all.jsonl", r->dir);
	len = snprintf(cmd, sizeof(cmd), "cat");
	for (i = 0; i < KGD_ROTATIONS; i++)
		len += snprintf(cmd + len, sizeof(cmd) - len, " %s",
				rotated[i]);
	snprintf(cmd + len, sizeof(cmd) - len, " %s >%s", r->log, all);
	for (i = 0; i < 600; i++) {
		ASSERT_EQ(0, system(cmd));
		n = kgd_lines(all, r->base, "load", &v, why, sizeof(why));
		if (n < 0 || n >= KGD_ROT_LOADS + 1)
			break;
		free(v);
		v = NULL;
		usleep(100000);
	}
	ASSERT_EQ(KGD_ROT_LOADS + 1, n) {
		TH_LOG("%s", why);
		show_stderr(_metadata, r);
	}
	EXPECT_TRUE(kgd_consecutive(v, n, r->base));
	free(v);
	/* The newest event is in the file opened last. */
	n = kgd_lines(r->log, r->base, "load", &v, why, sizeof(why));
	EXPECT_LT(0, n) TH_LOG("%s", why);
	free(v);
	EXPECT_EQ(gen, status().generation);
	EXPECT_EQ(1, kgd_stderr_count(r, "loaded modules checked"));
	EXPECT_EQ(0, kgd_stop(r)) show_stderr(_metadata, r);
}

TEST_HARNESS_MAIN
