// SPDX-License-Identifier: GPL-2.0
/*
 * netlink_test: the kabiguard generic netlink family as an interface.
 *
 * Runs as root with kabiguard.ko loaded and the dummy modules of
 * test_modules/ in KG_TEST_MODULES (/kabiguard/test_modules in the VM).
 * What it pins, with exact errnos (include/uapi/linux/kabiguard.h):
 *
 *  - every state-changing command needs CAP_SYS_MODULE in the initial user
 *    namespace: an unprivileged user and root of a child user namespace
 *    get -EPERM and change nothing, and so does the policy dump (an
 *    unfinished dump holds the module: guard_test), while GET_STATUS
 *    stays open to them;
 *  - malformed and oversized attributes fail with -EINVAL (-ERANGE for an
 *    enum out of range, -EOPNOTSUPP for unknown flag bits) and an extended
 *    ACK, and change neither the active
 *    policy nor the open transaction; a POLICY_ADD batch is all or nothing;
 *  - a transaction belongs to its socket: others get -EBUSY/-ENOENT, and
 *    closing the socket (or dying) aborts it;
 *  - the max_rules cap (-E2BIG);
 *  - every verdict is computed against exactly one committed policy, even
 *    while commits race with module loads;
 *  - GET_STATUS: mode, generation, features, rule and verdict counters.
 *
 * Nothing here locks kabiguard (KABIGUARD_CMD_LOCK is sent only by
 * unprivileged callers, which must be refused). Each test leaves audit
 * mode and a plain "any from=vmlinux" policy behind.
 *
 * Malformed messages are built by hand (a few TLV helpers below) and sent
 * with kgc_send_msg(), so that the library's own checks never hide what the
 * kernel does.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/netlink.h>

#if __has_include(<netlink/genl/genl.h>)
#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/socket.h>
#include <netlink/genl/genl.h>
#else
/*
 * The Makefile may not pass libnl's include directory (pkg-config
 * --cflags): these are the few libnl-3 calls used here, whose ABI has not
 * changed since libnl 3.0.
 */
struct nl_msg;
struct nl_sock;
#define NL_AUTO_PORT	0
#define NL_AUTO_SEQ	0
struct nl_msg *nlmsg_alloc_size(size_t max);
void nlmsg_free(struct nl_msg *msg);
int nlmsg_append(struct nl_msg *msg, void *data, size_t len, int pad);
void *genlmsg_put(struct nl_msg *msg, uint32_t port, uint32_t seq, int family,
		  int hdrlen, int flags, uint8_t cmd, uint8_t version);
uint32_t nl_socket_get_local_port(const struct nl_sock *sk);
#endif

#include "kselftest_harness.h"
#include "kg_selftest.h"

#define EXPORTER	"kg_exporter"
#define CONSUMER_OK	"kg_consumer_ok"
#define CONSUMER_FORB	"kg_consumer_forbidden"
#define TEST_NS		"KABIGUARD_TEST"
#define NOBODY		65534
#define MAX_RULES_PARAM	"/sys/module/kabiguard/parameters/max_rules"
/* Above this, filling a transaction to max_rules is too slow under TCG. */
#define MAX_RULES_TESTABLE	20000
/* What the max_rules test lowers a larger max_rules to, for its run. */
#define MAX_RULES_TEST		2000
/* Loads of kg_consumer_forbidden while policies are swapped. */
#define SWAP_LOADS		100

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* ------------------------------------------------------------------ */
/* Hand-made attributes                                                */

struct attrs {
	unsigned char buf[16384];
	size_t len;
};

static size_t a_put(struct attrs *a, uint16_t type, const void *data,
		    size_t len)
{
	struct nlattr *nla = (struct nlattr *)(a->buf + a->len);
	size_t off = a->len;

	if (a->len + NLA_HDRLEN + NLA_ALIGN(len) > sizeof(a->buf))
		abort();
	nla->nla_type = type;
	nla->nla_len = NLA_HDRLEN + len;
	memset((char *)nla + NLA_HDRLEN, 0, NLA_ALIGN(len));
	if (len)
		memcpy((char *)nla + NLA_HDRLEN, data, len);
	a->len += NLA_HDRLEN + NLA_ALIGN(len);
	return off;
}

static void a_u32(struct attrs *a, uint16_t type, uint32_t v)
{
	a_put(a, type, &v, sizeof(v));
}

/* A string with its NUL. */
static void a_str(struct attrs *a, uint16_t type, const char *s)
{
	a_put(a, type, s, strlen(s) + 1);
}

/* Nests carry NLA_F_NESTED, as strict validation requires. */
static size_t a_nest(struct attrs *a, uint16_t type)
{
	return a_put(a, type | NLA_F_NESTED, NULL, 0);
}

static void a_end(struct attrs *a, size_t off)
{
	((struct nlattr *)(a->buf + off))->nla_len = a->len - off;
}

/* A whole rule: kind, then optional name and exporter. */
static void a_rule(struct attrs *a, uint32_t kind, const char *name,
		   const char *exporter)
{
	size_t n = a_nest(a, KABIGUARD_A_RULE);

	a_u32(a, KABIGUARD_RULE_A_KIND, kind);
	if (name)
		a_str(a, KABIGUARD_RULE_A_NAME, name);
	if (exporter)
		a_str(a, KABIGUARD_RULE_A_EXPORTER, exporter);
	a_end(a, n);
}

/* Sends cmd with the attributes a (may be NULL): the kernel's errno. */
static int send_raw(struct kgc_client *c, uint8_t cmd, struct attrs *a)
{
	struct nl_msg *msg;
	int ret;

	msg = nlmsg_alloc_size(sizeof(a->buf) + 4096);
	if (!msg)
		return -ENOMEM;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, kgc_family(c), 0, 0,
			 cmd, KABIGUARD_GENL_VERSION)) {
		ret = -EMSGSIZE;
		goto out;
	}
	if (a && a->len && nlmsg_append(msg, a->buf, a->len, NLMSG_ALIGNTO) < 0) {
		ret = -EMSGSIZE;
		goto out;
	}
	ret = kgc_send_msg(c, msg);
out:
	nlmsg_free(msg);
	return ret;
}

/* ------------------------------------------------------------------ */
/* State snapshots                                                     */

/*
 * What "no change" means: mode, generation, rule counts and the dumped
 * rules (one native-format line each, sorted), plus the transaction.
 */
struct snap {
	struct kgc_status st;
	size_t nr_dumped;
	char *rules;	/* "line\nline\n", sorted */
};

struct lines {
	char **v;
	size_t nr, cap;
};

static int dump_cb(const struct kgc_rule *r, uint64_t generation, void *arg)
{
	struct lines *l = arg;
	char buf[1024];

	(void)generation;
	if (l->nr == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		char **v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	kgc_rule_format(r, buf, sizeof(buf));
	l->v[l->nr] = strdup(buf);
	if (!l->v[l->nr])
		return -ENOMEM;
	l->nr++;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char * const *)a, *(char * const *)b);
}

