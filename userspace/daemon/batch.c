// SPDX-License-Identifier: GPL-2.0
/*
 * The batch: verdict lines queued for the log file, with what goes to
 * the journal or syslog once they are on disk. Each line keeps the facts
 * its syslog message needs (verdict, and the short form of a long line)
 * from its event, so nothing is read back out of the JSON text.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "kabiguardd.h"

/* Lines longer than this go to syslog without their violation list. */
#define KGD_SYSLOG_MAX		4096

void kgd_batch_clear(struct kgd_batch *b)
{
	b->lines.len = 0;
	if (b->lines.s)
		b->lines.s[0] = '\0';
	b->jr.len = 0;
	b->short_lines.len = 0;
	b->nr = 0;
}

void kgd_batch_free(struct kgd_batch *b)
{
	kgc_strbuf_free(&b->lines);
	kgc_strbuf_free(&b->jr);
	kgc_strbuf_free(&b->short_lines);
	free(b->line);
	memset(b, 0, sizeof(*b));
}

/*
 * Syslog transports cut long datagrams: the same event as JSON without its
 * violation list (violations_truncated then says true, as nr_violations
 * is above the number listed). Whatever else makes it long stays.
 */
static int kgd_batch_short(struct kgd_batch *b, const struct kgc_event *ev,
			   const struct kgc_event_json_ctx *jx)
{
	struct kgc_event *s = malloc(sizeof(*s));
	int ret;

	if (!s)
		return -ENOMEM;
	*s = *ev;
	s->nr_listed = 0;
	s->viol = NULL;
	ret = kgc_event_json(&b->short_lines, s, jx);
	free(s);
	return ret;
}

int kgd_batch_add(struct kgd_batch *b, const struct kgc_event *ev,
		  const struct kgc_event_json_ctx *jx, enum kgd_log_target target)
{
	size_t plen = b->lines.len, jlen = b->jr.len, slen = b->short_lines.len;
	struct kgd_batch_line *l;
	int ret;

	if (b->nr == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 64;

		l = realloc(b->line, cap * sizeof(*l));
		if (!l)
			return -ENOMEM;
		b->line = l;
		b->cap = cap;
	}
	l = &b->line[b->nr];
	ret = kgc_event_json(&b->lines, ev, jx);
	if (ret)
		return ret;
	*l = (struct kgd_batch_line){
		.time_ns = ev->time_real_ns,
		.verdict = ev->verdict,
		.len = b->lines.len - plen - 1,
		.short_off = slen,
	};
	if (target == KGD_LOG_JOURNAL)
		ret = kgd_journal_fields(&b->jr, ev, jx);
	/*
	 * The short form is made for the journal target too: when the
	 * journal refuses a record, kgd_batch_send() falls back to syslog,
	 * which takes lines of at most KGD_SYSLOG_MAX bytes.
	 */
	if (!ret && target != KGD_LOG_NONE && l->len > KGD_SYSLOG_MAX) {
		ret = kgd_batch_short(b, ev, jx);
		l->short_len = ret ? 0 : b->short_lines.len - slen - 1;
	}
	if (ret) {
		/* Line and records go together, or none. */
		b->jr.len = jlen;
		b->short_lines.len = slen;
		b->lines.len = plen;
		b->lines.s[plen] = '\0';
		return ret;
	}
	b->nr++;
	return 0;
}

static void kgd_batch_syslog(const struct kgd_batch *b,
			     const struct kgd_batch_line *l, const char *line)
{
	int prio = l->verdict == KABIGUARD_VERDICT_ALLOWED ? LOG_INFO :
		   LOG_WARNING;

	if (l->short_len)
		syslog(prio, "%.*s", (int)l->short_len,
		       b->short_lines.s + l->short_off);
	else
		syslog(prio, "%.*s", (int)l->len, line);
}

void kgd_batch_send(const struct kgd_batch *b, enum kgd_log_target target,
		    bool *journal_failed)
{
	const char *jr = b->jr.s, *jend = jr + b->jr.len;
	const char *p = b->lines.s;
	size_t i;
	int ret;

	if (target == KGD_LOG_NONE)
		return;
	for (i = 0; i < b->nr; p += b->line[i].len + 1, i++) {
		if (target == KGD_LOG_JOURNAL && jr && jr < jend) {
			const char *rend = memmem(jr, jend - jr, "\n\n", 2);
			size_t rlen = rend ? (size_t)(rend - jr) + 1 :
				      (size_t)(jend - jr);

			ret = kgd_journal_send(jr, rlen);
			jr += rlen + 1;
			if (!ret) {
				if (*journal_failed)
					kgd_msg(LOG_NOTICE, "the journal takes "
						"verdict entries again");
				*journal_failed = false;
				continue;
			}
			if (!*journal_failed)
				kgd_msg(LOG_ERR, "the journal refused a verdict "
					"entry: %s; sending to syslog until it "
					"takes one", strerror(-ret));
			*journal_failed = true;
		}
		kgd_batch_syslog(b, &b->line[i], p);
	}
}
