// SPDX-License-Identifier: GPL-2.0
/*
 * Verdicts in the systemd journal as structured entries (log_target =
 * journal): `journalctl KABIGUARD_VERDICT=denied` finds the denied loads
 * without parsing any text. kabiguardd(8) lists the fields.
 *
 * A record is built when the event is queued (kgd_journal_fields(): no
 * libsystemd needed, so the host tests cover it) and sent with
 * sd_journal_sendv() only once the batch is on disk, as syslog lines are.
 *
 * Every value a module or a loading process controls is hostile. Journal
 * fields are binary safe, but a newline, a control character or invalid
 * UTF-8 in one makes journalctl print it as a byte array or raw escape
 * sequences. So each value is cut at a fixed length (a cut value ends in
 * "...") and every byte outside printable ASCII, and the backslash, is
 * written as \xNN: a value is one line of plain text, and stored records
 * separate fields with '\n' and records with an empty line.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/uio.h>
#ifdef KG_HAVE_LIBSYSTEMD
/*
 * No CODE_FILE, CODE_LINE and CODE_FUNC: they would name this function in
 * every verdict's record, which says nothing about the verdict.
 */
#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>
#endif

#include "kabiguardd.h"

/* Violations listed per entry (the count is always there). */
#define KGD_JOURNAL_VIOLATIONS	32
/* Longest value taken from a name, a path and the command line. */
#define KGD_JOURNAL_NAME_MAX	256
#define KGD_JOURNAL_PATH_MAX	512
#define KGD_JOURNAL_ARGV_MAX	1024
/* MESSAGE names up to 3 violating symbols, each cut at this length. */
#define KGD_JOURNAL_MSG_SYM_MAX	64
/* Fields per record: the fixed ones and the violations. */
#define KGD_JOURNAL_MAX_FIELDS	(64 + KGD_JOURNAL_VIOLATIONS)

bool kgd_journal_built(void)
{
#ifdef KG_HAVE_LIBSYSTEMD
	return true;
#else
	return false;
#endif
}

bool kgd_journal_running(void)
{
	return kgd_journal_built() &&
	       !access("/run/systemd/journal/socket", W_OK);
}

/* Appends the escaped, bounded value s[0..len). */
static int kgd_jr_val(struct kgc_strbuf *b, const char *s, size_t len,
		      size_t max)
{
	size_t i, n = len > max ? max : len;
	int ret = 0;

	for (i = 0; i < n && !ret; i++) {
		unsigned char c = s[i];

		if (c < 0x20 || c >= 0x7f || c == '\\')
			ret = kgc_strbuf_printf(b, "\\x%02x", c);
		else
			ret = kgc_strbuf_put(b, (const char *)&s[i], 1);
	}
	if (!ret && len > max)
		ret = kgc_strbuf_put(b, "...", 3);
	return ret;
}

/* FIELD=escaped string (NUL-terminated within cap bytes) */
static int kgd_jr_str(struct kgc_strbuf *b, const char *field, const char *s,
		      size_t cap, size_t max)
{
	if (kgc_strbuf_printf(b, "%s=", field))
		return -ENOMEM;
	if (kgd_jr_val(b, s, strnlen(s, cap), max))
		return -ENOMEM;
	return kgc_strbuf_put(b, "\n", 1);
}

static int kgd_jr_u64(struct kgc_strbuf *b, const char *field, uint64_t v)
{
	return kgc_strbuf_printf(b, "%s=%llu\n", field, (unsigned long long)v);
}

static int kgd_jr_violation(struct kgc_strbuf *b, const struct kgc_violation *v)
{
	int ret;

	ret = kgc_strbuf_put(b, "KABIGUARD_VIOLATION=", 20);
	ret = ret ?: kgd_jr_val(b, v->symbol, strnlen(v->symbol,
				sizeof(v->symbol)), KGD_JOURNAL_NAME_MAX);
	if (!ret && *v->ns) {
		ret = kgc_strbuf_put(b, " ns=", 4);
		ret = ret ?: kgd_jr_val(b, v->ns, strnlen(v->ns, sizeof(v->ns)),
					KGD_JOURNAL_NAME_MAX);
	}
	if (!ret && *v->exporter) {
		ret = kgc_strbuf_put(b, " from=", 6);
		ret = ret ?: kgd_jr_val(b, v->exporter, strnlen(v->exporter,
					sizeof(v->exporter)),
					KGD_JOURNAL_NAME_MAX);
	}
	return ret ?: kgc_strbuf_printf(b, " reason=%s\n",
				    kgc_reason_name(v->reason));
}

