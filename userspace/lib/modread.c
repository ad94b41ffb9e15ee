// SPDX-License-Identifier: GPL-2.0
/*
 * Reading module files offline, as the kernel's loader reads them
 * (kernel/module/main.c, version.c):
 *
 *   - the file is read whole and decompressed here, by magic (gzip, xz,
 *     zstd: lib/decompress.c), whatever decompressors libkmod has;
 *   - its ELF (imports, modinfo, CRCs) is read by modinfo_elf.c;
 *   - the signer alone is libkmod's (kmod_module_get_info: it parses the
 *     PKCS#7 signature), asked only when the signature magic ends the file,
 *     from a memfd holding the decompressed bytes so nothing is
 *     decompressed twice.
 *
 * A kmod_ctx is not thread-safe: one reader per thread. Its context has no
 * module directory and no configuration, so creating one costs nothing and
 * reads no system file.
 */
#define _GNU_SOURCE	/* memfd_create() */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <gelf.h>
#include <libelf.h>
#include <libkmod.h>

#include "modinfo_elf.h"

/* include/linux/module_signature.h */
#define KG_SIG_MAGIC	"~Module signature appended~\n"

struct kgc_modreader {
	struct kmod_ctx *ctx;		/* offline: no dirname, no config */
	struct kmod_ctx *sys;		/* kgc_modreader_find(): the system's */
	int memfd;			/* the signer's bytes; -1: none yet */
	bool no_signer;			/* kgc_modreader_want_signer(false) */
};

static void kgc_kmod_quiet(void *data, int priority, const char *file,
			  int line, const char *fn, const char *format,
			  va_list args)
{
	(void)data, (void)priority, (void)file, (void)line, (void)fn;
	(void)format, (void)args;
}

int kgc_modreader_new(struct kgc_modreader **out)
{
	static const char *const no_config[] = { NULL };
	struct kgc_modreader *r;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOSYS;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->memfd = -1;
	r->ctx = kmod_new("/nonexistent", no_config);
	if (!r->ctx) {
		free(r);
		return -ENOMEM;
	}
	kmod_set_log_fn(r->ctx, kgc_kmod_quiet, NULL);
	*out = r;
	return 0;
}

void kgc_modreader_free(struct kgc_modreader *r)
{
	if (!r)
		return;
	kmod_unref(r->ctx);
	if (r->sys)
		kmod_unref(r->sys);
	if (r->memfd >= 0)
		close(r->memfd);
	free(r);
}

char *kgc_modreader_find(struct kgc_modreader *r, const char *name)
{
	struct kmod_module *mod;
	const char *path;
	char *ret = NULL;

	if (!r->sys) {
		r->sys = kmod_new(NULL, NULL);
		if (!r->sys)
			return NULL;
		kmod_set_log_fn(r->sys, kgc_kmod_quiet, NULL);
	}
	if (kmod_module_new_from_name(r->sys, name, &mod))
		return NULL;
	path = kmod_module_get_path(mod);
	if (path)
		ret = strdup(path);
	kmod_module_unref(mod);
	return ret;
}

static bool kgc_is_signed(const char *image, size_t len)
{
	size_t m = sizeof(KG_SIG_MAGIC) - 1;

	return len >= m && !memcmp(image + len - m, KG_SIG_MAGIC, m);
}

/* Whether the len-byte file at fd ends with the signature magic. */
static bool kgc_fd_is_signed(int fd, off_t len)
{
	char tail[sizeof(KG_SIG_MAGIC) - 1];

	return len >= (off_t)sizeof(tail) &&
	       pread(fd, tail, sizeof(tail), len - sizeof(tail)) ==
	       (ssize_t)sizeof(tail) &&
	       !memcmp(tail, KG_SIG_MAGIC, sizeof(tail));
}

