// SPDX-License-Identifier: GPL-2.0
/*
 * daemon_scan_test: modules loaded before the policy. kabiguardd's retro
 * scan checks them against it (events of kind scan); kabiguardctl scan
 * does the same on demand.
 *
 * One of the daemon_*_test programs (daemon_fixture.h): root,
 * kabiguard.ko loaded, kabiguardd in PATH.
 */
#include "kselftest_harness.h"
#include "kg_selftest.h"
#include "daemon_fixture.h"

/*
 * Modules loaded before the policy: the retro scan checks them against it
 * (events of kind scan); kabiguardctl scan does the same on demand.
 */
TEST_F_TIMEOUT(daemon, retro_scan, 180)
{
	struct kgd_run *r = &self->r;
	struct kj *v = NULL;
	char why[256] = "";
	uint64_t gen;
	int n, i, found = 0;

	/* The scanner reads loaded modules' files through modules.dep. */
	ASSERT_EQ(0, system("modinfo -n kg_consumer_forbidden >/dev/null 2>&1"))
		TH_LOG("test modules not in modules.dep (run_vm_tests.sh "
		       "installs them in /lib/modules/KVER/extra)");
	kgd_setup(r, NULL);
	ASSERT_EQ(0, kg_t_load("kg_exporter"));
	ASSERT_EQ(0, kg_t_load("kg_consumer_forbidden"));
	r->base = ring_next();
	ASSERT_EQ(0, kgd_start(r)) show_stderr(_metadata, r);
	gen = status().generation;
	ASSERT_TRUE(kgd_wait_stderr(r, "retro scan: ")) show_stderr(_metadata, r);
	n = kgd_wait_lines(r, "scan", 2, &v, why, sizeof(why));
	ASSERT_LE(2, n) show_stderr(_metadata, r);
	for (i = 0; i < n; i++) {
		EXPECT_TRUE(kj_is(&v[i], "kind", "scan"));
		EXPECT_EQ(gen, kj_u64(&v[i], "generation"));
		EXPECT_TRUE(kj_is(&v[i], "pid", "null"));
		if (kj_is(&v[i], "module", "kg_consumer_forbidden")) {
			found++;
			EXPECT_TRUE(kj_is(&v[i], "verdict", "audited"));
			EXPECT_TRUE(kj_is(&v[i], "violations.0.symbol",
					  "kg_plain_b"));
			EXPECT_EQ(1, kj_u64(&v[i], "nr_violations"));
		}
		if (kj_is(&v[i], "module", "kg_exporter")) {
			found++;
			EXPECT_TRUE(kj_is(&v[i], "verdict", "allowed"));
		}
	}
	EXPECT_EQ(2, found);
	free(v);

	/* On demand: exit 6, a module has violations. */
	r->base = ring_next();
	EXPECT_EQ(6 << 8, system("kabiguardctl scan kg-consumer-forbidden "
				 ">/dev/null"));
	n = kgd_wait_lines(r, "scan", 1, &v, why, sizeof(why));
	ASSERT_EQ(1, n);
	EXPECT_TRUE(kj_is(&v[0], "kind", "scan"));
	EXPECT_TRUE(kj_is(&v[0], "module", "kg_consumer_forbidden"));
	free(v);
	EXPECT_EQ(0, kgd_stop(r)) show_stderr(_metadata, r);
}

TEST_HARNESS_MAIN
