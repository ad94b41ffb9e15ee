// SPDX-License-Identifier: GPL-2.0
/*
 * One verdict event, for monitor, events and scan. JSON output is the
 * library's event line (kgc_event_json()), the very line kabiguardd writes
 * to its log; text output goes through out_*() like everything else.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>

#include "ctl.h"
#include "kgc_fields.h"

/* One line per violation, its members from the violation table
 * (event_fields.c) but the symbol. */
static void print_violation(const struct kgc_violation *v)
{
	size_t i;

	/* Empty: the module itself (livepatch) or a nameless symbol. */
	if (*v->symbol)
		out_str("symbol", "    %s", v->symbol);
	else
		out_text("    %s", v->reason == KABIGUARD_REASON_LIVEPATCH ?
			 "(module: livepatch=Y)" : "(nameless symbol)");
	if (v->flags & KABIGUARD_VIOLF_SYMBOL_TRUNC)
		out_text("...");
	for (i = 0; i < kgc_violation_attrs.nr; i++)
		if (kgc_violation_attrs.f[i].attr != KABIGUARD_VIOL_A_SYMBOL)
			out_field(&kgc_violation_attrs.f[i], v);
	out_text("\n");
}

/*
 * The command line, its arguments between spaces (text output only),
 * escaped as every other string is (out_str()).
 */
static void print_argv(const struct kgc_event *ev)
{
	size_t off;

	if (!ev->argv_len)
		return;
	out_text(" argv \"");
	for (off = 0; off < ev->argv_len; off += strlen(ev->argv + off) + 1)
		out_str("argv", off ? " %s" : "%s", ev->argv + off);
	out_text("%s\"", ev->argv_truncated ? "..." : "");
}

static void print_json(const struct kgc_event *ev)
{
	static struct kgc_event_json_ctx x;
	static char host[256], kernel[128], boot_id[40];
	static bool init;
	struct kgc_strbuf b = { 0 };
	struct utsname u;
	FILE *f;

	if (!init) {
		init = true;
		gethostname(host, sizeof(host) - 1);
		if (!uname(&u))
			snprintf(kernel, sizeof(kernel), "%s", u.release);
		f = fopen("/proc/sys/kernel/random/boot_id", "re");
		if (f) {
			if (fgets(boot_id, sizeof(boot_id), f))
				boot_id[strcspn(boot_id, "\n")] = '\0';
			fclose(f);
		}
		x.boot_id = *boot_id ? boot_id : NULL;
		x.host = host;
		x.kernel = kernel;
	}
	if (kgc_event_json(&b, ev, &x) == 0)
		fputs(b.s, stdout);
	kgc_strbuf_free(&b);
	fflush(stdout);
}

void ctl_print_event(const struct kgc_event *ev)
{
	char when[64] = "", taints[72];
	time_t sec = ev->time_real_ns / 1000000000ULL;
	struct tm tm;
	size_t i;

	if (out_json()) {
		print_json(ev);
		return;
	}
	if (ev->seq) {
		if (localtime_r(&sec, &tm))
			strftime(when, sizeof(when), "%F %T", &tm);
		out_text("#%llu %s.%03llu %s ", (unsigned long long)ev->seq,
			 when, (unsigned long long)
			 (ev->time_real_ns / 1000000 % 1000),
			 kgc_event_kind_name(ev->kind));
	}
	out_text("%s", kgc_verdict_name(ev->verdict));
	out_str("module", " %s", ev->module);
	out_text("%s:", ev->flags & KABIGUARD_EVF_MODULE_TRUNC ? "..." : "");
	out_text(" %llu of %llu imports not allowed",
		 (unsigned long long)ev->nr_violations,
		 (unsigned long long)ev->nr_imports);
	out_text(" (mode %s, generation %llu, %s", kgc_mode_name(ev->mode),
		 (unsigned long long)ev->generation,
		 ev->sig_ok ? "signed" : "unsigned");
	if (ev->taints) {
		kgc_taint_letters(ev->taints, taints, sizeof(taints));
		out_text(", taints %s", taints);
	}
	out_str("version", ", version %s", *ev->version ? ev->version : NULL);
	if (ev->flags & KABIGUARD_EVF_VERSION_TRUNC)
		out_text("...");
	out_str("srcversion", ", srcversion %s",
		*ev->srcversion ? ev->srcversion : NULL);
	if (ev->flags & KABIGUARD_EVF_SRCVERSION_TRUNC)
		out_text("...");
	if (ev->flags & KABIGUARD_EVF_MINIMAL)
		out_text(", minimal event (the kernel was short of memory)");
	if (ev->has_process || !ev->seq) {
		out_text(", pid %u ppid %u uid %u euid %u", ev->pid, ev->ppid,
			 ev->uid, ev->euid);
		if (ev->seq)
			out_text(" gid %u egid %u", ev->gid, ev->egid);
		if (ev->loginuid != UINT32_MAX && ev->seq)
			out_text(" loginuid %u", ev->loginuid);
		if (ev->sessionid != UINT32_MAX && ev->seq)
			out_text(" session %u", ev->sessionid);
		out_str("tty", " tty %s", *ev->tty ? ev->tty : NULL);
		out_str("comm", " comm %s", ev->comm);
		out_str("exe", " exe %s", *ev->exe ? ev->exe : NULL);
		print_argv(ev);
		out_str("lsm_label", " label %s",
			*ev->lsm_label ? ev->lsm_label : NULL);
		out_str("cgroup", " cgroup %s", *ev->cgroup ? ev->cgroup : NULL);
		if (ev->kmod_request)
			out_text(" (kernel request_module)");
		if (ev->has_requester) {
			out_text(" requested by pid %u uid %u", ev->req_pid,
				 ev->req_uid);
			out_str("comm", " comm %s", ev->req_comm);
			out_str("module", " as %s", ev->req_name);
		}
		if (ev->flags & KABIGUARD_EVF_ARGV_NOT_RESIDENT)
			out_text(" (command line not resident, left out)");
	}
	if (ev->repeat_count)
		out_text(", repeat of #%llu, %u times so far",
			 (unsigned long long)ev->repeat_of, ev->repeat_count);
	out_text(", checked in %llu ns)\n", (unsigned long long)ev->check_ns);
	for (i = 0; i < ev->nr_listed; i++)
		print_violation(&ev->viol[i]);
	if (ev->nr_violations > ev->nr_listed)
		out_text("    ... and %llu more not listed\n",
			 (unsigned long long)(ev->nr_violations -
					      ev->nr_listed));
	out_flush();
}
