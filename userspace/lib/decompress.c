// SPDX-License-Identifier: GPL-2.0
/*
 * Compressed policy files and modules: Red Hat ships symvers as
 * /boot/symvers-*.gz and, on newer releases, .xz; kernels compress modules
 * with xz (Debian), zstd (Fedora, Arch) or gzip. Decompressing in-process
 * with zlib, liblzma and libzstd (chosen by magic, not by file name, so
 * pipes work too) avoids depending on gzip/xz/zstd binaries, on their exit
 * status, and on the decompressors the system's libkmod was built with.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include "internal.h"

/* Same cap as for plain files (parse.c). */
#define KG_OUT_MAX	(256UL * 1024 * 1024)

static const unsigned char kgc_gz_magic[] = { 0x1f, 0x8b };
static const unsigned char kgc_xz_magic[] = { 0xfd, '7', 'z', 'X', 'Z', 0x00 };
static const unsigned char kgc_zstd_magic[] = { 0x28, 0xb5, 0x2f, 0xfd };

/* Doubles *out (keeping one spare byte for the final NUL). */
static int kgc_grow(unsigned char **out, size_t *size)
{
	unsigned char *n;

	if (*size >= KG_OUT_MAX)
		return -EFBIG;
	n = realloc(*out, *size * 2 + 1);
	if (!n)
		return -ENOMEM;
	*out = n;
	*size *= 2;
	return 0;
}

static int kgc_gunzip(const unsigned char *in, size_t inlen,
		     unsigned char **out, size_t *outlen, const char **why)
{
	size_t size = inlen * 4 + 4096;
	unsigned char *buf;
	z_stream zs = { 0 };
	int zret, ret = 0;
	size_t pos = 0;

	buf = malloc(size + 1);
	if (!buf)
		return -ENOMEM;
	/* 15 + 16: gzip framing only, maximal window. */
	if (inflateInit2(&zs, 15 + 16) != Z_OK) {
		free(buf);
		return -ENOMEM;
	}
	zs.next_in = (unsigned char *)in;
	zs.avail_in = inlen;
	for (;;) {
		/* Track the output ourselves: inflateReset() clears
		 * total_out between gzip members. */
		if (pos == size) {
			ret = kgc_grow(&buf, &size);
			if (ret)
				goto err;
		}
		zs.next_out = buf + pos;
		zs.avail_out = size - pos;
		zret = inflate(&zs, Z_NO_FLUSH);
		pos = zs.next_out - buf;
		if (zret == Z_STREAM_END) {
			/* gzip allows several members back to back. */
			if (!zs.avail_in)
				break;
			if (inflateReset(&zs) != Z_OK) {
				*why = "bad gzip data";
				ret = -EINVAL;
				goto err;
			}
			continue;
		}
		if (zret == Z_BUF_ERROR && zs.avail_out)
			zret = Z_DATA_ERROR;	/* input ended early */
		if (zret != Z_OK && zret != Z_BUF_ERROR) {
			*why = zret == Z_MEM_ERROR ? NULL :
			       zs.msg ? zs.msg : "bad gzip data";
			ret = zret == Z_MEM_ERROR ? -ENOMEM : -EINVAL;
			goto err;
		}
	}
	*outlen = pos;
	*out = buf;
	inflateEnd(&zs);
	return 0;
err:
	inflateEnd(&zs);
	free(buf);
	return ret;
}

