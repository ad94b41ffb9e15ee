// SPDX-License-Identifier: GPL-2.0
/* kabiguardctl status: everything GET_STATUS says. */
#include <string.h>

#include "ctl.h"
#include "kgc_fields.h"

static const struct {
	uint32_t bit;
	const char *name;
} ctl_features[] = {
	{ KABIGUARD_FEAT_ENFORCE, "enforce" },
	{ KABIGUARD_FEAT_MODVERSIONS, "modversions" },
	{ KABIGUARD_FEAT_SIG, "sig" },
	{ KABIGUARD_FEAT_RING, "ring" },
	{ KABIGUARD_FEAT_SCAN, "scan" },
	{ KABIGUARD_FEAT_EVENTS_ADMIN, "events-admin" },
};

static void print_features(uint32_t features)
{
	uint32_t known = 0;
	size_t i;

	out_text("features:");
	out_arr_begin("features");
	for (i = 0; i < sizeof(ctl_features) / sizeof(ctl_features[0]); i++) {
		known |= ctl_features[i].bit;
		if (features & ctl_features[i].bit)
			out_str(NULL, " %s", ctl_features[i].name);
	}
	out_arr_end();
	/* Bits from a newer module: show them rather than hide them. */
	if (features & ~known)
		out_text(" 0x%x", features & ~known);
	if (!features)
		out_text(" none");
	out_text("\n");
}

/* The rows that are more than a value and a format. */
static void print_hook(const struct kgc_field *f, const struct kgc_status *st)
{
	if (!strcmp(f->key, "generation")) {
		out_u64(f->key, f->text, st->generation);
		out_text("%s\n", st->generation ? "" : " (no policy committed)");
	} else if (!strcmp(f->key, "features")) {
		print_features(st->features);
	}
}

/* The rows of set (an inline nest's in its place), each in the JSON
 * object its row names; *group: the object open now. */
static void print_rows(const struct kgc_attr_set *set,
		       const struct kgc_status *st, const char **group)
{
	size_t i;

	for (i = 0; i < set->nr; i++) {
		const struct kgc_field *f = &set->f[i];

		if (f->json == KGC_J_NONE)
			continue;
		if (f->json == KGC_J_INLINE) {
			print_rows(f->sub, st, group);
			continue;
		}
		if (*group && (!f->group || strcmp(*group, f->group)))
			out_obj_end();
		if (f->group && (!*group || strcmp(*group, f->group)))
			out_obj_begin(f->group);
		*group = f->group;
		if (f->json == KGC_J_HOOK)
			print_hook(f, st);
		else
			out_field(f, st);
	}
}

/* Every member of the status table (status_fields.c), in its order. */
static void print_status(const struct kgc_status *st)
{
	const char *group = NULL;

	out_obj_begin(NULL);
	print_rows(&kgc_status_attrs, st, &group);
	if (group)
		out_obj_end();
	out_obj_end();
	out_flush();
}

int cmd_status(int argc, char **argv)
{
	struct kgc_client *c;
	struct kgc_status st;
	int ret;

	ret = ctl_no_args(argc, argv);
	if (ret >= 0)
		return ret;
	ret = ctl_open(&c);
	if (ret)
		return ret;
	ret = kgc_cmd_get_status(c, &st);
	if (ret)
		ret = ctl_kernel_error(c, ret, "status");
	else
		print_status(&st);
	kgc_close(c);
	return ret;
}
