# SPDX-License-Identifier: GPL-2.0
#
# make              build kabiguard.ko for KVER (default: the running kernel)
#                   and the userspace tools
# make check        install what the tests need, then run every test on
#                   both Debian kernels (see scripts/check.sh)
# make demo         boot a VM and show an allowed and a denied module load
# make bench        print the benchmark figures
# make style        checkpatch on the kernel sources

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build

all: module userspace

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

module-clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean

userspace:
	$(MAKE) -C userspace

check:
	./scripts/check.sh

demo:
	./scripts/demo.sh

bench:
	./scripts/bench.sh

style:
	./scripts/style.sh

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C userspace clean
	rm -rf build

.PHONY: all module module-clean userspace check demo bench style clean
