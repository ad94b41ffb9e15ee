// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side tests of kabiguardd's parts that need no kernel: the
 * configuration parser, the policy directory reader, the state file, the
 * log's crash recovery, the JSON line of an event, and the errno
 * explanations. The netlink parsers are in nl_parse_test.c. TAP 13
 * output; exits 1 when any test fails.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "../daemon/kabiguardd.h"
#include "../lib/internal.h"
#include "tap.h"

static char tmpdir[] = "/tmp/kgd-test.XXXXXX";

static void diag(const char *what, const char *s)
{
	printf("# %s: %s\n", what, s);
}

static const char *path_of(const char *name)
{
	static char path[4][512];
	static int slot;

	slot = (slot + 1) % 4;
	snprintf(path[slot], sizeof(path[slot]), "%s/%s", tmpdir, name);
	return path[slot];
}

static const char *write_str(const char *name, const char *s)
{
	const char *path = path_of(name);
	FILE *f = fopen(path, "w");

	if (!f || fputs(s, f) < 0 || fclose(f)) {
		perror(path);
		exit(1);
	}
	return path;
}

/* Every event line the library made here, appended to $KG_JSON_LINES
 * when set: `make check` validates them against doc/schema/event. */
static void save_json(const char *line)
{
	const char *path = getenv("KG_JSON_LINES");
	FILE *f;

	if (!path || !line)
		return;
	f = fopen(path, "a");
	if (!f || fputs(line, f) < 0 || fclose(f)) {
		perror(path);
		exit(1);
	}
}

static char *read_all(const char *path)
{
	static char buf[8192];
	FILE *f = fopen(path, "r");
	size_t n = 0;

	buf[0] = '\0';
	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

/* Loads text as a config file over the defaults. */
static int load_conf(struct kgd_config *cfg, const char *text, char *err,
		     size_t errlen)
{
	kgd_config_init(cfg);
	return kgd_config_load(cfg, write_str("kabiguard.conf", text), err,
			       errlen);
}

static void test_config(void)
{
	static const struct {
		const char *text, *want;
	} bad[] = {
		{ "mode = strict\n", ":1: mode: expected off, audit or enforce, not 'strict'" },
		{ "# c\n\nlock = maybe\n", ":3: lock: expected yes or no, not 'maybe'" },
		{ "log_file = var/log/x\n", ":1: log_file: expected an absolute path or 'none', not 'var/log/x'" },
		{ "policy_dir =\n", ":1: policy_dir: expected an absolute path, not ''" },
		{ "mode audit\n", ":1: expected 'key = value'" },
		{ "= audit\n", ":1: expected a key before '='" },
		{ "mode = audit\nverbose = yes\n", ":2: unknown key 'verbose'" },
		{ "events_buffer = 12k\n", ":1: events_buffer: expected a number of bytes" },
	};
	struct kgd_config cfg;
	char err[512];
	size_t i;
	int ret;

	ret = load_conf(&cfg, "# comment\n  mode = enforce  \nlock=yes\n"
			"policy_dir = /srv/policy\nlog_file = none\n"
			"state_file = /srv/state\nsyslog = no\n"
			"retro_scan = off\nevents_buffer = 65536\n", err,
			sizeof(err));
	ok(ret == 0 && cfg.mode == KABIGUARD_MODE_ENFORCE && cfg.lock &&
	   !strcmp(cfg.policy_dir, "/srv/policy") && !cfg.log_file &&
	   !strcmp(cfg.state_file, "/srv/state") &&
	   cfg.log_target == KGD_LOG_NONE &&
	   !cfg.retro_scan && cfg.events_buffer == 65536,
	   "config: every key read");
	if (ret)
		diag("error", err);
	kgd_config_free(&cfg);

	ret = load_conf(&cfg, "", err, sizeof(err));
	ok(ret == 0 && cfg.mode == KABIGUARD_MODE_AUDIT && !cfg.lock &&
	   !strcmp(cfg.policy_dir, KGD_POLICY_DIR) &&
	   !strcmp(cfg.log_file, KGD_LOG_FILE) &&
	   !strcmp(cfg.state_file, KGD_STATE_FILE) &&
	   cfg.log_target == KGD_LOG_AUTO && !cfg.metrics_file &&
	   cfg.retro_scan && cfg.events_buffer == KGD_EVENTS_BUFFER,
	   "config: an empty file keeps the defaults");
	kgd_config_free(&cfg);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char want[512];

		ret = load_conf(&cfg, bad[i].text, err, sizeof(err));
		snprintf(want, sizeof(want), "%s%s", path_of("kabiguard.conf"),
			 bad[i].want);
		ok(ret == -EINVAL && !strncmp(err, want, strlen(want)) &&
		   cfg.mode == KABIGUARD_MODE_AUDIT &&
		   !strcmp(cfg.log_file, KGD_LOG_FILE),
		   "config: error %zu names file:line, config unchanged", i);
		if (ret != -EINVAL || strncmp(err, want, strlen(want))) {
			diag("got", err);
			diag("want", want);
		}
		kgd_config_free(&cfg);
	}

	kgd_config_init(&cfg);
	ret = kgd_config_load(&cfg, path_of("missing.conf"), err, sizeof(err));
	ok(ret == -ENOENT, "config: a missing file is -ENOENT");
	kgd_config_free(&cfg);
}

