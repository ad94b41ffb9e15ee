// SPDX-License-Identifier: GPL-2.0
/*
 * kabiguardctl load [--format F] [--dry-run] FILE...
 *
 * All files are parsed before anything is sent, and pushed as one
 * transaction: a bad file, or a rule the kernel rejects, leaves the
 * active policy as it was.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"

int ctl_format_opt(const char *arg, enum kgc_format *fmt)
{
	if (kgc_format_parse(arg, fmt))
		return ctl_usage_error("unknown format '%s' (expected auto, "
				       "native, symvers, rh-kabi or symsets)", arg);
	return -1;
}

int ctl_parse_files(struct kgc_policy *p, int argc, char **argv, int first,
		    enum kgc_format fmt)
{
	char err[1024];
	int i;

	if (first >= argc)
		return ctl_usage_error("no policy file given");
	for (i = first; i < argc; i++) {
		if (kgc_policy_load_file(p, argv[i], fmt, err, sizeof(err))) {
			fprintf(stderr, "%s: %s\n", ctl_prog, err);
			return CTL_EXIT_USAGE;
		}
	}
	return CTL_EXIT_OK;
}

int cmd_load(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "dry-run", no_argument, NULL, 'n' },
		CTL_COMMON_LONGOPTS
	};
	enum kgc_format fmt = KG_FORMAT_AUTO;
	struct kgc_policy p = { 0 };
	struct kgc_client *c = NULL;
	uint64_t generation = 0;
	bool dry_run = false;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "f:n" CTL_COMMON_SHORTOPTS,
				  longopts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			ret = ctl_format_opt(optarg, &fmt);
			break;
		case 'n':
			dry_run = true;
			ret = -1;
			break;
		default:
			ret = ctl_common_opt(opt);
			break;
		}
		if (ret >= 0)
			return ret;
	}

	ret = ctl_parse_files(&p, argc, argv, optind, fmt);
	if (ret)
		goto out;
	if (dry_run) {
		out_obj_begin(NULL);
		out_u64("rules", "parsed %llu rules", p.nr);
		out_u64("files", " from %llu files\n", argc - optind);
		out_obj_end();
		out_flush();
		goto out;
	}

	ret = ctl_open(&c);
	if (ret)
		goto out;
	ret = kgc_policy_push(c, &p, &generation);
	if (ret) {
		ret = ctl_kernel_error(c, ret, "load");
		goto out;
	}
	out_obj_begin(NULL);
	out_u64("rules", "loaded %llu rules", p.nr);
	out_u64("generation", ", generation %llu\n", generation);
	out_obj_end();
	out_flush();
out:
	kgc_close(c);
	kgc_policy_free(&p);
	return ret;
}

/* kabiguardctl convert [--format F] FILE...: what load would send. */
int cmd_convert(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		CTL_COMMON_LONGOPTS
	};
	enum kgc_format fmt = KG_FORMAT_AUTO;
	struct kgc_policy p = { 0 };
	size_t i;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "f:" CTL_COMMON_SHORTOPTS,
				  longopts, NULL)) != -1) {
		ret = opt == 'f' ? ctl_format_opt(optarg, &fmt) :
				   ctl_common_opt(opt);
		if (ret >= 0)
			return ret;
	}
	ret = ctl_parse_files(&p, argc, argv, optind, fmt);
	if (ret)
		goto out;
	out_arr_begin(NULL);
	for (i = 0; i < p.nr; i++)
		out_rule(&p.rules[i]);
	out_arr_end();
	out_flush();
out:
	kgc_policy_free(&p);
	return ret;
}
