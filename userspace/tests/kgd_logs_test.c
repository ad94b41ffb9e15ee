// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side tests of kabiguardd's log outputs that need no kernel: the
 * log_target and metrics_file keys, the journal record of an event
 * (fields, escaping and bounds of hostile values), and the metrics file
 * (format, atomic replacement), and a record sent with libsystemd to a
 * socket of the test's at journald's address. The metrics file is checked with `promtool check metrics`
 * in the Debian guest test (selftests/guest/host_test.sh). TAP 13.
 */
#define _GNU_SOURCE	/* unshare(), memmem() */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>

#include "../daemon/kabiguardd.h"
#include "tap.h"

static char tmpdir[] = "/tmp/kgd-logs-test.XXXXXX";

static const char *path_of(const char *name)
{
	static char path[4][512];
	static int slot;

	slot = (slot + 1) % 4;
	snprintf(path[slot], sizeof(path[slot]), "%s/%s", tmpdir, name);
	return path[slot];
}

static int load_conf(struct kgd_config *cfg, const char *text, char *err,
		     size_t errlen)
{
	const char *path = path_of("kabiguard.conf");
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f)) {
		perror(path);
		exit(1);
	}
	kgd_config_init(cfg);
	return kgd_config_load(cfg, path, err, errlen);
}

static void test_config(void)
{
	struct kgd_config cfg;
	char err[512];
	int ret;

	ret = load_conf(&cfg, "log_target = syslog\nmetrics_file = "
			"/var/lib/prometheus/node-exporter/kabiguard.prom\n",
			err, sizeof(err));
	ok(ret == 0 && cfg.log_target == KGD_LOG_SYSLOG && cfg.metrics_file &&
	   !strcmp(cfg.metrics_file,
		   "/var/lib/prometheus/node-exporter/kabiguard.prom"),
	   "config: log_target and metrics_file read");
	kgd_config_free(&cfg);

	ret = load_conf(&cfg, "log_target = none\n", err, sizeof(err));
	ok(ret == 0 && cfg.log_target == KGD_LOG_NONE, "config: log_target none");
	kgd_config_free(&cfg);

	ret = load_conf(&cfg, "syslog = yes\n", err, sizeof(err));
	ok(ret == 0 && cfg.log_target == KGD_LOG_AUTO,
	   "config: the older 'syslog = yes' is log_target auto");
	kgd_config_free(&cfg);

	ret = load_conf(&cfg, "log_target = journal\n", err, sizeof(err));
	if (kgd_journal_built())
		ok(ret == 0 && cfg.log_target == KGD_LOG_JOURNAL,
		   "config: log_target journal (built with libsystemd)");
	else
		ok(ret == -EINVAL && strstr(err, ":1: log_target: this "
					    "kabiguardd was built without "
					    "libsystemd"),
		   "config: log_target journal refused without libsystemd");
	kgd_config_free(&cfg);

	ret = load_conf(&cfg, "\nlog_target = kmsg\n", err, sizeof(err));
	ok(ret == -EINVAL && strstr(err, "kabiguard.conf:2: log_target: "
				    "expected auto, journal, syslog or none, "
				    "not 'kmsg'"),
	   "config: a bad log_target names file:line");
	printf("# %s\n", err);
	kgd_config_free(&cfg);

	ret = load_conf(&cfg, "metrics_file = /tmp/kabiguard.txt\n", err,
			sizeof(err));
	ok(ret == -EINVAL && strstr(err, ":1: metrics_file: expected a path "
				    "ending in .prom"),
	   "config: a metrics_file the collector would not read is refused");
	kgd_config_free(&cfg);

	ret = load_conf(&cfg, "metrics_file = kabiguard.prom\n", err,
			sizeof(err));
	ok(ret == -EINVAL && strstr(err, ":1: metrics_file: expected an "
				    "absolute path or 'none'"),
	   "config: a relative metrics_file is refused");
	kgd_config_free(&cfg);
}

/* The value of the first FIELD= line of record r, or NULL. */
static const char *field(const char *r, const char *name, char *buf,
			 size_t len)
{
	size_t n = strlen(name);
	const char *p = r;

	while (*p && *p != '\n') {
		const char *nl = strchr(p, '\n');

		if (!strncmp(p, name, n) && p[n] == '=') {
			snprintf(buf, len, "%.*s", (int)(nl - p - n - 1),
				 p + n + 1);
			return buf;
		}
		p = nl + 1;
	}
	return NULL;
}

