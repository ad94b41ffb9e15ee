// SPDX-License-Identifier: GPL-2.0
/*
 * netlink_access_test: who may use the kabiguard generic netlink family.
 * Every state-changing command needs CAP_SYS_MODULE in the initial user
 * namespace: an unprivileged user and root of a child user namespace get
 * -EPERM, with an extended ACK naming the capability, and change nothing;
 * so does the policy dump (an unfinished dump holds the module:
 * guard_test), while GET_STATUS stays open to them. LOCK is tried by
 * them only, last.
 *
 * One of the netlink_*_test programs (netlink_fixture.h): root,
 * kabiguard.ko loaded.
 */
#include <errno.h>
#include <grp.h>
#include <sched.h>
#include <stdbool.h>
#include <sys/syscall.h>
#include <linux/capability.h>

#include "kselftest_harness.h"
#include "kg_selftest.h"
#include "netlink_fixture.h"

#define NOBODY		65534

/* ------------------------------------------------------------------ */
/* Callers without the capability                                     */

enum {
	U_OPEN,
	U_STATUS,
	U_DUMP,
	U_SET_MODE,
	U_BEGIN,
	U_ADD,
	U_COMMIT,
	U_ABORT,
	U_LOCK,
	U_NR
};

static const char * const u_names[U_NR] = {
	[U_OPEN] = "open", [U_STATUS] = "GET_STATUS", [U_DUMP] = "POLICY_GET",
	[U_SET_MODE] = "SET_MODE", [U_BEGIN] = "POLICY_BEGIN",
	[U_ADD] = "POLICY_ADD", [U_COMMIT] = "POLICY_COMMIT",
	[U_ABORT] = "POLICY_ABORT", [U_LOCK] = "LOCK",
};

/* What the child reports through a pipe. */
struct ures {
	char setup[256];	/* why it could not become the caller, or "" */
	bool skip;		/* setup failed for a reason that means SKIP */
	int r[U_NR];
	uint32_t status_nr_rules;
	uint64_t status_generation;
	size_t dump_nr;
	char extack[U_NR][256];
};

/*
 * Every command, in the child, as whoever it has become. SET_MODE asks for
 * the current mode and POLICY_ADD adds the base rule, so even a guard that
 * wrongly accepted them would change little; LOCK comes last.
 */
static void try_every_command(struct ures *u)
{
	struct kgc_client *c;
	struct kgc_status st;
	char *rules = NULL;
	int i;

	for (i = 0; i < U_NR; i++)
		u->r[i] = 1;	/* not tried */
	u->r[U_OPEN] = kgc_open(&c);
	if (u->r[U_OPEN])
		return;
	u->r[U_STATUS] = kgc_cmd_get_status(c, &st);
	u->status_nr_rules = st.nr_rules;
	u->status_generation = st.generation;
	u->r[U_DUMP] = dump_policy(c, &rules, &u->dump_nr);
	snprintf(u->extack[U_DUMP], sizeof(u->extack[U_DUMP]), "%s",
		 kgc_extack(c));
	free(rules);

#define TRY(idx, call) do {						\
		u->r[idx] = (call);					\
		snprintf(u->extack[idx], sizeof(u->extack[idx]), "%s",	\
			 kgc_extack(c));					\
	} while (0)
	TRY(U_SET_MODE, kgc_cmd_set_mode(c, u->r[U_STATUS] ? KABIGUARD_MODE_AUDIT :
				    st.mode));
	TRY(U_BEGIN, kgc_cmd_policy_begin(c));
	TRY(U_ADD, kgc_cmd_policy_add(c, base_policy, 1));
	TRY(U_COMMIT, kgc_cmd_policy_commit(c, NULL));
	TRY(U_ABORT, kgc_cmd_policy_abort(c));
	TRY(U_LOCK, kgc_cmd_lock(c));
#undef TRY
	kgc_close(c);
}

enum caller { NOBODY_USER, USERNS_ROOT };

static bool has_cap_sys_module(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = { 0 };

	if (syscall(SYS_capget, &hdr, data))
		return false;
	return data[CAP_SYS_MODULE / 32].effective &
	       (1U << (CAP_SYS_MODULE % 32));
}