static void test_policy_dir(void)
{
	struct kgc_policy p = { 0 };
	char err[512], dir[512];
	size_t nr_files;
	int ret;

	snprintf(dir, sizeof(dir), "%s/policy.d", tmpdir);
	mkdir(dir, 0755);
	ret = kgd_policy_read(dir, &p, &nr_files, err, sizeof(err));
	ok(ret == -ENOENT && strstr(err, "no policy files"),
	   "policy.d: an empty directory is an error");
	kgc_policy_free(&p);

	write_str("policy.d/10-base.policy", "any from=vmlinux\n");
	write_str("policy.d/20-extra.policy",
		  "symbol kg_plain_a\nnamespace DMA_BUF\n");
	write_str("policy.d/.hidden", "garbage here\n");
	write_str("policy.d/20-extra.policy~", "garbage here\n");
	write_str("policy.d/30-old.dpkg-old", "garbage here\n");
	ret = kgd_policy_read(dir, &p, &nr_files, err, sizeof(err));
	ok(ret == 0 && nr_files == 2 && p.nr == 3 &&
	   p.rules[0].kind == KABIGUARD_RULE_ANY &&
	   !strcmp(p.rules[1].name, "kg_plain_a"),
	   "policy.d: files in name order, hidden and backup files skipped");
	if (ret)
		diag("error", err);
	kgc_policy_free(&p);

	write_str("policy.d/25-bad.policy", "symbol ok_one\n\nsymbol\n");
	ret = kgd_policy_read(dir, &p, &nr_files, err, sizeof(err));
	ok(ret == -EINVAL && strstr(err, "policy.d/25-bad.policy:3:"),
	   "policy.d: a bad file is reported with file:line");
	diag("error", err);
	kgc_policy_free(&p);
	unlink(path_of("policy.d/25-bad.policy"));

	ret = kgd_policy_read(path_of("policy.d/10-base.policy"), &p,
			      &nr_files, err, sizeof(err));
	ok(ret == 0 && nr_files == 1 && p.nr == 1,
	   "policy: a single file instead of a directory");
	kgc_policy_free(&p);
}

static void test_state(void)
{
	struct kgd_state s = { .last_seq = 18446744073709551615ULL }, r;
	const char *path = path_of("state");
	char err[512];
	struct stat st;
	int ret;

	strcpy(s.boot_id, "0b6a4d2c-4f67-4d7a-9d1f-3d7e0c8f1a2b");
	ret = kgd_state_write(path, &s);
	ok(ret == 0 && stat(path_of("state.tmp"), &st) && errno == ENOENT,
	   "state: written, no temporary file left");
	ret = kgd_state_read(path, &r, err, sizeof(err));
	ok(ret == 0 && r.last_seq == s.last_seq &&
	   !strcmp(r.boot_id, s.boot_id), "state: read back");
	s.last_seq = 7;
	kgd_state_write(path, &s);
	ok(kgd_state_read(path, &r, err, sizeof(err)) == 0 && r.last_seq == 7,
	   "state: replaced");

	write_str("state-bad", "boot_id=x\nlast_seq=12z\n");
	ret = kgd_state_read(path_of("state-bad"), &r, err, sizeof(err));
	ok(ret == -EINVAL && strstr(err, "state-bad:2:") && !r.last_seq,
	   "state: a bad file names file:line");
	ret = kgd_state_read(path_of("state-none"), &r, err, sizeof(err));
	ok(ret == -ENOENT, "state: none yet is -ENOENT");
}

