// SPDX-License-Identifier: GPL-2.0
/*
 * kabiguardctl: control the kabiguard module from the command line. One
 * file per subcommand; this one only parses the global options and picks
 * the subcommand from the table.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"

#ifndef KG_VERSION
#define KG_VERSION "unknown"
#endif

static const struct ctl_cmd ctl_cmds[] = {
	{ "load", cmd_load, "load policy files and make them active",
	  "[--format auto|native|symvers|rh-kabi|symsets] [--dry-run] FILE..." },
	{ "mode", cmd_mode, "show or set the mode", "[off|audit|enforce]" },
	{ "status", cmd_status, "show mode, policy, counters and features",
	  "" },
	{ "dump", cmd_dump, "print the active policy (native format)", "" },
	{ "lock", cmd_lock, "seal policy and mode until reboot", "" },
	{ "monitor", cmd_monitor, "print verdict events as they happen", "" },
	{ "events", cmd_events,
	  "print the events kept in the kernel's ring", "[--since SEQ]" },
	{ "scan", cmd_scan, "check loaded modules against the policy",
	  "[MODULE...]" },
	{ "convert", cmd_convert,
	  "print policy files in native format, without loading them",
	  "[--format auto|native|symvers|rh-kabi|symsets] FILE..." },
	{ "check", cmd_check,
	  "check module files against a kernel and a policy, offline",
	  "[--policy FILE]... [--format F] [--symvers FILE]... | "
	  "[--kernel VER] [--signed] [--jobs N] [--verbose] PATH..." },
	{ "policy", cmd_policy,
	  "generate a policy from modules or audit events",
	  "generate [--modules PATH]... [--loaded] [--audit FILE]... "
	  "[--symvers FILE|--kernel VER] [--crc] [--per-module]" },
};

#define CTL_NR_CMDS (sizeof(ctl_cmds) / sizeof(ctl_cmds[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"Usage: %s [-j|--json] COMMAND [ARGS]\n"
		"       %s --help | --version\n"
		"\n"
		"Commands (unique prefixes work too):\n", ctl_prog, ctl_prog);
	for (i = 0; i < CTL_NR_CMDS; i++)
		fprintf(f, "  %-8s %s\n", ctl_cmds[i].name, ctl_cmds[i].help);
	fprintf(f,
		"\n"
		"Options:\n"
		"  -j, --json     JSON output (also accepted after COMMAND)\n"
		"  -h, --help     this help; COMMAND --help for its usage\n"
		"  -V, --version  print the version\n"
		"\n"
		"Exit status:\n"
		"  0  success\n"
		"  1  other error\n"
		"  2  usage error or bad policy file\n"
		"  3  kabiguard module not loaded\n"
		"  4  permission denied (needs CAP_SYS_MODULE)\n"
		"  5  policy locked until reboot\n"
		"  6  check: a module would not load or not be allowed\n"
		"\n"
		"See kabiguardctl(8) and kabiguard-policy(5).\n");
}

/* Exact name first, then a unique prefix ("st" for status). */
static const struct ctl_cmd *find_cmd(const char *name)
{
	const struct ctl_cmd *found = NULL;
	size_t i, len = strlen(name);

	for (i = 0; i < CTL_NR_CMDS; i++)
		if (!strcmp(name, ctl_cmds[i].name))
			return &ctl_cmds[i];
	for (i = 0; i < CTL_NR_CMDS; i++) {
		if (strncmp(name, ctl_cmds[i].name, len))
			continue;
		if (found)
			return NULL;
		found = &ctl_cmds[i];
	}
	return found;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const struct ctl_cmd *cmd;
	int opt;

	/* Policy files may be tarballs (RHEL 5 symsets). */
	kgc_policy_enable_tar();

	/* '+': stop at the command; its options are its own. */
	while ((opt = getopt_long(argc, argv, "+jhV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			out_set_json(true);
			break;
		case 'h':
			usage(stdout);
			return CTL_EXIT_OK;
		case 'V':
			printf("%s %s\n", ctl_prog, KG_VERSION);
			return CTL_EXIT_OK;
		default:
			usage(stderr);
			return CTL_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return CTL_EXIT_USAGE;
	}
	if (!strcmp(argv[optind], "help")) {
		usage(stdout);
		return CTL_EXIT_OK;
	}
	cmd = find_cmd(argv[optind]);
	if (!cmd) {
		fprintf(stderr, "%s: unknown or ambiguous command '%s'\n",
			ctl_prog, argv[optind]);
		usage(stderr);
		return CTL_EXIT_USAGE;
	}
	ctl_cur = cmd;
	argv += optind;
	argc -= optind;
	optind = 0;	/* restart getopt for the command's own argv */
	return cmd->fn(argc, argv);
}
