// SPDX-License-Identifier: GPL-2.0
/*
 * events_ring_test: the ring (KABIGUARD_CMD_EVENTS_GET) returns the events
 * the multicast group carried, in order, from any sequence number on, and
 * counts as overflow exactly the events that left it before a reader
 * declared having them, for each reader on its own (one reader's
 * declaration hides nothing from another); ring_bytes bounds it too.
 *
 * One of the events_*_test programs (events_fixture.h): root, kabiguard.ko
 * loaded with a small ring_size.
 */
#include "kselftest_harness.h"
#include "kg_selftest.h"
#include "events_fixture.h"

TEST_F(ev, ring_matches_multicast)
{
	struct seqs got = { .nr = 0 };
	uint64_t seq[5];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(seq); i++) {
		seq[i] = load_once(_metadata, self, CONSUMER_OK);
		if (i)
			EXPECT_EQ(seq[i - 1] + 1, seq[i]);
	}
	ASSERT_EQ(0, kgc_cmd_events_get(self->c, seq[0], collect, &got));
	ASSERT_EQ(ARRAY_SIZE(seq), got.nr);
	for (i = 0; i < ARRAY_SIZE(seq); i++) {
		EXPECT_EQ(seq[i], got.seq[i]);
		EXPECT_STREQ(CONSUMER_OK, got.module[i]);
	}

	/* From the middle on: no earlier event, no duplicate. */
	got.nr = 0;
	ASSERT_EQ(0, kgc_cmd_events_get(self->c, seq[3], collect, &got));
	ASSERT_EQ(2, got.nr);
	EXPECT_EQ(seq[3], got.seq[0]);
	EXPECT_EQ(seq[4], got.seq[1]);
}

TEST_F(ev, overflow_counts_unread_only)
{
	struct seqs got = { .nr = 0 };
	struct kgc_status st0, st1;
	uint64_t last = 0;
	unsigned int i, n;

	ASSERT_EQ(0, kgc_cmd_get_status(self->c, &st0));
	if (!st0.ring_size || st0.ring_size > 64)
		SKIP(return, "needs kabiguard.ko ring_size=16 (have %u)",
		     st0.ring_size);
	/* Declare everything so far read. */
	ASSERT_EQ(0, kgc_cmd_events_get(self->c, st0.ring_next, collect, &got));
	EXPECT_EQ(0, got.nr);

	n = st0.ring_size + 5;
	for (i = 0; i < n; i++)
		last = load_once(_metadata, self, CONSUMER_OK);
	ASSERT_EQ(0, kgc_cmd_get_status(self->c, &st1));
	EXPECT_EQ(st0.ring_overflow + 5, st1.ring_overflow);
	EXPECT_EQ(last + 1, st1.ring_next);
	EXPECT_EQ(st1.ring_next - st1.ring_size, st1.ring_first);

	/* What is left: the last ring_size events, oldest first. */
	got.nr = 0;
	ASSERT_EQ(0, kgc_cmd_events_get(self->c, st0.ring_next, collect, &got));
	ASSERT_EQ(st1.ring_size, got.nr);
	EXPECT_EQ(st1.ring_first, got.seq[0]);
	EXPECT_EQ(last, got.seq[got.nr - 1]);

	/* Read now: more events that push these out are not overflow. */
	for (i = 0; i < 3; i++)
		load_once(_metadata, self, CONSUMER_OK);
	ASSERT_EQ(0, kgc_cmd_get_status(self->c, &st0));
	EXPECT_EQ(st1.ring_overflow, st0.ring_overflow);
}

/*
 * Each reader counts its own overflow: one reader that declares having
 * everything, even UINT64_MAX, hides nothing from another that lags.
 */