static void lines_free(struct lines *l)
{
	size_t i;

	for (i = 0; i < l->nr; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Joins sorted lines into one malloc'ed string. */
static char *lines_join(struct lines *l)
{
	size_t i, len = 1;
	char *s, *p;

	qsort(l->v, l->nr, sizeof(*l->v), cmp_str);
	for (i = 0; i < l->nr; i++)
		len += strlen(l->v[i]) + 1;
	s = p = malloc(len);
	if (!s)
		return NULL;
	*p = '\0';
	for (i = 0; i < l->nr; i++)
		p += sprintf(p, "%s\n", l->v[i]);
	return s;
}

/* The active policy as sorted lines; restarts an interrupted dump. */
static int dump_policy(struct kgc_client *c, char **out, size_t *nr)
{
	struct lines l = { 0 };
	int tries, ret = -EAGAIN;

	for (tries = 0; tries < 10 && ret == -EAGAIN; tries++) {
		lines_free(&l);
		ret = kgc_cmd_policy_get(c, dump_cb, &l);
	}
	if (!ret) {
		*nr = l.nr;
		*out = lines_join(&l);
		if (!*out)
			ret = -ENOMEM;
	}
	lines_free(&l);
	return ret;
}

static void get_status(struct __test_metadata *_metadata,
		       struct kgc_client *c, struct kgc_status *st)
{
	int err = kgc_cmd_get_status(c, st);

	ASSERT_EQ(0, err) TH_LOG("get status: %s", strerror(-err));
}

static void snap_take(struct __test_metadata *_metadata, struct kgc_client *c,
		      struct snap *s)
{
	int err;

	memset(s, 0, sizeof(*s));
	get_status(_metadata, c, &s->st);
	err = dump_policy(c, &s->rules, &s->nr_dumped);
	ASSERT_EQ(0, err) TH_LOG("policy dump: %s", strerror(-err));
	ASSERT_EQ(s->st.nr_rules, s->nr_dumped);
}

static void snap_free(struct snap *s)
{
	free(s->rules);
	s->rules = NULL;
}

/* Active policy and mode of b are those of a. */
static void expect_same_policy(struct __test_metadata *_metadata,
			       const struct snap *a, const struct snap *b)
{
	EXPECT_EQ(a->st.mode, b->st.mode);
	EXPECT_EQ(a->st.generation, b->st.generation);
	EXPECT_EQ(a->st.locked, b->st.locked);
	EXPECT_EQ(a->st.nr_rules, b->st.nr_rules);
	EXPECT_EQ(a->st.nr_symbol, b->st.nr_symbol);
	EXPECT_EQ(a->st.nr_namespace, b->st.nr_namespace);
	EXPECT_EQ(a->st.nr_any, b->st.nr_any);
	EXPECT_STREQ(a->rules, b->rules);
}

/* The sorted native-format text of rules, as a dump would give it. */
static char *rules_text(const struct kgc_rule *rules, size_t nr)
{
	struct lines l = { 0 };
	char *s = NULL;
	size_t i;

	for (i = 0; i < nr; i++)
		if (dump_cb(&rules[i], 0, &l))
			goto out;
	s = lines_join(&l);
out:
	lines_free(&l);
	return s;
}

/* ------------------------------------------------------------------ */
/* Policy and module helpers                                           */

static uint64_t push(struct __test_metadata *_metadata, struct kgc_client *c,
		     const struct kgc_rule *rules, size_t nr)
{
	struct kgc_policy p = {
		.rules = (struct kgc_rule *)rules, .nr = nr, .cap = nr,
	};
	uint64_t gen = 0;
	int err;

	err = kgc_policy_push(c, &p, &gen);
	ASSERT_EQ(0, err) TH_LOG("policy push: %s (%s)", strerror(-err),
				 kgc_extack(c));
	ASSERT_NE(0, gen);
	return gen;
}

static void set_mode(struct __test_metadata *_metadata, struct kgc_client *c,
		     enum kabiguard_mode mode)
{
	int err = kgc_cmd_set_mode(c, mode);

	ASSERT_EQ(0, err) TH_LOG("set mode %s: %s (%s)", kg_t_mode_text(mode),
				 strerror(-err), kgc_extack(c));
}

static const struct kgc_rule base_policy[] = { KG_R_VMLINUX };

/* Audit mode and "any from=vmlinux": what every test leaves behind. */
static void restore(struct kgc_client *c)
{
	struct kgc_policy p = {
		.rules = (struct kgc_rule *)base_policy, .nr = 1, .cap = 1,
	};

	if (!c)
		return;
	kgc_cmd_policy_abort(c);
	kgc_policy_push(c, &p, NULL);
	kgc_cmd_set_mode(c, KABIGUARD_MODE_AUDIT);
}

/* kg_exporter loaded, in audit mode under the base policy. */
static void load_exporter(struct __test_metadata *_metadata,
			  struct kgc_client *c)
{
	int err;

	if (kg_t_loaded(EXPORTER))
		return;
	push(_metadata, c, base_policy, 1);
	set_mode(_metadata, c, KABIGUARD_MODE_AUDIT);
	err = kg_t_load(EXPORTER);
	ASSERT_EQ(0, err) TH_LOG("load %s: %s", EXPORTER, strerror(err));
}

static uint32_t local_port(struct kgc_client *c)
{
	return nl_socket_get_local_port(kgc_sock(c));
}

static int read_param(const char *path, unsigned long *val)
{
	char buf[64];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	*val = strtoul(buf, NULL, 0);
	return 0;
}

static int write_param(const char *path, unsigned long val)
{
	char buf[64];
	int fd, n, ret = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = snprintf(buf, sizeof(buf), "%lu\n", val);
	if (write(fd, buf, n) != n)
		ret = -errno;
	close(fd);
	return ret;
}

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

static int write_file(const char *path, const char *s)
{
	int fd, ret = 0;
	ssize_t len = strlen(s);

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, s, len) != len)
		ret = -errno;
	close(fd);
	return ret;
}

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
	err = write_file("/proc/self/setgroups", "deny");
	if (!err)
		err = write_file("/proc/self/uid_map", "0 0 1");
	if (!err)
		err = write_file("/proc/self/gid_map", "0 0 1");
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

/* ------------------------------------------------------------------ */
/* Fixture: a control socket, audit mode, a known two-rule policy       */

static const struct kgc_rule p0_rules[] = {
	KG_R_VMLINUX,
	KG_R_SYM("kg_plain_a", .exporter = EXPORTER),
};

FIXTURE(nl) {
	struct kgc_client *c;
	struct kgc_client *evc;
	uint64_t p0_gen;
	pid_t child;
	unsigned long saved_max_rules;
};

FIXTURE_SETUP(nl)
{
	int err;

	self->child = 0;
	self->saved_max_rules = 0;
	self->evc = NULL;
	err = kgc_open(&self->c);
	ASSERT_EQ(0, err) TH_LOG("kgc_open: %s (is kabiguard.ko loaded?)",
				 strerror(-err));
	self->p0_gen = push(_metadata, self->c, p0_rules, ARRAY_SIZE(p0_rules));
	set_mode(_metadata, self->c, KABIGUARD_MODE_AUDIT);
}

FIXTURE_TEARDOWN(nl)
{
	if (self->child > 0) {
		kill(self->child, SIGKILL);
		waitpid(self->child, NULL, 0);
	}
	if (self->saved_max_rules)
		write_param(MAX_RULES_PARAM, self->saved_max_rules);
	kg_t_unload(CONSUMER_OK);
	kg_t_unload(CONSUMER_FORB);
	restore(self->c);
	kgc_close(self->evc);
	kgc_close(self->c);
}