static unsigned int count_fields(const char *r, const char *name)
{
	size_t n = strlen(name);
	unsigned int c = 0;
	const char *p = r;

	while (*p && *p != '\n') {
		if (!strncmp(p, name, n) && p[n] == '=')
			c++;
		p = strchr(p, '\n') + 1;
	}
	return c;
}

static void test_journal(void)
{
	static struct kgc_violation v[40];
	struct kgc_event ev = {
		.verdict = KABIGUARD_VERDICT_DENIED,
		.mode = KABIGUARD_MODE_ENFORCE, .generation = 3,
		.module = "evil\nMESSAGE=forged\\\x1b[31m\xff",
		.nr_imports = 50, .nr_violations = 45, .nr_listed = 40,
		.viol = v, .seq = 42, .kind = KABIGUARD_EVENT_LOAD,
		.has_process = true, .pid = 77, .ppid = 1, .uid = 0,
		.loginuid = 1000, .sessionid = 3, .comm = "insmod",
		.exe = "/usr/bin/kmod", .argv = "insmod\0x.ko\0", .argv_len = 12,
		.taints = 1 << 12,
	};
	struct kgc_event_json_ctx x = { 0 };
	struct kgc_strbuf b = { 0 };
	char buf[2048], want[64];
	const char *p;
	size_t i, lines = 0;
	bool clean = true;

	for (i = 0; i < 40; i++) {
		snprintf(v[i].symbol, sizeof(v[i].symbol), "sym_%zu", i);
		v[i].reason = KABIGUARD_REASON_NOT_ALLOWED;
	}
	/* A 511-byte symbol of newlines: bounded and escaped. */
	memset(v[1].symbol, '\n', sizeof(v[1].symbol) - 1);
	v[1].symbol[sizeof(v[1].symbol) - 1] = '\0';
	snprintf(v[0].ns, sizeof(v[0].ns), "USB_STORAGE");
	snprintf(v[0].exporter, sizeof(v[0].exporter), "usb_storage");

	ok(kgd_journal_fields(&b, &ev, &x) == 0, "journal: record built");
	printf("# %.*s\n", 300, b.s);
	ok(b.len > 2 && strstr(b.s, "\n\n") == b.s + b.len - 2,
	   "journal: one record, ended by its one empty line");
	for (p = b.s; *p; p++) {
		unsigned char c = *p;

		if (c == '\n')
			lines++;
		else if (c < 0x20 || c >= 0x7f)
			clean = false;
	}
	ok(clean, "journal: no control byte nor non-ASCII byte in any field");
	ok(field(b.s, "KABIGUARD_MODULE", buf, sizeof(buf)) &&
	   !strcmp(buf, "evil\\x0aMESSAGE=forged\\x5c\\x1b[31m\\xff"),
	   "journal: the module name escaped, its forged field inert (%s)",
	   buf);
	ok(count_fields(b.s, "MESSAGE") == 1 &&
	   field(b.s, "MESSAGE", buf, sizeof(buf)) &&
	   !strncmp(buf, "evil\\x0aMESSAGE=forged", 22) &&
	   strstr(buf, ": denied (enforce, generation 3), 45 of 50 imports "
		  "not allowed: sym_0, "),
	   "journal: one MESSAGE, readable: %s", buf);
	snprintf(want, sizeof(want), "%s", KGD_MESSAGE_ID_LOAD);
	ok(field(b.s, "MESSAGE_ID", buf, sizeof(buf)) && !strcmp(buf, want) &&
	   strlen(buf) == 32 && strspn(buf, "0123456789abcdef") == 32,
	   "journal: MESSAGE_ID is the load id, 128 bits in hex");
	ok(field(b.s, "PRIORITY", buf, sizeof(buf)) && !strcmp(buf, "3"),
	   "journal: a denied load has PRIORITY 3 (err)");
	ok(field(b.s, "KABIGUARD_VERDICT", buf, sizeof(buf)) &&
	   !strcmp(buf, "denied") &&
	   field(b.s, "KABIGUARD_MODE", buf, sizeof(buf)) &&
	   !strcmp(buf, "enforce") &&
	   field(b.s, "KABIGUARD_SEQ", buf, sizeof(buf)) &&
	   !strcmp(buf, "42") &&
	   field(b.s, "KABIGUARD_VIOLATIONS", buf, sizeof(buf)) &&
	   !strcmp(buf, "45") &&
	   field(b.s, "KABIGUARD_PID", buf, sizeof(buf)) &&
	   !strcmp(buf, "77") &&
	   field(b.s, "KABIGUARD_COMM", buf, sizeof(buf)) &&
	   !strcmp(buf, "insmod") &&
	   field(b.s, "KABIGUARD_CMDLINE", buf, sizeof(buf)) &&
	   !strcmp(buf, "insmod x.ko") &&
	   field(b.s, "KABIGUARD_TAINTS", buf, sizeof(buf)) &&
	   !strcmp(buf, "O"),
	   "journal: verdict, mode, seq, count, loader and command line");
	ok(count_fields(b.s, "KABIGUARD_VIOLATION") == 32 &&
	   field(b.s, "KABIGUARD_VIOLATIONS_CUT", buf, sizeof(buf)) &&
	   !strcmp(buf, "1"),
	   "journal: 32 violations listed of 45, the cut said");
	ok(field(b.s, "KABIGUARD_VIOLATION", buf, sizeof(buf)) &&
	   !strcmp(buf, "sym_0 ns=USB_STORAGE from=usb_storage "
		   "reason=not-allowed"),
	   "journal: a violation names symbol, namespace, exporter, reason");
	p = strstr(b.s, "KABIGUARD_VIOLATION=\\x0a");
	ok(p && strchr(p, '\n') - p == 20 + 256 * 4 + 3 + 19,
	   "journal: a 511-byte hostile symbol is cut at 256 bytes, escaped, "
	   "marked '...'");
	kgc_strbuf_free(&b);

	ev.verdict = KABIGUARD_VERDICT_ALLOWED;
	ev.kind = KABIGUARD_EVENT_SCAN;
	ev.nr_violations = ev.nr_listed = 0;
	ev.has_process = false;
	ok(kgd_journal_fields(&b, &ev, &x) == 0 &&
	   field(b.s, "PRIORITY", buf, sizeof(buf)) && !strcmp(buf, "6") &&
	   field(b.s, "MESSAGE_ID", buf, sizeof(buf)) &&
	   !strcmp(buf, KGD_MESSAGE_ID_SCAN) &&
	   field(b.s, "KABIGUARD_KIND", buf, sizeof(buf)) &&
	   !strcmp(buf, "scan") && !count_fields(b.s, "KABIGUARD_PID"),
	   "journal: an allowed scan: PRIORITY 6, the scan id, no loader");
	ok(!count_fields(b.s, "KABIGUARD_REQ_PID") &&
	   !count_fields(b.s, "KABIGUARD_REPEAT_OF"),
	   "journal: no requester nor repeat fields when the event has none");
	kgc_strbuf_free(&b);

	/* An autoload's repeat: who asked, and which event it repeats. */
	ev.verdict = KABIGUARD_VERDICT_DENIED;
	ev.kind = KABIGUARD_EVENT_LOAD;
	ev.has_process = true;
	ev.kmod_request = true;
	ev.has_requester = true;
	ev.req_pid = 4242;
	ev.req_uid = 65534;
	snprintf(ev.req_comm, sizeof(ev.req_comm), "flood\x1b");
	snprintf(ev.req_name, sizeof(ev.req_name), "net-pf-38\nMESSAGE=x");
	ev.repeat_of = 40;
	ev.repeat_count = 7;
	ok(kgd_journal_fields(&b, &ev, &x) == 0 &&
	   field(b.s, "KABIGUARD_REQ_PID", buf, sizeof(buf)) &&
	   !strcmp(buf, "4242") &&
	   field(b.s, "KABIGUARD_REQ_UID", buf, sizeof(buf)) &&
	   !strcmp(buf, "65534") &&
	   field(b.s, "KABIGUARD_REQ_COMM", buf, sizeof(buf)) &&
	   !strcmp(buf, "flood\\x1b") &&
	   field(b.s, "KABIGUARD_REQ_NAME", buf, sizeof(buf)) &&
	   !strcmp(buf, "net-pf-38\\x0aMESSAGE=x") &&
	   count_fields(b.s, "MESSAGE") == 1 &&
	   field(b.s, "KABIGUARD_REPEAT_OF", buf, sizeof(buf)) &&
	   !strcmp(buf, "40") &&
	   field(b.s, "KABIGUARD_REPEAT_COUNT", buf, sizeof(buf)) &&
	   !strcmp(buf, "7"),
	   "journal: an autoload names its requester (pid, uid, comm, name "
	   "escaped), a repeat the event it repeats and its count");
	kgc_strbuf_free(&b);
	ok(kgd_journal_priority(KABIGUARD_VERDICT_AUDITED) == LOG_WARNING,
	   "journal: an audited load has PRIORITY 4 (warning)");
}