/* The command line, its arguments separated by spaces, escaped. */
static int kgd_jr_argv(struct kgc_strbuf *b, const struct kgc_event *ev)
{
	char line[KGD_JOURNAL_ARGV_MAX + 1];
	size_t i, n = ev->argv_len;

	if (!n)
		return 0;
	if (n > sizeof(line) - 1)
		n = sizeof(line) - 1;
	for (i = 0; i < n; i++)
		line[i] = ev->argv[i] ? ev->argv[i] : ' ';
	while (n && line[n - 1] == ' ' && !ev->argv[n - 1])
		n--;
	if (kgc_strbuf_put(b, "KABIGUARD_CMDLINE=", 18) ||
	    kgd_jr_val(b, line, n, KGD_JOURNAL_ARGV_MAX))
		return -ENOMEM;
	if ((ev->argv_truncated || ev->argv_len > KGD_JOURNAL_ARGV_MAX) &&
	    kgc_strbuf_put(b, "...", 3))
		return -ENOMEM;
	return kgc_strbuf_put(b, "\n", 1);
}

/* MESSAGE: what journalctl shows without -o verbose or json. */
static int kgd_jr_message(struct kgc_strbuf *b, const struct kgc_event *ev)
{
	size_t i, n = ev->nr_listed < 3 ? ev->nr_listed : 3;
	int ret;

	ret = kgc_strbuf_put(b, "MESSAGE=", 8);
	ret = ret ?: kgd_jr_val(b, ev->module, strnlen(ev->module,
				sizeof(ev->module)), KGD_JOURNAL_NAME_MAX);
	ret = ret ?: kgc_strbuf_printf(b, ": %s%s (%s, generation %llu), ",
				   ev->kind == KABIGUARD_EVENT_SCAN ?
				   "scanned: " : "", kgc_verdict_name(ev->verdict),
				   kgc_mode_name(ev->mode),
				   (unsigned long long)ev->generation);
	if (!ev->nr_violations)
		return ret ?: kgc_strbuf_printf(b, "%u imports\n", ev->nr_imports);
	ret = ret ?: kgc_strbuf_printf(b, "%u of %u imports not allowed",
				   ev->nr_violations, ev->nr_imports);
	for (i = 0; i < n && !ret; i++) {
		ret = kgc_strbuf_put(b, i ? ", " : ": ", 2);
		ret = ret ?: kgd_jr_val(b, ev->viol[i].symbol,
					strnlen(ev->viol[i].symbol,
						sizeof(ev->viol[i].symbol)),
					KGD_JOURNAL_MSG_SYM_MAX);
	}
	if (!ret && ev->nr_violations > n)
		ret = kgc_strbuf_printf(b, " and %u more", ev->nr_violations -
				    (unsigned int)n);
	return ret ?: kgc_strbuf_put(b, "\n", 1);
}

int kgd_journal_priority(enum kabiguard_verdict v)
{
	switch (v) {
	case KABIGUARD_VERDICT_ALLOWED:
		return LOG_INFO;
	case KABIGUARD_VERDICT_AUDITED:
		return LOG_WARNING;
	default:
		return LOG_ERR;
	}
}