TEST_F(nl, unprivileged_user_refused)
{
	check_refused(_metadata, self->c, NOBODY_USER);
}

TEST_F(nl, userns_root_refused)
{
	check_refused(_metadata, self->c, USERNS_ROOT);
}

/* ------------------------------------------------------------------ */
/* Malformed requests                                                  */

/*
 * Each variant builds one bad request. The fixture opens a transaction
 * holding two valid rules first; after the rejection the active policy,
 * the mode and the transaction must be as they were, and committing gives
 * exactly the two valid rules.
 */
FIXTURE(bad) {
	struct kgc_client *c;
	struct snap before;
	char long_ok[KABIGUARD_SYMBOL_MAX];	/* the longest valid name */
	struct kgc_rule valid[2];
};

FIXTURE_VARIANT(bad) {
	uint8_t cmd;
	void (*build)(struct attrs *a);
	int err;
	const char *extack;	/* a substring the message must hold, or NULL */
};

static const struct kgc_rule p1_rules[] = {
	KG_R_VMLINUX,
	KG_R_SYM("kg_plain_a", .exporter = EXPORTER),
	KG_R_NS(TEST_NS),
	KG_R_SYM("kg_plain_b", .flags = KABIGUARD_RULE_F_NS_PINNED),
};

FIXTURE_SETUP(bad)
{
	int err;

	memset(&self->before, 0, sizeof(self->before));
	err = kgc_open(&self->c);
	ASSERT_EQ(0, err) TH_LOG("kgc_open: %s", strerror(-err));
	push(_metadata, self->c, p1_rules, ARRAY_SIZE(p1_rules));
	set_mode(_metadata, self->c, KABIGUARD_MODE_AUDIT);
	snap_take(_metadata, self->c, &self->before);

	/* KABIGUARD_SYMBOL_MAX - 1 characters: the longest name accepted. */
	memset(self->long_ok, 'k', sizeof(self->long_ok) - 1);
	self->long_ok[sizeof(self->long_ok) - 1] = '\0';
	self->valid[0] = (struct kgc_rule)KG_R_SYM(self->long_ok,
						  .exporter = EXPORTER);
	self->valid[1] = (struct kgc_rule)KG_R_ANY(.module = "kg_consumer_ok",
						  .flags = KABIGUARD_RULE_F_SIGNED_ONLY);
	err = kgc_cmd_policy_begin(self->c);
	ASSERT_EQ(0, err) TH_LOG("begin: %s (%s)", strerror(-err),
				 kgc_extack(self->c));
	err = kgc_cmd_policy_add(self->c, self->valid, ARRAY_SIZE(self->valid));
	ASSERT_EQ(0, err) TH_LOG("add: %s (%s)", strerror(-err),
				 kgc_extack(self->c));
}

FIXTURE_TEARDOWN(bad)
{
	snap_free(&self->before);
	restore(self->c);
	kgc_close(self->c);
}

static void b_name_too_long(struct attrs *a)
{
	char name[KABIGUARD_SYMBOL_MAX + 1];
	size_t n = a_nest(a, KABIGUARD_A_RULE);

	memset(name, 'x', KABIGUARD_SYMBOL_MAX);
	name[KABIGUARD_SYMBOL_MAX] = '\0';
	a_u32(a, KABIGUARD_RULE_A_KIND, KABIGUARD_RULE_SYMBOL);
	a_str(a, KABIGUARD_RULE_A_NAME, name);
	a_end(a, n);
}

static void b_name_no_nul(struct attrs *a)
{
	size_t n = a_nest(a, KABIGUARD_A_RULE);

	a_u32(a, KABIGUARD_RULE_A_KIND, KABIGUARD_RULE_SYMBOL);
	a_put(a, KABIGUARD_RULE_A_NAME, "kg_plain_b", strlen("kg_plain_b"));
	a_end(a, n);
}

static void b_name_empty(struct attrs *a)
{
	a_rule(a, KABIGUARD_RULE_SYMBOL, "", NULL);
}

static void b_ns_name_too_long(struct attrs *a)
{
	char name[KABIGUARD_NAMESPACE_MAX + 1];

	memset(name, 'N', KABIGUARD_NAMESPACE_MAX);
	name[KABIGUARD_NAMESPACE_MAX] = '\0';
	a_rule(a, KABIGUARD_RULE_NAMESPACE, name, NULL);
}

static void b_ns_attr_too_long(struct attrs *a)
{
	char ns[KABIGUARD_NAMESPACE_MAX + 1];
	size_t n = a_nest(a, KABIGUARD_A_RULE);

	memset(ns, 'N', KABIGUARD_NAMESPACE_MAX);
	ns[KABIGUARD_NAMESPACE_MAX] = '\0';
	a_u32(a, KABIGUARD_RULE_A_KIND, KABIGUARD_RULE_SYMBOL);
	a_str(a, KABIGUARD_RULE_A_NAME, "kg_ns_a");
	a_str(a, KABIGUARD_RULE_A_NAMESPACE, ns);
	a_end(a, n);
}

static void b_exporter_too_long(struct attrs *a)
{
	char exp[KABIGUARD_MODNAME_MAX + 1];

	memset(exp, 'e', KABIGUARD_MODNAME_MAX);
	exp[KABIGUARD_MODNAME_MAX] = '\0';
	a_rule(a, KABIGUARD_RULE_SYMBOL, "kg_plain_b", exp);
}

static void b_kind_99(struct attrs *a)
{
	a_rule(a, 99, "kg_plain_b", NULL);
}

static void b_no_kind(struct attrs *a)
{
	size_t n = a_nest(a, KABIGUARD_A_RULE);

	a_str(a, KABIGUARD_RULE_A_NAME, "kg_plain_b");
	a_end(a, n);
}

static void b_symbol_no_name(struct attrs *a)
{
	a_rule(a, KABIGUARD_RULE_SYMBOL, NULL, EXPORTER);
}

static void b_any_with_name(struct attrs *a)
{
	a_rule(a, KABIGUARD_RULE_ANY, "kg_plain_b", NULL);
}

static void b_crc_on_namespace(struct attrs *a)
{
	size_t n = a_nest(a, KABIGUARD_A_RULE);

	a_u32(a, KABIGUARD_RULE_A_KIND, KABIGUARD_RULE_NAMESPACE);
	a_str(a, KABIGUARD_RULE_A_NAME, TEST_NS);
	a_u32(a, KABIGUARD_RULE_A_CRC, 0x12345678);
	a_end(a, n);
}

static void b_namespace_on_any(struct attrs *a)
{
	size_t n = a_nest(a, KABIGUARD_A_RULE);

	a_u32(a, KABIGUARD_RULE_A_KIND, KABIGUARD_RULE_ANY);
	a_str(a, KABIGUARD_RULE_A_NAMESPACE, TEST_NS);
	a_end(a, n);
}

static void b_unknown_rule_attr(struct attrs *a)
{
	size_t n = a_nest(a, KABIGUARD_A_RULE);

	a_u32(a, KABIGUARD_RULE_A_KIND, KABIGUARD_RULE_SYMBOL);
	a_str(a, KABIGUARD_RULE_A_NAME, "kg_plain_b");
	a_u32(a, KABIGUARD_RULE_A_MAX + 1, 0);
	a_end(a, n);
}

