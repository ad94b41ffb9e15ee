// SPDX-License-Identifier: GPL-2.0
/*
 * kg_bench: the figures issue "Measured, not timed" asks for, printed from
 * inside a VM that has kabiguard.ko loaded.
 *
 *   kg_bench [-n NFT] SYMVERS ROUNDS BASELINE.ko IMPORTER.ko [EXPORTER.ko IMPORTER.ko]...
 *
 * Pushes SYMVERS (plus one rule per kg_many_NNN symbol) as one policy and
 * times push + commit; with -n, after each push it times `NFT -f` loading
 * an nftables set of as many string elements in one netlink batch
 * (write_nft_file()), the anchor for a large netlink load. It then
 * measures the kernel memory the active policy takes (policy_memory()).
 * Then, for each importer (after loading the exporter given before it, if
 * any), loads and unloads it ROUNDS times, alternating guard off and audit
 * mode, timing finit_module() and reading the guard's own check time from
 * each verdict event. BASELINE, the same module with few imports, is
 * loaded before each importer's round with the guard off: the difference
 * in insmod time estimates what the kernel itself spends on an importer's
 * ~200 imports (resolving and relocating them, checking their CRCs where
 * it has modversions), the cost the guard's check is held to.
 *
 * Lines starting with "KGB " repeat the figures as key=value pairs for
 * scripts/bench.sh's table.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kgclient.h"

#define NR_MANY 200
#define NR_PUSH 5
#define NFT_FILE "/tmp/kg_bench.nft"
#define NFT_PART 15	/* name bytes per ifname part (IFNAMSIZ - 1) */
#define NFT_PARTS 4	/* 4 x 16-byte ifname: NFT_DATA_VALUE_MAXLEN */

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int load(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	return ret;
}

static int unload(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) ? -errno : 0;
}

static void die(const char *what, int err, struct kgc_client *c)
{
	fprintf(stderr, "kg_bench: %s: %s%s%s\n", what, strerror(-err),
		c && *kgc_extack(c) ? ": " : "", c ? kgc_extack(c) : "");
	exit(1);
}

static int build_policy(struct kgc_policy *p, const char *symvers)
{
	char err[512], name[32];
	struct kgc_rule r = {
		.kind = KABIGUARD_RULE_SYMBOL,
		.name = name,
		.exporter = "kg_many_exporter",
	};
	int i, ret;

	ret = kgc_policy_load_file(p, symvers, KG_FORMAT_SYMVERS, err,
				  sizeof(err));
	if (ret) {
		fprintf(stderr, "kg_bench: %s\n", err);
		return ret;
	}
	for (i = 0; i < NR_MANY; i++) {
		snprintf(name, sizeof(name), "kg_many_%03d", i);
		ret = kgc_policy_append(p, &r);
		if (ret)
			return ret;
	}
	return 0;
}

static void modname(const char *path, char *name, size_t len)
{
	const char *base = strrchr(path, '/');
	size_t i;

	snprintf(name, len, "%s", base ? base + 1 : path);
	for (i = 0; name[i]; i++) {
		if (name[i] == '-')
			name[i] = '_';
		if (name[i] == '.') {
			name[i] = 0;
			break;
		}
	}
}

static void set_mode(struct kgc_client *c, enum kabiguard_mode mode)
{
	int ret = kgc_cmd_set_mode(c, mode);

	if (ret)
		die("setting the mode", ret, c);
}

/* One load and unload of @ko; returns the finit_module() time in us. */
static double load_once(const char *ko, const char *name)
{
	double t0 = now_us(), t;
	int ret;

	ret = load(ko);
	t = now_us() - t0;
	if (ret)
		die(ko, ret, NULL);
	ret = unload(name);
	if (ret)
		die(name, ret, NULL);
	return t;
}

/*
 * Each round loads BASE (guard off), then the importer with the guard off
 * and in audit mode: the kernel's own cost of the importer's extra
 * imports is the median of the paired differences (importer - BASE, guard
 * off), so a slower stretch of the run (TCG, a busy host) hits both sides.
 */