static int kgc_unxz(const unsigned char *in, size_t inlen,
		   unsigned char **out, size_t *outlen, const char **why)
{
	lzma_stream xs = LZMA_STREAM_INIT;
	size_t size = inlen * 6 + 4096;
	unsigned char *buf;
	lzma_ret xret;
	size_t pos = 0;
	int ret = 0;

	buf = malloc(size + 1);
	if (!buf)
		return -ENOMEM;
	if (lzma_stream_decoder(&xs, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK) {
		free(buf);
		return -ENOMEM;
	}
	xs.next_in = in;
	xs.avail_in = inlen;
	for (;;) {
		if (pos == size) {
			ret = kgc_grow(&buf, &size);
			if (ret)
				goto err;
		}
		xs.next_out = buf + pos;
		xs.avail_out = size - pos;
		/* All input is there: LZMA_FINISH lets it report the end. */
		xret = lzma_code(&xs, LZMA_FINISH);
		pos = xs.next_out - buf;
		if (xret == LZMA_STREAM_END)
			break;
		if (xret == LZMA_OK)
			continue;
		if (xret == LZMA_BUF_ERROR && !xs.avail_out)
			continue;
		ret = xret == LZMA_MEM_ERROR ? -ENOMEM : -EINVAL;
		*why = xret == LZMA_MEM_ERROR ? NULL :
		       xret == LZMA_BUF_ERROR ? "truncated xz data" :
						"bad xz data";
		goto err;
	}
	*outlen = pos;
	*out = buf;
	lzma_end(&xs);
	return 0;
err:
	lzma_end(&xs);
	free(buf);
	return ret;
}

static int kgc_unzstd(const unsigned char *in, size_t inlen,
		     unsigned char **out, size_t *outlen, const char **why)
{
	ZSTD_inBuffer zin = { .src = in, .size = inlen };
	size_t size = inlen * 4 + 4096, zret = 0;
	ZSTD_DStream *zs;
	unsigned char *buf;
	size_t pos = 0;
	int ret = 0;

	buf = malloc(size + 1);
	zs = ZSTD_createDStream();
	if (!buf || !zs) {
		free(buf);
		ZSTD_freeDStream(zs);
		return -ENOMEM;
	}
	/* Frames back to back, as zstd(1) writes and reads them. Done when
	 * all input is in and the decoder left room: nothing is pending. */
	for (;;) {
		ZSTD_outBuffer zout;

		if (pos == size) {
			ret = kgc_grow(&buf, &size);
			if (ret)
				goto err;
		}
		zout = (ZSTD_outBuffer){ .dst = buf, .size = size, .pos = pos };
		zret = ZSTD_decompressStream(zs, &zout, &zin);
		pos = zout.pos;
		if (ZSTD_isError(zret)) {
			*why = ZSTD_getErrorName(zret);
			ret = -EINVAL;
			goto err;
		}
		if (zin.pos == zin.size && zout.pos < zout.size)
			break;
	}
	if (zret) {
		*why = "truncated zstd data";
		ret = -EINVAL;
		goto err;
	}
	*outlen = pos;
	*out = buf;
	ZSTD_freeDStream(zs);
	return 0;
err:
	ZSTD_freeDStream(zs);
	free(buf);
	return ret;
}

int kgc_decompress_mem(const char *name, const void *buf, size_t len,
		      char **out, size_t *outlen, char *err, size_t errlen)
{
	const unsigned char *in = buf;
	const char *why = NULL;
	unsigned char *o;
	int ret;

	if (len >= sizeof(kgc_gz_magic) &&
	    !memcmp(in, kgc_gz_magic, sizeof(kgc_gz_magic)))
		ret = kgc_gunzip(in, len, &o, outlen, &why);
	else if (len >= sizeof(kgc_xz_magic) &&
		 !memcmp(in, kgc_xz_magic, sizeof(kgc_xz_magic)))
		ret = kgc_unxz(in, len, &o, outlen, &why);
	else if (len >= sizeof(kgc_zstd_magic) &&
		 !memcmp(in, kgc_zstd_magic, sizeof(kgc_zstd_magic)))
		ret = kgc_unzstd(in, len, &o, outlen, &why);
	else
		return 0;
	if (ret) {
		snprintf(err, errlen, "%s: %s", name,
			 why ? why : strerror(-ret));
		return ret;
	}
	*out = (char *)o;
	return 1;
}

int kgc_decompress(const char *name, char **buf, size_t *len, char *err,
		  size_t errlen)
{
	char *out;
	size_t outlen;
	int ret;

	ret = kgc_decompress_mem(name, *buf, *len, &out, &outlen, err, errlen);
	if (ret <= 0)
		return ret;
	free(*buf);
	*buf = out;
	*len = outlen;
	return 0;
}
