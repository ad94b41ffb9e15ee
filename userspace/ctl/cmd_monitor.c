// SPDX-License-Identifier: GPL-2.0
/*
 * kabiguardctl monitor: print every verdict as it arrives. One thread
 * polls the events socket and a signalfd, so SIGINT/SIGTERM end it cleanly
 * between events, never in the middle of one.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/signalfd.h>
#include <netlink/socket.h>

#include "ctl.h"

/* Prints every event already received. 0, or an exit code. */
static int drain(struct kgc_client *c)
{
	struct kgc_event ev;
	int ret;

	for (;;) {
		ret = kgc_events_next(c, &ev, 0);
		if (ret == 1) {
			ctl_print_event(&ev);
			kgc_event_free(&ev);
			continue;
		}
		if (ret == 0)
			return 0;
		if (ret == -ENOBUFS) {
			/* The socket overflowed: say so, keep going. */
			fprintf(stderr, "%s: warning: events were lost (receive "
				"buffer overflow)\n", ctl_prog);
			continue;
		}
		if (ret == -EBADMSG) {
			fprintf(stderr, "%s: warning: skipped a malformed "
				"event: %s\n", ctl_prog, kgc_extack(c));
			continue;
		}
		if (ret == -EINTR)
			return 0;
		fprintf(stderr, "%s: monitor: %s\n", ctl_prog, strerror(-ret));
		return CTL_EXIT_ERR;
	}
}

int cmd_monitor(int argc, char **argv)
{
	struct pollfd pfd[2];
	struct kgc_client *c;
	sigset_t mask;
	int ret, sfd;

	ret = ctl_no_args(argc, argv);
	if (ret >= 0)
		return ret;

	ret = ctl_open_events(&c);
	if (ret)
		return ret;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) ||
	    (sfd = signalfd(-1, &mask, SFD_CLOEXEC)) < 0) {
		fprintf(stderr, "%s: signalfd: %s\n", ctl_prog,
			strerror(errno));
		ret = CTL_EXIT_ERR;
		goto out_close;
	}
	pfd[0] = (struct pollfd){ .fd = kgc_fd(c),
				  .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = sfd, .events = POLLIN };

	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "%s: poll: %s\n", ctl_prog,
				strerror(errno));
			ret = CTL_EXIT_ERR;
			break;
		}
		if (pfd[1].revents) {
			ret = CTL_EXIT_OK;
			break;
		}
		if (pfd[0].revents) {
			ret = drain(c);
			if (ret)
				break;
		}
	}
	close(sfd);
out_close:
	kgc_close(c);
	return ret;
}
