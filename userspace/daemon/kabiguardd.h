/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kabiguardd: applies the kabiguard policy and keeps a lossless audit
 * trail of verdict events. What its files share.
 *
 * Threading model: one thread. It polls the events socket (multicast
 * group "events") and a signalfd (SIGHUP, SIGTERM, SIGINT, SIGUSR1,
 * SIGUSR2);
 * requests (policy, mode, EVENTS_GET dumps, SCAN) go on a second socket so
 * that replies never mix with events. Nothing runs in signal handlers.
 */
#ifndef KABIGUARDD_H
#define KABIGUARDD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "kgclient.h"

#define KGD_CONFIG_FILE		"/etc/kabiguard/kabiguard.conf"
#define KGD_POLICY_DIR		"/etc/kabiguard/policy.d"
#define KGD_LOG_FILE		"/var/log/kabiguard/events.jsonl"
#define KGD_STATE_FILE		"/var/lib/kabiguard/state"
#define KGD_EVENTS_BUFFER	(4 * 1024 * 1024)

/*
 * Exit codes, as kabiguardctl's (kabiguardd(8)): those of a failed call
 * to the kernel are kgc_explain()'s classes (a locked policy is not an
 * error for the daemon).
 */
enum {
	KGD_EXIT_OK	= 0,
	KGD_EXIT_ERR	= KGC_FAIL_OTHER,
	KGD_EXIT_CONFIG	= 2,	/* bad usage, config or policy file */
	KGD_EXIT_NOMOD	= KGC_FAIL_NOMOD,	/* kabiguard.ko not loaded */
	KGD_EXIT_PERM	= KGC_FAIL_PERM,	/* no CAP_SYS_MODULE */
};

/* Where verdicts go besides the log file (log_target). */
enum kgd_log_target {
	KGD_LOG_AUTO,		/* the journal when it runs here, else syslog */
	KGD_LOG_JOURNAL,
	KGD_LOG_SYSLOG,
	KGD_LOG_NONE,
};

/* config.c: kabiguard.conf(5). */
struct kgd_config {
	enum kabiguard_mode mode;
	bool lock;
	char *policy_dir;	/* a directory of policy files, or one file */
	char *log_file;		/* NULL: no log file */
	char *state_file;	/* NULL: no state file */
	enum kgd_log_target log_target;
	char *metrics_file;	/* NULL: no node_exporter textfile */
	bool retro_scan;
	int events_buffer;	/* receive buffer of the events socket */
};

void kgd_config_init(struct kgd_config *cfg);
const char *kgd_log_target_name(enum kgd_log_target t);
void kgd_config_free(struct kgd_config *cfg);
/* Reads path into cfg (which holds the defaults or an earlier config).
 * Returns 0; -ENOENT when the file does not exist (cfg untouched); -EINVAL
 * with "file:line: what was expected" in err; another negative errno with
 * "file: reason". cfg is changed only on success. */
int kgd_config_load(struct kgd_config *cfg, const char *path, char *err,
		    size_t errlen);

/* statefile.c: the last sequence number written, kept across restarts. */
struct kgd_state {
	char boot_id[40];
	uint64_t last_seq;
};

int kgd_boot_id(char *buf, size_t len);
/* 0, -ENOENT (no state yet), -EINVAL (err: file:line), -errno. */
int kgd_state_read(const char *path, struct kgd_state *st, char *err,
		   size_t errlen);
/* Atomic: a temporary file, fsync, rename, fsync of the directory. */
int kgd_state_write(const char *path, const struct kgd_state *st);

/* logfile.c: the log file of verdict lines. */
/* mkdir -p of the directory holding path (first start, no systemd
 * LogsDirectory=/StateDirectory=). */
void kgd_mkdir_parent(const char *path);
/* O_RDWR|O_APPEND, created (and its directory) if missing; the fd, or
 * -errno after saying why. */
int kgd_log_open(const char *path);
/* One batch: written whole, then fdatasync. *start gets the size before
 * (-1: unknown) for kgd_log_cut_back(). 0 or -errno. */
int kgd_log_append(int fd, const char *buf, size_t len, off_t *start);
/* After a failed kgd_log_append(): the file back to start. 0 or -errno. */
int kgd_log_cut_back(int fd, off_t start);
/*
 * On the log file fd (opened O_RDWR|O_APPEND): cuts a last line that has
 * no newline (a write cut short by a crash; *cut gets its length) and
 * reads the seq of the last whole line when its boot_id is boot_id (else
 * *seq = 0). Returns 0 or -errno.
 */