/* The decompressed bytes, where libkmod can open them; NULL: not here. */
static const char *kgc_memfd_path(struct kgc_modreader *r, const char *image,
				 size_t len, char *buf, size_t buflen)
{
	size_t off = 0;

	if (r->memfd < 0)
		r->memfd = memfd_create("kabiguard-module", MFD_CLOEXEC);
	if (r->memfd < 0 || ftruncate(r->memfd, 0))
		return NULL;
	while (off < len) {
		ssize_t w = pwrite(r->memfd, image + off, len - off, off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return NULL;
		off += w;
	}
	snprintf(buf, buflen, "/proc/self/fd/%d", r->memfd);
	return access(buf, R_OK) ? NULL : buf;
}

/* libkmod's signer ("" becomes "(unknown signer)"); no error is fatal:
 * without one the module counts as unsigned, as it would before. */
static int kgc_read_signer(struct kgc_modreader *r, const char *path,
			  const char *image, size_t len, bool plain,
			  struct kgc_modinfo *mi)
{
	struct kmod_list *list = NULL, *e;
	struct kmod_module *mod;
	const char *src;
	char fdpath[64];
	int ret = 0;

	/* A plain file is read where it is; a decompressed one from a
	 * memfd (without /proc, libkmod decompresses the file again). */
	src = plain ? path : kgc_memfd_path(r, image, len, fdpath,
					   sizeof(fdpath));
	if (kmod_module_new_from_path(r->ctx, src ? src : path, &mod))
		return 0;
	if (kmod_module_get_info(mod, &list) >= 0) {
		kmod_list_foreach(e, list) {
			const char *k = kmod_module_info_get_key(e);
			const char *v = kmod_module_info_get_value(e);

			if (!k || !v || strcmp(k, "signer"))
				continue;
			mi->signer = strdup(*v ? v : "(unknown signer)");
			ret = mi->signer ? 0 : -ENOMEM;
			break;
		}
		kmod_module_info_free_list(list);
	}
	kmod_module_unref(mod);
	return ret;
}

/* The signer of a signed mi, when wanted; on failure mi is freed. */
static int kgc_modreader_signer(struct kgc_modreader *r, const char *path,
			       const char *image, size_t len, bool plain,
			       struct kgc_modinfo *mi, char *err, size_t errlen)
{
	int ret;

	if (!mi->signed_file || r->no_signer)
		return 0;
	ret = kgc_read_signer(r, path, image, len, plain, mi);
	if (ret) {
		kgc_modinfo_free(mi);
		snprintf(err, errlen, "%s: reading: %s", path, strerror(-ret));
	}
	return ret;
}

/*
 * A plain (uncompressed) ELF file is read through libelf's own file
 * access: it reads the headers, then only the sections asked for
 * (.modinfo, the symbol table and its strings, the version sections),
 * never .text or the relocations: most of the file stays unread.
 * Returns 1 when fd is not a plain ELF file (then nothing is done).
 */
static int kgc_modreader_read_plain(struct kgc_modreader *r, const char *path,
				   int fd, struct kgc_modinfo *mi, char *err,
				   size_t errlen)
{
	unsigned char magic[SELFMAG];
	struct stat st;
	int ret;

	if (pread(fd, magic, sizeof(magic), 0) != (ssize_t)sizeof(magic) ||
	    memcmp(magic, ELFMAG, SELFMAG) || fstat(fd, &st) ||
	    !S_ISREG(st.st_mode))
		return 1;
	if ((unsigned long)st.st_size > KG_FILE_MAX) {
		snprintf(err, errlen, "%s: cannot read: %s", path,
			 strerror(EFBIG));
		return -EFBIG;
	}
	elf_errno();	/* no error left from another file */
	ret = kgc_modinfo_parse_elf(path, elf_begin(fd, ELF_C_READ, NULL), mi,
				   err, errlen);
	if (ret)
		return ret;
	mi->signed_file = kgc_fd_is_signed(fd, st.st_size);
	return kgc_modreader_signer(r, path, NULL, 0, true, mi, err, errlen);
}

/*
 * A compressed file is read whole into malloc'ed memory, not mapped
 * (plain ones: kgc_modreader_read_plain()): every munmap() flushes
 * the TLB, which costs more than the copy (half the time of a tree on a
 * paravirtualized VM). libkmod reads a plain file's signer from the file
 * itself, a decompressed one's from a memfd; only when asked for
 * (kgc_modreader_want_signer()): libkmod maps and unmaps the file.
 */
int kgc_modreader_read(struct kgc_modreader *r, const char *path,
		      struct kgc_modinfo *mi, char *err, size_t errlen)
{
	char *image = NULL, *file;
	size_t len = 0;
	int fd, ret;

	memset(mi, 0, sizeof(*mi));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: cannot open: %s", path,
			 strerror(-ret));
		return ret;
	}
	ret = kgc_modreader_read_plain(r, path, fd, mi, err, errlen);
	if (ret <= 0) {
		close(fd);
		return ret;
	}
	ret = kgc_read_all(fd, &image, &len);
	close(fd);
	if (ret) {
		snprintf(err, errlen, "%s: cannot read: %s", path,
			 strerror(-ret));
		return ret;
	}
	file = image;
	ret = kgc_decompress(path, &image, &len, err, errlen);
	if (ret) {
		size_t n = strlen(err);

		/* "path: bad xz data" names the file already. */
		snprintf(err + n, errlen - n, " (not a valid kernel module "
			 "after decompression)");
		goto out;
	}
	ret = kgc_modinfo_parse(path, image, len, mi, err, errlen);
	if (ret)
		goto out;
	mi->signed_file = kgc_is_signed(image, len);
	/* kgc_decompress() replaced the buffer: not plain. */
	ret = kgc_modreader_signer(r, path, image, len, image == file, mi, err,
				  errlen);
out:
	free(image);
	return ret;
}

void kgc_modreader_want_signer(struct kgc_modreader *r, bool want)
{
	r->no_signer = !want;
}