static void b_unknown_top_attr(struct attrs *a)
{
	a_rule(a, KABIGUARD_RULE_SYMBOL, "kg_plain_b", NULL);
	a_u32(a, KABIGUARD_A_MAX + 1, 0);
}

/* An attribute of the family that POLICY_ADD does not take. */
static void b_foreign_top_attr(struct attrs *a)
{
	a_rule(a, KABIGUARD_RULE_SYMBOL, "kg_plain_b", NULL);
	a_u32(a, KABIGUARD_A_MODE, KABIGUARD_MODE_AUDIT);
}

static void b_u32_short(struct attrs *a)
{
	uint16_t kind = KABIGUARD_RULE_SYMBOL;
	size_t n = a_nest(a, KABIGUARD_A_RULE);

	a_put(a, KABIGUARD_RULE_A_KIND, &kind, sizeof(kind));
	a_str(a, KABIGUARD_RULE_A_NAME, "kg_plain_b");
	a_end(a, n);
}

static void b_u32_long(struct attrs *a)
{
	uint64_t crc = 0x12345678;
	size_t n = a_nest(a, KABIGUARD_A_RULE);

	a_u32(a, KABIGUARD_RULE_A_KIND, KABIGUARD_RULE_SYMBOL);
	a_str(a, KABIGUARD_RULE_A_NAME, "kg_plain_b");
	a_put(a, KABIGUARD_RULE_A_CRC, &crc, sizeof(crc));
	a_end(a, n);
}

static void b_nest_without_flag(struct attrs *a)
{
	size_t n = a_put(a, KABIGUARD_A_RULE, NULL, 0);

	a_u32(a, KABIGUARD_RULE_A_KIND, KABIGUARD_RULE_SYMBOL);
	a_str(a, KABIGUARD_RULE_A_NAME, "kg_plain_b");
	a_end(a, n);
}

static void b_no_rule(struct attrs *a)
{
	(void)a;
}

static void b_unknown_flag(struct attrs *a)
{
	size_t n = a_nest(a, KABIGUARD_A_RULE);

	a_u32(a, KABIGUARD_RULE_A_KIND, KABIGUARD_RULE_SYMBOL);
	a_str(a, KABIGUARD_RULE_A_NAME, "kg_plain_b");
	a_u32(a, KABIGUARD_RULE_A_FLAGS, 1U << 7);
	a_end(a, n);
}

/* Only SYMBOL rules have a namespace to pin. */
static void b_ns_pin_on_namespace(struct attrs *a)
{
	size_t n = a_nest(a, KABIGUARD_A_RULE);

	a_u32(a, KABIGUARD_RULE_A_KIND, KABIGUARD_RULE_NAMESPACE);
	a_str(a, KABIGUARD_RULE_A_NAME, TEST_NS);
	a_u32(a, KABIGUARD_RULE_A_FLAGS, KABIGUARD_RULE_F_NS_PINNED);
	a_end(a, n);
}

static void b_ns_pin_on_any(struct attrs *a)
{
	size_t n = a_nest(a, KABIGUARD_A_RULE);

	a_u32(a, KABIGUARD_RULE_A_KIND, KABIGUARD_RULE_ANY);
	a_u32(a, KABIGUARD_RULE_A_FLAGS, KABIGUARD_RULE_F_NS_PINNED |
					 KABIGUARD_RULE_F_SIGNED_ONLY);
	a_end(a, n);
}

static void b_mode_missing(struct attrs *a)
{
	(void)a;
}

static void b_mode_7(struct attrs *a)
{
	a_u32(a, KABIGUARD_A_MODE, 7);
}

static void b_mode_short(struct attrs *a)
{
	uint8_t mode = KABIGUARD_MODE_OFF;

	a_put(a, KABIGUARD_A_MODE, &mode, sizeof(mode));
}

/* An attribute on a command that takes none. */
static void b_attr_on_plain_cmd(struct attrs *a)
{
	a_u32(a, KABIGUARD_A_MODE, KABIGUARD_MODE_OFF);
}

#define BAD(_name, _cmd, _err, _extack)					\
	FIXTURE_VARIANT_ADD(bad, _name) {				\
		.cmd = KABIGUARD_CMD_##_cmd, .build = b_##_name,	\
		.err = _err, .extack = _extack,				\
	}

BAD(name_too_long, POLICY_ADD, -EINVAL, NULL);
BAD(name_no_nul, POLICY_ADD, -EINVAL, NULL);
BAD(name_empty, POLICY_ADD, -EINVAL, "empty");
BAD(ns_name_too_long, POLICY_ADD, -EINVAL, "too long");
BAD(ns_attr_too_long, POLICY_ADD, -EINVAL, NULL);
BAD(exporter_too_long, POLICY_ADD, -EINVAL, NULL);
BAD(kind_99, POLICY_ADD, -ERANGE, NULL);
BAD(no_kind, POLICY_ADD, -EINVAL, "KIND");
BAD(symbol_no_name, POLICY_ADD, -EINVAL, "NAME");
BAD(any_with_name, POLICY_ADD, -EINVAL, "ANY");
BAD(crc_on_namespace, POLICY_ADD, -EINVAL, "CRC");
BAD(namespace_on_any, POLICY_ADD, -EINVAL, "namespace");
BAD(unknown_rule_attr, POLICY_ADD, -EINVAL, NULL);
BAD(unknown_top_attr, POLICY_ADD, -EINVAL, NULL);
BAD(foreign_top_attr, POLICY_ADD, -EINVAL, NULL);
BAD(u32_short, POLICY_ADD, -EINVAL, NULL);
BAD(u32_long, POLICY_ADD, -EINVAL, NULL);
BAD(nest_without_flag, POLICY_ADD, -EINVAL, NULL);
BAD(no_rule, POLICY_ADD, -EINVAL, "KABIGUARD_A_RULE");
BAD(unknown_flag, POLICY_ADD, -EOPNOTSUPP, "flags");
BAD(ns_pin_on_namespace, POLICY_ADD, -EINVAL, "only SYMBOL rules pin");
BAD(ns_pin_on_any, POLICY_ADD, -EINVAL, "only SYMBOL rules pin");
BAD(mode_7, SET_MODE, -ERANGE, NULL);
BAD(mode_short, SET_MODE, -EINVAL, NULL);
BAD(mode_missing, SET_MODE, -EINVAL, NULL);
BAD(attr_on_plain_cmd, POLICY_COMMIT, -EINVAL, NULL);

