// SPDX-License-Identifier: GPL-2.0
/*
 * Event output, byte for byte: crafted verdict events (every attribute,
 * scans and loads, requesters, repeats, hostile strings, and malformed
 * ones) go through kgc_event_parse(), the JSON line (kgc_event_json())
 * and kabiguardctl's text (ctl_print_event()), and the result must equal
 * event_out.golden, written by the code before the attribute tables
 * (issue 11). An intended change of output rewrites the golden file:
 *   event_out_test --write event_out.golden
 * The JSON lines go to $KG_JSON_LINES too, for the schema check.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include "ctl.h"
#include "kgc_raw.h"
#include "tap.h"

static FILE *json_lines;

#define FAM 0x20

static struct nl_msg *start(void)
{
	struct nl_msg *m = nlmsg_alloc_size(65536);

	if (!m || !genlmsg_put(m, 0, 0, FAM, 0, 0, KABIGUARD_CMD_VERDICT, 1))
		abort();
	return m;
}

/* A violation nest; NULL strings and negative CRCs are left out. */
static void viol(struct nl_msg *m, const char *sym, const char *ns,
		 const char *exp, uint32_t reason, int64_t kc, int64_t rc,
		 uint32_t flags)
{
	struct nlattr *n = nla_nest_start(m, KABIGUARD_A_VIOLATION);

	nla_put_string(m, KABIGUARD_VIOL_A_SYMBOL, sym);
	if (ns)
		nla_put_string(m, KABIGUARD_VIOL_A_NAMESPACE, ns);
	if (exp)
		nla_put_string(m, KABIGUARD_VIOL_A_EXPORTER, exp);
	nla_put_u32(m, KABIGUARD_VIOL_A_REASON, reason);
	if (kc >= 0)
		nla_put_u32(m, KABIGUARD_VIOL_A_KERNEL_CRC, kc);
	if (rc >= 0)
		nla_put_u32(m, KABIGUARD_VIOL_A_RULE_CRC, rc);
	if (flags)
		nla_put_u32(m, KABIGUARD_VIOL_A_FLAGS, flags);
	nla_nest_end(m, n);
}

/* The three attributes an event needs, and a count of violations. */
static struct nl_msg *small(uint32_t nr_violations)
{
	struct nl_msg *m = start();

	nla_put_u64(m, KABIGUARD_A_SEQ, 3);
	nla_put_string(m, KABIGUARD_A_MODULE, "x");
	nla_put_u32(m, KABIGUARD_A_VERDICT, KABIGUARD_VERDICT_AUDITED);
	nla_put_u32(m, KABIGUARD_A_NR_VIOLATIONS, nr_violations);
	return m;
}

/* Parses m and prints what it gives (the error, or the JSON line with and
 * without the caller's members, and the text) to stdout. */
static void run(struct nl_msg *m, const char *name)
{
	struct kgc_event_json_ctx x = {
		.boot_id = "0b9c1e2d-4f5a-4b6c-8d7e-9f0a1b2c3d4e",
		.host = "h\x01st", .kernel = "6.12",
	};
	struct kgc_strbuf b = { 0 };
	struct kgc_event ev;
	char err[256];
	int ret;

	ret = kgc_event_parse(nlmsg_hdr(m), FAM, &ev, err, sizeof(err));
	printf("== %s: ret %d err \"%s\"\n", name, ret, err);
	if (ret == 1) {
		if (!kgc_event_json(&b, &ev, &x)) {
			fputs(b.s, stdout);
			if (json_lines)
				fputs(b.s, json_lines);
		}
		kgc_strbuf_free(&b);
		if (!kgc_event_json(&b, &ev, NULL)) {
			fputs(b.s, stdout);
			if (json_lines)
				fputs(b.s, json_lines);
		}
		kgc_strbuf_free(&b);
		out_set_json(false);
		ctl_print_event(&ev);
		kgc_event_free(&ev);
	}
	nlmsg_free(m);
}

/*
 * Every event attribute; process: 0 none (a scan), 1 the basic identity,
 * 2 everything; req: a requester; rep: a repeat. Strings with quotes,
 * control characters, DEL, invalid and valid UTF-8. bad, when set, adds
 * its attributes at the end of the loader nest.
 */