static void test_log_recover(void)
{
	const char *boot = "b1";
	const char *path;
	uint64_t seq;
	size_t cut;
	int fd, ret;

	path = write_str("log1", "{\"seq\":1,\"boot_id\":\"b1\",\"kind\":\"load\"}\n"
			 "{\"seq\":2,\"boot_id\":\"b1\",\"kind\":\"load\"}\n"
			 "{\"seq\":3,\"boot_id\":\"b1\",\"ki");
	fd = open(path, O_RDWR | O_APPEND);
	ret = kgd_log_recover(fd, boot, &seq, &cut);
	close(fd);
	ok(ret == 0 && seq == 2 && cut == 27 &&
	   !strcmp(read_all(path), "{\"seq\":1,\"boot_id\":\"b1\",\"kind\":\"load\"}\n"
		   "{\"seq\":2,\"boot_id\":\"b1\",\"kind\":\"load\"}\n"),
	   "log: a partial last line is cut, the last seq read");

	fd = open(path, O_RDWR | O_APPEND);
	ret = kgd_log_recover(fd, "b2", &seq, &cut);
	close(fd);
	ok(ret == 0 && seq == 0 && cut == 0,
	   "log: a line of another boot gives no seq");

	path = write_str("log2", "");
	fd = open(path, O_RDWR | O_APPEND);
	ret = kgd_log_recover(fd, boot, &seq, &cut);
	close(fd);
	ok(ret == 0 && seq == 0 && cut == 0, "log: an empty file");

	path = write_str("log3", "{\"seq\":9,\"boot_id\":\"b1\"");
	fd = open(path, O_RDWR | O_APPEND);
	ret = kgd_log_recover(fd, boot, &seq, &cut);
	close(fd);
	ok(ret == 0 && seq == 0 && cut == 23 && !*read_all(path),
	   "log: a file of one partial line is emptied");
}