static void test_metrics(void)
{
	struct kgd_metrics m = {
		.have_status = true,
		.st = { .mode = KABIGUARD_MODE_ENFORCE, .generation = 7,
			.locked = true, .nr_rules = 12, .allowed = 5,
			.audited = 1, .denied = 2, .violations = 9,
			.ring_overflow = 3, .ring_next = 20 },
		.written = 17, .lost = 0, .last_seq = 17,
		.lag_ns = 1500000, .time_ns = 1795428000123456789ULL,
	};
	const char *path = path_of("kabiguard.prom");
	const char *promtool = getenv("PROMTOOL") ?: "promtool";
	struct kgc_strbuf b = { 0 };
	struct stat st;
	char text[8192];
	size_t n;
	FILE *f;

	ok(kgd_metrics_write(path, &m) == 0, "metrics: file written");
	f = fopen(path, "r");
	n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
	text[n] = '\0';
	if (f)
		fclose(f);
	ok(!stat(path, &st) && (st.st_mode & 0777) == 0644,
	   "metrics: readable by node_exporter's user (0644)");
	ok(kgd_metrics_format(&b, &m) == 0 && !strcmp(b.s, text),
	   "metrics: the file holds the formatted text");
	ok(strstr(text, "\nkabiguard_loads_total{verdict=\"denied\"} 2\n") &&
	   strstr(text, "\nkabiguard_loads_total{verdict=\"allowed\"} 5\n") &&
	   strstr(text, "\nkabiguard_violations_total 9\n") &&
	   strstr(text, "\nkabiguard_ring_overflow_total 3\n") &&
	   strstr(text, "\nkabiguard_policy_generation 7\n") &&
	   strstr(text, "\nkabiguard_locked 1\n") &&
	   strstr(text, "\nkabiguard_mode{mode=\"enforce\"} 1\n") &&
	   strstr(text, "\nkabiguard_mode{mode=\"audit\"} 0\n") &&
	   strstr(text, "\nkabiguard_daemon_lag_events 2\n") &&
	   strstr(text, "\nkabiguard_daemon_lag_seconds 0.001500\n"),
	   "metrics: the values");
	ok(!strncmp(text, "# HELP kabiguard_loads_total ", 29) &&
	   strstr(text, "\n# TYPE kabiguard_loads_total counter\n") &&
	   text[n - 1] == '\n',
	   "metrics: HELP and TYPE lines, a final newline");
	kgc_strbuf_free(&b);
	snprintf(text, sizeof(text), "command -v '%s' >/dev/null", promtool);
	if (system(text) == 0) {
		snprintf(text, sizeof(text), "'%s' check metrics <'%s'",
			 promtool, path);
		ok(system(text) == 0, "metrics: promtool check metrics "
		   "accepts the file");
	} else {
		skip("no promtool (scripts/install-deps.sh unpacks it into "
		     "build/promtool; the guest test runs it)",
		     "metrics: promtool check metrics");
	}

	m.have_status = false;
	ok(kgd_metrics_write(path, &m) == 0 &&
	   (f = fopen(path, "r")) && (n = fread(text, 1, sizeof(text) - 1, f))
	   && !fclose(f) && (text[n] = '\0', !strstr(text, "kabiguard_loads")) &&
	   strstr(text, "kabiguard_daemon_events_written_total 17\n"),
	   "metrics: replaced whole; without the kernel's status, the daemon's "
	   "own counters only");
	ok(kgd_metrics_write(path_of("nodir/kabiguard.prom"), &m) == -ENOENT,
	   "metrics: a missing directory is -ENOENT (the daemon creates it)");
	snprintf(text, sizeof(text), "ls -a '%s' | grep -c kabiguard.prom. "
		 ">/dev/null", tmpdir);
	ok(system(text) != 0, "metrics: no temporary file left behind");
}

