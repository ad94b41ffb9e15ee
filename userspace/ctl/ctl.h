/* SPDX-License-Identifier: GPL-2.0 */
/* kabiguardctl: what the subcommand files share. */
#ifndef CTL_H
#define CTL_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include "kgclient.h"

/*
 * Exit codes, documented in --help and kabiguardctl(8). Those of a failed
 * call to the kernel are kgc_explain()'s classes (kgc_client.h).
 */
enum {
	CTL_EXIT_OK	= 0,
	CTL_EXIT_ERR	= KGC_FAIL_OTHER,	/* any other error */
	CTL_EXIT_USAGE	= 2,	/* bad usage or a bad policy file */
	CTL_EXIT_NOMOD	= KGC_FAIL_NOMOD,	/* kabiguard.ko not loaded */
	CTL_EXIT_PERM	= KGC_FAIL_PERM,	/* no CAP_SYS_MODULE */
	CTL_EXIT_LOCKED	= KGC_FAIL_LOCKED,	/* locked until reboot */
	CTL_EXIT_VIOLATIONS = 6,	/* check: a module would be refused */
};

struct ctl_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
	const char *args;
};

int cmd_load(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_mode(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_lock(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_scan(int argc, char **argv);

/* common.c */
extern const char *ctl_prog;
extern const struct ctl_cmd *ctl_cur;
/* Options every subcommand takes, to end its struct option table with. */
#define CTL_COMMON_LONGOPTS \
	{ "json", no_argument, NULL, 'j' }, \
	{ "help", no_argument, NULL, 'h' }, \
	{ NULL, 0, NULL, 0 }
#define CTL_COMMON_SHORTOPTS "jh"
/* Handles -j, -h and unknown options; returns -1 to go on, else an exit
 * code. */
int ctl_common_opt(int opt);
/* Option parsing for a subcommand that takes only the common options and
 * no arguments; returns -1 to go on, else an exit code. */
int ctl_no_args(int argc, char **argv);
int ctl_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ctl_cmd_usage(const struct ctl_cmd *cmd, bool to_stderr);
/* Parses FILE... (from argv[first] on) into p; prints the parse error and
 * returns CTL_EXIT_USAGE on failure. */
int ctl_parse_files(struct kgc_policy *p, int argc, char **argv, int first,
		    enum kgc_format fmt);
int ctl_format_opt(const char *arg, enum kgc_format *fmt);
/* kgc_open() with the messages and exit codes of kabiguardctl(8). */
int ctl_open(struct kgc_client **c);
int ctl_open_events(struct kgc_client **c);
/* Reports a failed request (with the kernel's extack) and returns the
 * exit code for it. */
int ctl_kernel_error(struct kgc_client *c, int err, const char *what);

/* out.c: one call prints text or JSON, like iproute2's print_*(). In
 * text mode fmt is a printf format taking the value; NULL prints nothing.
 * In JSON mode key names the member (ignored inside arrays). */
void out_set_json(bool json);
bool out_json(void);
void out_obj_begin(const char *key);
void out_obj_end(void);
void out_arr_begin(const char *key);
void out_arr_end(void);
void out_str(const char *key, const char *fmt, const char *val);
void out_u64(const char *key, const char *fmt, uint64_t val);
void out_hex32(const char *key, const char *fmt, uint32_t val);
void out_bool(const char *key, const char *fmt, bool val);
void out_null(const char *key);
/* Text mode only. */
void out_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Ends a line of output (a newline after a top-level JSON value) and
 * flushes, so that pipes see every event at once. */
void out_flush(void);
/* One row of an attribute table (kgc_fields.h) of obj: its value under
 * its key, or its text format; null as text_null. Not for hook rows. */
struct kgc_field;
void out_field(const struct kgc_field *f, const void *obj);
/* A rule as an object (JSON) or one native-format line (text). */
void out_rule(const struct kgc_rule *r);

/* event_out.c: one verdict event, text or the JSON line kabiguardd logs. */
void ctl_print_event(const struct kgc_event *ev);

#endif /* CTL_H */
