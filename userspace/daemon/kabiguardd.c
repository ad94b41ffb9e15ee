// SPDX-License-Identifier: GPL-2.0
/*
 * kabiguardd: options, then either the foreground loop (systemd
 * Type=notify, tests) or a classic daemon whose parent exits once the
 * policy is applied, with the child's status.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kabiguardd.h"

#ifndef KG_VERSION
#define KG_VERSION "unknown"
#endif

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: kabiguardd [-f|--foreground] [-c|--config FILE] "
		"[-p|--policy PATH]\n"
		"       kabiguardd --check [-c FILE] [-p PATH]\n"
		"\n"
		"Applies the kabiguard policy (every file of policy_dir as one\n"
		"transaction), sets the mode, optionally locks, and writes one\n"
		"JSON line per verdict event to the log file, and each verdict to\n"
		"the journal or syslog (log_target).\n"
		"\n"
		"  -c, --config FILE  configuration (default %s)\n"
		"  -p, --policy PATH  policy directory or file (overrides "
		"policy_dir)\n"
		"  -f, --foreground   do not fork (systemd, tests)\n"
		"  -n, --check        read the configuration and policy, print "
		"a summary, exit\n"
		"  -h, --help         this help\n"
		"  -V, --version      print the version\n"
		"\n"
		"Signals: SIGHUP reopens the log and reloads configuration and "
		"policy;\n"
		"SIGUSR2 only reopens the log (logrotate); SIGTERM/SIGINT exit "
		"after\nwriting what was received; SIGUSR1 logs statistics.\n"
		"Exit status: 0 ok, 1 error, 2 bad usage, configuration or "
		"policy,\n"
		"3 kabiguard not loaded, 4 permission denied. See kabiguardd(8), "
		"kabiguard.conf(5).\n", KGD_CONFIG_FILE);
}

/* --check: what the daemon would apply, without a kernel. */
static int check(const struct kgd_opts *o)
{
	const char *path = o->config ? o->config : KGD_CONFIG_FILE;
	struct kgc_policy p = { 0 };
	struct kgd_config cfg;
	char err[1024];
	size_t nr_files;
	int ret;

	kgd_config_init(&cfg);
	ret = kgd_config_load(&cfg, path, err, sizeof(err));
	if (ret && !(ret == -ENOENT && !o->config)) {
		fprintf(stderr, "kabiguardd: %s\n", err);
		kgd_config_free(&cfg);
		return KGD_EXIT_CONFIG;
	}
	ret = kgd_policy_read(o->policy ? o->policy : cfg.policy_dir, &p,
			      &nr_files, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "kabiguardd: %s\n", err);
	} else {
		printf("mode = %s\nlock = %s\npolicy_dir = %s\nlog_file = %s\n"
		       "state_file = %s\nlog_target = %s\nmetrics_file = %s\n"
		       "retro_scan = %s\n"
		       "events_buffer = %d\n# policy: %zu rules from %zu "
		       "file%s\n", kgc_mode_name(cfg.mode),
		       cfg.lock ? "yes" : "no",
		       o->policy ? o->policy : cfg.policy_dir,
		       cfg.log_file ? cfg.log_file : "none",
		       cfg.state_file ? cfg.state_file : "none",
		       kgd_log_target_name(cfg.log_target),
		       cfg.metrics_file ? cfg.metrics_file : "none",
		       cfg.retro_scan ? "yes" : "no",
		       cfg.events_buffer, p.nr, nr_files,
		       nr_files == 1 ? "" : "s");
	}
	kgc_policy_free(&p);
	kgd_config_free(&cfg);
	return ret ? KGD_EXIT_CONFIG : KGD_EXIT_OK;
}

/* Forks twice; the original process waits for the daemon's readiness
 * byte and exits with its status (or the daemon's exit status). */
static int daemonize(struct kgd_opts *o)
{
	int pfd[2], st, null;
	unsigned char c;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC)) {
		perror("kabiguardd: pipe");
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		perror("kabiguardd: fork");
		return -1;
	}
	if (pid > 0) {
		close(pfd[1]);
		if (read(pfd[0], &c, 1) == 1)
			exit(c);
		/* The daemon died before it was ready: its status. */
		if (waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
		    WEXITSTATUS(st))
			exit(WEXITSTATUS(st));
		exit(KGD_EXIT_ERR);
	}
	close(pfd[0]);
	setsid();
	pid = fork();
	if (pid < 0)
		_exit(KGD_EXIT_ERR);
	if (pid > 0) {
		/* The first child: wait for the daemon, pass on a failure. */
		if (waitpid(pid, &st, 0) == pid && WIFEXITED(st))
			_exit(WEXITSTATUS(st));
		_exit(KGD_EXIT_ERR);
	}
	if (chdir("/"))
		_exit(KGD_EXIT_ERR);
	umask(027);
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		close(null);
	}
	o->ready_fd = pfd[1];
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "policy", required_argument, NULL, 'p' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "check", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct kgd_opts o = { .ready_fd = -1 };
	bool check_only = false;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "c:p:fnhV", longopts, NULL)) !=
	       -1) {
		switch (opt) {
		case 'c':
			o.config = optarg;
			break;
		case 'p':
			o.policy = optarg;
			break;
		case 'f':
			o.foreground = true;
			break;
		case 'n':
			check_only = true;
			break;
		case 'h':
			usage(stdout);
			return KGD_EXIT_OK;
		case 'V':
			printf("kabiguardd %s\n", KG_VERSION);
			return KGD_EXIT_OK;
		default:
			usage(stderr);
			return KGD_EXIT_CONFIG;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "kabiguardd: unexpected argument '%s'\n",
			argv[optind]);
		usage(stderr);
		return KGD_EXIT_CONFIG;
	}
	/* Policy files may be tarballs (RHEL 5 symsets), as for
	 * kabiguardctl load. */
	kgc_policy_enable_tar();
	if (check_only)
		return check(&o);
	if (!o.foreground && daemonize(&o))
		return KGD_EXIT_ERR;
	ret = kgd_run(&o);
	if (!o.foreground && o.ready_fd >= 0) {
		/* Never ready: tell the waiting parent why. */
		unsigned char c = ret ? ret : KGD_EXIT_ERR;

		if (write(o.ready_fd, &c, 1) != 1)
			ret = KGD_EXIT_ERR;
	}
	return ret;
}