/* Writes s to an existing file (a /proc file): 0 or -1 with errno set. */
static int write_file(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	if (fputs(s, f) < 0) {
		fclose(f);
		return -1;
	}
	return fclose(f) ? -1 : 0;
}

/*
 * In a private mount namespace (a user namespace too when not root), puts
 * a datagram socket of ours where journald's would be. Returns its fd or
 * a negative errno, and what failed in *what.
 */
static int journal_capture_socket(const char **what)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	uid_t uid = getuid();
	gid_t gid = getgid();
	char map[64];
	int fd;

	*what = "unshare(CLONE_NEWNS)";
	if (unshare(CLONE_NEWNS)) {
		*what = "unshare(CLONE_NEWUSER | CLONE_NEWNS)";
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS))
			return -errno;
		*what = "the user namespace's uid and gid maps";
		snprintf(map, sizeof(map), "0 %u 1\n", (unsigned int)uid);
		if (write_file("/proc/self/setgroups", "deny") ||
		    write_file("/proc/self/uid_map", map))
			return -errno;
		snprintf(map, sizeof(map), "0 %u 1\n", (unsigned int)gid);
		if (write_file("/proc/self/gid_map", map))
			return -errno;
	}
	*what = "a tmpfs on /run with /run/systemd/journal";
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("kgd-logs-test", "/run", "tmpfs", 0, "mode=0755") ||
	    mkdir("/run/systemd", 0755) || mkdir("/run/systemd/journal", 0755))
		return -errno;
	*what = "the socket /run/systemd/journal/socket";
	snprintf(sa.sun_path, sizeof(sa.sun_path),
		 "/run/systemd/journal/socket");
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -errno;
	}
	return fd;
}

