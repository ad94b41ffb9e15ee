// SPDX-License-Identifier: GPL-2.0
/*
 * lock_test: KABIGUARD_CMD_LOCK, which lasts until reboot.
 *
 * Needs a freshly loaded kabiguard.ko in a VM boot of its own: the tests
 * run in order and build on each other (the harness runs them one after
 * the other in declaration order), and after them the module can no longer
 * be changed or unloaded, nor its parameters written. The dummy modules
 * come from KG_TEST_MODULES.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "kg_selftest.h"

static void get_status(struct __test_metadata *_metadata,
		       struct kgc_client *c, struct kgc_status *st)
{
	int err;

	memset(st, 0, sizeof(*st));
	err = kgc_cmd_get_status(c, st);
	ASSERT_EQ(0, err) TH_LOG("get status: %s", strerror(-err));
}

FIXTURE(lock) {
	struct kgc_client *c;
	struct kgc_status st;
};

FIXTURE_SETUP(lock)
{
	int err = kgc_open(&self->c);

	ASSERT_EQ(0, err) TH_LOG("kgc_open: %s", strerror(-err));
	get_status(_metadata, self->c, &self->st);
}

FIXTURE_TEARDOWN(lock)
{
	kgc_close(self->c);
}

/* Enforce mode needs a committed policy (an empty one denies all). */
TEST_F(lock, enforce_before_commit)
{
	struct kgc_status st;

	ASSERT_EQ(0, self->st.generation)
		TH_LOG("not a fresh kabiguard: reload it first");
	ASSERT_FALSE(self->st.locked);
	EXPECT_EQ(-ENOENT, kgc_cmd_set_mode(self->c, KABIGUARD_MODE_ENFORCE));
	get_status(_metadata, self->c, &st);
	EXPECT_EQ(self->st.mode, st.mode);
	EXPECT_NE(KABIGUARD_MODE_ENFORCE, st.mode);
	EXPECT_EQ(0, st.generation);
}

/* Allow kg_plain_a only, enforce, lock. */
TEST_F(lock, push_enforce_lock)
{
	struct kgc_rule rules[] = { KG_R_VMLINUX, KG_R_SYM("kg_plain_a") };
	struct kgc_policy p = { .rules = rules, .nr = 2, .cap = 2 };
	struct kgc_status st;
	uint64_t gen = 0;
	int err;

	ASSERT_FALSE(self->st.locked);
	err = kgc_policy_push(self->c, &p, &gen);
	ASSERT_EQ(0, err) TH_LOG("push: %s (%s)", strerror(-err),
				 kgc_extack(self->c));
	ASSERT_NE(0, gen);
	ASSERT_EQ(0, kgc_cmd_set_mode(self->c, KABIGUARD_MODE_ENFORCE));
	err = kgc_cmd_lock(self->c);
	ASSERT_EQ(0, err) TH_LOG("lock: %s (%s)", strerror(-err),
				 kgc_extack(self->c));
	get_status(_metadata, self->c, &st);
	EXPECT_TRUE(st.locked);
	EXPECT_EQ(KABIGUARD_MODE_ENFORCE, st.mode);
	EXPECT_EQ(gen, st.generation);
	EXPECT_EQ(2, st.nr_rules);
}

/* The tests below need the lock taken by push_enforce_lock. */
#define ASSERT_LOCKED()							\
	do {								\
		ASSERT_TRUE(self->st.locked)				\
			TH_LOG("kabiguard is not locked");		\
		ASSERT_EQ(KABIGUARD_MODE_ENFORCE, self->st.mode);	\
	} while (0)

TEST_F(lock, set_mode_eperm)
{
	struct kgc_status st;

	ASSERT_LOCKED();
	EXPECT_EQ(-EPERM, kgc_cmd_set_mode(self->c, KABIGUARD_MODE_OFF));
	EXPECT_EQ(-EPERM, kgc_cmd_set_mode(self->c, KABIGUARD_MODE_AUDIT));
	EXPECT_EQ(-EPERM, kgc_cmd_set_mode(self->c, KABIGUARD_MODE_ENFORCE));
	get_status(_metadata, self->c, &st);
	EXPECT_EQ(KABIGUARD_MODE_ENFORCE, st.mode);
	EXPECT_TRUE(st.locked);
}

TEST_F(lock, policy_begin_eperm)
{
	struct kgc_status st;

	ASSERT_LOCKED();
	EXPECT_EQ(-EPERM, kgc_cmd_policy_begin(self->c));
	get_status(_metadata, self->c, &st);
	EXPECT_FALSE(st.txn_open);
	EXPECT_EQ(self->st.generation, st.generation);
	EXPECT_EQ(self->st.nr_rules, st.nr_rules);
}