static void test_json(void)
{
	struct kgc_violation v[2] = {
		{ .symbol = "kg_plain_b", .exporter = "kg_exporter",
		  .reason = KABIGUARD_REASON_NOT_ALLOWED },
		{ .symbol = "usb_stor_probe1", .ns = "USB_STORAGE",
		  .exporter = "usb_storage", .reason = KABIGUARD_REASON_CRC_MISMATCH,
		  .has_kernel_crc = true, .kernel_crc = 0xdeadbeef,
		  .has_rule_crc = true, .rule_crc = 0x12,
		  .flags = KABIGUARD_VIOLF_NAMESPACE_TRUNC },
	};
	struct kgc_event ev = {
		.verdict = KABIGUARD_VERDICT_DENIED,
		.mode = KABIGUARD_MODE_ENFORCE, .generation = 3,
		.module = "m\"o\\d\n\xff\xc3\xa9", .srcversion = "ABC",
		.taints = (1 << 12) | (1 << 13), .nr_imports = 5,
		.nr_violations = 3, .pid = 10, .uid = 0, .comm = "insmod",
		.check_ns = 1500, .nr_listed = 2, .viol = v, .seq = 42,
		.kind = KABIGUARD_EVENT_LOAD, .time_boot_ns = 5000000000ULL,
		.time_real_ns = 1795428000123456789ULL, .has_process = true,
		.ppid = 1, .euid = 0, .loginuid = 4294967295U,
		.sessionid = 4294967295U, .exe = "/usr/bin/kmod",
		.cgroup = "/", .kmod_request = false, .gid = 0, .egid = 5,
		.tty = "pts0", .cgroup_id = 1, .pidns = 4026531836U,
		.argv = "insmod\0a \"b\"\0", .argv_len = 13,
		.lsm_label = "unconfined",
		.flags = KABIGUARD_EVF_SRCVERSION_TRUNC |
			 KABIGUARD_EVF_VIOLATIONS_CUT,
	};
	static const char want[] =
		"{\"seq\":42,\"boot_id\":\"b\",\"kind\":\"load\","
		"\"time\":\"2026-11-23T10:00:00.123456789Z\","
		"\"time_real_ns\":1795428000123456789,"
		"\"time_boot_ns\":5000000000,\"host\":\"h\",\"kernel\":\"6.12\","
		"\"verdict\":\"denied\",\"mode\":\"enforce\",\"generation\":3,"
		"\"module\":\"m\\\"o\\\\d\\n\\u00ff\xc3\xa9\",\"version\":null,"
		"\"srcversion\":\"ABC\",\"sig_ok\":false,\"taints\":12288,"
		"\"taint_flags\":\"OE\",\"nr_imports\":5,\"nr_violations\":3,"
		"\"check_ns\":1500,\"pid\":10,\"ppid\":1,\"uid\":0,\"euid\":0,"
		"\"gid\":0,\"egid\":5,"
		"\"loginuid\":4294967295,\"sessionid\":4294967295,"
		"\"tty\":\"pts0\","
		"\"comm\":\"insmod\",\"exe\":\"/usr/bin/kmod\","
		"\"argv\":[\"insmod\",\"a \\\"b\\\"\"],\"argv_truncated\":false,"
		"\"lsm_label\":\"unconfined\",\"cgroup\":\"/\","
		"\"cgroup_id\":1,\"pidns\":4026531836,"
		"\"kmod_request\":false,\"violations\":["
		"{\"symbol\":\"kg_plain_b\",\"namespace\":null,"
		"\"exporter\":\"kg_exporter\",\"reason\":\"not-allowed\","
		"\"kernel_crc\":null,\"rule_crc\":null,"
		"\"symbol_truncated\":false,\"namespace_truncated\":false,"
		"\"exporter_truncated\":false,\"flags\":0},"
		"{\"symbol\":\"usb_stor_probe1\",\"namespace\":\"USB_STORAGE\","
		"\"exporter\":\"usb_storage\",\"reason\":\"crc-mismatch\","
		"\"kernel_crc\":\"0xdeadbeef\",\"rule_crc\":\"0x00000012\","
		"\"symbol_truncated\":false,\"namespace_truncated\":true,"
		"\"exporter_truncated\":false,\"flags\":2}],"
		"\"violations_truncated\":true,\"module_truncated\":false,"
		"\"version_truncated\":false,\"srcversion_truncated\":true,"
		"\"minimal\":false,\"flags\":12,\"argv_not_resident\":false,"
		"\"requester\":null,\"repeat_of\":null,\"repeat_count\":null}\n";
	struct kgc_event_json_ctx x = { .boot_id = "b", .host = "h",
				       .kernel = "6.12" };
	struct kgc_strbuf b = { 0 };
	struct kgc_audit_event ae;
	char err[256];
	int ret;

	ret = kgc_event_json(&b, &ev, &x);
	save_json(b.s);
	ok(ret == 0 && b.s && !strcmp(b.s, want),
	   "json: every field, escapes, invalid UTF-8, CRCs, truncation");
	if (ret || !b.s || strcmp(b.s, want)) {
		diag("got", b.s ? b.s : "(null)");
		diag("want", want);
	}
	/* What policy generate reads back. */
	ret = kgc_audit_parse(b.s, b.len, &ae, err, sizeof(err));
	ok(ret == 0 && ae.nr_viol == 2 && !strcmp(ae.verdict, "denied") &&
	   !strcmp(ae.viol[1].ns, "USB_STORAGE") &&
	   ae.viol[1].kernel_crc == 0xdeadbeef,
	   "json: kabiguardctl policy generate --audit reads the line");
	if (ret)
		diag("audit parse", err);
	else
		kgc_audit_event_free(&ae);

	b.len = 0;
	ev.kind = KABIGUARD_EVENT_SCAN;
	ev.has_process = false;
	ev.nr_listed = 0;
	ev.nr_violations = 0;
	ev.flags = 0;
	ret = kgc_event_json(&b, &ev, NULL);
	save_json(b.s);
	ok(ret == 0 && strstr(b.s, "\"kind\":\"scan\"") &&
	   strstr(b.s, "\"pid\":null,\"ppid\":null") &&
	   strstr(b.s, "\"kmod_request\":null,\"violations\":[],"
		  "\"violations_truncated\":false,") &&
	   !strstr(b.s, "boot_id"),
	   "json: a scan has null process fields");

	/* An autoload's repeat event: requester, repeat_of, repeat_count. */
	b.len = 0;
	ev.kind = KABIGUARD_EVENT_LOAD;
	ev.has_process = true;
	ev.kmod_request = true;
	ev.has_requester = true;
	ev.req_pid = 321;
	ev.req_uid = 65534;
	snprintf(ev.req_comm, sizeof(ev.req_comm), "fl\"ood");
	snprintf(ev.req_name, sizeof(ev.req_name), "net-pf-38");
	ev.seq = 50;
	ev.repeat_of = 42;
	ev.repeat_count = 9;
	ev.flags = KABIGUARD_EVF_ARGV_NOT_RESIDENT;
	ret = kgc_event_json(&b, &ev, NULL);
	save_json(b.s);
	ok(ret == 0 && strstr(b.s, "\"argv_not_resident\":true,"
			      "\"requester\":{\"pid\":321,\"uid\":65534,"
			      "\"comm\":\"fl\\\"ood\",\"name\":\"net-pf-38\"},"
			      "\"repeat_of\":42,\"repeat_count\":9}\n"),
	   "json: requester (escaped), repeat_of, repeat_count");
	if (ret || !b.s || !strstr(b.s, "\"repeat_count\":9"))
		diag("got", b.s ? b.s : "(null)");
	kgc_strbuf_free(&b);
}

