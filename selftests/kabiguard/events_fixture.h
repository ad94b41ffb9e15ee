/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the events_*_test programs share: the fixture "ev" (a control and
 * an events socket, audit mode, a policy allowing kg_exporter and
 * kg_plain_a; the kernel log's rate limit lifted) and the load helpers.
 * In the VM as root with kabiguard.ko loaded with a small ring_size
 * (run_vm_tests.sh uses 16).
 *
 * The programs, one concern each (see their headers), run in this order
 * in one load of kabiguard.ko:
 *   events_fields_test  what an event says: sequence, kind, timestamps,
 *                       the loading process
 *   events_ring_test    the event ring (KABIGUARD_CMD_EVENTS_GET) and its
 *                       overflow counts
 *   events_scan_test    scans of loaded modules (KABIGUARD_CMD_SCAN), and
 *                       who may scan, read the ring and follow events
 *   events_bounds_test  hostile events, bounded and escaped
 *
 * Include after kselftest_harness.h and kg_selftest.h, in one file per
 * program: the fixture's functions are defined here.
 */
#ifndef EVENTS_FIXTURE_H
#define EVENTS_FIXTURE_H

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define EXPORTER	"kg_exporter"
#define CONSUMER_OK	"kg_consumer_ok"
#define CONSUMER_FORB	"kg_consumer_forbidden"

static const struct kgc_rule base_rules[] = {
	KG_R_VMLINUX,
	KG_R_SYM("kg_plain_a", .exporter = EXPORTER),
};

struct seqs {
	uint64_t seq[256];
	char module[256][KABIGUARD_MODNAME_MAX];
	size_t nr;
};

static inline int collect(const struct kgc_event *ev, void *arg)
{
	struct seqs *s = arg;

	if (s->nr < ARRAY_SIZE(s->seq)) {
		s->seq[s->nr] = ev->seq;
		snprintf(s->module[s->nr], sizeof(s->module[0]), "%s",
			 ev->module);
	}
	s->nr++;
	return 0;
}

FIXTURE(ev) {
	struct kgc_client *c;
	struct kgc_client *evc;
	uint64_t gen;
};

FIXTURE_SETUP(ev)
{
	struct kgc_policy p = { 0 };
	size_t i;

	/*
	 * These tests read the verdicts' kernel log lines: the log's rate
	 * limit (flood_test's subject) must not hide them after a burst.
	 */
	ASSERT_EQ(0, kg_t_param_write_ull("log_burst", 10000));

	ASSERT_EQ(0, kgc_open(&self->c));
	for (i = 0; i < ARRAY_SIZE(base_rules); i++)
		ASSERT_EQ(0, kgc_policy_append(&p, &base_rules[i]));
	ASSERT_EQ(0, kgc_policy_push(self->c, &p, &self->gen))
		TH_LOG("push: %s", kgc_extack(self->c));
	kgc_policy_free(&p);
	ASSERT_EQ(0, kgc_cmd_set_mode(self->c, KABIGUARD_MODE_AUDIT));
	if (!kg_t_loaded(EXPORTER))
		ASSERT_EQ(0, kg_t_load(EXPORTER));
	ASSERT_EQ(0, kgc_events_open(&self->evc));
}

FIXTURE_TEARDOWN(ev)
{
	kg_t_unload(CONSUMER_OK);
	kg_t_unload(CONSUMER_FORB);
	kgc_close(self->evc);
	kgc_close(self->c);
}

/* Load and unload @name, returning its verdict event's sequence number. */
static inline uint64_t load_once(struct __test_metadata *_metadata,
				 FIXTURE_DATA(ev) *self, const char *name)
{
	struct kgc_event ev;
	uint64_t seq;

	ASSERT_EQ(0, kg_t_load(name));
	ASSERT_EQ(0, kg_t_unload(name));
	ASSERT_EQ(1, kg_t_event_for(self->evc, name, &ev, KG_EVENT_TIMEOUT_MS));
	seq = ev.seq;
	kgc_event_free(&ev);
	return seq;
}

/* Child pid loaded CONSUMER_OK and exited 0: its event in *ev. */
static inline void child_load_event(struct __test_metadata *_metadata,
				    FIXTURE_DATA(ev) *self, pid_t pid,
				    struct kgc_event *ev)
{
	int st;

	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st));
	ASSERT_EQ(0, WEXITSTATUS(st));
	ASSERT_EQ(1, kg_t_event_for(self->evc, CONSUMER_OK, ev,
				    KG_EVENT_TIMEOUT_MS));
	EXPECT_EQ((uint32_t)pid, ev->pid);
}

/* Reads a whole small file; returns its length or -1. */
static inline ssize_t read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	return n;
}

#endif /* EVENTS_FIXTURE_H */