/* Child: become caller, then try every command. */
static void become(enum caller who, struct ures *u)
{
	int err;

	if (who == NOBODY_USER) {
		if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
		    setresuid(NOBODY, NOBODY, NOBODY)) {
			snprintf(u->setup, sizeof(u->setup),
				 "dropping to uid %d: %s", NOBODY, strerror(errno));
			return;
		}
		if (geteuid() != NOBODY || getegid() != NOBODY ||
		    has_cap_sys_module()) {
			snprintf(u->setup, sizeof(u->setup),
				 "still privileged after dropping to %d", NOBODY);
			return;
		}
		return;
	}

	if (unshare(CLONE_NEWUSER)) {
		snprintf(u->setup, sizeof(u->setup),
			 "unshare(CLONE_NEWUSER): %s", strerror(errno));
		u->skip = errno == EINVAL || errno == ENOSPC ||
			  errno == EPERM || errno == EUSERS;
		return;
	}
	err = kg_t_write_file("/proc/self/setgroups", "deny");
	if (!err)
		err = kg_t_write_file("/proc/self/uid_map", "0 0 1");
	if (!err)
		err = kg_t_write_file("/proc/self/gid_map", "0 0 1");
	if (err) {
		snprintf(u->setup, sizeof(u->setup), "writing the id maps: %s",
			 strerror(-err));
		return;
	}
	/* Root with every capability, but only in its own namespace. */
	if (geteuid() != 0 || !has_cap_sys_module())
		snprintf(u->setup, sizeof(u->setup),
			 "not root with CAP_SYS_MODULE in the new user namespace");
}

static void run_as(struct __test_metadata *_metadata, enum caller who,
		   struct ures *u)
{
	int pfd[2], status;
	ssize_t n;
	pid_t pid;

	memset(u, 0, sizeof(*u));
	ASSERT_EQ(0, pipe(pfd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct ures cu;
		size_t off = 0;

		memset(&cu, 0, sizeof(cu));
		close(pfd[0]);
		become(who, &cu);
		if (!cu.setup[0])
			try_every_command(&cu);
		while (off < sizeof(cu)) {
			n = write(pfd[1], (char *)&cu + off, sizeof(cu) - off);
			if (n <= 0)
				_exit(1);
			off += n;
		}
		_exit(0);
	}
	close(pfd[1]);
	{
		size_t off = 0;

		while (off < sizeof(*u)) {
			n = read(pfd[0], (char *)u + off, sizeof(*u) - off);
			if (n <= 0)
				break;
			off += n;
		}
		close(pfd[0]);
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
			TH_LOG("child status 0x%x", status);
		ASSERT_EQ(sizeof(*u), off);
	}
}

static void check_refused(struct __test_metadata *_metadata,
			  struct kgc_client *c, enum caller who)
{
	struct snap before, after;
	struct ures u;
	int i;

	snap_take(_metadata, c, &before);
	ASSERT_FALSE(before.st.locked);
	ASSERT_FALSE(before.st.txn_open);

	run_as(_metadata, who, &u);
	if (u.skip)
		SKIP(goto out, "%s", u.setup);
	ASSERT_STREQ("", u.setup);

	/* The open commands work. */
	ASSERT_EQ(0, u.r[U_OPEN]) TH_LOG("kgc_open: %s", strerror(-u.r[U_OPEN]));
	EXPECT_EQ(0, u.r[U_STATUS]) TH_LOG("GET_STATUS: %s",
					   strerror(-u.r[U_STATUS]));
	EXPECT_EQ(before.st.generation, u.status_generation);
	EXPECT_EQ(before.st.nr_rules, u.status_nr_rules);
	/*
	 * The dump is refused too. Its reason comes from the dump's start
	 * callback, whose extack message older kernels drop (5.10 and 6.1:
	 * struct netlink_dump_control has no extack): when there is one, it
	 * must say why.
	 */
	EXPECT_EQ(-EPERM, u.r[U_DUMP]) TH_LOG("POLICY_GET: %s",
					      strerror(-u.r[U_DUMP]));
	EXPECT_EQ(0, u.dump_nr);
	if (u.extack[U_DUMP][0]) {
		EXPECT_NE(NULL, strstr(u.extack[U_DUMP], "CAP_SYS_MODULE"))
			TH_LOG("POLICY_GET: extack \"%s\"", u.extack[U_DUMP]);
	} else {
		TH_LOG("POLICY_GET: EPERM, no extack message (this kernel drops a dump start's)");
	}

	/* Every state-changing one is refused, and says why. */
	for (i = U_SET_MODE; i < U_NR; i++) {
		EXPECT_EQ(-EPERM, u.r[i])
			TH_LOG("%s: %d (%s), extack \"%s\"", u_names[i], u.r[i],
			       u.r[i] < 0 ? strerror(-u.r[i]) : "",
			       u.extack[i]);
		EXPECT_NE(NULL, strstr(u.extack[i], "CAP_SYS_MODULE"))
			TH_LOG("%s: extack \"%s\"", u_names[i], u.extack[i]);
	}

	snap_take(_metadata, c, &after);
	expect_same_policy(_metadata, &before, &after);
	EXPECT_FALSE(after.st.locked);
	EXPECT_FALSE(after.st.txn_open);
	snap_free(&after);
out:
	snap_free(&before);
}

TEST_F(nl, unprivileged_user_refused)
{
	check_refused(_metadata, self->c, NOBODY_USER);
}

TEST_F(nl, userns_root_refused)
{
	check_refused(_metadata, self->c, USERNS_ROOT);
}

TEST_HARNESS_MAIN
