/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the kabiguard harness tests: loading and unloading the
 * dummy modules with the raw syscalls (so errnos are exact), reading the
 * facts a test compares against out of a .ko file, following the kernel log
 * through /dev/kmsg, and waiting for a verdict event.
 *
 * Include after kselftest_harness.h; the helpers that check things take the
 * harness' _metadata so they can ASSERT.
 */
#ifndef KG_SELFTEST_H
#define KG_SELFTEST_H

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "kgclient.h"
#include "kgc_raw.h"

/* Where the VM runner puts the dummy modules; KG_TEST_MODULES overrides. */
#define KG_TEST_MODULES_DIR	"/kabiguard/test_modules"

#define KG_EVENT_TIMEOUT_MS	5000
/* How long "no event" is waited for. */
#define KG_NO_EVENT_MS		500

/* Kernel taint bit numbers (include/linux/panic.h). */
#define KG_TAINT_OOT_MODULE		12
#define KG_TAINT_UNSIGNED_MODULE	13

static inline const char *kg_t_moddir(void)
{
	const char *dir = getenv("KG_TEST_MODULES");

	return dir && *dir ? dir : KG_TEST_MODULES_DIR;
}

static inline void kg_t_kopath(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s.ko", kg_t_moddir(), name);
}

/* finit_module(2) of test module NAME: 0 or the errno. */
static inline int kg_t_load(const char *name)
{
	char path[4096];
	int fd, ret, err;

	kg_t_kopath(path, sizeof(path), name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	ret = syscall(SYS_finit_module, fd, "", 0);
	err = ret ? errno : 0;
	close(fd);
	return err;
}

/* delete_module(2) with O_NONBLOCK, as rmmod does: 0 or the errno. */
static inline int kg_t_unload(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) ? errno : 0;
}

static inline bool kg_t_loaded(const char *name)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	return stat(path, &st) == 0;
}

/* Writes the text s to path (a sysfs or procfs file): 0 or -errno. */
static inline int kg_t_write_file(const char *path, const char *s)
{
	ssize_t len = strlen(s);
	int fd, ret = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, s, len) != len)
		ret = -errno;
	close(fd);
	return ret;
}

/* kabiguard's module parameters, as root sees them in sysfs. */
#define KG_T_PARAMS	"/sys/module/kabiguard/parameters/"

/* Parameter name's text (its newline kept) into buf: 0 or -errno. */
static inline int kg_t_param_read_text(const char *name, char *buf,
				       size_t len)
{
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), KG_T_PARAMS "%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

/* Parameter name as a number: 0, -errno, or -EIO if it reads empty. */
static inline int kg_t_param_read(const char *name, unsigned long *val)
{
	char buf[64];
	int err = kg_t_param_read_text(name, buf, sizeof(buf));

	if (err)
		return err;
	if (!buf[0])
		return -EIO;
	*val = strtoul(buf, NULL, 0);
	return 0;
}

/* Sets parameter name to the text val: 0 or the write's -errno. */
static inline int kg_t_param_write(const char *name, const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), KG_T_PARAMS "%s", name);
	return kg_t_write_file(path, val);
}

static inline int kg_t_param_write_ull(const char *name,
				       unsigned long long val)
{
	char text[32];

	snprintf(text, sizeof(text), "%llu", val);
	return kg_t_param_write(name, text);
}

/* A main()'s preamble: skip the whole program unless root with the guard. */
static inline void kg_t_require_guard(void)
{
	struct kgc_client *c;
	int err;

	if (geteuid())
		ksft_exit_skip("must run as root\n");
	err = kgc_open(&c);
	if (err)
		ksft_exit_skip("kabiguard.ko is not loaded (%s)\n",
			       strerror(-err));
	kgc_close(c);
}

/*
 * What a test compares a verdict against, read from the .ko file itself:
 * the number of undefined symbols (the imports the kernel sees), the CRCs
 * in __versions (what modpost took from the exporter's Module.symvers when
 * the module was built, i.e. the running kernel's CRCs) and .modinfo's
 * version and srcversion.
 */
#define KG_T_MAX_VERSIONS	256
#define KG_T_MAX_IMPORTS	256

struct kg_t_ko {
	unsigned int nr_imports;
	/* The first KG_T_MAX_IMPORTS imports, in symbol table order. */
	char imports[KG_T_MAX_IMPORTS][64];
	unsigned int nr_versions;
	struct {
		char name[64];
		uint32_t crc;
	} versions[KG_T_MAX_VERSIONS];
	char version[64];
	char srcversion[64];
};

static inline const Elf64_Shdr *kg_t_section(const char *img, size_t size,
					     const char *want)
{
	const Elf64_Ehdr *eh = (const void *)img;
	const Elf64_Shdr *sh, *shstr;
	unsigned int i;

	if (eh->e_shoff + (uint64_t)eh->e_shnum * sizeof(*sh) > size ||
	    eh->e_shstrndx >= eh->e_shnum)
		return NULL;
	sh = (const void *)(img + eh->e_shoff);
	shstr = &sh[eh->e_shstrndx];
	for (i = 1; i < eh->e_shnum; i++) {
		if (sh[i].sh_name >= shstr->sh_size)
			continue;
		if (!strcmp(img + shstr->sh_offset + sh[i].sh_name, want)) {
			if (sh[i].sh_offset + sh[i].sh_size > size)
				return NULL;
			return &sh[i];
		}
	}
	return NULL;
}