TEST_F(ev, overflow_per_reader)
{
	struct seqs got = { .nr = 0 };
	struct kgc_status st0, st1, a, b;
	struct kgc_client *rb;
	unsigned int i, n;

	ASSERT_EQ(0, kgc_cmd_get_status(self->c, &st0));
	if (!st0.ring_size || st0.ring_size > 64)
		SKIP(return, "needs kabiguard.ko ring_size=16 (have %u)",
		     st0.ring_size);
	ASSERT_EQ(0, kgc_open(&rb));
	/* A (self->c) has everything so far; B claims far more. */
	ASSERT_EQ(0, kgc_cmd_events_get(self->c, st0.ring_next, collect, &got));
	ASSERT_EQ(0, kgc_cmd_events_get(rb, UINT64_MAX, collect, &got));
	EXPECT_EQ(0, got.nr);
	ASSERT_EQ(0, kgc_cmd_get_status(self->c, &a));
	ASSERT_EQ(0, kgc_cmd_get_status(rb, &b));
	ASSERT_TRUE(a.ring_reader);
	ASSERT_TRUE(b.ring_reader);

	n = st0.ring_size + 5;
	for (i = 0; i < n; i++)
		load_once(_metadata, self, CONSUMER_OK);
	ASSERT_EQ(0, kgc_cmd_get_status(self->c, &st1));
	EXPECT_EQ(st0.ring_overflow + 5, st1.ring_overflow);
	EXPECT_EQ(a.ring_reader_overflow + 5, st1.ring_reader_overflow);
	/* B's UINT64_MAX declared only the events that existed. */
	ASSERT_EQ(0, kgc_cmd_get_status(rb, &st1));
	EXPECT_EQ(b.ring_reader_overflow + 5, st1.ring_reader_overflow);

	/* B reads everything now; A does not: A's loss still counts. */
	ASSERT_EQ(0, kgc_cmd_get_status(self->c, &a));
	ASSERT_EQ(0, kgc_cmd_get_status(rb, &b));
	got.nr = 0;
	ASSERT_EQ(0, kgc_cmd_events_get(rb, a.ring_first, collect, &got));
	EXPECT_EQ(a.ring_size, got.nr);
	ASSERT_EQ(0, kgc_cmd_events_get(rb, UINT64_MAX, collect, &got));
	for (i = 0; i < 3; i++)
		load_once(_metadata, self, CONSUMER_OK);
	ASSERT_EQ(0, kgc_cmd_get_status(self->c, &st1));
	EXPECT_EQ(a.ring_overflow + 3, st1.ring_overflow);
	EXPECT_EQ(a.ring_reader_overflow + 3, st1.ring_reader_overflow);
	ASSERT_EQ(0, kgc_cmd_get_status(rb, &st1));
	EXPECT_EQ(b.ring_reader_overflow, st1.ring_reader_overflow);
	kgc_close(rb);

	/* A socket that never read the ring gets no count of its own. */
	ASSERT_EQ(0, kgc_open(&rb));
	ASSERT_EQ(0, kgc_cmd_get_status(rb, &b));
	EXPECT_FALSE(b.ring_reader);
	kgc_close(rb);
}

/*
 * ring_bytes bounds what the ring holds: the oldest events leave first,
 * unread ones count as overflow, the newest always stays.
 */
TEST_F(ev, ring_byte_limit)
{
	struct seqs got = { .nr = 0 };
	struct kgc_status st0, st1;
	uint64_t first = 0, last = 0;
	unsigned int i, kept;

	ASSERT_EQ(0, kgc_cmd_get_status(self->c, &st0));
	ASSERT_NE(0, st0.ring_bytes_max);
	ASSERT_GE(st0.ring_bytes_max, st0.ring_bytes);
	/* Declare everything so far read. */
	ASSERT_EQ(0, kgc_cmd_events_get(self->c, st0.ring_next, collect, &got));

	/* One byte: only the newest event stays, over the limit. */
	ASSERT_EQ(0, kg_t_param_write_ull("ring_bytes", 1));
	first = load_once(_metadata, self, CONSUMER_OK);
	ASSERT_EQ(0, kgc_cmd_get_status(self->c, &st1));
	EXPECT_EQ(first, st1.ring_first);
	EXPECT_LT(1, st1.ring_bytes);
	EXPECT_EQ(1, st1.ring_bytes_max);
	/* Room for two events of that size (all of them are). */
	ASSERT_EQ(0, kg_t_param_write_ull("ring_bytes",
					  st1.ring_bytes * 2 + 1));
	for (i = 0; i < 6; i++)
		last = load_once(_metadata, self, CONSUMER_OK);
	ASSERT_EQ(0, kgc_cmd_get_status(self->c, &st1));
	EXPECT_EQ(0, kg_t_param_write_ull("ring_bytes", st0.ring_bytes_max));

	kept = st1.ring_next - st1.ring_first;
	TH_LOG("%u events kept in %llu of %llu bytes", kept,
	       (unsigned long long)st1.ring_bytes,
	       (unsigned long long)st1.ring_bytes_max);
	EXPECT_EQ(2, kept);
	EXPECT_GE(st1.ring_bytes_max, st1.ring_bytes);
	/* The events that left unread: overflow. */
	EXPECT_EQ(st0.ring_overflow + (st1.ring_first - first),
		  st1.ring_overflow);
	got.nr = 0;
	ASSERT_EQ(0, kgc_cmd_events_get(self->c, first, collect, &got));
	ASSERT_EQ(kept, got.nr);
	EXPECT_EQ(st1.ring_first, got.seq[0]);
	EXPECT_EQ(last, got.seq[got.nr - 1]);
}

TEST_HARNESS_MAIN