static void bench_importer(struct kgc_client *c, struct kgc_client *ev_client,
			   const char *ko, const char *base, int rounds,
			   double *base_us, double *off_us, double *on_us,
			   double *check_us, double *own_us)
{
	unsigned int imports = 0;
	char name[64], base_name[64];
	struct kgc_event ev;
	double own;
	int i, ret;

	modname(ko, name, sizeof(name));
	modname(base, base_name, sizeof(base_name));
	for (i = 0; i < rounds; i++) {
		set_mode(c, KABIGUARD_MODE_OFF);
		base_us[i] = load_once(base, base_name);
		off_us[i] = load_once(ko, name);
		own_us[i] = off_us[i] - base_us[i];
		set_mode(c, KABIGUARD_MODE_AUDIT);
		on_us[i] = load_once(ko, name);
		ret = kgc_events_next(ev_client, &ev, 5000);
		if (ret <= 0)
			die("waiting for the verdict event", ret ? ret : -ETIMEDOUT,
			    NULL);
		if (ev.verdict != KABIGUARD_VERDICT_ALLOWED) {
			fprintf(stderr, "kg_bench: %s was not allowed (%u violations)\n",
				ev.module, ev.nr_violations);
			exit(1);
		}
		check_us[i] = ev.check_ns / 1e3;
		imports = ev.nr_imports;
		kgc_event_free(&ev);
	}
	own = median(own_us, rounds);
	printf("%s: %u imports, %d loads per mode\n", name, imports, rounds);
	printf("  insmod time of %s, guard off: median %8.0f us\n", base_name,
	       median(base_us, rounds));
	printf("  insmod time, guard off:    median %8.0f us\n",
	       median(off_us, rounds));
	printf("  insmod time, guard audit:  median %8.0f us\n",
	       median(on_us, rounds));
	printf("  guard check time per load: median %8.1f us\n",
	       median(check_us, rounds));
	printf("  check time / insmod time:  %.2f %%\n",
	       100 * median(check_us, rounds) / median(on_us, rounds));
	printf("  kernel's own cost of the extra imports (insmod off - %s, paired): %.0f us\n",
	       base_name, own);
	printf("  check time / that cost:    %.2f\n",
	       median(check_us, rounds) / own);
	printf("KGB importer=%s imports=%u base_us=%.0f off_us=%.0f audit_us=%.0f check_us=%.1f own_us=%.0f check_own=%.3f\n",
	       name, imports, median(base_us, rounds), median(off_us, rounds),
	       median(on_us, rounds), median(check_us, rounds), own,
	       median(check_us, rounds) / own);
}

/*
 * The nftables anchor: one set element per policy rule, a string made from
 * the rule's symbol name. nftables has no variable-length string key: its
 * one string type is ifname (IFNAMSIZ, 16 bytes; the type of `typeof meta
 * iifname`), and a set key is at most 64 bytes (NFT_DATA_VALUE_MAXLEN). So
 * the key is a concatenation of four ifnames, each holding up to 15 bytes
 * of the name ("-", which no C identifier contains, stands for an empty
 * part): names of up to 60 bytes, nearly every exported symbol, go in
 * whole; a longer one keeps its first 51 bytes and a hash of the whole
 * name, so each rule stays one distinct element. nft backs an exact-match
 * set like this one with a hash table, as the guard does its policy.
 * Table, set and elements go to the kernel in one transaction.
 */
static int write_nft_file(const struct kgc_policy *p, const char *path,
			  size_t *nr)
{
	char key[NFT_PART * NFT_PARTS + 1];
	FILE *f = fopen(path, "w");
	size_t i;
	int j;

	if (!f)
		return -errno;
	fprintf(f, "table inet kg_bench {\n\tset rules {\n"
		"\t\ttype ifname . ifname . ifname . ifname\n\t\telements = {\n");
	*nr = 0;
	for (i = 0; i < p->nr; i++) {
		const char *name = p->rules[i].name;
		uint32_t h = 2166136261u;	/* FNV-1a */
		const char *c;

		if (!name)
			continue;
		if (strlen(name) < sizeof(key)) {
			snprintf(key, sizeof(key), "%s", name);
		} else {
			for (c = name; *c; c++)
				h = (h ^ (unsigned char)*c) * 16777619u;
			snprintf(key, sizeof(key), "%.51s~%08x", name, h);
		}
		fprintf(f, "%s\t\t\t", *nr ? ",\n" : "");
		for (j = 0; j < NFT_PARTS; j++) {
			const char *part = strlen(key) > (size_t)j * NFT_PART ?
					   key + j * NFT_PART : "-";

			fprintf(f, "%s\"%.*s\"", j ? " . " : "", NFT_PART, part);
		}
		(*nr)++;
	}
	fprintf(f, "\n\t\t}\n\t}\n}\n");
	if (fclose(f))
		return -errno;
	return 0;
}

