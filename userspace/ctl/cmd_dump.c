// SPDX-License-Identifier: GPL-2.0
/*
 * kabiguardctl dump: the active policy, in the native format so that the
 * output can be loaded again; --json: an array of rule objects. The rules
 * are collected first and printed only once a dump ran through without a
 * commit interrupting it.
 */
#include <errno.h>
#include <stdio.h>

#include "ctl.h"

#define CTL_DUMP_TRIES	5

struct dump_ctx {
	struct kgc_policy p;
	uint64_t generation;
};

static int collect(const struct kgc_rule *rule, uint64_t generation,
		   void *arg)
{
	struct dump_ctx *d = arg;

	d->generation = generation;
	return kgc_policy_append(&d->p, rule);
}

int cmd_dump(int argc, char **argv)
{
	struct dump_ctx d = { .generation = 0 };
	struct kgc_client *c;
	struct kgc_status st;
	int ret, tries = 0;
	size_t i;

	ret = ctl_no_args(argc, argv);
	if (ret >= 0)
		return ret;
	ret = ctl_open(&c);
	if (ret)
		return ret;
	do {
		kgc_policy_free(&d.p);
		ret = kgc_cmd_policy_get(c, collect, &d);
	} while (ret == -EAGAIN && ++tries < CTL_DUMP_TRIES);
	if (ret) {
		ret = ctl_kernel_error(c, ret, "dump");
		goto out;
	}
	/* An empty dump carries no generation: ask for it. */
	if (!d.p.nr && !kgc_cmd_get_status(c, &st))
		d.generation = st.generation;

	out_text("# kabiguard policy, generation %llu, %zu rules\n",
		 (unsigned long long)d.generation, d.p.nr);
	out_arr_begin(NULL);
	for (i = 0; i < d.p.nr; i++)
		out_rule(&d.p.rules[i]);
	out_arr_end();
	out_flush();
out:
	kgc_policy_free(&d.p);
	kgc_close(c);
	return ret;
}
