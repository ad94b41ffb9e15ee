// SPDX-License-Identifier: GPL-2.0
/*
 * kabiguardctl check [--policy FILE]... [--symvers FILE]... [--kernel VER]
 *                    [--signed] [--jobs N] [--verbose] PATH...
 *
 * Offline: what the target kernel's loader and kabiguard.ko would say
 * about module files before they are shipped (lib/offline_check.c). Exit status 0
 * when every module would load and be allowed, 6 when one would not, 1
 * when a module could not be read, 2 for usage and policy file errors.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "ctl.h"

struct check_opts {
	char **policies;
	size_t nr_policies;
	char **symvers;
	size_t nr_symvers;
	const char *kernel;
	enum kgc_format fmt;
	unsigned int jobs;
	bool assume_signed, verbose;
};

static int push_arg(char ***v, size_t *nr, char *arg)
{
	char **n = realloc(*v, (*nr + 1) * sizeof(**v));

	if (!n) {
		fprintf(stderr, "%s: %s\n", ctl_prog, strerror(ENOMEM));
		return CTL_EXIT_ERR;
	}
	n[(*nr)++] = arg;
	*v = n;
	return -1;
}

/* --symvers files, else those of --kernel or the running kernel. */
static int load_kernel(const struct check_opts *o, struct kgc_symtab **out,
		       char *used, size_t usedlen)
{
	struct kgc_symtab *t;
	char err[1024], path[4096];
	struct utsname u;
	size_t i;

	*out = NULL;
	if (kgc_symtab_new(&t))
		return CTL_EXIT_ERR;
	for (i = 0; i < o->nr_symvers; i++) {
		if (kgc_symtab_load(t, o->symvers[i], err, sizeof(err)))
			goto bad;
	}
	snprintf(used, usedlen, "%s", o->nr_symvers ? o->symvers[0] : "");
	if (!o->nr_symvers) {
		const char *kver = o->kernel;

		if (!kver) {
			uname(&u);
			kver = u.release;
		}
		if (kgc_kernel_symvers(kver, path, sizeof(path))) {
			if (o->kernel) {
				fprintf(stderr, "%s: no symvers for kernel %s "
					"(looked for /lib/modules/%s/build/"
					"Module.symvers, /lib/modules/%s/"
					"symvers.gz, /boot/symvers-%s.gz|xz)\n",
					ctl_prog, kver, kver, kver, kver);
				kgc_symtab_free(t);
				return CTL_EXIT_USAGE;
			}
			fprintf(stderr, "%s: warning: no symvers for the running "
				"kernel %s: unknown symbols, CRCs and namespaces "
				"are not checked, and rules with ns=, from= or "
				"crc= match nothing; give --kernel or "
				"--symvers\n", ctl_prog, kver);
			kgc_symtab_free(t);
			*used = '\0';
			return CTL_EXIT_OK;
		}
		if (kgc_symtab_load(t, path, err, sizeof(err)))
			goto bad;
		snprintf(used, usedlen, "%s", path);
	}
	*out = t;
	return CTL_EXIT_OK;
bad:
	fprintf(stderr, "%s: %s\n", ctl_prog, err);
	kgc_symtab_free(t);
	return CTL_EXIT_USAGE;
}

static void print_issue(const struct kgc_issue *is)
{
	const struct kgc_modsym *s = is->sym;
	const struct kgc_rule *k = is->kernel;

	out_obj_begin(NULL);
	out_str("kind", "  %-15s", kgc_issue_kind_name(is->kind));
	out_str("symbol", " %s", s->name);
	if (k && k->ns)
		out_str("namespace", " ns=%s", k->ns);
	if (k)
		out_str("exporter", " from=%s", k->exporter);
	switch (is->kind) {
	case KG_ISSUE_POLICY:
		out_str("reason", ": %s", kgc_reason_name(is->match.reason));
		if (is->match.has_rule_crc)
			out_hex32("rule_crc", " (rule crc %s", is->match.rule_crc);
		if (k && k->has_crc && is->match.has_rule_crc)
			out_hex32("kernel_crc", ", kernel crc %s)", k->crc);
		else if (is->match.has_rule_crc)
			out_text(")");
		break;
	case KG_ISSUE_CRC:
		out_hex32("module_crc", ": module crc %s", s->crc);
		out_hex32("kernel_crc", ", kernel crc %s", k->crc);
		break;
	case KG_ISSUE_NS_NOT_IMPORTED:
		out_str("reason", ": %s", k->ns && !strncmp(k->ns, "module:", 7) ?
			"exported only for the modules listed" :
			"no MODULE_IMPORT_NS");
		break;
	case KG_ISSUE_NO_MODVERSIONS:
		out_str("reason", ": %s", "the module has no CRCs (no "
			"__versions), the target kernel checks them: loads "
			"only forced, tainting it");
		out_hex32("kernel_crc", " (kernel crc %s)", k->crc);
		break;
	case KG_ISSUE_UNKNOWN:
		out_str("reason", ": %s", "not exported by the target kernel");
		break;
	}
	out_bool("weak", s->weak ? " (weak)%.0s" : NULL, s->weak);
	/* Not an import: a __versions entry no symbol has. */
	out_bool("crc_check", is->crc_check ? " (CRC check, no import)%.0s" :
		 NULL, is->crc_check);
	out_text("\n");
	out_obj_end();
}