TEST_F(bad, rejected_without_change)
{
	struct snap after;
	struct kgc_status st;
	struct attrs a = { .len = 0 };
	char *want;
	uint64_t gen;
	int err;

	variant->build(&a);
	err = send_raw(self->c, variant->cmd, &a);
	EXPECT_EQ(variant->err, err)
		TH_LOG("got %d (%s), extack \"%s\"", err,
		       err < 0 ? strerror(-err) : "", kgc_extack(self->c));
	/* Users must see why. */
	EXPECT_STRNE("", kgc_extack(self->c));
	if (variant->extack) {
		EXPECT_NE(NULL, strstr(kgc_extack(self->c), variant->extack))
			TH_LOG("extack \"%s\" lacks \"%s\"", kgc_extack(self->c),
			       variant->extack);
	}

	/* Nothing changed: active policy, mode, our transaction. */
	snap_take(_metadata, self->c, &after);
	expect_same_policy(_metadata, &self->before, &after);
	EXPECT_TRUE(after.st.txn_open);
	EXPECT_EQ(local_port(self->c), after.st.txn_owner);
	snap_free(&after);

	/* The transaction holds the valid rules only. */
	gen = 0;
	err = kgc_cmd_policy_commit(self->c, &gen);
	ASSERT_EQ(0, err) TH_LOG("commit: %s (%s)", strerror(-err),
				 kgc_extack(self->c));
	EXPECT_EQ(self->before.st.generation + 1, gen);
	snap_take(_metadata, self->c, &after);
	EXPECT_EQ(gen, after.st.generation);
	EXPECT_EQ(ARRAY_SIZE(self->valid), after.st.nr_rules);
	EXPECT_EQ(1, after.st.nr_symbol);
	EXPECT_EQ(1, after.st.nr_any);
	EXPECT_FALSE(after.st.txn_open);
	want = rules_text(self->valid, ARRAY_SIZE(self->valid));
	ASSERT_NE(NULL, want);
	EXPECT_STREQ(want, after.rules);
	free(want);
	snap_free(&after);
	get_status(_metadata, self->c, &st);
	EXPECT_EQ(self->before.st.mode, st.mode);
}

/* ------------------------------------------------------------------ */
/* Batches                                                             */

/* 3 valid rules and a bad one in one POLICY_ADD: none gets in. */
TEST_F(nl, batch_all_or_nothing)
{
	static const struct {
		void (*bad)(struct attrs *a);
		int err;
	} cases[] = {
		{ b_no_kind, -EINVAL },
		{ b_unknown_flag, -EOPNOTSUPP },
		{ b_any_with_name, -EINVAL },
		{ b_u32_short, -EINVAL },
	};
	const struct kgc_rule first[] = { KG_R_VMLINUX };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct attrs a = { .len = 0 };
		struct snap after;
		uint64_t gen;
		char *want;
		int err;

		ASSERT_EQ(0, kgc_cmd_policy_begin(self->c));
		ASSERT_EQ(0, kgc_cmd_policy_add(self->c, first, 1));
		a_rule(&a, KABIGUARD_RULE_SYMBOL, "kg_plain_a", EXPORTER);
		a_rule(&a, KABIGUARD_RULE_SYMBOL, "kg_plain_b", EXPORTER);
		a_rule(&a, KABIGUARD_RULE_NAMESPACE, TEST_NS, EXPORTER);
		cases[i].bad(&a);
		err = send_raw(self->c, KABIGUARD_CMD_POLICY_ADD, &a);
		EXPECT_EQ(cases[i].err, err) TH_LOG("case %zu: %s (%s)", i,
						    strerror(-err),
						    kgc_extack(self->c));
		EXPECT_STRNE("", kgc_extack(self->c));

		ASSERT_EQ(0, kgc_cmd_policy_commit(self->c, &gen));
		snap_take(_metadata, self->c, &after);
		EXPECT_EQ(gen, after.st.generation);
		EXPECT_EQ(1, after.st.nr_rules);
		want = rules_text(first, 1);
		EXPECT_STREQ(want, after.rules);
		free(want);
		snap_free(&after);
	}
}

/*
 * Through the library: a rule the kernel refuses (a SYMBOL rule without a
 * name) is reported back as the caller's array element.
 */
TEST_F(nl, batch_bad_rule_reported)
{
	const struct kgc_rule rules[] = {
		KG_R_VMLINUX,
		KG_R_SYM("kg_plain_a", .exporter = EXPORTER),
		KG_R_SYM("kg_plain_b", .exporter = EXPORTER),
		{ .kind = KABIGUARD_RULE_SYMBOL, .exporter = EXPORTER },
	};
	struct snap before, after;
	int err;

	snap_take(_metadata, self->c, &before);
	ASSERT_EQ(0, kgc_cmd_policy_begin(self->c));
	err = kgc_cmd_policy_add(self->c, rules, ARRAY_SIZE(rules));
	EXPECT_EQ(-EINVAL, err);
	EXPECT_STRNE("", kgc_extack(self->c));
	EXPECT_EQ(&rules[3], kgc_bad_rule(self->c))
		TH_LOG("bad rule %p, want %p (extack \"%s\")",
		       (const void *)kgc_bad_rule(self->c),
		       (const void *)&rules[3], kgc_extack(self->c));
	/* An empty transaction commits to an empty policy. */
	ASSERT_EQ(0, kgc_cmd_policy_abort(self->c));
	snap_take(_metadata, self->c, &after);
	expect_same_policy(_metadata, &before, &after);
	snap_free(&before);
	snap_free(&after);
}

/* ------------------------------------------------------------------ */
/* Transactions                                                        */

TEST_F(nl, txn_owned_by_socket)
{
	const struct kgc_rule rules[] = {
		KG_R_VMLINUX, KG_R_NS(TEST_NS),
	};
	struct kgc_client *a = NULL, *b = NULL;
	struct snap before, after;
	struct kgc_status st;
	int err;

	snap_take(_metadata, self->c, &before);
	ASSERT_EQ(0, kgc_open(&a));
	ASSERT_EQ(0, kgc_open(&b));

	ASSERT_EQ(0, kgc_cmd_policy_begin(a));
	get_status(_metadata, b, &st);
	EXPECT_TRUE(st.txn_open);
	EXPECT_EQ(local_port(a), st.txn_owner);
	ASSERT_EQ(0, kgc_cmd_policy_add(a, rules, ARRAY_SIZE(rules)));

	/* B owns nothing. */
	err = kgc_cmd_policy_begin(b);
	EXPECT_EQ(-EBUSY, err) TH_LOG("B begin: %s", strerror(-err));
	EXPECT_STRNE("", kgc_extack(b));
	err = kgc_cmd_policy_add(b, base_policy, 1);
	EXPECT_EQ(-ENOENT, err) TH_LOG("B add: %s", strerror(-err));
	err = kgc_cmd_policy_commit(b, NULL);
	EXPECT_EQ(-ENOENT, err) TH_LOG("B commit: %s", strerror(-err));
	err = kgc_cmd_policy_abort(b);
	EXPECT_EQ(-ENOENT, err) TH_LOG("B abort: %s", strerror(-err));
	/* Nor does the fixture's socket. */
	err = kgc_cmd_policy_commit(self->c, NULL);
	EXPECT_EQ(-ENOENT, err) TH_LOG("C commit: %s", strerror(-err));

	/* B's attempts left A's transaction alone. */
	get_status(_metadata, b, &st);
	EXPECT_TRUE(st.txn_open);
	EXPECT_EQ(local_port(a), st.txn_owner);

	/* A goes away without committing: its transaction with it. */
	kgc_close(a);
	a = NULL;
	snap_take(_metadata, self->c, &after);
	EXPECT_FALSE(after.st.txn_open);
	expect_same_policy(_metadata, &before, &after);
	snap_free(&after);

	/* B can now begin; what it commits is B's alone. */
	err = kgc_cmd_policy_begin(b);
	ASSERT_EQ(0, err) TH_LOG("B begin: %s (%s)", strerror(-err),
				 kgc_extack(b));
	get_status(_metadata, b, &st);
	EXPECT_EQ(local_port(b), st.txn_owner);
	ASSERT_EQ(0, kgc_cmd_policy_add(b, base_policy, 1));
	ASSERT_EQ(0, kgc_cmd_policy_commit(b, NULL));
	get_status(_metadata, b, &st);
	EXPECT_EQ(before.st.generation + 1, st.generation);
	EXPECT_EQ(1, st.nr_rules);
	EXPECT_FALSE(st.txn_open);
	kgc_close(b);
	snap_free(&before);
}

