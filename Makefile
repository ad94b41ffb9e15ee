# SPDX-License-Identifier: GPL-2.0
#
# make              build kabiguard.ko for KVER (default: the running kernel)
#                   and the userspace tools; a KVER (or series: 5.10, 7.3)
#                   of the test matrix that is not installed on the host
#                   is built in its kernel root (scripts/setup-kernels.sh)
# make check        install what the tests need, then run every test on
#                   every kernel of the matrix (see scripts/check.sh)
# make check-debug  the VM suite and the netlink fuzzer on a debug kernel
#                   (KASAN, KFENCE, lockdep, PROVE_RCU, slab debugging)
#                   built from Debian's linux-source (scripts/check-debug.sh)
# make check-guest  the packages on a booted Debian guest: install and purge,
#                   boot order, logs, persistence, log rotation, the warning
#                   when a second kernel is installed (selftests/guest/)
# make demo         boot a VM and show an allowed and a denied module load
# make bench        print the benchmark figures
# make style        checkpatch on the kernel sources
# make spec-check   the genl family's YNL spec (Documentation/netlink/specs/)
#                   against the uapi header and kmod/'s policies and op
#                   table (scripts/spec-check.py; needs build/ynl from
#                   scripts/install-deps.sh); make spec-check-test proves
#                   that it fails on a mismatch
#
# make install      tools, daemon and its unit (when built), man pages,
#                   default config in /etc/kabiguard/, modules-load.d and
#                   modprobe.d files; DESTDIR, PREFIX and the *DIR
#                   variables below apply.  Not the module: pick one of
# make install-module  kabiguard.ko for KVER into /lib/modules/KVER/extra
# make install-initramfs  the initramfs-tools hook and init-top script and
#                   the dracut module that load the guard from the
#                   initramfs (an empty INITRAMFSTOOLSDIR or DRACUTDIR
#                   skips one); then update-initramfs -u or dracut -f
# make dkms-install  sources to /usr/src/kabiguard-VERSION, then dkms add
#                   and dkms install for each kernel in DKMS_KERNELS
#                   (default: every kernel with a /lib/modules/K/build);
#                   with DESTDIR set, only the sources (for packages)
# make uninstall, make dkms-uninstall   undo them (config is kept)

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
VERSION := $(shell cat $(CURDIR)/VERSION)