/*
 * Only RFC 3629 UTF-8 passes raw: overlong forms, UTF-16 surrogates and
 * code points past U+10FFFF are bytes to escape (a strict decoder rejects
 * them, and an overlong C1 control must not reach a terminal as text);
 * the valid sequences at each boundary pass.
 */
static void test_json_utf8(void)
{
	static const char bad[] = "a\xe0\x80\x80" "b\xed\xa0\x80"
		"c\xf4\x90\x80\x80" "d\xf0\x80\x80\x80" "e\xe0\x82\x9b";
	static const char bad_want[] = "\"a\\u00e0\\u0080\\u0080"
		"b\\u00ed\\u00a0\\u0080" "c\\u00f4\\u0090\\u0080\\u0080"
		"d\\u00f0\\u0080\\u0080\\u0080" "e\\u00e0\\u0082\\u009b\"";
	static const char good[] = "\xe0\xa0\x80\xed\x9f\xbf"
		"\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\xc2\xa0";
	struct kgc_strbuf b = { 0 };

	ok(kgc_json_str(&b, bad) == 0 && !strcmp(b.s, bad_want),
	   "json: overlong, surrogate and out-of-range UTF-8 escaped byte by "
	   "byte");
	if (b.s && strcmp(b.s, bad_want))
		diag("got", b.s);
	b.len = 0;
	ok(kgc_json_str(&b, good) == 0 && b.len == strlen(good) + 2 &&
	   !memcmp(b.s + 1, good, strlen(good)),
	   "json: U+0800, U+D7FF, U+10000, U+10FFFF and U+00A0 kept as they "
	   "are");
	kgc_strbuf_free(&b);
}

/*
 * kgc_explain(), the one errno-to-words-and-exit-status mapping of both
 * tools: EPERM is "locked" only when the kernel says so (it checks the
 * capability first), the failing rule's file line is named.
 */