static const char *verdict(const struct kgc_check_result *r)
{
	if (r->err)
		return "error";
	return r->loads && r->allowed ? "ok" : "fail";
}

static void print_module(const struct kgc_check_result *r, bool have_policy,
			 bool kernel_crcs, bool verbose)
{
	const struct kgc_modinfo *mi = &r->mi;
	size_t i;
	bool text_quiet = !out_json() && !verbose && !r->err &&
			  !r->nr_issues;

	if (text_quiet)
		return;
	out_obj_begin(NULL);
	if (r->err) {
		out_str("path", "%s: ", mi->path ? mi->path : "");
		out_str("verdict", "%s: ", "error");
		out_str("error", "%s\n", r->errmsg);
		out_obj_end();
		return;
	}
	out_str("path", "%s", mi->path);
	out_str("name", " (%s)", mi->name);
	out_str("verdict", ": %s", verdict(r));
	out_bool("loads", NULL, r->loads);
	if (have_policy)
		out_bool("allowed", NULL, r->allowed);
	else
		out_null("allowed");
	out_u64("imports", ", %llu imports", mi->nr_imports);
	out_u64("crc_checks", mi->nr_crc_checks ? " (and %llu CRC checks)" :
		NULL, mi->nr_crc_checks);
	out_u64("issue_count", ", %llu issues", r->nr_issues);
	/* Which CRC table the loader reads, and whether it compares any. */
	out_str("modversions", ", modversions %s", kgc_modversions_name(mi));
	out_bool("crcs_checked", NULL, kernel_crcs &&
		 (mi->has_versions || mi->has_ext_versions));
	out_text("\n");
	if (mi->vermagic)
		out_str("vermagic", NULL, mi->vermagic);
	else
		out_null("vermagic");
	if (mi->signer)
		out_str("signer", NULL, mi->signer);
	else
		out_null("signer");
	out_arr_begin("import_ns");
	for (i = 0; i < mi->nr_import_ns; i++)
		out_str(NULL, NULL, mi->import_ns[i]);
	out_arr_end();
	out_arr_begin("issues");
	for (i = 0; i < r->nr_issues; i++)
		print_issue(&r->issues[i]);
	out_arr_end();
	out_obj_end();
}

static int parse_opts(int argc, char **argv, struct check_opts *o)
{
	static const struct option longopts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "format", required_argument, NULL, 'f' },
		{ "symvers", required_argument, NULL, 's' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "jobs", required_argument, NULL, 'J' },
		{ "signed", no_argument, NULL, 'S' },
		{ "verbose", no_argument, NULL, 'v' },
		CTL_COMMON_LONGOPTS
	};
	int opt, ret;
	char *end;
	long n;

	while ((opt = getopt_long(argc, argv, "p:f:s:k:J:Sv"
				  CTL_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			ret = push_arg(&o->policies, &o->nr_policies, optarg);
			break;
		case 'f':
			ret = ctl_format_opt(optarg, &o->fmt);
			break;
		case 's':
			ret = push_arg(&o->symvers, &o->nr_symvers, optarg);
			break;
		case 'k':
			o->kernel = optarg;
			ret = -1;
			break;
		case 'J':
			n = strtol(optarg, &end, 10);
			if (*end || n < 1 || n > 1024)
				return ctl_usage_error("--jobs: expected 1 to "
						       "1024, not '%s'", optarg);
			o->jobs = n;
			ret = -1;
			break;
		case 'S':
			o->assume_signed = true;
			ret = -1;
			break;
		case 'v':
			o->verbose = true;
			ret = -1;
			break;
		default:
			ret = ctl_common_opt(opt);
			break;
		}
		if (ret >= 0)
			return ret;
	}
	if (o->kernel && o->nr_symvers)
		return ctl_usage_error("--kernel and --symvers exclude each "
				       "other");
	if (optind >= argc)
		return ctl_usage_error("no module file or directory given");
	return -1;
}

struct check_tally {
	char **paths;
	bool have_policy, kcrcs, verbose;
	size_t nok, nfail, nerr;
};

/* kgc_checker.each: one module's lines, as soon as its result is final. */
static void check_one(struct kgc_check_result *r, size_t idx, void *arg)
{
	struct check_tally *t = arg;

	if (r->err)
		t->nerr++;
	else if (r->loads && r->allowed)
		t->nok++;
	else
		t->nfail++;
	if (!r->mi.path && r->err)
		r->mi.path = strdup(t->paths[idx]);
	print_module(r, t->have_policy, t->kcrcs, t->verbose);
}

