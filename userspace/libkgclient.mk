# SPDX-License-Identifier: GPL-2.0
#
# Included by every Makefile that builds or links libkgclient: the
# packages it needs and where each build of it lives.  Consumers link the
# build that matches their own SANITIZE setting, never a copy of whichever
# was made last.

KG_USERSPACE := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
KG_PKG_CONFIG ?= pkg-config
KG_PKGS := libnl-3.0 libnl-genl-3.0 zlib liblzma libzstd libkmod libelf \
	libarchive
KG_OBJDIR := $(KG_USERSPACE)/$(if $(filter 1,$(SANITIZE)),.obj-san,.obj)
KG_LIB := $(KG_OBJDIR)/libkgclient.a
KG_LIBS = $(shell $(KG_PKG_CONFIG) --libs $(KG_PKGS)) -lpthread