/* Run argv, stdout and (with @quiet) stderr to /dev/null; its exit status. */
static int run(char *const argv[], int quiet)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (!pid) {
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, 1);
		if (quiet)
			dup2(fd, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* `nft -f` of the set, in ms; the table is deleted first, untimed. */
static double nft_load(const char *nft)
{
	char *del[] = { (char *)nft, "delete", "table", "inet", "kg_bench", NULL };
	char *load[] = { (char *)nft, "-f", NFT_FILE, NULL };
	double t0;
	int ret;

	run(del, 1);
	t0 = now_us();
	ret = run(load, 0);
	if (ret) {
		fprintf(stderr, "kg_bench: %s -f %s: exit status %d\n", nft,
			NFT_FILE, ret);
		exit(1);
	}
	return (now_us() - t0) / 1e3;
}

/*
 * From /proc/meminfo, in kB: the kernel memory a policy can take,
 * unreclaimable slab (kmalloc, including the large allocations kvmalloc
 * makes from the page allocator) plus vmalloc pages (kvmalloc's fallback);
 * and free memory, a cross-check that sees every allocation.
 */
static void meminfo(long *kernel_kb, long *free_kb)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	long v;

	*kernel_kb = 0;
	*free_kb = 0;
	if (!f) {
		perror("kg_bench: /proc/meminfo");
		exit(1);
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "SUnreclaim: %ld", &v) == 1 ||
		    sscanf(line, "VmallocUsed: %ld", &v) == 1)
			*kernel_kb += v;
		else if (sscanf(line, "MemFree: %ld", &v) == 1)
			*free_kb = v;
	}
	fclose(f);
}

/* meminfo() once the old policy, freed after an RCU grace period from a
 * workqueue, is gone: two readings 100 ms apart within 8 kB. */
static void meminfo_settled(long *kernel_kb, long *free_kb)
{
	long k, f;
	int i;

	usleep(200000);
	meminfo(kernel_kb, free_kb);
	for (i = 0; i < 30; i++) {
		usleep(100000);
		meminfo(&k, &f);
		if (labs(k - *kernel_kb) <= 8) {
			*kernel_kb = k;
			*free_kb = f;
			return;
		}
		*kernel_kb = k;
		*free_kb = f;
	}
}

static void push(struct kgc_client *c, const struct kgc_policy *p)
{
	uint64_t gen;
	int ret;

	ret = kgc_cmd_policy_begin(c);
	ret = ret ?: (p->nr ? kgc_cmd_policy_add(c, p->rules, p->nr) : 0);
	ret = ret ?: kgc_cmd_policy_commit(c, &gen);
	if (ret)
		die("pushing the policy", ret, c);
}

/*
 * The kernel memory the active policy takes: the policy replaced by an
 * empty one and back, MEM_ROUNDS times; the difference in unreclaimable
 * slab + vmalloc, averaged. Per rule, beside the bytes of the rule's own
 * strings (symbol, namespace and exporter names with their NULs), which
 * the kernel must keep whatever its layout.
 */
#define MEM_ROUNDS 4
static void policy_memory(struct kgc_client *c, const struct kgc_policy *p)
{
	struct kgc_policy empty = { 0 };
	long k0, f0, k1, f1, dk = 0, df = 0;
	double strings = 0, per_rule, str_per_rule;
	size_t i;
	int r;

	for (i = 0; i < p->nr; i++) {
		const struct kgc_rule *rule = &p->rules[i];

		strings += (rule->name ? strlen(rule->name) + 1 : 0) +
			   (rule->ns ? strlen(rule->ns) + 1 : 0) +
			   (rule->exporter ? strlen(rule->exporter) + 1 : 0) +
			   (rule->module ? strlen(rule->module) + 1 : 0);
	}
	for (r = 0; r < MEM_ROUNDS; r++) {
		push(c, &empty);
		meminfo_settled(&k0, &f0);
		push(c, p);
		meminfo_settled(&k1, &f1);
		dk += k1 - k0;
		df += f0 - f1;
	}
	per_rule = dk * 1024.0 / MEM_ROUNDS / p->nr;
	str_per_rule = strings / p->nr;
	printf("policy memory (slab + vmalloc, active policy minus an empty one, mean of %d): %.0f kB, %.1f bytes per rule\n",
	       MEM_ROUNDS, (double)dk / MEM_ROUNDS, per_rule);
	printf("  of which the rules' strings: %.1f bytes per rule; the rest: %.1f bytes per rule (goal <= 64: %s)\n",
	       str_per_rule, per_rule - str_per_rule,
	       per_rule - str_per_rule <= 64 ? "met" : "not met");
	printf("  cross-check, MemFree drop: %.1f bytes per rule\n",
	       df * 1024.0 / MEM_ROUNDS / p->nr);
	printf("KGB mem_kb=%.0f mem_per_rule=%.1f strings_per_rule=%.1f overhead_per_rule=%.1f memfree_per_rule=%.1f\n",
	       (double)dk / MEM_ROUNDS, per_rule, str_per_rule,
	       per_rule - str_per_rule, df * 1024.0 / MEM_ROUNDS / p->nr);
}