TEST_F(lock, policy_push_eperm)
{
	struct kgc_rule rules[] = { KG_R_ANY() };
	struct kgc_policy p = { .rules = rules, .nr = 1, .cap = 1 };
	struct kgc_status st;
	uint64_t gen = 0;

	ASSERT_LOCKED();
	EXPECT_EQ(-EPERM, kgc_policy_push(self->c, &p, &gen));
	get_status(_metadata, self->c, &st);
	EXPECT_EQ(self->st.generation, st.generation);
	EXPECT_EQ(self->st.nr_rules, st.nr_rules);
}

TEST_F(lock, lock_again_eperm)
{
	ASSERT_LOCKED();
	EXPECT_EQ(-EPERM, kgc_cmd_lock(self->c));
}

/* The locked policy can still be read by anyone. */
static int count_rule(const struct kgc_rule *rule, uint64_t generation,
		      void *arg)
{
	(void)rule;
	(void)generation;
	(*(unsigned int *)arg)++;
	return 0;
}

TEST_F(lock, policy_dump)
{
	unsigned int n = 0;

	ASSERT_LOCKED();
	EXPECT_EQ(0, kgc_cmd_policy_get(self->c, count_rule, &n));
	EXPECT_EQ(self->st.nr_rules, n);
}

/*
 * The lock pins the module: delete_module(2) finds its reference count
 * raised and fails with EWOULDBLOCK (= EAGAIN), which rmmod reports as
 * "Module kabiguard is in use".
 */
TEST_F(lock, delete_module_busy)
{
	ASSERT_LOCKED();
	EXPECT_EQ(-1, syscall(SYS_delete_module, "kabiguard", O_NONBLOCK));
	EXPECT_EQ(EWOULDBLOCK, errno);
	EXPECT_TRUE(kg_t_loaded("kabiguard"));
}

/*
 * Every module parameter is sealed: a write fails (EPERM for the ones
 * writable before the lock) and the value stays. Each is tried with a
 * value that would be accepted unlocked.
 */
TEST_F(lock, params_sealed)
{
	static const struct {
		const char *name, *val;
		bool writable;	/* before the lock */
	} known[] = {
		{ "max_rules", "7", true }, { "ring_bytes", "4096", true },
		{ "test_nomem", "1", true }, { "ring_size", "16", false },
		{ "mode", "off", false }, { "log_burst", "7", true },
		{ "log_interval", "7", true },
	};
	char path[PATH_MAX], before[64], after[64];
	unsigned int i, seen = 0;
	struct dirent *de;
	DIR *dir;
	int fd;

	ASSERT_LOCKED();
	for (i = 0; i < ARRAY_SIZE(known); i++) {
		ssize_t n = strlen(known[i].val), w;

		ASSERT_EQ(0, kg_t_param_read_text(known[i].name, before,
						  sizeof(before)))
			TH_LOG("%s", known[i].name);
		snprintf(path, sizeof(path),
			 "/sys/module/kabiguard/parameters/%s", known[i].name);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		w = fd < 0 ? -1 : write(fd, known[i].val, n);
		EXPECT_EQ(-1, w) TH_LOG("%s=%s was written", known[i].name,
					known[i].val);
		if (known[i].writable)
			EXPECT_EQ(EPERM, errno) TH_LOG("%s: %s", known[i].name,
						       strerror(errno));
		if (fd >= 0)
			close(fd);
		ASSERT_EQ(0, kg_t_param_read_text(known[i].name, after,
						  sizeof(after)));
		EXPECT_STREQ(before, after) TH_LOG("%s", known[i].name);
	}
	/* No parameter this test does not know of. */
	dir = opendir("/sys/module/kabiguard/parameters");
	ASSERT_NE(NULL, dir);
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		seen++;
		for (i = 0; i < ARRAY_SIZE(known); i++)
			if (!strcmp(de->d_name, known[i].name))
				break;
		EXPECT_LT(i, ARRAY_SIZE(known))
			TH_LOG("parameter %s is not checked here", de->d_name);
	}
	closedir(dir);
	EXPECT_EQ(ARRAY_SIZE(known), seen);
}

/* Locked, the guard still decides: kg_plain_a loads, kg_plain_b does not. */
TEST_F(lock, still_enforces)
{
	struct kgc_status before, after;
	unsigned int allowed = 1;

	ASSERT_LOCKED();
	get_status(_metadata, self->c, &before);
	if (!kg_t_loaded("kg_exporter")) {
		ASSERT_EQ(0, kg_t_load("kg_exporter"));
		allowed++;
	}
	EXPECT_EQ(EPERM, kg_t_load("kg_consumer_forbidden"));
	EXPECT_FALSE(kg_t_loaded("kg_consumer_forbidden"));
	EXPECT_EQ(0, kg_t_load("kg_consumer_ok"));
	EXPECT_TRUE(kg_t_loaded("kg_consumer_ok"));
	get_status(_metadata, self->c, &after);
	EXPECT_EQ(before.denied + 1, after.denied);
	EXPECT_EQ(before.allowed + allowed, after.allowed);
	kg_t_unload("kg_consumer_ok");
}

int main(int argc, char **argv)
{
	kg_t_require_guard();
	return test_harness_run(argc, argv);
}