static void test_explain(void)
{
	struct kgc_rule r = { .file = "/etc/kabiguard/policy.d/x.policy",
			      .line = 7 };
	struct kgc_client c = { 0 };
	char msg[1024], want[128];

	snprintf(c.extack, sizeof(c.extack),
		 "kabiguard: policy and mode are locked until reboot");
	ok(kgc_explain(&c, -EPERM, KGC_REQ_COMMAND, msg, sizeof(msg)) ==
	   KGC_FAIL_LOCKED && !strcmp(msg, "policy is locked until reboot: "
	   "kabiguard: policy and mode are locked until reboot"),
	   "explain: EPERM with the lock's words: locked, exit 5 (%s)", msg);
	snprintf(c.extack, sizeof(c.extack), "kabiguard: needs CAP_SYS_MODULE "
		 "in the initial user namespace");
	ok(kgc_explain(&c, -EPERM, KGC_REQ_COMMAND, msg, sizeof(msg)) ==
	   KGC_FAIL_PERM && strstr(msg, "permission denied"),
	   "explain: EPERM with the capability's words: permission, exit 4");
	*c.extack = '\0';
	ok(kgc_explain(&c, -EPERM, KGC_REQ_COMMAND, msg, sizeof(msg)) ==
	   KGC_FAIL_PERM,
	   "explain: EPERM without words (genetlink's own check): permission");
	ok(kgc_explain(NULL, -EPERM, KGC_REQ_EVENTS, msg, sizeof(msg)) ==
	   KGC_FAIL_PERM && strstr(msg, "CAP_SYS_ADMIN"),
	   "explain: joining the events group needs CAP_SYS_ADMIN");
	ok(kgc_explain(NULL, -ENOENT, KGC_REQ_OPEN, msg, sizeof(msg)) ==
	   KGC_FAIL_NOMOD && strstr(msg, "load kabiguard.ko first"),
	   "explain: no family: module not loaded, exit 3");
	ok(kgc_explain(NULL, -ECONNREFUSED, KGC_REQ_OPEN, msg, sizeof(msg)) ==
	   KGC_FAIL_OTHER && strstr(msg, "cannot talk to the kabiguard "
	   "netlink family: "),
	   "explain: another failure to open: exit 1, said as such");
	c.bad_rule = &r;
	snprintf(c.extack, sizeof(c.extack), "kabiguard: bad CRC");
	ok(kgc_explain(&c, -EINVAL, KGC_REQ_COMMAND, msg, sizeof(msg)) ==
	   KGC_FAIL_OTHER && !strcmp(msg, "Invalid argument: kabiguard: bad "
	   "CRC (rule from /etc/kabiguard/policy.d/x.policy:7)"),
	   "explain: the kernel's words and the rule's file line (%s)", msg);
	ok(kgc_explain(&c, -ENODEV, KGC_REQ_COMMAND, msg, sizeof(msg)) ==
	   KGC_FAIL_NOMOD && strstr(msg, "being unloaded"),
	   "explain: ENODEV: the guard is being unloaded, exit 3");
	/* A module of another netlink ABI version: refused, both named. */
	ok(kgc_family_version_check(KABIGUARD_GENL_VERSION) == 0,
	   "version: a module of version %d is taken",
	   KABIGUARD_GENL_VERSION);
	ok(kgc_family_version_check(KABIGUARD_GENL_VERSION - 1) == -EPROTO,
	   "version: a module of version %d is refused",
	   KABIGUARD_GENL_VERSION - 1);
	snprintf(want, sizeof(want), "kabiguard.ko speaks netlink version "
		 "%d, these tools version %d", KABIGUARD_GENL_VERSION - 1,
		 KABIGUARD_GENL_VERSION);
	ok(kgc_explain(NULL, -EPROTO, KGC_REQ_OPEN, msg, sizeof(msg)) ==
	   KGC_FAIL_OTHER && strstr(msg, want),
	   "explain: EPROTO from open names both versions (%s)", msg);
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
	test_policy_dir();
	test_state();
	test_log_recover();
	test_json();
	test_json_utf8();
	test_explain();
	printf("1..%u\n", tap_nr_tests);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd))
		return 1;
	return tap_nr_failed ? 1 : 0;
}