int kgd_log_recover(int fd, const char *boot_id, uint64_t *seq, size_t *cut);

/* batch.c: the lines of a batch, and their journal records. */
struct kgd_batch_line {
	uint64_t time_ns;		/* the event's time_real_ns */
	enum kabiguard_verdict verdict;
	size_t len;			/* without the newline */
	size_t short_off, short_len;	/* its syslog form, if shortened */
};
struct kgd_batch {
	struct kgc_strbuf lines;		/* JSON lines, for the log file */
	struct kgc_strbuf jr;		/* their journal records (journal.c) */
	struct kgc_strbuf short_lines;	/* syslog forms of long lines */
	struct kgd_batch_line *line;
	size_t nr, cap;
};
/* Appends ev's line, and its journal record or syslog form as target
 * needs; all of them or none. 0 or -ENOMEM. */
int kgd_batch_add(struct kgd_batch *b, const struct kgc_event *ev,
		  const struct kgc_event_json_ctx *jx, enum kgd_log_target target);
/* The lines to the journal (target JOURNAL) or syslog, once on disk; a
 * journal that refuses a record gets it in syslog, *journal_failed then
 * says so (each change said once). */
void kgd_batch_send(const struct kgd_batch *b, enum kgd_log_target target,
		    bool *journal_failed);
void kgd_batch_clear(struct kgd_batch *b);
void kgd_batch_free(struct kgd_batch *b);

/* apply.c */
/* Reads the policy at path, commits it as one transaction, sets the mode,
 * locks. Returns 0, -EINVAL/-ENOENT (bad or missing policy files: nothing
 * changed), -EROFS (kabiguard locked: nothing changed) or another errno. */
int kgd_apply(struct kgc_client *req, const char *path,
	      enum kabiguard_mode mode, bool lock);
/* Sends SCAN for every loaded module, oldest first, calling between()
 * after each; returns how many were checked. */
size_t kgd_retro_scan(struct kgc_scanner **scanner, struct kgc_client *req,
		      void (*between)(void *arg), void *arg);

/* policy_files.c */
/* Appends the policy files of path (a directory: its files in name order,
 * skipping hidden and backup files; or a single file) to p. Returns 0, or
 * a negative errno with "file:line: ..." or "path: reason" in err. */
int kgd_policy_read(const char *path, struct kgc_policy *p, size_t *nr_files,
		    char *err, size_t errlen);

/* msg.c: kabiguardd's own messages (not the verdicts): to stderr, and to
 * syslog when it is on. */
void kgd_msg_init(bool to_stderr, bool to_syslog);
void kgd_msg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* journal.c: verdicts as structured journal entries (kabiguardd(8)). */
#define KGD_MESSAGE_ID_LOAD	"71c6efd2db5a4821bedd71e8455e0d21"
#define KGD_MESSAGE_ID_SCAN	"5b3b4357c766436cbc46551a83cbad7c"
bool kgd_journal_built(void);		/* with libsystemd */
bool kgd_journal_running(void);		/* and journald's socket is here */
int kgd_journal_priority(enum kabiguard_verdict v);
/* Appends ev's record to b: "FIELD=value\n" each, values escaped and
 * bounded, then an empty line. 0 or -ENOMEM. */
int kgd_journal_fields(struct kgc_strbuf *b, const struct kgc_event *ev,
		       const struct kgc_event_json_ctx *x);
/* Sends one record (its fields, up to the empty line); 0 or -errno. */
int kgd_journal_send(const char *rec, size_t len);

/* metrics.c: the node_exporter textfile collector file. */
struct kgd_metrics {
	struct kgc_status st;
	bool have_status;	/* st read from the kernel */
	uint64_t written, lost, last_seq;
	uint64_t lag_ns;	/* verdict to disk, longest of the last batch */
	uint64_t time_ns;	/* CLOCK_REALTIME */
};
int kgd_metrics_format(struct kgc_strbuf *b, const struct kgd_metrics *m);
/* Atomic: temporary file, fsync, rename, fsync of the directory. */
int kgd_metrics_write(const char *path, const struct kgd_metrics *m);

/* daemon.c */
struct kgd_opts {
	const char *config;	/* NULL: the default, optional */
	const char *policy;	/* overrides policy_dir */
	bool foreground;
	int ready_fd;		/* written when the policy is applied; -1 */
};

/* Runs until SIGTERM; o->ready_fd is set to -1 once it was written. */
int kgd_run(struct kgd_opts *o);

#endif /* KABIGUARDD_H */