static struct nl_msg *full_bad(int process, int req, int rep,
			       void (*bad)(struct nl_msg *m))
{
	static const char argv[] = "modprobe\0-v\0k\xc3\xa9y=\"x\\\x1b\"\0tail";
	struct nl_msg *m = start();
	struct nlattr *n = NULL;

	nla_put_u64(m, KABIGUARD_A_SEQ, 42);
	nla_put_u32(m, KABIGUARD_A_EVENT_KIND, KABIGUARD_EVENT_LOAD);
	nla_put_u64(m, KABIGUARD_A_TIME_BOOT_NS, 123456789012ULL);
	nla_put_u64(m, KABIGUARD_A_TIME_REAL_NS, 1795000000123456789ULL);
	nla_put_u32(m, KABIGUARD_A_MODE, KABIGUARD_MODE_ENFORCE);
	nla_put_u64(m, KABIGUARD_A_GENERATION, 9);
	nla_put_u32(m, KABIGUARD_A_VERDICT, KABIGUARD_VERDICT_DENIED);
	nla_put_string(m, KABIGUARD_A_MODULE, "mod\xff\x9b\xc2\x85ule\n");
	nla_put_string(m, KABIGUARD_A_MODULE_VERSION, "1.2\t3");
	nla_put_string(m, KABIGUARD_A_SRCVERSION, "ABCDEF");
	nla_put_u8(m, KABIGUARD_A_SIG_OK, 1);
	nla_put_u64(m, KABIGUARD_A_TAINTS,
		    (1ULL << 12) | (1ULL << 13) | (1ULL << 40) | 1);
	nla_put_u32(m, KABIGUARD_A_NR_IMPORTS, 77);
	nla_put_u32(m, KABIGUARD_A_NR_VIOLATIONS, 5);
	nla_put_u64(m, KABIGUARD_A_CHECK_NS, 3333);
	nla_put_u32(m, KABIGUARD_A_EVENT_FLAGS, 0xffffffffu);
	if (process) {
		n = nla_nest_start(m, KABIGUARD_A_LOADER);
		nla_put_u32(m, KABIGUARD_LOADER_A_PID, 100);
		nla_put_u32(m, KABIGUARD_LOADER_A_UID, 0);
		nla_put_string(m, KABIGUARD_LOADER_A_COMM, "insmod");
		nla_put_u32(m, KABIGUARD_LOADER_A_PPID, 1);
		nla_put_u32(m, KABIGUARD_LOADER_A_EUID, 5);
		nla_put_u32(m, KABIGUARD_LOADER_A_GID, 6);
		nla_put_u32(m, KABIGUARD_LOADER_A_EGID, 7);
	}
	if (process > 1) {
		nla_put_u32(m, KABIGUARD_LOADER_A_LOGINUID, 1000);
		nla_put_u32(m, KABIGUARD_LOADER_A_SESSIONID, 3);
		nla_put_string(m, KABIGUARD_LOADER_A_TTY, "pts/0");
		nla_put_string(m, KABIGUARD_LOADER_A_EXE, "/usr/bin/kmod");
		nla_put_string(m, KABIGUARD_LOADER_A_CGROUP, "/user.slice");
		nla_put_u64(m, KABIGUARD_LOADER_A_CGROUP_ID, 4242);
		nla_put_u32(m, KABIGUARD_LOADER_A_PIDNS, 4026531836u);
		nla_put(m, KABIGUARD_LOADER_A_ARGV, sizeof(argv) - 1, argv);
		nla_put_u8(m, KABIGUARD_LOADER_A_ARGV_TRUNCATED, 1);
		nla_put_string(m, KABIGUARD_LOADER_A_LSM_LABEL, "unconfined");
		nla_put_u8(m, KABIGUARD_LOADER_A_KMOD_REQUEST, 1);
	}
	if (bad)
		bad(m);
	if (n)
		nla_nest_end(m, n);
	if (req) {
		n = nla_nest_start(m, KABIGUARD_A_REQUESTER);
		nla_put_u32(m, KABIGUARD_REQUESTER_A_PID, 55);
		nla_put_u32(m, KABIGUARD_REQUESTER_A_UID, 66);
		nla_put_string(m, KABIGUARD_REQUESTER_A_COMM, "sh\"x");
		nla_put_string(m, KABIGUARD_REQUESTER_A_NAME, "net-pf-99");
		nla_nest_end(m, n);
	}
	if (rep) {
		nla_put_u64(m, KABIGUARD_A_REPEAT_OF, 40);
		nla_put_u32(m, KABIGUARD_A_REPEAT_COUNT, 3);
	}
	viol(m, "sym_a", "NS_A", "vmlinux", KABIGUARD_REASON_NOT_ALLOWED,
	     0x1234, -1, 0);
	viol(m, "", NULL, NULL, KABIGUARD_REASON_LIVEPATCH, -1, -1, 0);
	viol(m, "sym\x7f", NULL, "exp", KABIGUARD_REASON_CRC_MISMATCH,
	     0xdeadbeef, 0xabcd, 7);
	return m;
}

