/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the netlink_*_test programs share: the fixture "nl" (a control
 * socket, audit mode, a known two-rule policy; each test leaves audit mode
 * and a plain "any from=vmlinux" policy behind), snapshots of the guard's
 * state to say "nothing changed", and the policy and module helpers.
 *
 * The programs, one concern each (see their headers):
 *   netlink_access_test     callers without CAP_SYS_MODULE
 *   netlink_malformed_test  malformed attributes, batches all or nothing
 *   netlink_txn_test        transactions and their owner, max_rules
 *   netlink_verdict_test    commits racing loads, GET_STATUS's counters
 *
 * Runs as root with kabiguard.ko loaded and the dummy modules of
 * test_modules/ in KG_TEST_MODULES (/kabiguard/test_modules in the VM).
 * Nothing here locks kabiguard (KABIGUARD_CMD_LOCK is sent only by
 * unprivileged callers, which must be refused).
 *
 * Include after kselftest_harness.h and kg_selftest.h, in one file per
 * program: the fixture's functions are defined here.
 */
#ifndef NETLINK_FIXTURE_H
#define NETLINK_FIXTURE_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kg_nlmsg.h"

#define EXPORTER	"kg_exporter"
#define CONSUMER_OK	"kg_consumer_ok"
#define CONSUMER_FORB	"kg_consumer_forbidden"
#define TEST_NS		"KABIGUARD_TEST"
#define MAX_RULES_PARAM	"max_rules"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

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

static inline int dump_cb(const struct kgc_rule *r, uint64_t generation,
			  void *arg)
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

static inline int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char * const *)a, *(char * const *)b);
}

static inline void lines_free(struct lines *l)
{
	size_t i;

	for (i = 0; i < l->nr; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Joins sorted lines into one malloc'ed string. */
static inline char *lines_join(struct lines *l)
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
static inline int dump_policy(struct kgc_client *c, char **out, size_t *nr)
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

static inline void get_status(struct __test_metadata *_metadata,
			      struct kgc_client *c, struct kgc_status *st)
{
	int err = kgc_cmd_get_status(c, st);

	ASSERT_EQ(0, err) TH_LOG("get status: %s", strerror(-err));
}

static inline void snap_take(struct __test_metadata *_metadata,
			     struct kgc_client *c, struct snap *s)
{
	int err;

	memset(s, 0, sizeof(*s));
	get_status(_metadata, c, &s->st);
	err = dump_policy(c, &s->rules, &s->nr_dumped);
	ASSERT_EQ(0, err) TH_LOG("policy dump: %s", strerror(-err));
	ASSERT_EQ(s->st.nr_rules, s->nr_dumped);
}

static inline void snap_free(struct snap *s)
{
	free(s->rules);
	s->rules = NULL;
}

/* Active policy and mode of b are those of a. */
static inline void expect_same_policy(struct __test_metadata *_metadata,
				      const struct snap *a,
				      const struct snap *b)
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
static inline char *rules_text(const struct kgc_rule *rules, size_t nr)
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

static inline uint64_t push(struct __test_metadata *_metadata,
			    struct kgc_client *c, const struct kgc_rule *rules,
			    size_t nr)
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

static inline void set_mode(struct __test_metadata *_metadata,
			    struct kgc_client *c, enum kabiguard_mode mode)
{
	int err = kgc_cmd_set_mode(c, mode);

	ASSERT_EQ(0, err) TH_LOG("set mode %s: %s (%s)", kg_t_mode_text(mode),
				 strerror(-err), kgc_extack(c));
}

static const struct kgc_rule base_policy[] = { KG_R_VMLINUX };

/* Audit mode and "any from=vmlinux": what every test leaves behind. */
static inline void restore(struct kgc_client *c)
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
static inline void load_exporter(struct __test_metadata *_metadata,
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

static inline uint32_t local_port(struct kgc_client *c)
{
	return nl_socket_get_local_port(kgc_sock(c));
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
		kg_t_param_write_ull(MAX_RULES_PARAM,
				     self->saved_max_rules);
	kg_t_unload(CONSUMER_OK);
	kg_t_unload(CONSUMER_FORB);
	restore(self->c);
	kgc_close(self->evc);
	kgc_close(self->c);
}
#endif /* NETLINK_FIXTURE_H */
