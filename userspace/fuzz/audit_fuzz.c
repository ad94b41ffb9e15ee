// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the audit event (JSON lines) parser used by
 * `kabiguardctl policy generate --audit`. `make -C userspace fuzz`.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kgclient.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kgc_audit_event ev;
	char err[256];
	size_t i;
	int ret;

	ret = kgc_audit_parse((const char *)data, size, &ev, err, sizeof(err));
	if (ret)
		return 0;
	if (!ev.module)
		abort();
	for (i = 0; i < ev.nr_viol; i++)
		if (!ev.viol[i].symbol || strlen(ev.viol[i].symbol) > size)
			abort();
	kgc_audit_event_free(&ev);
	return 0;
}
