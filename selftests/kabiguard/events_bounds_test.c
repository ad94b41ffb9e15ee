// SPDX-License-Identifier: GPL-2.0
/*
 * events_bounds_test: events are bounded: a 65,531-byte import name, an
 * 8 KiB MODULE_VERSION and 301 violations (kg_huge) give an event with the
 * strings cut and flagged and the list cut and flagged, that the ring
 * returns whole; an import name with a newline, a forged kabiguard line
 * and ESC (kg_evil_import) reaches the event as it is and the kernel log
 * escaped: no forged line, no raw control character.
 *
 * One of the events_*_test programs (events_fixture.h): root, kabiguard.ko
 * loaded with a small ring_size.
 */
#include "kselftest_harness.h"
#include "kg_selftest.h"
#include "events_fixture.h"

#define HUGE		"kg_huge"
#define HUGE_VIOLATIONS	301	/* the long name and kg_huge_w_000..299 */
#define EVIL		KG_T_EVIL
#define EVIL_BUILT	KG_T_EVIL_BUILT
#define EVIL_NAME	KG_T_EVIL_NAME

struct find_seq {
	uint64_t seq;
	int found;
	char module[KABIGUARD_MODNAME_MAX];
	size_t nr_listed;
	uint32_t nr_violations, flags;
};

static int find_seq(const struct kgc_event *ev, void *arg)
{
	struct find_seq *f = arg;

	if (ev->seq != f->seq)
		return 0;
	f->found++;
	snprintf(f->module, sizeof(f->module), "%s", ev->module);
	f->nr_listed = ev->nr_listed;
	f->nr_violations = ev->nr_violations;
	f->flags = ev->flags;
	return 0;
}

TEST_F(ev, huge_event_bounded)
{
	const struct kgc_violation *longest = NULL;
	struct find_seq f = { 0 };
	struct kgc_event ev, next;
	size_t i;

	kg_t_unload(HUGE);
	ASSERT_EQ(0, kg_t_load(HUGE));
	ASSERT_EQ(1, kg_t_event_for(self->evc, HUGE, &ev, KG_EVENT_TIMEOUT_MS));
	EXPECT_NE(0, ev.seq);
	EXPECT_EQ(KABIGUARD_VERDICT_AUDITED, ev.verdict);
	EXPECT_EQ(0, ev.flags & KABIGUARD_EVF_MINIMAL);
	EXPECT_TRUE(ev.has_process);
	/* Every violation counted, fewer listed, and the cut said. */
	EXPECT_EQ(HUGE_VIOLATIONS, ev.nr_violations);
	EXPECT_LE(ev.nr_listed, KABIGUARD_MAX_VIOLATIONS);
	EXPECT_LT(ev.nr_listed, ev.nr_violations);
	EXPECT_NE(0, ev.flags & KABIGUARD_EVF_VIOLATIONS_CUT);
	/* The 8 KiB version cut at its limit, and flagged. */
	EXPECT_EQ(KABIGUARD_MODINFO_MAX - 1, strlen(ev.version));
	EXPECT_EQ(KABIGUARD_MODINFO_MAX - 1, strspn(ev.version, "9"));
	EXPECT_NE(0, ev.flags & KABIGUARD_EVF_VERSION_TRUNC);
	EXPECT_EQ(0, ev.flags & KABIGUARD_EVF_MODULE_TRUNC);
	/* The 65,531-byte name cut (at KSYM_NAME_LEN at most), and flagged;
	 * no other violation flagged. */
	for (i = 0; i < ev.nr_listed; i++) {
		const struct kgc_violation *v = &ev.viol[i];

		EXPECT_LT(strlen(v->symbol), KABIGUARD_SYMBOL_MAX);
		if (!strncmp(v->symbol, "kg_huge_aaaa", 12)) {
			longest = v;
			continue;
		}
		EXPECT_EQ(0, v->flags) TH_LOG("%s", v->symbol);
	}
	ASSERT_NE(NULL, longest) TH_LOG("the long import is not listed");
	EXPECT_NE(0, longest->flags & KABIGUARD_VIOLF_SYMBOL_TRUNC);
	EXPECT_LE(127, strlen(longest->symbol));
	EXPECT_EQ(strlen(longest->symbol) - 8,
		  strspn(longest->symbol + 8, "a"));
	TH_LOG("long import listed as %zu bytes, %zu of %u violations listed",
	       strlen(longest->symbol), ev.nr_listed, ev.nr_violations);

	/* The ring returns it whole. */
	f.seq = ev.seq;
	ASSERT_EQ(0, kgc_cmd_events_get(self->c, ev.seq, find_seq, &f));
	ASSERT_EQ(1, f.found);
	EXPECT_STREQ(HUGE, f.module);
	EXPECT_EQ(ev.nr_listed, f.nr_listed);
	EXPECT_EQ(ev.nr_violations, f.nr_violations);
	EXPECT_EQ(ev.flags, f.flags);
	/* And the next event follows it: nothing forged a sequence number. */
	ASSERT_EQ(0, kg_t_unload(HUGE));
	ASSERT_EQ(0, kg_t_load(CONSUMER_OK));
	ASSERT_EQ(1, kg_t_event_for(self->evc, CONSUMER_OK, &next,
				    KG_EVENT_TIMEOUT_MS));
	EXPECT_EQ(ev.seq + 1, next.seq);
	kgc_event_free(&next);
	kgc_event_free(&ev);
}

TEST_F(ev, evil_import_escaped)
{
	char *img, *log, *p;
	const struct kgc_violation *v = NULL;
	struct kgc_event ev;
	size_t len, i;
	int n;

	ASSERT_EQ(strlen(EVIL_BUILT), strlen(EVIL_NAME));
	kg_t_unload(EVIL);
	img = kg_t_evil_module(&len);
	ASSERT_NE(NULL, img);
	ASSERT_EQ(0, klogctl(5 /* SYSLOG_ACTION_CLEAR */, NULL, 0));
	ASSERT_EQ(0, syscall(__NR_init_module, img, len, ""))
		TH_LOG("init_module: %s", strerror(errno));
	free(img);
	ASSERT_EQ(1, kg_t_event_for(self->evc, EVIL, &ev, KG_EVENT_TIMEOUT_MS));
	/* The event carries the name as it is (JSON and text escape it). */
	for (i = 0; i < ev.nr_listed; i++)
		if (!strcmp(ev.viol[i].symbol, EVIL_NAME))
			v = &ev.viol[i];
	EXPECT_NE(NULL, v);
	kgc_event_free(&ev);
	kg_t_unload(EVIL);

	/* The raw kernel log (syslog(2), not /dev/kmsg, which escapes). */
	n = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	ASSERT_LT(0, n);
	log = calloc(1, n + 1);
	ASSERT_NE(NULL, log);
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, log, n);
	ASSERT_LT(0, n);
	log[n] = '\0';
	EXPECT_EQ(NULL, memchr(log, '\033', n)) TH_LOG("raw ESC in the log");
	EXPECT_EQ(NULL, strstr(log, "] kabiguard: evil:"))
		TH_LOG("forged line:\n%s", log);
	EXPECT_EQ(NULL, strstr(log, "\nkabiguard: evil:"))
		TH_LOG("forged line:\n%s", log);
	p = strstr(log, "kabiguard: kg_evil_import: kg_evil\\nkabiguard: evil: allowed (enforce, generation 1), 3 imports\\");
	EXPECT_NE(NULL, p) TH_LOG("kernel log:\n%s", log);
	free(log);
}

TEST_HARNESS_MAIN