static inline void kg_t_modinfo(const char *img, const Elf64_Shdr *sh,
				const char *key, char *out, size_t len)
{
	const char *p = img + sh->sh_offset, *end = p + sh->sh_size;
	size_t klen = strlen(key);

	out[0] = '\0';
	while (p < end) {
		size_t n = strnlen(p, end - p);

		if (n > klen && !strncmp(p, key, klen) && p[klen] == '=') {
			snprintf(out, len, "%.*s", (int)(n - klen - 1),
				 p + klen + 1);
			return;
		}
		p += n + 1;
	}
}

/* Fills *ko from test module NAME: 0 or a negative errno. */
static inline int kg_t_read_ko(const char *name, struct kg_t_ko *ko)
{
	const Elf64_Shdr *sym, *str, *ver, *info;
	char path[4096], *img = NULL;
	const Elf64_Ehdr *eh;
	struct stat st;
	int fd, err = -EINVAL;
	size_t i;

	memset(ko, 0, sizeof(*ko));
	kg_t_kopath(path, sizeof(path), name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || st.st_size < (off_t)sizeof(*eh))
		goto out;
	img = malloc(st.st_size);
	if (!img || pread(fd, img, st.st_size, 0) != st.st_size)
		goto out;
	eh = (const void *)img;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64)
		goto out;

	sym = kg_t_section(img, st.st_size, ".symtab");
	str = kg_t_section(img, st.st_size, ".strtab");
	if (!sym || !str || sym->sh_entsize != sizeof(Elf64_Sym))
		goto out;
	/* Entry 0 is the null symbol, as the kernel's simplify_symbols() skips. */
	for (i = 1; i < sym->sh_size / sizeof(Elf64_Sym); i++) {
		const Elf64_Sym *s = (const void *)(img + sym->sh_offset +
						    i * sizeof(Elf64_Sym));

		if (s->st_shndx != SHN_UNDEF)
			continue;
		if (ko->nr_imports < KG_T_MAX_IMPORTS && s->st_name < str->sh_size)
			snprintf(ko->imports[ko->nr_imports],
				 sizeof(ko->imports[0]), "%.*s",
				 (int)(str->sh_size - s->st_name),
				 img + str->sh_offset + s->st_name);
		ko->nr_imports++;
	}

	ver = kg_t_section(img, st.st_size, "__versions");
	for (i = 0; ver && i < ver->sh_size / 64 &&
	     ko->nr_versions < KG_T_MAX_VERSIONS; i++) {
		const char *e = img + ver->sh_offset + i * 64;
		uint64_t crc;

		memcpy(&crc, e, sizeof(crc));
		ko->versions[ko->nr_versions].crc = (uint32_t)crc;
		snprintf(ko->versions[ko->nr_versions].name,
			 sizeof(ko->versions[0].name), "%.56s", e + 8);
		ko->nr_versions++;
	}

	info = kg_t_section(img, st.st_size, ".modinfo");
	if (info) {
		kg_t_modinfo(img, info, "version", ko->version,
			     sizeof(ko->version));
		kg_t_modinfo(img, info, "srcversion", ko->srcversion,
			     sizeof(ko->srcversion));
	}
	err = 0;
out:
	free(img);
	close(fd);
	return err;
}

/* Position of import sym in ko's symbol table order, or -1. */
static inline int kg_t_ko_import_index(const struct kg_t_ko *ko,
				       const char *sym)
{
	unsigned int i;

	for (i = 0; i < ko->nr_imports && i < KG_T_MAX_IMPORTS; i++)
		if (!strcmp(ko->imports[i], sym))
			return (int)i;
	return -1;
}

/* The CRC module ko was built against for symbol sym; false if none. */
static inline bool kg_t_ko_crc(const struct kg_t_ko *ko, const char *sym,
			       uint32_t *crc)
{
	unsigned int i;

	for (i = 0; i < ko->nr_versions; i++) {
		if (!strcmp(ko->versions[i].name, sym)) {
			*crc = ko->versions[i].crc;
			return true;
		}
	}
	return false;
}

/*
 * Kernel log since a mark. /dev/kmsg is opened and positioned at its end
 * (kg_t_kmsg_mark); kg_t_kmsg_read() then collects the message text of every
 * record logged since, one per line. Without /dev/kmsg the whole klogctl
 * buffer is returned instead (looser: older lines match too).
 */
struct kg_t_kmsg {
	int fd;
};

static inline void kg_t_kmsg_mark(struct kg_t_kmsg *k)
{
	k->fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (k->fd >= 0)
		lseek(k->fd, 0, SEEK_END);
}

static inline void kg_t_kmsg_close(struct kg_t_kmsg *k)
{
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
}