/* Abort, a second begin on the same socket, commit without add. */
TEST_F(nl, txn_lifecycle)
{
	struct snap before, after;
	uint64_t gen;
	int err;

	snap_take(_metadata, self->c, &before);
	EXPECT_EQ(-ENOENT, kgc_cmd_policy_abort(self->c));
	EXPECT_EQ(-ENOENT, kgc_cmd_policy_commit(self->c, NULL));
	EXPECT_EQ(-ENOENT, kgc_cmd_policy_add(self->c, base_policy, 1));

	ASSERT_EQ(0, kgc_cmd_policy_begin(self->c));
	err = kgc_cmd_policy_begin(self->c);
	EXPECT_EQ(-EBUSY, err) TH_LOG("second begin: %s", strerror(-err));
	ASSERT_EQ(0, kgc_cmd_policy_add(self->c, base_policy, 1));
	ASSERT_EQ(0, kgc_cmd_policy_abort(self->c));
	EXPECT_EQ(-ENOENT, kgc_cmd_policy_commit(self->c, NULL));
	snap_take(_metadata, self->c, &after);
	expect_same_policy(_metadata, &before, &after);
	EXPECT_FALSE(after.st.txn_open);
	snap_free(&after);

	/* An empty commit is a (deny-everything) policy too. */
	ASSERT_EQ(0, kgc_cmd_policy_begin(self->c));
	ASSERT_EQ(0, kgc_cmd_policy_commit(self->c, &gen));
	EXPECT_EQ(before.st.generation + 1, gen);
	snap_take(_metadata, self->c, &after);
	EXPECT_EQ(0, after.st.nr_rules);
	EXPECT_STREQ("", after.rules);
	snap_free(&after);
	snap_free(&before);
}