static struct nl_msg *full(int process, int req, int rep)
{
	return full_bad(process, req, rep, NULL);
}

/* Malformed loader nests (full_bad()). */
static void pid_u64(struct nl_msg *m)
{
	nla_put_u64(m, KABIGUARD_LOADER_A_PID, 1);
}

static void comm_unterminated(struct nl_msg *m)
{
	nla_put(m, KABIGUARD_LOADER_A_COMM, 3, "abc");
}

static void argv_too_long(struct nl_msg *m)
{
	char *zeros = calloc(1, KABIGUARD_ARGV_MAX + 1);

	if (!zeros)
		abort();
	nla_put(m, KABIGUARD_LOADER_A_ARGV, KABIGUARD_ARGV_MAX + 1, zeros);
	free(zeros);
}

static void uid_twice(struct nl_msg *m)
{
	nla_put_u32(m, KABIGUARD_LOADER_A_UID, 1);
}

static void loader_newer(struct nl_msg *m)
{
	nla_put_u32(m, 200, 1);
	nla_put_u8(m, KABIGUARD_LOADER_A_PAD, 1);
	nla_put_u8(m, KABIGUARD_LOADER_A_PAD, 1);
}

static void events(void)
{
	struct nl_msg *m;
	struct nlattr *n;
	char name[64];
	int p, r, q;

	for (p = 0; p < 3; p++)
		for (r = 0; r < 2; r++)
			for (q = 0; q < 2; q++) {
				snprintf(name, sizeof(name),
					 "full p%d r%d q%d", p, r, q);
				run(full(p, r, q), name);
			}
	/* seq 0: a kernel without the ring; its text shows the process. */
	m = start();
	nla_put_string(m, KABIGUARD_A_MODULE, "old");
	nla_put_u32(m, KABIGUARD_A_VERDICT, KABIGUARD_VERDICT_ALLOWED);
	nla_put_u64(m, KABIGUARD_A_SEQ, 0);
	run(m, "seq0");
	m = start();
	nla_put_string(m, KABIGUARD_A_MODULE, "old");
	nla_put_u32(m, KABIGUARD_A_VERDICT, KABIGUARD_VERDICT_ALLOWED);
	nla_put_u64(m, KABIGUARD_A_SEQ, 0);
	n = nla_nest_start(m, KABIGUARD_A_LOADER);
	nla_put_u32(m, KABIGUARD_LOADER_A_PID, 3);
	nla_put_string(m, KABIGUARD_LOADER_A_COMM, "c");
	nla_nest_end(m, n);
	run(m, "seq0 pid");

	/* Malformed: each rejected with its own message. */
	m = start();
	nla_put_string(m, KABIGUARD_A_MODULE, "x");
	run(m, "no seq");
	m = full(1, 0, 0);
	n = nla_nest_start(m, KABIGUARD_A_REQUESTER);
	nla_put_u32(m, KABIGUARD_REQUESTER_A_PID, 1);
	nla_nest_end(m, n);
	run(m, "req partial");
	m = full(1, 0, 0);
	nla_put_u64(m, KABIGUARD_A_REPEAT_OF, 1);
	run(m, "rep partial");
	m = full(1, 0, 0);
	nla_put_u64(m, KABIGUARD_A_REPEAT_OF, 50);
	nla_put_u32(m, KABIGUARD_A_REPEAT_COUNT, 3);
	run(m, "rep bad");
	run(full_bad(1, 0, 0, pid_u64), "pid twice");
	m = full(1, 0, 0);
	nla_put_u64(m, KABIGUARD_A_NR_IMPORTS, 1);
	run(m, "u32 as u64");
	run(full_bad(1, 0, 0, comm_unterminated), "unterminated");
	m = full(1, 0, 0);
	nla_put_u32(m, KABIGUARD_A_NR_VIOLATIONS, 1);
	run(m, "nr twice");
	m = small(1);
	viol(m, "a", NULL, NULL, 1, -1, -1, 0);
	viol(m, "b", NULL, NULL, 1, -1, -1, 0);
	run(m, "too many viol");
	m = small(1);
	n = nla_nest_start(m, KABIGUARD_A_VIOLATION);
	nla_put_string(m, KABIGUARD_VIOL_A_SYMBOL, "s");
	nla_nest_end(m, n);
	run(m, "viol no reason");
	m = small(1);
	n = nla_nest_start(m, KABIGUARD_A_VIOLATION);
	nla_put_string(m, KABIGUARD_VIOL_A_SYMBOL, "s");
	nla_put_u32(m, KABIGUARD_VIOL_A_REASON, 1);
	nla_put_u32(m, KABIGUARD_VIOL_A_REASON, 1);
	nla_nest_end(m, n);
	run(m, "viol reason twice");
	m = small(0);
	memcpy((char *)nlmsg_hdr(m) + nlmsg_hdr(m)->nlmsg_len, "abc", 3);
	nlmsg_hdr(m)->nlmsg_len += 3;
	run(m, "trailing bytes");
	/* Newer attributes are skipped, padding may repeat. */
	m = full(1, 0, 0);
	nla_put_u32(m, 200, 1);
	run(m, "unknown attr");
	m = full(1, 0, 0);
	nla_put_u8(m, KABIGUARD_A_PAD, 1);
	nla_put_u8(m, KABIGUARD_A_PAD, 1);
	run(m, "pad twice");
	run(full_bad(1, 0, 0, argv_too_long), "argv too long");

	/* The nests: each once, their own attributes validated, given
	 * once, newer ones skipped, padding repeated; a nest that is not
	 * one is refused. */
	run(full_bad(1, 0, 0, uid_twice), "loader uid twice");
	run(full_bad(2, 1, 0, loader_newer), "loader newer attr");
	/* libnl drops an empty nest: these hold one attribute each. */
	m = full(1, 0, 0);
	n = nla_nest_start(m, KABIGUARD_A_LOADER);
	nla_put_u32(m, KABIGUARD_LOADER_A_PID, 1);
	nla_nest_end(m, n);
	run(m, "loader twice");
	m = full(0, 0, 0);
	nla_put_u32(m, KABIGUARD_A_LOADER, 1);
	run(m, "loader not a nest");
	m = full(1, 1, 0);
	n = nla_nest_start(m, KABIGUARD_A_REQUESTER);
	nla_put_u32(m, KABIGUARD_REQUESTER_A_PID, 1);
	nla_nest_end(m, n);
	run(m, "requester twice");
}