int main(int argc, char **argv)
{
	struct kgc_client *c, *ev_client;
	struct kgc_policy p = { 0 };
	double push_ms[NR_PUSH], nft_ms[NR_PUSH], parse_ms, t0;
	double *base_us, *off_us, *on_us, *check_us, *own_us;
	const char *nft = NULL;
	size_t nr_elems = 0;
	uint64_t gen;
	int rounds, i, ret, opt;

	setvbuf(stdout, NULL, _IOLBF, 0);	/* in order with nft's stderr */
	while ((opt = getopt(argc, argv, "n:")) != -1) {
		if (opt != 'n')
			goto usage;
		nft = optarg;
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (argc < 5 || (rounds = atoi(argv[2])) < 1) {
usage:
		fprintf(stderr, "usage: kg_bench [-n NFT] SYMVERS ROUNDS BASELINE.ko IMPORTER.ko [EXPORTER.ko IMPORTER.ko]...\n");
		return 2;
	}
	base_us = calloc(rounds, sizeof(double));
	off_us = calloc(rounds, sizeof(double));
	on_us = calloc(rounds, sizeof(double));
	check_us = calloc(rounds, sizeof(double));
	own_us = calloc(rounds, sizeof(double));
	if (!base_us || !off_us || !on_us || !check_us || !own_us)
		return 1;

	ret = kgc_open(&c);
	if (ret)
		die("kabiguard", ret, NULL);
	ret = kgc_events_open(&ev_client);
	if (ret)
		die("events socket", ret, NULL);

	t0 = now_us();
	if (build_policy(&p, argv[1]))
		return 1;
	parse_ms = (now_us() - t0) / 1e3;
	if (nft) {
		ret = write_nft_file(&p, NFT_FILE, &nr_elems);
		if (ret)
			die(NFT_FILE, ret, NULL);
	}
	/* Alternate the two loads, so a slower stretch of the run hits both. */
	for (i = 0; i < NR_PUSH; i++) {
		double t1, t2, t3;

		t0 = now_us();
		ret = kgc_cmd_policy_begin(c);
		t1 = now_us();
		ret = ret ?: kgc_cmd_policy_add(c, p.rules, p.nr);
		t2 = now_us();
		ret = ret ?: kgc_cmd_policy_commit(c, &gen);
		t3 = now_us();
		if (ret)
			die("pushing the policy", ret, c);
		push_ms[i] = (t3 - t0) / 1e3;
		if (i == NR_PUSH - 1)
			printf("last push: begin %.1f ms, add %.1f ms, commit %.1f ms\n",
			       (t1 - t0) / 1e3, (t2 - t1) / 1e3, (t3 - t2) / 1e3);
		if (nft)
			nft_ms[i] = nft_load(nft);
	}
	printf("policy: %zu rules (%s + %d), parsed in %.1f ms\n", p.nr,
	       argv[1], NR_MANY, parse_ms);
	printf("push + commit of the whole policy: median %.1f ms over %d runs\n",
	       median(push_ms, NR_PUSH), NR_PUSH);
	printf("KGB rules=%zu parse_ms=%.1f push_ms=%.1f\n", p.nr, parse_ms,
	       median(push_ms, NR_PUSH));
	if (nft) {
		printf("nft -f of a set of %zu string elements (one batch): median %.1f ms over %d runs\n",
		       nr_elems, median(nft_ms, NR_PUSH), NR_PUSH);
		printf("  push + commit / nft -f: %.2f (goal <= 1: %s)\n",
		       median(push_ms, NR_PUSH) / median(nft_ms, NR_PUSH),
		       median(push_ms, NR_PUSH) <= median(nft_ms, NR_PUSH) ?
		       "met" : "not met");
		printf("KGB nft_elems=%zu nft_ms=%.1f push_nft=%.3f\n", nr_elems,
		       median(nft_ms, NR_PUSH),
		       median(push_ms, NR_PUSH) / median(nft_ms, NR_PUSH));
	}
	if (nft) {
		/* Freed from a workqueue too: gone before the memory is read. */
		char *del[] = { (char *)nft, "delete", "table", "inet", "kg_bench", NULL };

		run(del, 1);
	}
	policy_memory(c, &p);

	for (i = 4; i < argc; i++) {
		if (strstr(argv[i], "exporter")) {
			ret = load(argv[i]);
			if (ret && ret != -EEXIST)
				die(argv[i], ret, NULL);
			continue;
		}
		bench_importer(c, ev_client, argv[i], argv[3], rounds, base_us,
			       off_us, on_us, check_us, own_us);
	}

	kgc_policy_free(&p);
	kgc_close(ev_client);
	kgc_close(c);
	free(base_us);
	free(off_us);
	free(on_us);
	free(check_us);
	free(own_us);
	return 0;
}