DESTDIR ?=
PREFIX ?= /usr
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share
UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR ?= /etc
MODULESLOADDIR ?= $(SYSCONFDIR)/modules-load.d
MODPROBEDIR ?= $(SYSCONFDIR)/modprobe.d
LIBEXECDIR ?= $(PREFIX)/lib/kabiguard
KERNELHOOKDIR ?= $(SYSCONFDIR)/kernel
LOGROTATEDIR ?= $(SYSCONFDIR)/logrotate.d
INITRAMFSTOOLSDIR ?= /usr/share/initramfs-tools
DRACUTDIR ?= /usr/lib/dracut/modules.d
DKMSDIR ?= /usr/src/kabiguard-$(VERSION)
DKMS_KERNELS ?= $(patsubst /lib/modules/%/build,%,$(wildcard /lib/modules/*/build))
INSTALL ?= install
# install-conf SRC DEST [MODE]: install SRC as $(DESTDIR)DEST unless that
# exists.
install-conf = @if [ -e $(DESTDIR)$(2) ]; then echo "kept $(DESTDIR)$(2)"; \
	else $(INSTALL) -D -m $(or $(3),0644) $(1) $(DESTDIR)$(2) && echo "installed $(DESTDIR)$(2)"; fi
# What the module build needs, as dkms gets it.
DKMS_FILES := dkms.conf dkms-post-build VERSION Kbuild kmod include

all: module userspace

# A kernel whose build directory is not on the host: the test matrix's
# kernel roots, with the compiler that built that kernel.
# KDIR_HOST is where the host sees that kernel's build directory.
ifeq ($(wildcard $(KDIR)/Makefile),)
KBUILD_MAKE = $(CURDIR)/scripts/kmake.sh $(KVER)
KDIR_HOST = $(shell bash -c '. "$$1/scripts/kernel-lib.sh" && k=$$(kg_kver "$$2") && \
	echo "$$(kg_kroot "$$k")/usr/src/linux-headers-$$k"' sh $(CURDIR) $(KVER) 2>/dev/null)
else
KBUILD_MAKE = $(MAKE) -C $(KDIR)
KDIR_HOST = $(KDIR)
endif

module:
	$(KBUILD_MAKE) M=$(CURDIR) modules

module-clean:
	$(KBUILD_MAKE) M=$(CURDIR) clean

userspace:
	$(MAKE) -C userspace

# The Debian guest tests (selftests/guest/), on each of GUEST_KERNELS:
# packages_test (install, purge) and host_test (boot order, logs,
# persistence, rotation, the upgrade warning).  Not part of make check: a
# first run builds a ~1 GB guest image per kernel, and each test installs
# the packages and builds the guard with DKMS under TCG.  All run, and
# any failing fails the target.
GUEST_KERNELS ?= 6.1 6.12
check-guest:
	rc=0; \
	for k in $(GUEST_KERNELS); do \
		./selftests/guest/packages_test.sh $$k || rc=1; \
		./selftests/guest/host_test.sh $$k || rc=1; \
	done; \
	exit $$rc

check:
	./scripts/check.sh

check-debug:
	./scripts/check-debug.sh

demo:
	./scripts/demo.sh

bench:
	./scripts/bench.sh

style:
	./scripts/style.sh

spec-check:
	./scripts/spec-check.py

spec-check-test:
	./selftests/install/spec_check_test.sh

install: userspace
	$(INSTALL) -d $(DESTDIR)$(SBINDIR)
	$(INSTALL) -m 0755 userspace/kabiguardctl $(DESTDIR)$(SBINDIR)/
	@# The daemon and its unit, when they are built.
	for d in userspace/kabiguardd userspace/daemon/kabiguardd; do \
		if [ -f $$d ] && [ -x $$d ]; then \
			$(INSTALL) -m 0755 $$d $(DESTDIR)$(SBINDIR)/; break; \
		fi; \
	done
	for u in userspace/systemd/*.service; do \
		[ -e "$$u" ] || continue; \
		$(INSTALL) -d $(DESTDIR)$(UNITDIR); \
		sed 's|/usr/sbin/|$(SBINDIR)/|g' "$$u" >$(DESTDIR)$(UNITDIR)/$${u##*/}; \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$${u##*/}; \
	done
	for m in userspace/doc/*.[1-8]; do \
		[ -e "$$m" ] || continue; \
		d=$(DESTDIR)$(MANDIR)/man$${m##*.}; \
		$(INSTALL) -d $$d && $(INSTALL) -m 0644 $$m $$d/; \
	done
	@# The JSON Schemas of every --json output and of the daemon's log.
	$(INSTALL) -d $(DESTDIR)$(DATADIR)/kabiguard/schema
	$(INSTALL) -m 0644 userspace/doc/schema/*.schema.json \
		$(DESTDIR)$(DATADIR)/kabiguard/schema/
	@# Configuration: never overwrite what the admin has changed.
	$(INSTALL) -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/kabiguard/policy.d
	$(call install-conf,config/kabiguard.conf,$(SYSCONFDIR)/kabiguard/kabiguard.conf)
	$(call install-conf,config/policy.d/00-signed.policy,$(SYSCONFDIR)/kabiguard/policy.d/00-signed.policy)
	$(call install-conf,config/modules-load.d/kabiguard.conf,$(MODULESLOADDIR)/kabiguard.conf)
	$(call install-conf,config/modprobe.d/kabiguard.conf,$(MODPROBEDIR)/kabiguard.conf)
	$(call install-conf,config/logrotate.d/kabiguard,$(LOGROTATEDIR)/kabiguard)
	@# The kernel upgrade check and the kernel packages' hooks that run it.
	$(INSTALL) -d $(DESTDIR)$(LIBEXECDIR)
	sed 's|/usr/sbin/kabiguardctl|$(SBINDIR)/kabiguardctl|' \
		userspace/hooks/kabiguard-upgrade-check \
		>$(DESTDIR)$(LIBEXECDIR)/kabiguard-upgrade-check
	chmod 0755 $(DESTDIR)$(LIBEXECDIR)/kabiguard-upgrade-check
	for h in postinst.d header_postinst.d; do \
		f=$(DESTDIR)$(KERNELHOOKDIR)/$$h/zz-kabiguard; \
		if [ -e $$f ]; then echo "kept $$f"; continue; fi; \
		$(INSTALL) -d $(DESTDIR)$(KERNELHOOKDIR)/$$h; \
		sed 's|/usr/lib/kabiguard/|$(LIBEXECDIR)/|g' \
			config/kernel/$$h/zz-kabiguard >$$f && chmod 0755 $$f && \
			echo "installed $$f"; \
	done

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/kabiguardctl $(DESTDIR)$(SBINDIR)/kabiguardd
	for u in userspace/systemd/*.service; do \
		[ -e "$$u" ] && rm -f $(DESTDIR)$(UNITDIR)/$${u##*/}; \
	done; true
	for m in userspace/doc/*.[1-8]; do \
		rm -f $(DESTDIR)$(MANDIR)/man$${m##*.}/$${m##*/}; \
	done
	rm -f $(DESTDIR)$(MODULESLOADDIR)/kabiguard.conf $(DESTDIR)$(MODPROBEDIR)/kabiguard.conf
	rm -f $(DESTDIR)$(LOGROTATEDIR)/kabiguard
	rm -f $(DESTDIR)$(LIBEXECDIR)/kabiguard-upgrade-check
	rm -rf $(DESTDIR)$(DATADIR)/kabiguard/schema
	-rmdir $(DESTDIR)$(DATADIR)/kabiguard 2>/dev/null
	-rmdir $(DESTDIR)$(LIBEXECDIR) 2>/dev/null
	rm -f $(DESTDIR)$(KERNELHOOKDIR)/postinst.d/zz-kabiguard \
		$(DESTDIR)$(KERNELHOOKDIR)/header_postinst.d/zz-kabiguard
	@echo "kept $(DESTDIR)$(SYSCONFDIR)/kabiguard/ (configuration and policies)"

