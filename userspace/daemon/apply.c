// SPDX-License-Identifier: GPL-2.0
/*
 * What kabiguardd does to the kernel's policy: commit the policy files as
 * one transaction, set the mode, lock; and the retro scan of the modules
 * loaded before it started.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "kabiguardd.h"

/* Says why a request failed; a locked policy comes back as -EROFS. */
static int kgd_kernel_err(struct kgc_client *req, int err, const char *what)
{
	char msg[1024];

	if (kgc_explain(req, err, KGC_REQ_COMMAND, msg, sizeof(msg)) ==
	    KGC_FAIL_LOCKED) {
		kgd_msg(LOG_ERR, "%s: kabiguard is locked until reboot", what);
		return -EROFS;
	}
	kgd_msg(LOG_ERR, "%s: %s", what, msg);
	return err;
}

size_t kgd_retro_scan(struct kgc_scanner **scanner, struct kgc_client *req,
		      void (*between)(void *arg), void *arg)
{
	struct kgc_scan_report rep;
	size_t nr = 0, i, done = 0;
	char **names = NULL;
	int ret;

	if (!*scanner && kgc_scanner_new(scanner)) {
		kgd_msg(LOG_ERR, "retro scan: cannot start libkmod");
		return 0;
	}
	ret = kgc_loaded_modules(&names, &nr);
	if (ret) {
		kgd_msg(LOG_ERR, "retro scan: /proc/modules: %s",
			strerror(-ret));
		return 0;
	}
	/* Oldest first, as they loaded. */
	for (i = nr; i-- > 0;) {
		ret = kgc_scanner_scan(*scanner, req, names[i], &rep);
		if (!ret) {
			done++;
			if (rep.changed)
				kgd_msg(LOG_WARNING, "retro scan: %s: %s has "
					"srcversion %s but the loaded module "
					"%s: the file changed since the load, "
					"its imports may not be the loaded "
					"ones", names[i], rep.path,
					rep.file_srcversion,
					rep.live_srcversion);
		} else if (ret == -ENOENT && !rep.path) {
			kgd_msg(LOG_INFO, "retro scan: %s", rep.err);
		} else {
			kgd_msg(LOG_WARNING, "retro scan: %s", rep.err);
		}
		kgc_scan_report_free(&rep);
		free(names[i]);
		/* Scan events queue up on the events socket meanwhile. */
		between(arg);
	}
	free(names);
	kgd_msg(LOG_INFO, "retro scan: %zu of %zu loaded modules checked",
		done, nr);
	return done;
}

int kgd_apply(struct kgc_client *req, const char *path,
	      enum kabiguard_mode mode, bool lock)
{
	struct kgc_policy p = { 0 };
	struct kgc_status st;
	char err[1024];
	uint64_t gen = 0;
	size_t nr_files;
	int ret;

	ret = kgd_policy_read(path, &p, &nr_files, err, sizeof(err));
	if (ret) {
		if (!kgc_cmd_get_status(req, &st) && st.generation)
			kgd_msg(LOG_ERR, "%s; policy not changed (generation "
				"%" PRIu64 " stays)", err, st.generation);
		else
			kgd_msg(LOG_ERR, "%s; no policy committed", err);
		kgc_policy_free(&p);
		return ret;
	}
	ret = kgc_policy_push(req, &p, &gen);
	if (ret) {
		/* Before the free: the message names the rule's file line. */
		ret = kgd_kernel_err(req, ret, "policy commit");
		kgc_policy_free(&p);
		return ret;
	}
	kgd_msg(LOG_NOTICE, "policy generation %" PRIu64 " committed: %zu "
		"rules from %zu file%s in %s", gen, p.nr, nr_files,
		nr_files == 1 ? "" : "s", path);
	kgc_policy_free(&p);

	ret = kgc_cmd_get_status(req, &st);
	if (!ret && st.mode != mode) {
		ret = kgc_cmd_set_mode(req, mode);
		if (ret)
			return kgd_kernel_err(req, ret, "setting the mode");
		kgd_msg(LOG_NOTICE, "mode %s", kgc_mode_name(mode));
	}
	if (!ret && lock && !st.locked) {
		ret = kgc_cmd_lock(req);
		if (ret)
			return kgd_kernel_err(req, ret, "lock");
		kgd_msg(LOG_NOTICE, "policy and mode locked until reboot");
	}
	return ret;
}
