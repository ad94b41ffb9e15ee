// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: a module file's ELF as kabiguardctl check reads it
 * (kgc_modinfo_parse(): libelf, .modinfo, .symtab, __versions and the
 * extended modversions sections), every byte hostile. The seeds are a
 * small real module and a copy of it with extended modversions
 * (make_corpus.sh). `make -C userspace fuzz`.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kgc_modinfo mi;
	char err[256], *image;
	size_t i;

	/* libelf may convert the image in place: a private copy. */
	image = malloc(size + 1);
	if (!image)
		return 0;
	memcpy(image, data, size);
	if (!kgc_modinfo_parse("fuzz.ko", image, size, &mi, err, sizeof(err))) {
		for (i = 0; i < mi.nr_imports; i++)
			if (!mi.imports[i].name)
				abort();
		kgc_modinfo_free(&mi);
	} else if (strlen(err) >= sizeof(err)) {
		abort();
	}
	free(image);
	return 0;
}