# The module for KVER, where out-of-tree modules go (extra/), compressed
# as the kernel's config says, then depmod.  Signed only when the kernel
# tree has its signing key (distribution headers do not: the module is
# then installed unsigned, as dkms's would be without a MOK).
SIGN_KEY = $(shell sed -n 's/^CONFIG_MODULE_SIG_KEY="\{0,1\}\([^"]*\)"\{0,1\}$$/\1/p' \
	$(KDIR_HOST)/include/config/auto.conf 2>/dev/null)
install-module: module
	$(KBUILD_MAKE) M=$(CURDIR) INSTALL_MOD_DIR=extra \
		$(if $(DESTDIR),INSTALL_MOD_PATH=$(DESTDIR)) \
		$(if $(SIGN_KEY),$(if $(wildcard $(SIGN_KEY) $(KDIR_HOST)/$(SIGN_KEY)),,CONFIG_MODULE_SIG_ALL=)) \
		modules_install
	$(if $(DESTDIR),,depmod -a $(KVER))

# Loaded from the initramfs, the guard sees the modules the initramfs and
# udev load (README.md, "Early loading").
install-initramfs:
ifneq ($(INITRAMFSTOOLSDIR),)
	$(INSTALL) -D -m 0755 config/initramfs-tools/hooks/kabiguard \
		$(DESTDIR)$(INITRAMFSTOOLSDIR)/hooks/kabiguard
	$(INSTALL) -D -m 0755 config/initramfs-tools/scripts/init-top/kabiguard \
		$(DESTDIR)$(INITRAMFSTOOLSDIR)/scripts/init-top/kabiguard
endif
ifneq ($(DRACUTDIR),)
	$(INSTALL) -D -m 0755 config/dracut/90kabiguard/module-setup.sh \
		$(DESTDIR)$(DRACUTDIR)/90kabiguard/module-setup.sh
	$(INSTALL) -D -m 0755 config/dracut/90kabiguard/kabiguard-load.sh \
		$(DESTDIR)$(DRACUTDIR)/90kabiguard/kabiguard-load.sh
endif

uninstall-initramfs:
ifneq ($(INITRAMFSTOOLSDIR),)
	rm -f $(DESTDIR)$(INITRAMFSTOOLSDIR)/hooks/kabiguard \
		$(DESTDIR)$(INITRAMFSTOOLSDIR)/scripts/init-top/kabiguard
endif
ifneq ($(DRACUTDIR),)
	rm -f $(DESTDIR)$(DRACUTDIR)/90kabiguard/module-setup.sh \
		$(DESTDIR)$(DRACUTDIR)/90kabiguard/kabiguard-load.sh
	-rmdir $(DESTDIR)$(DRACUTDIR)/90kabiguard 2>/dev/null
endif

dkms-install:
	$(INSTALL) -d $(DESTDIR)$(DKMSDIR)
	cp -R $(DKMS_FILES) $(DESTDIR)$(DKMSDIR)/
	find $(DESTDIR)$(DKMSDIR) \( -name '*.o' -o -name '*.ko' -o -name '*.mod' \
		-o -name '*.mod.c' -o -name '.*.cmd' -o -name Module.symvers \
		-o -name modules.order \) -delete
ifeq ($(DESTDIR),)
	dkms status -m kabiguard -v $(VERSION) | grep -q . || dkms add -m kabiguard -v $(VERSION)
	for k in $(DKMS_KERNELS); do \
		dkms install -m kabiguard -v $(VERSION) -k $$k || exit 1; \
	done
endif

dkms-uninstall:
	-dkms remove -m kabiguard -v $(VERSION) --all
	rm -rf $(DESTDIR)$(DKMSDIR)

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C userspace clean
	rm -rf build

.PHONY: all module module-clean userspace check check-debug check-guest demo bench style clean \
	spec-check spec-check-test \
	install uninstall install-module dkms-install dkms-uninstall \
	install-initramfs uninstall-initramfs
