// SPDX-License-Identifier: GPL-2.0
/*
 * kabiguardctl events: the events still in the kernel's ring
 * (KABIGUARD_CMD_EVENTS_GET), oldest first, then the ring's state on
 * stderr. Needs CAP_SYS_MODULE: events name processes and users.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "ctl.h"

static int print_cb(const struct kgc_event *ev, void *arg)
{
	uint64_t *nr = arg;

	ctl_print_event(ev);
	(*nr)++;
	return 0;
}

int cmd_events(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "since", required_argument, NULL, 's' },
		CTL_COMMON_LONGOPTS
	};
	struct kgc_client *c;
	struct kgc_status st;
	uint64_t since = 0, nr = 0;
	char *end;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "s:" CTL_COMMON_SHORTOPTS,
				  longopts, NULL)) != -1) {
		if (opt == 's') {
			errno = 0;
			since = strtoull(optarg, &end, 10);
			if (errno || end == optarg || *end || *optarg == '-')
				return ctl_usage_error("--since: expected a "
						       "sequence number, not "
						       "'%s'", optarg);
			continue;
		}
		ret = ctl_common_opt(opt);
		if (ret >= 0)
			return ret;
	}
	if (optind < argc)
		return ctl_usage_error("events takes no arguments");

	ret = ctl_open(&c);
	if (ret)
		return ret;
	ret = kgc_cmd_get_status(c, &st);
	if (!ret && !(st.features & KABIGUARD_FEAT_RING)) {
		fprintf(stderr, "%s: this kabiguard module keeps no event "
			"ring\n", ctl_prog);
		ret = CTL_EXIT_ERR;
		goto out;
	}
	ret = kgc_cmd_events_get(c, since, print_cb, &nr);
	if (ret) {
		ret = ctl_kernel_error(c, ret, "events");
		goto out;
	}
	if (!kgc_cmd_get_status(c, &st))
		fprintf(stderr, "%s: %" PRIu64 " events; ring of %u holds seq "
			"%" PRIu64 "-%" PRIu64 ", %" PRIu64 " lost to "
			"overflow\n", ctl_prog, nr, st.ring_size,
			st.ring_first, st.ring_next - 1, st.ring_overflow);
out:
	kgc_close(c);
	return ret;
}
