// SPDX-License-Identifier: GPL-2.0
/*
 * kabiguardctl scan [MODULE...]: check modules that are already loaded
 * (all of /proc/modules by default) against the active policy. The
 * imports come from each module's file (libkmod, the running kernel's
 * modules.dep); the verdicts come back as events of kind scan, which are
 * printed. A file whose srcversion differs from the loaded module's is
 * reported: it changed since the load.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

/* Prints the scan events waiting for the modules in names, counting in
 * *bad those not allowed. Returns 0 or a negative errno. */
static int print_scans(struct kgc_client *ev, char **names, bool *seen,
		       size_t nr, size_t *bad)
{
	struct kgc_event e;
	size_t i;
	int ret;

	for (;;) {
		ret = kgc_events_next(ev, &e, 0);
		if (ret == 0)
			return 0;
		if (ret == -ENOBUFS || ret == -EBADMSG || ret == -EINTR)
			continue;
		if (ret < 0)
			return ret;
		for (i = 0; e.kind == KABIGUARD_EVENT_SCAN && i < nr; i++) {
			if (seen[i] || !names[i] || strcmp(names[i], e.module))
				continue;
			seen[i] = true;
			ctl_print_event(&e);
			*bad += e.verdict != KABIGUARD_VERDICT_ALLOWED;
			break;
		}
		kgc_event_free(&e);
	}
}

int cmd_scan(int argc, char **argv)
{
	static const struct option longopts[] = { CTL_COMMON_LONGOPTS };
	struct kgc_client *c = NULL, *ev = NULL;
	struct kgc_scanner *s = NULL;
	struct kgc_scan_report rep;
	char **names = NULL;
	bool *seen = NULL;
	size_t nr = 0, i, failed = 0, bad = 0, missing = 0;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, CTL_COMMON_SHORTOPTS, longopts,
				  NULL)) != -1) {
		ret = ctl_common_opt(opt);
		if (ret >= 0)
			return ret;
	}
	if (optind < argc) {
		nr = argc - optind;
		names = calloc(nr, sizeof(*names));
		for (i = 0; names && i < nr; i++) {
			char *p = names[i] = strdup(argv[optind + i]);

			/* The kernel's spelling: '-' is '_'. */
			for (; p && *p; p++)
				if (*p == '-')
					*p = '_';
		}
	} else if ((ret = kgc_loaded_modules(&names, &nr))) {
		fprintf(stderr, "%s: /proc/modules: %s\n", ctl_prog,
			strerror(-ret));
		return CTL_EXIT_ERR;
	}
	seen = calloc(nr ? nr : 1, sizeof(*seen));
	if (!names || !seen) {
		fprintf(stderr, "%s: out of memory\n", ctl_prog);
		ret = CTL_EXIT_ERR;
		goto out;
	}
	/* Listen before asking: each scan's event is sent before its
	 * reply. */
	ret = ctl_open_events(&ev);
	if (ret)
		goto out;
	ret = ctl_open(&c);
	if (ret)
		goto out;
	if (kgc_scanner_new(&s)) {
		fprintf(stderr, "%s: cannot start libkmod\n", ctl_prog);
		ret = CTL_EXIT_ERR;
		goto out;
	}
	for (i = 0; i < nr; i++) {
		ret = kgc_scanner_scan(s, c, names[i], &rep);
		if (ret == -EPERM) {
			ret = ctl_kernel_error(c, ret, "scan");
			kgc_scan_report_free(&rep);
			goto out;
		}
		if (ret) {
			fprintf(stderr, "%s: %s\n", ctl_prog, rep.err);
			failed++;
		} else if (rep.changed) {
			fprintf(stderr, "%s: warning: %s: %s has srcversion %s "
				"but the loaded module %s: the file changed "
				"since the load, its imports may not be the "
				"loaded ones\n", ctl_prog, names[i], rep.path,
				rep.file_srcversion, rep.live_srcversion);
		}
		kgc_scan_report_free(&rep);
		/* Keep the events socket from filling up. */
		if (!ret)
			missing++;
		if (print_scans(ev, names, seen, nr, &bad) < 0)
			break;
	}
	print_scans(ev, names, seen, nr, &bad);
	for (i = 0; i < nr; i++)
		missing -= seen[i];
	if (missing)
		fprintf(stderr, "%s: %zu scan events not received (events "
			"socket overflow?): see kabiguardctl events\n",
			ctl_prog, missing);
	ret = bad ? CTL_EXIT_VIOLATIONS : failed || missing ? CTL_EXIT_ERR :
	      CTL_EXIT_OK;
out:
	kgc_scanner_free(s);
	kgc_close(c);
	kgc_close(ev);
	for (i = 0; names && i < nr; i++)
		free(names[i]);
	free(names);
	free(seen);
	return ret;
}
