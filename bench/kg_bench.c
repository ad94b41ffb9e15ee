// SPDX-License-Identifier: GPL-2.0
/*
 * kg_bench: the figures issue "Measured, not timed" asks for, printed from
 * inside a VM that has kabiguard.ko loaded.
 *
 *   kg_bench SYMVERS ROUNDS BASELINE.ko IMPORTER.ko [EXPORTER.ko IMPORTER.ko]...
 *
 * Pushes SYMVERS (plus one rule per kg_many_NNN symbol) as one policy and
 * times push + commit. Then, for each importer (after loading the exporter
 * given before it, if any), loads and unloads it ROUNDS times, alternating
 * guard off and audit mode, timing finit_module() and reading the guard's
 * own check time from each verdict event. BASELINE, a module with few
 * imports, is loaded with the guard off: the difference in insmod time
 * estimates what the kernel itself spends on an importer's ~200 imports
 * (resolving and relocating them), the cost the guard's check is held to.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "kgclient.h"

#define NR_MANY 200

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

static void die(const char *what, int err, struct kg_client *c)
{
	fprintf(stderr, "kg_bench: %s: %s%s%s\n", what, strerror(-err),
		c && *kg_extack(c) ? ": " : "", c ? kg_extack(c) : "");
	exit(1);
}

static int build_policy(struct kg_policy *p, const char *symvers)
{
	char err[512], name[32];
	struct kg_rule r = {
		.kind = KABIGUARD_RULE_SYMBOL,
		.name = name,
		.exporter = "kg_many_exporter",
	};
	int i, ret;

	ret = kg_policy_load_file(p, symvers, KG_FORMAT_SYMVERS, err,
				  sizeof(err));
	if (ret) {
		fprintf(stderr, "kg_bench: %s\n", err);
		return ret;
	}
	for (i = 0; i < NR_MANY; i++) {
		snprintf(name, sizeof(name), "kg_many_%03d", i);
		ret = kg_policy_add_rule(p, &r);
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

static void set_mode(struct kg_client *c, enum kabiguard_mode mode)
{
	int ret = kg_set_mode(c, mode);

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

static void bench_importer(struct kg_client *c, struct kg_client *ev_client,
			   const char *ko, int rounds, double baseline_us,
			   double *off_us, double *on_us, double *check_us)
{
	unsigned int imports = 0;
	struct kg_event ev;
	char name[64];
	int i, ret;

	modname(ko, name, sizeof(name));
	for (i = 0; i < rounds; i++) {
		set_mode(c, KABIGUARD_MODE_OFF);
		off_us[i] = load_once(ko, name);
		set_mode(c, KABIGUARD_MODE_AUDIT);
		on_us[i] = load_once(ko, name);
		ret = kg_events_next(ev_client, &ev, 5000);
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
		kg_event_free(&ev);
	}
	printf("%s: %u imports, %d loads per mode\n", name, imports, rounds);
	printf("  insmod time, guard off:    median %8.0f us\n",
	       median(off_us, rounds));
	printf("  insmod time, guard audit:  median %8.0f us\n",
	       median(on_us, rounds));
	printf("  guard check time per load: median %8.1f us\n",
	       median(check_us, rounds));
	printf("  check time / insmod time:  %.2f %%\n",
	       100 * median(check_us, rounds) / median(on_us, rounds));
	printf("  kernel's own cost of the extra imports (insmod off - baseline): %.0f us\n",
	       median(off_us, rounds) - baseline_us);
	printf("  check time / that cost:    %.2f\n",
	       median(check_us, rounds) / (median(off_us, rounds) - baseline_us));
}

/* insmod time of a module with few imports, guard off. */
static double bench_baseline(struct kg_client *c, const char *ko, int rounds,
			     double *us)
{
	char name[64];
	int i;

	modname(ko, name, sizeof(name));
	set_mode(c, KABIGUARD_MODE_OFF);
	for (i = 0; i < rounds; i++)
		us[i] = load_once(ko, name);
	printf("baseline %s, guard off: median %.0f us\n", name,
	       median(us, rounds));
	return median(us, rounds);
}

int main(int argc, char **argv)
{
	struct kg_client *c, *ev_client;
	struct kg_policy p = { 0 };
	double push_ms[5], parse_ms, t0, *off_us, *on_us, *check_us, base;
	uint64_t gen;
	int rounds, i, ret;

	if (argc < 5 || (rounds = atoi(argv[2])) < 1) {
		fprintf(stderr, "usage: kg_bench SYMVERS ROUNDS BASELINE.ko IMPORTER.ko [EXPORTER.ko IMPORTER.ko]...\n");
		return 2;
	}
	off_us = calloc(rounds, sizeof(double));
	on_us = calloc(rounds, sizeof(double));
	check_us = calloc(rounds, sizeof(double));
	if (!off_us || !on_us || !check_us)
		return 1;

	ret = kg_open(&c);
	if (ret)
		die("kabiguard", ret, NULL);
	ret = kg_events_open(&ev_client);
	if (ret)
		die("events socket", ret, NULL);

	t0 = now_us();
	if (build_policy(&p, argv[1]))
		return 1;
	parse_ms = (now_us() - t0) / 1e3;
	for (i = 0; i < 5; i++) {
		double t1, t2, t3;

		t0 = now_us();
		ret = kg_policy_begin(c);
		t1 = now_us();
		ret = ret ?: kg_policy_add(c, p.rules, p.nr);
		t2 = now_us();
		ret = ret ?: kg_policy_commit(c, &gen);
		t3 = now_us();
		if (ret)
			die("pushing the policy", ret, c);
		push_ms[i] = (t3 - t0) / 1e3;
		if (i == 4)
			printf("last push: begin %.1f ms, add %.1f ms, commit %.1f ms\n",
			       (t1 - t0) / 1e3, (t2 - t1) / 1e3, (t3 - t2) / 1e3);
	}
	printf("policy: %zu rules (%s + %d), parsed in %.1f ms\n", p.nr,
	       argv[1], NR_MANY, parse_ms);
	printf("push + commit of the whole policy: median %.1f ms over 5 runs\n",
	       median(push_ms, 5));

	base = bench_baseline(c, argv[3], rounds, off_us);
	for (i = 4; i < argc; i++) {
		if (strstr(argv[i], "exporter")) {
			ret = load(argv[i]);
			if (ret && ret != -EEXIST)
				die(argv[i], ret, NULL);
			continue;
		}
		bench_importer(c, ev_client, argv[i], rounds, base, off_us,
			       on_us, check_us);
	}

	kg_policy_free(&p);
	kg_close(ev_client);
	kg_close(c);
	free(off_us);
	free(on_us);
	free(check_us);
	return 0;
}