/* Whether buf[0..n) holds the line "\n<line>\n". */
static bool has_line(const char *buf, size_t n, const char *line)
{
	char want[256];
	int len = snprintf(want, sizeof(want), "\n%s\n", line);

	return len > 0 && (size_t)len < sizeof(want) &&
	       memmem(buf, n, want, len);
}

/*
 * journald's native protocol end to end, on any host: libsystemd's real
 * sd_journal_sendv() sends a record to our socket at journald's address,
 * and the datagram must be the record's fields, one "NAME=value" line
 * each (libsystemd refuses an invalid field name, and would switch to its
 * binary form for a value holding a newline). A running journald is not
 * needed and not used: the Debian guest test (selftests/guest/host_test.sh)
 * finds the records with journalctl.
 */
static void test_journal_wire(void)
{
	struct kgc_event ev = {
		.verdict = KABIGUARD_VERDICT_DENIED,
		.mode = KABIGUARD_MODE_ENFORCE, .kind = KABIGUARD_EVENT_LOAD,
		.module = "kgd_logs\ntest\x1b[31m", .nr_imports = 1, .seq = 7,
		.has_process = true, .pid = 77, .comm = "insmod",
	};
	struct kgc_event_json_ctx x = { 0 };
	struct kgc_strbuf b = { 0 };
	static char dgram[65536];
	const char *what;
	ssize_t n;
	int fd;

	if (!kgd_journal_built()) {
		ok(false, "journal: kabiguardd built with libsystemd "
		   "(scripts/install-deps.sh installs libsystemd-dev)");
		return;
	}
	fd = journal_capture_socket(&what);
	if (fd < 0) {
		if (getuid() == 0)
			ok(false, "journal: %s: %s", what, strerror(-fd));
		else
			skip("not root and no user namespaces here",
			     "journal: native protocol to journald's socket");
		return;
	}
	ok(kgd_journal_running(), "journal: journald's socket found "
	   "(log_target = auto picks the journal)");
	ok(kgd_journal_fields(&b, &ev, &x) == 0 &&
	   kgd_journal_send(b.s, b.len) == 0,
	   "journal: sd_journal_sendv() accepts the record");
	n = recv(fd, dgram, sizeof(dgram), MSG_DONTWAIT);
	printf("# datagram of %zd bytes, record of %zu\n", n, b.len);
	ok(n > 0 && b.len > 1 && (size_t)n == b.len - 1 &&
	   !memcmp(dgram, b.s, n) && !memchr(dgram, '\0', n),
	   "journal: the datagram is the record's NAME=value lines");
	ok(n > 0 && has_line(dgram, n, "KABIGUARD_VERDICT=denied") &&
	   has_line(dgram, n, "KABIGUARD_MODULE=kgd_logs\\x0atest\\x1b[31m"),
	   "journal: verdict field, module name escaped on the wire");
	close(fd);
	kgc_strbuf_free(&b);
}

int main(void)
{
	char cmd[600];

	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	printf("TAP version 13\n");
	test_config();
	test_journal();
	test_metrics();
	test_journal_wire();
	printf("1..%u\n", tap_nr_tests);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd))
		return 1;
	return tap_nr_failed ? 1 : 0;
}
