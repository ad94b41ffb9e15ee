// SPDX-License-Identifier: GPL-2.0
/*
 * kg_bench: the figures issue "Measured, not timed" asks for, printed from
 * inside a VM that has kabiguard.ko loaded.
 *
 *   kg_bench SYMVERS EXPORTER.ko IMPORTER.ko [ROUNDS]
 *
 * Pushes SYMVERS (plus one rule per import of IMPORTER from EXPORTER) as
 * one policy and times push + commit; then loads and unloads IMPORTER
 * ROUNDS times with the guard off and in audit mode, timing finit_module()
 * and reading the guard's own check time from each verdict event.
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

/* Load and unload @ko @rounds times; fill insmod times and, from events, check times. */
static void load_loop(struct kg_client *ev_client, const char *ko,
		      const char *name, int rounds, double *insmod_us,
		      double *check_us, unsigned int *imports)
{
	struct kg_event ev;
	double t0;
	int i, ret;

	for (i = 0; i < rounds; i++) {
		t0 = now_us();
		ret = load(ko);
		insmod_us[i] = now_us() - t0;
		if (ret)
			die("loading the importer", ret, NULL);
		ret = unload(name);
		if (ret)
			die("unloading the importer", ret, NULL);
		if (!check_us)
			continue;
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
		*imports = ev.nr_imports;
		kg_event_free(&ev);
	}
}

int main(int argc, char **argv)
{
	struct kg_client *c, *ev_client;
	struct kg_policy p = { 0 };
	int rounds = argc > 4 ? atoi(argv[4]) : 30;
	double push_ms[5], parse_ms, t0, *off_us, *on_us, *check_us;
	unsigned int imports = 0;
	uint64_t gen;
	int i, ret;

	if (argc < 4 || rounds < 1) {
		fprintf(stderr, "usage: kg_bench SYMVERS EXPORTER.ko IMPORTER.ko [ROUNDS]\n");
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
		t0 = now_us();
		ret = kg_policy_push(c, &p, &gen);
		push_ms[i] = (now_us() - t0) / 1e3;
		if (ret)
			die("pushing the policy", ret, c);
	}

	ret = load(argv[2]);
	if (ret && ret != -EEXIST)
		die("loading the exporter", ret, NULL);

	ret = kg_set_mode(c, KABIGUARD_MODE_OFF);
	if (ret)
		die("mode off", ret, c);
	load_loop(ev_client, argv[3], "kg_many_imports", rounds, off_us, NULL,
		  NULL);
	ret = kg_set_mode(c, KABIGUARD_MODE_AUDIT);
	if (ret)
		die("mode audit", ret, c);
	load_loop(ev_client, argv[3], "kg_many_imports", rounds, on_us,
		  check_us, &imports);

	printf("policy: %zu rules (%s + %d), parsed in %.1f ms\n", p.nr,
	       argv[1], NR_MANY, parse_ms);
	printf("push + commit of the whole policy: median %.1f ms over 5 runs\n",
	       median(push_ms, 5));
	printf("importer: %u imports, %d loads per mode\n", imports, rounds);
	printf("insmod time, guard off:   median %.0f us\n",
	       median(off_us, rounds));
	printf("insmod time, guard audit: median %.0f us\n",
	       median(on_us, rounds));
	printf("guard check time per load: median %.1f us\n",
	       median(check_us, rounds));
	printf("check time / insmod time: %.2f %%\n",
	       100 * median(check_us, rounds) / median(on_us, rounds));

	kg_policy_free(&p);
	kg_close(ev_client);
	kg_close(c);
	free(off_us);
	free(on_us);
	free(check_us);
	return 0;
}