static char *slurp(FILE *f)
{
	char *s = NULL;
	size_t n = 0, got;

	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	s = calloc(1, n + 1);
	if (!s)
		abort();
	got = fread(s, 1, n, f);
	s[got] = '\0';
	return s;
}

/* The length of the case that starts at s, up to the next one's header. */
static size_t section_len(const char *s)
{
	const char *next = strstr(s, "\n== ");

	return next ? (size_t)(next + 1 - s) : strlen(s);
}

int main(int argc, char **argv)
{
	const char *path = getenv("KG_JSON_LINES");
	char *got, *want, *g, *w;
	FILE *out, *gold;
	int saved;

	if (argc != 2 && !(argc == 3 && !strcmp(argv[1], "--write"))) {
		fprintf(stderr, "usage: %s [--write] GOLDEN\n", argv[0]);
		return 2;
	}
	setenv("TZ", "UTC", 1);
	tzset();
	json_lines = path ? fopen(path, "ae") : NULL;
	out = tmpfile();
	if (!out)
		abort();
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	dup2(fileno(out), STDOUT_FILENO);
	events();
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	if (json_lines)
		fclose(json_lines);
	got = slurp(out);
	fclose(out);
	if (argc == 3) {
		gold = fopen(argv[2], "we");
		saved = !gold || fputs(got, gold) < 0 || fclose(gold);
		free(got);
		return saved;
	}
	printf("TAP version 13\n");
	gold = fopen(argv[1], "re");
	ok(gold != NULL, "golden output %s readable", argv[1]);
	if (!gold)
		return 1;
	want = slurp(gold);
	fclose(gold);
	ok(strstr(got, "\n== ") && !strncmp(got, "== ", 3),
	   "event output has its cases");
	for (g = got, w = want; *g && *w; g += section_len(g),
	     w += section_len(w)) {
		size_t gl = section_len(g), wl = section_len(w);
		char name[128] = "";

		sscanf(g, "== %127[^:]", name);
		ok(gl == wl && !memcmp(g, w, gl),
		   "event %s: parse, JSON and text as before", name);
		if (gl != wl || memcmp(g, w, gl))
			printf("# got:\n%.*s# want:\n%.*s", (int)gl, g,
			       (int)wl, w);
	}
	ok(!*g && !*w, "as many cases as the golden output");
	free(got);
	free(want);
	printf("1..%u\n", tap_nr_tests);
	return tap_nr_failed ? 1 : 0;
}