static inline int kg_t_append(char **buf, size_t *len, const char *s,
			      size_t n)
{
	char *nb = realloc(*buf, *len + n + 2);

	if (!nb)
		return -ENOMEM;
	memcpy(nb + *len, s, n);
	*len += n;
	nb[(*len)++] = '\n';
	nb[*len] = '\0';
	*buf = nb;
	return 0;
}

/* Returns a malloc'ed "\nline\nline\n...": every line starts after '\n'. */
static inline char *kg_t_kmsg_read(struct kg_t_kmsg *k)
{
	char rec[8192], *buf = NULL;
	size_t len = 0;

	if (kg_t_append(&buf, &len, "", 0))
		return NULL;
	if (k->fd < 0) {
		int n = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
		char *all;

		if (n <= 0)
			return buf;
		all = malloc(n + 1);
		if (!all)
			return buf;
		n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, all, n);
		if (n > 0)
			kg_t_append(&buf, &len, all, n);
		free(all);
		return buf;
	}
	for (;;) {
		ssize_t n = read(k->fd, rec, sizeof(rec) - 1);
		char *msg, *nl;

		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten records: go on */
		if (n <= 0)
			break;
		rec[n] = '\0';
		msg = strchr(rec, ';');
		if (!msg)
			continue;
		msg++;
		nl = strchr(msg, '\n');
		if (kg_t_append(&buf, &len, msg, nl ? (size_t)(nl - msg) :
				strlen(msg)))
			break;
	}
	return buf;
}

/* kg_evil_import's import name as built, and as the tests load it. */
#define KG_T_EVIL	"kg_evil_import"
#define KG_T_EVIL_BUILT	"kg_evil~kabiguard: evil: allowed (enforce, generation 1), 3 imports`[31mx"
#define KG_T_EVIL_NAME	"kg_evil\nkabiguard: evil: allowed (enforce, generation 1), 3 imports\033[31mx"

/*
 * kg_evil_import.ko with its import name made KG_T_EVIL_NAME (a newline, a
 * forged verdict line, ESC), for init_module(2); *len its size. NULL when
 * the file is missing or does not hold the name as built.
 */
static inline char *kg_t_evil_module(size_t *len)
{
	size_t n = strlen(KG_T_EVIL_BUILT), found = 0;
	char path[4096], *img, *p;
	struct stat st;
	ssize_t got;
	int fd;

	kg_t_kopath(path, sizeof(path), KG_T_EVIL);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !(img = malloc(st.st_size))) {
		close(fd);
		return NULL;
	}
	got = read(fd, img, st.st_size);
	close(fd);
	if (got != st.st_size) {
		free(img);
		return NULL;
	}
	for (p = img; (p = memmem(p, img + got - p, KG_T_EVIL_BUILT, n));
	     p += n) {
		memcpy(p, KG_T_EVIL_NAME, n);
		found++;
	}
	if (!found) {
		free(img);
		return NULL;
	}
	*len = got;
	return img;
}

/* Whether log (from kg_t_kmsg_read) holds exactly the line line. */
static inline bool kg_t_log_has(const char *log, const char *line)
{
	size_t n = strlen(line);
	const char *p = log;

	while ((p = strstr(p, line))) {
		if (p > log && p[-1] == '\n' && (p[n] == '\n' || !p[n]))
			return true;
		p++;
	}
	return false;
}

static inline int64_t kg_t_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Next verdict event for module name, skipping events for other modules.
 * Returns 1 with *ev filled (kgc_event_free() it), 0 on timeout, or a
 * negative errno.
 */
static inline int kg_t_event_for(struct kgc_client *evc, const char *name,
				 struct kgc_event *ev, int timeout_ms)
{
	int64_t deadline = kg_t_now_ms() + timeout_ms;

	for (;;) {
		int64_t left = deadline - kg_t_now_ms();
		int ret;

		if (left < 0)
			left = 0;
		memset(ev, 0, sizeof(*ev));
		ret = kgc_events_next(evc, ev, (int)left);
		if (ret <= 0)
			return ret;
		if (!strcmp(ev->module, name))
			return 1;
		kgc_event_free(ev);
		if (!left)
			return 0;
	}
}

static inline const char *kg_t_mode_text(enum kabiguard_mode mode)
{
	switch (mode) {
	case KABIGUARD_MODE_OFF:
		return "off";
	case KABIGUARD_MODE_AUDIT:
		return "audit";
	case KABIGUARD_MODE_ENFORCE:
		return "enforce";
	default:
		return "?";
	}
}

/* Rule initialisers, readable as the native policy text they stand for. */
#define KG_R_ANY(...)	{ .kind = KABIGUARD_RULE_ANY, __VA_ARGS__ }
#define KG_R_NS(n, ...)	{ .kind = KABIGUARD_RULE_NAMESPACE, .name = n, __VA_ARGS__ }
#define KG_R_SYM(n, ...) { .kind = KABIGUARD_RULE_SYMBOL, .name = n, __VA_ARGS__ }
/* "any from=vmlinux": whatever the kernel image exports. */
#define KG_R_VMLINUX	KG_R_ANY(.exporter = "vmlinux")

#endif /* KG_SELFTEST_H */