int kgd_journal_fields(struct kgc_strbuf *b, const struct kgc_event *ev,
		       const struct kgc_event_json_ctx *x)
{
	char taints[64];
	size_t i, n;
	int ret;

	(void)x;	/* boot id and host: journald records its own */
	ret = kgd_jr_message(b, ev);
	ret = ret ?: kgc_strbuf_printf(b, "MESSAGE_ID=%s\n",
				   ev->kind == KABIGUARD_EVENT_SCAN ?
				   KGD_MESSAGE_ID_SCAN : KGD_MESSAGE_ID_LOAD);
	ret = ret ?: kgc_strbuf_printf(b, "PRIORITY=%d\n",
				   kgd_journal_priority(ev->verdict));
	ret = ret ?: kgc_strbuf_put(b, "SYSLOG_IDENTIFIER=kabiguardd\n", 29);
	ret = ret ?: kgc_strbuf_printf(b, "KABIGUARD_KIND=%s\n",
				   kgc_event_kind_name(ev->kind));
	ret = ret ?: kgd_jr_str(b, "KABIGUARD_MODULE", ev->module,
				sizeof(ev->module), KGD_JOURNAL_NAME_MAX);
	ret = ret ?: kgc_strbuf_printf(b, "KABIGUARD_VERDICT=%s\n",
				   kgc_verdict_name(ev->verdict));
	ret = ret ?: kgc_strbuf_printf(b, "KABIGUARD_MODE=%s\n",
				   kgc_mode_name(ev->mode));
	ret = ret ?: kgd_jr_u64(b, "KABIGUARD_SEQ", ev->seq);
	ret = ret ?: kgd_jr_u64(b, "KABIGUARD_GENERATION", ev->generation);
	if (*ev->version)
		ret = ret ?: kgd_jr_str(b, "KABIGUARD_MODULE_VERSION",
					ev->version, sizeof(ev->version),
					KGD_JOURNAL_NAME_MAX);
	if (*ev->srcversion)
		ret = ret ?: kgd_jr_str(b, "KABIGUARD_SRCVERSION",
					ev->srcversion, sizeof(ev->srcversion),
					KGD_JOURNAL_NAME_MAX);
	ret = ret ?: kgd_jr_u64(b, "KABIGUARD_SIG_OK", ev->sig_ok);
	kgc_taint_letters(ev->taints, taints, sizeof(taints));
	ret = ret ?: kgd_jr_str(b, "KABIGUARD_TAINTS", taints, sizeof(taints),
				sizeof(taints));
	ret = ret ?: kgd_jr_u64(b, "KABIGUARD_IMPORTS", ev->nr_imports);
	ret = ret ?: kgd_jr_u64(b, "KABIGUARD_VIOLATIONS", ev->nr_violations);
	n = ev->nr_listed < KGD_JOURNAL_VIOLATIONS ? ev->nr_listed :
	    KGD_JOURNAL_VIOLATIONS;
	for (i = 0; i < n && !ret; i++)
		ret = kgd_jr_violation(b, &ev->viol[i]);
	if (ev->nr_violations > n)
		ret = ret ?: kgd_jr_u64(b, "KABIGUARD_VIOLATIONS_CUT", 1);
	if (ev->has_process) {
		ret = ret ?: kgd_jr_u64(b, "OBJECT_PID", ev->pid);
		ret = ret ?: kgd_jr_u64(b, "KABIGUARD_PID", ev->pid);
		ret = ret ?: kgd_jr_u64(b, "KABIGUARD_PPID", ev->ppid);
		ret = ret ?: kgd_jr_u64(b, "KABIGUARD_UID", ev->uid);
		ret = ret ?: kgd_jr_u64(b, "KABIGUARD_EUID", ev->euid);
		ret = ret ?: kgd_jr_u64(b, "KABIGUARD_LOGINUID", ev->loginuid);
		ret = ret ?: kgd_jr_u64(b, "KABIGUARD_SESSIONID",
					ev->sessionid);
		ret = ret ?: kgd_jr_str(b, "KABIGUARD_COMM", ev->comm,
					sizeof(ev->comm), sizeof(ev->comm));
		if (*ev->exe)
			ret = ret ?: kgd_jr_str(b, "KABIGUARD_EXE", ev->exe,
						sizeof(ev->exe),
						KGD_JOURNAL_PATH_MAX);
		ret = ret ?: kgd_jr_argv(b, ev);
		if (*ev->cgroup)
			ret = ret ?: kgd_jr_str(b, "KABIGUARD_CGROUP",
						ev->cgroup, sizeof(ev->cgroup),
						KGD_JOURNAL_PATH_MAX);
		if (*ev->tty)
			ret = ret ?: kgd_jr_str(b, "KABIGUARD_TTY", ev->tty,
						sizeof(ev->tty),
						sizeof(ev->tty));
		ret = ret ?: kgd_jr_u64(b, "KABIGUARD_KMOD_REQUEST",
					ev->kmod_request);
	}
	if (ev->has_requester) {
		ret = ret ?: kgd_jr_u64(b, "KABIGUARD_REQ_PID", ev->req_pid);
		ret = ret ?: kgd_jr_u64(b, "KABIGUARD_REQ_UID", ev->req_uid);
		ret = ret ?: kgd_jr_str(b, "KABIGUARD_REQ_COMM", ev->req_comm,
					sizeof(ev->req_comm),
					sizeof(ev->req_comm));
		ret = ret ?: kgd_jr_str(b, "KABIGUARD_REQ_NAME", ev->req_name,
					sizeof(ev->req_name),
					KGD_JOURNAL_NAME_MAX);
	}
	if (ev->repeat_count) {
		ret = ret ?: kgd_jr_u64(b, "KABIGUARD_REPEAT_OF", ev->repeat_of);
		ret = ret ?: kgd_jr_u64(b, "KABIGUARD_REPEAT_COUNT",
					ev->repeat_count);
	}
	return ret ?: kgc_strbuf_put(b, "\n", 1);
}

int kgd_journal_send(const char *rec, size_t len)
{
#ifdef KG_HAVE_LIBSYSTEMD
	struct iovec iov[KGD_JOURNAL_MAX_FIELDS];
	const char *p = rec, *end = rec + len;
	int n = 0;

	while (p < end && *p != '\n' && n < KGD_JOURNAL_MAX_FIELDS) {
		const char *nl = memchr(p, '\n', end - p);

		if (!nl)
			nl = end;
		iov[n].iov_base = (void *)p;
		iov[n].iov_len = nl - p;
		n++;
		p = nl + 1;
	}
	return sd_journal_sendv(iov, n);
#else
	(void)rec;
	(void)len;
	return -ENOSYS;
#endif
}