/* A client that dies mid-transaction leaves nothing behind. */
static void crash_in_txn(struct __test_metadata *_metadata,
			 FIXTURE_DATA(nl) *self, bool sigkill)
{
	const struct kgc_rule rules[] = { KG_R_NS(TEST_NS), KG_R_ANY() };
	struct snap before, after;
	int pfd[2], status, err;
	char c = 0;
	pid_t pid;

	snap_take(_metadata, self->c, &before);
	ASSERT_EQ(0, pipe(pfd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kgc_client *cc;
		char ok = 0;

		close(pfd[0]);
		if (!kgc_open(&cc) && !kgc_cmd_policy_begin(cc) &&
		    !kgc_cmd_policy_add(cc, rules, ARRAY_SIZE(rules)))
			ok = 1;
		if (write(pfd[1], &ok, 1) != 1)
			_exit(2);
		if (sigkill)
			pause();
		_exit(ok ? 0 : 1);	/* no commit, no close */
	}
	self->child = pid;
	close(pfd[1]);
	ASSERT_EQ(1, read(pfd[0], &c, 1));
	close(pfd[0]);
	ASSERT_EQ(1, c) TH_LOG("the child could not open a transaction");
	if (sigkill) {
		struct kgc_status st;

		get_status(_metadata, self->c, &st);
		EXPECT_TRUE(st.txn_open);
		ASSERT_EQ(0, kill(pid, SIGKILL));
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	self->child = 0;
	if (sigkill) {
		EXPECT_TRUE(WIFSIGNALED(status));
	} else {
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	}

	snap_take(_metadata, self->c, &after);
	EXPECT_FALSE(after.st.txn_open);
	expect_same_policy(_metadata, &before, &after);
	snap_free(&after);

	err = kgc_cmd_policy_begin(self->c);
	EXPECT_EQ(0, err) TH_LOG("begin after the crash: %s (%s)",
				 strerror(-err), kgc_extack(self->c));
	EXPECT_EQ(0, kgc_cmd_policy_abort(self->c));
	snap_free(&before);
}

TEST_F(nl, txn_owner_exits)
{
	crash_in_txn(_metadata, self, false);
}

TEST_F(nl, txn_owner_killed)
{
	crash_in_txn(_metadata, self, true);
}

/* ------------------------------------------------------------------ */
/* max_rules                                                           */

TEST_F_TIMEOUT(nl, max_rules, 300)
{
	struct kgc_rule *rules;
	struct snap before, after;
	struct kgc_status st;
	unsigned long param;
	char (*names)[32];
	uint32_t max, i;
	uint64_t gen;
	int err;

	get_status(_metadata, self->c, &st);
	ASSERT_EQ(0, read_param(MAX_RULES_PARAM, &param));
	EXPECT_EQ(param, st.max_rules);
	max = st.max_rules;
	if (max > MAX_RULES_TESTABLE) {
		/* The parameter is writable (0644): lower it for this test. */
		err = write_param(MAX_RULES_PARAM, MAX_RULES_TEST);
		if (err)
			SKIP(return, "max_rules %u is too many to fill under TCG and "
			     MAX_RULES_PARAM " is not writable (%s): load kabiguard.ko with max_rules=5000",
			     max, strerror(-err));
		self->saved_max_rules = param;
		get_status(_metadata, self->c, &st);
		ASSERT_EQ(MAX_RULES_TEST, st.max_rules);
		max = st.max_rules;
	}
	TH_LOG("max_rules %u", max);

	rules = calloc(max + 1, sizeof(*rules));
	names = calloc(max + 1, sizeof(*names));
	ASSERT_TRUE(rules && names);
	for (i = 0; i <= max; i++) {
		snprintf(names[i], sizeof(names[i]), "kg_cap_%06u", i);
		rules[i] = (struct kgc_rule)KG_R_SYM(names[i]);
	}
	snap_take(_metadata, self->c, &before);

	/* One more than allowed, in one transaction. */
	ASSERT_EQ(0, kgc_cmd_policy_begin(self->c));
	err = kgc_cmd_policy_add(self->c, rules, max + 1);
	EXPECT_EQ(-E2BIG, err) TH_LOG("add %u rules: %s (%s)", max + 1,
				      strerror(-err), kgc_extack(self->c));
	EXPECT_NE(NULL, strstr(kgc_extack(self->c), "max_rules"))
		TH_LOG("extack \"%s\"", kgc_extack(self->c));
	ASSERT_EQ(0, kgc_cmd_policy_abort(self->c));
	snap_take(_metadata, self->c, &after);
	expect_same_policy(_metadata, &before, &after);
	snap_free(&after);

	/* Exactly max_rules fit; one more, in its own batch, does not. */
	ASSERT_EQ(0, kgc_cmd_policy_begin(self->c));
	err = kgc_cmd_policy_add(self->c, rules, max);
	EXPECT_EQ(0, err) TH_LOG("add %u rules: %s (%s)", max, strerror(-err),
				 kgc_extack(self->c));
	err = kgc_cmd_policy_add(self->c, &rules[max], 1);
	EXPECT_EQ(-E2BIG, err) TH_LOG("add rule %u: %s", max + 1,
				      strerror(-err));
	ASSERT_EQ(0, kgc_cmd_policy_commit(self->c, &gen));
	get_status(_metadata, self->c, &st);
	EXPECT_EQ(before.st.generation + 1, gen);
	EXPECT_EQ(max, st.nr_rules);
	EXPECT_EQ(max, st.nr_symbol);

	snap_free(&before);
	free(names);
	free(rules);
}

/* ------------------------------------------------------------------ */
/* Commits racing with module loads                                    */

struct gens {
	uint64_t *gen;
	bool *is_b;
	size_t nr, cap;
};

static int gens_add(struct gens *g, uint64_t gen, bool is_b)
{
	if (g->nr == g->cap) {
		size_t cap = g->cap ? 2 * g->cap : 1024;
		uint64_t *ng = realloc(g->gen, cap * sizeof(*ng));
		bool *nb;

		if (!ng)
			return -ENOMEM;
		g->gen = ng;
		nb = realloc(g->is_b, cap * sizeof(*nb));
		if (!nb)
			return -ENOMEM;
		g->is_b = nb;
		g->cap = cap;
	}
	g->gen[g->nr] = gen;
	g->is_b[g->nr] = is_b;
	g->nr++;
	return 0;
}

/* 0: policy A, 1: policy B, -1: never committed by us. */
static int gens_kind(const struct gens *g, uint64_t gen)
{
	size_t i;

	for (i = 0; i < g->nr; i++)
		if (g->gen[i] == gen)
			return g->is_b[i];
	return -1;
}

struct swap_stats {
	unsigned int events, seen_a, seen_b;
	uint64_t last_gen;
	unsigned int distinct_gens;
	enum kabiguard_reason b_reason;
	bool seen_b_reason;
};

static void check_swap_event(struct __test_metadata *_metadata,
			     const struct gens *g, const struct kgc_event *ev,
			     struct swap_stats *s)
{
	int kind = gens_kind(g, ev->generation);
	unsigned int want = kind == 1 ? 2 : 0;
	size_t i;

	s->events++;
	if (ev->generation != s->last_gen) {
		s->distinct_gens++;
		s->last_gen = ev->generation;
	}
	EXPECT_NE(-1, kind) TH_LOG("event %u: generation %" PRIu64
				   " was never committed", s->events,
				   ev->generation);
	if (kind < 0)
		return;
	if (kind)
		s->seen_b++;
	else
		s->seen_a++;
	EXPECT_EQ(want, ev->nr_violations)
		TH_LOG("event %u: generation %" PRIu64 " (policy %c): %u violations",
		       s->events, ev->generation, kind ? 'B' : 'A',
		       ev->nr_violations);
	EXPECT_EQ(ev->nr_violations, ev->nr_listed);
	EXPECT_EQ(KABIGUARD_MODE_AUDIT, ev->mode);
	EXPECT_EQ(want ? KABIGUARD_VERDICT_AUDITED : KABIGUARD_VERDICT_ALLOWED,
		  ev->verdict);
	for (i = 0; i < ev->nr_listed; i++) {
		EXPECT_TRUE(!strcmp(ev->viol[i].symbol, "kg_plain_a") ||
			    !strcmp(ev->viol[i].symbol, "kg_plain_b"))
			TH_LOG("violation %s", ev->viol[i].symbol);
		EXPECT_STREQ(EXPORTER, ev->viol[i].exporter);
		/*
		 * Which reason "any from=vmlinux" gives an import from a
		 * module is policy_test's business; here it only has to be
		 * the same in every B generation.
		 */
		if (!s->seen_b_reason) {
			s->b_reason = ev->viol[i].reason;
			s->seen_b_reason = true;
		}
		EXPECT_EQ(s->b_reason, ev->viol[i].reason);
	}
	if (ev->nr_listed == 2) {
		EXPECT_STRNE(ev->viol[0].symbol, ev->viol[1].symbol);
	}
}

/* Reads every pending event (timeout_ms for the first) into the checks. */
static void drain_events(struct __test_metadata *_metadata,
			 struct kgc_client *evc, const struct gens *g,
			 struct swap_stats *s, int timeout_ms)
{
	struct kgc_event ev;
	int ret;

	for (;;) {
		memset(&ev, 0, sizeof(ev));
		ret = kgc_events_next(evc, &ev, timeout_ms);
		if (ret == 0)
			return;
		ASSERT_EQ(1, ret) TH_LOG("events: %s", strerror(-ret));
		if (!strcmp(ev.module, CONSUMER_FORB))
			check_swap_event(_metadata, g, &ev, s);
		kgc_event_free(&ev);
	}
}

struct loader_report {
	unsigned int loads;
	int load_err, unload_err;
};

TEST_F_TIMEOUT(nl, swap_during_loads, 600)
{
	const struct kgc_rule policy_a[] = {
		KG_R_VMLINUX,
		KG_R_SYM("kg_plain_a", .exporter = EXPORTER),
		KG_R_SYM("kg_plain_b", .exporter = EXPORTER),
	};
	const struct kgc_rule *policy_b = base_policy;
	struct loader_report rep = { 0 };
	struct swap_stats s = { 0 };
	struct gens g = { 0 };
	unsigned int commits = 0;
	int pfd[2], status, err;
	uint64_t gen;
	pid_t pid;

	load_exporter(_metadata, self->c);
	kg_t_unload(CONSUMER_FORB);
	ASSERT_FALSE(kg_t_loaded(CONSUMER_FORB));
	err = kgc_events_open(&self->evc);
	ASSERT_EQ(0, err) TH_LOG("kgc_events_open: %s", strerror(-err));
	set_mode(_metadata, self->c, KABIGUARD_MODE_AUDIT);
	gen = push(_metadata, self->c, policy_a, ARRAY_SIZE(policy_a));
	ASSERT_EQ(0, gens_add(&g, gen, false));

	ASSERT_EQ(0, pipe(pfd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct loader_report r = { 0 };
		unsigned int i;

		close(pfd[0]);
		for (i = 0; i < SWAP_LOADS; i++) {
			r.load_err = kg_t_load(CONSUMER_FORB);
			if (r.load_err)
				break;
			r.loads++;
			r.unload_err = kg_t_unload(CONSUMER_FORB);
			if (r.unload_err)
				break;
		}
		_exit(write(pfd[1], &r, sizeof(r)) == sizeof(r) ? 0 : 1);
	}
	self->child = pid;
	close(pfd[1]);

	/* Alternate B, A, B, ... until the loader is done. */
	while (waitpid(pid, &status, WNOHANG) == 0) {
		bool is_b = !(commits & 1);

		gen = push(_metadata, self->c, is_b ? policy_b : policy_a,
			   is_b ? 1 : ARRAY_SIZE(policy_a));
		ASSERT_EQ(0, gens_add(&g, gen, is_b));
		commits++;
		drain_events(_metadata, self->evc, &g, &s, 0);
	}
	self->child = 0;
	ASSERT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
		TH_LOG("loader status 0x%x", status);
	ASSERT_EQ(sizeof(rep), read(pfd[0], &rep, sizeof(rep)));
	close(pfd[0]);
	EXPECT_EQ(0, rep.load_err) TH_LOG("load: %s", strerror(rep.load_err));
	EXPECT_EQ(0, rep.unload_err) TH_LOG("unload: %s",
					    strerror(rep.unload_err));
	EXPECT_EQ(SWAP_LOADS, rep.loads);

	/* The rest of the events; then exactly one per load. */
	while (s.events < rep.loads) {
		unsigned int had = s.events;

		drain_events(_metadata, self->evc, &g, &s, KG_EVENT_TIMEOUT_MS);
		if (s.events == had)
			break;
	}
	drain_events(_metadata, self->evc, &g, &s, KG_NO_EVENT_MS);
	EXPECT_EQ(rep.loads, s.events);
	TH_LOG("%u loads, %u commits, %u events: %u under A, %u under B, %u generation changes",
	       rep.loads, commits, s.events, s.seen_a, s.seen_b,
	       s.distinct_gens);
	/* The race was real: loads saw more than one policy. */
	EXPECT_LT(1, s.distinct_gens);
	free(g.gen);
	free(g.is_b);
}

/* ------------------------------------------------------------------ */
/* GET_STATUS                                                          */

/* Loads name and checks the counters moved as one verdict says. */
static void load_and_count(struct __test_metadata *_metadata,
			   FIXTURE_DATA(nl) *self, const char *name,
			   enum kabiguard_verdict verdict, unsigned int viol)
{
	struct kgc_status before, after;
	struct kgc_event ev;
	int err, ret;

	get_status(_metadata, self->c, &before);
	err = kg_t_load(name);
	ASSERT_EQ(0, err) TH_LOG("load %s: %s", name, strerror(err));
	ret = kg_t_event_for(self->evc, name, &ev, KG_EVENT_TIMEOUT_MS);
	EXPECT_EQ(1, ret) TH_LOG("no event for %s", name);
	if (ret == 1) {
		EXPECT_EQ(verdict, ev.verdict);
		EXPECT_EQ(viol, ev.nr_violations);
		EXPECT_EQ(before.generation, ev.generation);
		EXPECT_EQ(before.mode, ev.mode);
		kgc_event_free(&ev);
	}
	get_status(_metadata, self->c, &after);
	EXPECT_EQ(before.checked + 1, after.checked);
	EXPECT_EQ(before.allowed + (verdict == KABIGUARD_VERDICT_ALLOWED),
		  after.allowed);
	EXPECT_EQ(before.audited + (verdict == KABIGUARD_VERDICT_AUDITED),
		  after.audited);
	EXPECT_EQ(before.denied, after.denied);
	EXPECT_EQ(before.violations + viol, after.violations);
	EXPECT_EQ(0, kg_t_unload(name));
}

TEST_F_TIMEOUT(nl, status, 120)
{
	const struct kgc_rule rules[] = {
		KG_R_VMLINUX,
		KG_R_SYM("kg_plain_a", .exporter = EXPORTER),
		KG_R_SYM("kg_plain_b", .exporter = EXPORTER),
		KG_R_NS(TEST_NS),
	};
	struct kgc_status st, st2;
	struct kgc_event ev;
	unsigned long param;
	struct kg_t_ko ko;
	uint64_t gen;
	int err;

	load_exporter(_metadata, self->c);
	kg_t_unload(CONSUMER_OK);
	kg_t_unload(CONSUMER_FORB);
	err = kgc_events_open(&self->evc);
	ASSERT_EQ(0, err) TH_LOG("kgc_events_open: %s", strerror(-err));

	gen = push(_metadata, self->c, rules, ARRAY_SIZE(rules));
	get_status(_metadata, self->c, &st);
	EXPECT_EQ(KABIGUARD_MODE_AUDIT, st.mode);
	EXPECT_EQ(gen, st.generation);
	EXPECT_FALSE(st.locked);
	EXPECT_FALSE(st.txn_open);
	EXPECT_EQ(4, st.nr_rules);
	EXPECT_EQ(2, st.nr_symbol);
	EXPECT_EQ(1, st.nr_namespace);
	EXPECT_EQ(1, st.nr_any);
	ASSERT_EQ(0, read_param(MAX_RULES_PARAM, &param));
	EXPECT_EQ(param, st.max_rules);

	/* Features: Debian's 6.1 and 6.12 honour a denial. */
	TH_LOG("features 0x%x", st.features);
	EXPECT_TRUE(st.features & KABIGUARD_FEAT_ENFORCE);
	EXPECT_TRUE(st.features & KABIGUARD_FEAT_RING);
	EXPECT_TRUE(st.features & KABIGUARD_FEAT_SCAN);
	EXPECT_EQ(0, st.features & ~(uint32_t)(KABIGUARD_FEAT_ENFORCE |
					       KABIGUARD_FEAT_MODVERSIONS |
					       KABIGUARD_FEAT_SIG |
					       KABIGUARD_FEAT_RING |
					       KABIGUARD_FEAT_SCAN |
					       KABIGUARD_FEAT_EVENTS_ADMIN));
	/* A test module has __versions exactly when the kernel has CRCs. */
	ASSERT_EQ(0, kg_t_read_ko(CONSUMER_OK, &ko));
	EXPECT_EQ(ko.nr_versions > 0,
		  !!(st.features & KABIGUARD_FEAT_MODVERSIONS));
	/* module.sig_enforce exists exactly with CONFIG_MODULE_SIG. */
	EXPECT_EQ(access("/sys/module/module/parameters/sig_enforce", F_OK) == 0,
		  !!(st.features & KABIGUARD_FEAT_SIG));

	/* The transaction owner. */
	ASSERT_EQ(0, kgc_cmd_policy_begin(self->c));
	get_status(_metadata, self->c, &st2);
	EXPECT_TRUE(st2.txn_open);
	EXPECT_EQ(local_port(self->c), st2.txn_owner);
	ASSERT_EQ(0, kgc_cmd_policy_abort(self->c));
	get_status(_metadata, self->c, &st2);
	EXPECT_FALSE(st2.txn_open);
	EXPECT_EQ(gen, st2.generation);

	/* Modes. */
	set_mode(_metadata, self->c, KABIGUARD_MODE_ENFORCE);
	get_status(_metadata, self->c, &st2);
	EXPECT_EQ(KABIGUARD_MODE_ENFORCE, st2.mode);
	set_mode(_metadata, self->c, KABIGUARD_MODE_OFF);
	get_status(_metadata, self->c, &st2);
	EXPECT_EQ(KABIGUARD_MODE_OFF, st2.mode);

	/* Off: nothing checked, no event, counters still. */
	err = kg_t_load(CONSUMER_FORB);
	ASSERT_EQ(0, err) TH_LOG("load in off mode: %s", strerror(err));
	EXPECT_EQ(0, kg_t_event_for(self->evc, CONSUMER_FORB, &ev,
				    KG_NO_EVENT_MS));
	get_status(_metadata, self->c, &st);
	EXPECT_EQ(st2.checked, st.checked);
	EXPECT_EQ(st2.violations, st.violations);
	EXPECT_EQ(0, kg_t_unload(CONSUMER_FORB));

	/* Audit: one allowed load, then one audited with 2 violations. */
	set_mode(_metadata, self->c, KABIGUARD_MODE_AUDIT);
	load_and_count(_metadata, self, CONSUMER_OK, KABIGUARD_VERDICT_ALLOWED, 0);
	push(_metadata, self->c, base_policy, 1);
	load_and_count(_metadata, self, CONSUMER_FORB,
		       KABIGUARD_VERDICT_AUDITED, 2);
}

TEST_HARNESS_MAIN
