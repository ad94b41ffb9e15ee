// SPDX-License-Identifier: GPL-2.0
/*
 * What a failed call means, in the words and exit status every tool uses
 * (kabiguardctl, kabiguardd): the one place that knows that EPERM from a
 * command is either a locked policy or a missing capability, that ENOENT
 * from kgc_open() is an unloaded module, that ENODEV is a guard going away,
 * that EPROTO from it is a module of another ABI version.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

/*
 * The kernel checks the capability first, then the lock, and says which
 * in its extended ACK (kmod/netlink.c kg_nl_admin(), kmod/state.c
 * kg_check_unlocked()); a refusal without one comes from the genetlink
 * core's own capability check. So the words decide, not the lock state: a
 * caller without the capability on a locked guard lacks the capability.
 */
static enum kgc_failure kgc_explain_perm(const char *extack,
					 enum kgc_request req,
					 const char **msg)
{
	if (req == KGC_REQ_EVENTS) {
		*msg = "permission denied: joining the \"" KABIGUARD_MCGRP_EVENTS
		       "\" group needs CAP_SYS_ADMIN in the initial user "
		       "namespace";
		return KGC_FAIL_PERM;
	}
	if (req == KGC_REQ_COMMAND && strstr(extack, "locked until reboot")) {
		*msg = "policy is locked until reboot";
		return KGC_FAIL_LOCKED;
	}
	*msg = "permission denied: needs CAP_SYS_MODULE in the initial user "
	       "namespace";
	return KGC_FAIL_PERM;
}

enum kgc_failure kgc_explain(struct kgc_client *c, int err,
			     enum kgc_request req, char *msg, size_t len)
{
	const struct kgc_rule *bad = c ? kgc_bad_rule(c) : NULL;
	const char *extack = c ? kgc_extack(c) : "";
	enum kgc_failure cls = KGC_FAIL_OTHER;
	const char *what = strerror(-err);
	char where[300] = "", version[160];

	if (bad && bad->file)
		snprintf(where, sizeof(where), " (rule from %s:%u)", bad->file,
			 bad->line);

	if (err == -EPERM) {
		cls = kgc_explain_perm(extack, req, &what);
	} else if (err == -ENOENT && req != KGC_REQ_COMMAND) {
		what = "module not loaded (no generic netlink family \""
		       KABIGUARD_GENL_NAME "\"); load kabiguard.ko first";
		cls = KGC_FAIL_NOMOD;
	} else if (err == -EPROTO && req != KGC_REQ_COMMAND) {
		snprintf(version, sizeof(version),
			 "the loaded kabiguard.ko speaks netlink version %u, these tools version %u: install the module and tools of one release",
			 kgc_family_version(), KABIGUARD_GENL_VERSION);
		what = version;
	} else if (err == -ENODEV) {
		/* lock raced rmmod: the module is going away. */
		what = "kabiguard is being unloaded";
		cls = KGC_FAIL_NOMOD;
	}
	snprintf(msg, len, "%s%s%s%s%s",
		 cls == KGC_FAIL_OTHER && req != KGC_REQ_COMMAND ?
		 "cannot talk to the kabiguard netlink family: " : "",
		 what, *extack ? ": " : "", extack, where);
	return cls;
}
