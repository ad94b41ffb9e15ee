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

static void print_violation(const struct kg_violation *v)
{
	out_obj_begin(NULL);
	out_str("symbol", "    %s", v->symbol);
	out_str("namespace", " ns=%s", *v->ns ? v->ns : NULL);
	out_str("exporter", " from=%s", *v->exporter ? v->exporter : NULL);
	out_str("reason", ": %s", kg_reason_name(v->reason));
	if (v->has_kernel_crc)
		out_hex32("kernel_crc", " kernel-crc=%s", v->kernel_crc);
	if (v->has_rule_crc)
		out_hex32("rule_crc", " rule-crc=%s", v->rule_crc);
	out_text("\n");
	out_obj_end();
}

static void print_event(const struct kg_event *ev)
{
	size_t i;

	out_obj_begin(NULL);
	out_str("verdict", "%s", kg_verdict_name(ev->verdict));
	out_str("module", " %s:", ev->module);
	out_u64("nr_violations", " %llu", ev->nr_violations);
	out_u64("nr_imports", " of %llu imports not allowed", ev->nr_imports);
	out_str("mode", " (mode %s", kg_mode_name(ev->mode));
	out_u64("generation", ", generation %llu", ev->generation);
	out_text(", %s", ev->sig_ok ? "signed" : "unsigned");
	out_bool("sig_ok", NULL, ev->sig_ok);
	out_u64("taints", NULL, ev->taints);
	if (ev->taints)
		out_text(", taints 0x%llx", (unsigned long long)ev->taints);
	out_str("version", ", version %s", *ev->version ? ev->version : NULL);
	out_str("srcversion", ", srcversion %s",
		*ev->srcversion ? ev->srcversion : NULL);
	out_u64("pid", ", pid %llu", ev->pid);
	out_u64("uid", " uid %llu", ev->uid);
	out_str("comm", " comm %s", ev->comm);
	out_u64("check_ns", ", checked in %llu ns)\n", ev->check_ns);

	out_arr_begin("violations");
	for (i = 0; i < ev->nr_listed; i++)
		print_violation(&ev->viol[i]);
	out_arr_end();
	if (ev->nr_violations > ev->nr_listed)
		out_text("    ... and %llu more not listed\n",
			 (unsigned long long)(ev->nr_violations -
					      ev->nr_listed));
	out_obj_end();
	out_flush();
}

/* Prints every event already received. 0, or an exit code. */
static int drain(struct kg_client *c)
{
	struct kg_event ev;
	int ret;

	for (;;) {
		ret = kg_events_next(c, &ev, 0);
		if (ret == 1) {
			print_event(&ev);
			kg_event_free(&ev);
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
				"event\n", ctl_prog);
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
	struct kg_client *c;
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
	pfd[0] = (struct pollfd){ .fd = nl_socket_get_fd(kg_sock(c)),
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
	kg_close(c);
	return ret;
}