int cmd_check(int argc, char **argv)
{
	struct check_opts o = { .fmt = KG_FORMAT_AUTO };
	struct kgc_check_result *res = NULL;
	struct kgc_checker ck = { 0 };
	struct kgc_symtab *kernel = NULL;
	struct kgc_matcher *m = NULL;
	struct kgc_policy p = { 0 };
	size_t nr = 0, i, crc_rules = 0;
	struct check_tally t = { 0 };
	bool kcrcs = false, signed_rules = false;
	char **paths = NULL, err[1024], used[4096];
	int ret;

	ret = parse_opts(argc, argv, &o);
	if (ret >= 0)
		goto out;
	if (o.nr_policies) {
		ret = ctl_parse_files(&p, (int)o.nr_policies, o.policies, 0,
				      o.fmt);
		if (ret)
			goto out;
		if (kgc_matcher_new(&m, &p)) {
			ret = CTL_EXIT_ERR;
			goto out;
		}
	}
	ret = load_kernel(&o, &kernel, used, sizeof(used));
	if (ret)
		goto out;
	if (kgc_find_modules(argv + optind, argc - optind, &paths, &nr, err,
			    sizeof(err))) {
		fprintf(stderr, "%s: %s\n", ctl_prog, err);
		ret = CTL_EXIT_USAGE;
		goto out;
	}
	res = calloc(nr ? nr : 1, sizeof(*res));
	if (!res) {
		ret = CTL_EXIT_ERR;
		goto out;
	}
	kcrcs = kgc_symtab_crcs(kernel) > 0;
	for (i = 0; i < p.nr; i++) {
		crc_rules += p.rules[i].has_crc;
		signed_rules |= !!(p.rules[i].flags &
				   KABIGUARD_RULE_F_SIGNED_ONLY);
	}
	if (kernel && kgc_symtab_count(kernel) && !kcrcs && crc_rules)
		fprintf(stderr, "%s: warning: %zu policy rules pin a CRC "
			"(crc=), but the target kernel has no modversions: no "
			"import has a CRC there, so they allow nothing "
			"(crc-mismatch)\n", ctl_prog, crc_rules);
	ck.kernel = kernel;
	ck.policy = m;
	ck.assume_signed = o.assume_signed;
	/* The signer shows in JSON and decides signed-only rules; reading it
	 * costs libkmod a map and an unmap of each signed file. */
	ck.no_signer = !out_json() && !signed_rules;
	out_obj_begin(NULL);
	out_obj_begin("kernel");
	if (*used)
		out_str("symvers", NULL, used);
	else
		out_null("symvers");
	out_u64("exports", NULL, kgc_symtab_count(kernel));
	/* All CRCs 0: built without CONFIG_MODVERSIONS. */
	if (kernel && kgc_symtab_count(kernel)) {
		out_bool("modversions", NULL, kcrcs);
		if (!kcrcs && !out_json())
			out_text("note: %s: every CRC is 0x00000000: the target "
				 "kernel has no modversions (CONFIG_MODVERSIONS "
				 "unset); its loader checks no CRC, and a module "
				 "loads only if its vermagic is the kernel's "
				 "exactly\n", *used ? used : "symvers");
	} else {
		out_null("modversions");
	}
	out_obj_end();
	out_obj_begin("policy");
	out_u64("files", NULL, o.nr_policies);
	out_u64("rules", NULL, p.nr);
	out_u64("crc_rules", NULL, crc_rules);
	out_obj_end();
	out_arr_begin("modules");
	t = (struct check_tally){ .paths = paths, .have_policy = m != NULL,
				  .kcrcs = kcrcs, .verbose = o.verbose };
	ck.each = check_one;
	ck.arg = &t;
	if (kgc_check_files(&ck, paths, nr, o.jobs, res)) {
		fprintf(stderr, "%s: check: %s\n", ctl_prog, strerror(ENOMEM));
		ret = CTL_EXIT_ERR;
		goto out;
	}
	out_arr_end();
	out_obj_begin("summary");
	out_u64("modules", nr == 1 ? "%llu module checked" : "%llu modules checked",
		nr);
	out_str("symvers", " against %s", *used ? used : "no kernel symvers");
	if (kernel && kgc_symtab_count(kernel) && !kcrcs)
		out_text(" (no modversions: vermagic decides)");
	out_u64("policy_rules", ", %llu policy rules", p.nr);
	out_u64("ok", ": %llu ok", t.nok);
	out_u64("fail", ", %llu fail", t.nfail);
	out_u64("errors", ", %llu errors\n", t.nerr);
	out_obj_end();
	out_obj_end();
	out_flush();
	ret = t.nerr ? CTL_EXIT_ERR : t.nfail ? CTL_EXIT_VIOLATIONS :
	      CTL_EXIT_OK;
out:
	if (res)
		for (i = 0; i < nr; i++)
			kgc_check_result_free(&res[i]);
	free(res);
	kgc_free_strv(paths, nr);
	kgc_matcher_free(m);
	kgc_symtab_free(kernel);
	kgc_policy_free(&p);
	free(o.policies);
	free(o.symvers);
	return ret;
}
