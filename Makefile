# SPDX-License-Identifier: GPL-2.0
#
# make                      module for the running kernel (kmod/fwverify.ko)
# make KDIR=/path/to/build  module for any kernel build tree
# make KVER=6.1|6.12|7.3    module for a Debian kernel the VM runs, built in
#                           build/kmod/$(KVER)/ (scripts/fetch-kernels.sh),
#                           with the kernel's own compiler (scripts/buildroot.sh)
# make FWVERIFY_CERTS=a.pem,b.pem   certificates embedded in .fwverify
# make userspace            the fwverify tool
# make check                checkpatch, sparse and W=1 on each VM kernel
# make test                 every test (what the README's test command runs)
# make bench                benchmarks
# make demo                 the demo in the VM
# make selftests-matrix     the kernel's firmware selftests, unmodified, in the VM:
#                           no fwverify, log and enforce, on 6.1 and 6.12
# make deb                  the Debian packages fwverify and fwverify-dkms
#                           (build/packaging)
# make packaging            build them, install them in a debootstrap chroot, boot
#                           an initramfs made by the hook (tests/packaging)
# make dkms-install         install the module sources in /usr/src and let DKMS
#                           build, sign and install fwverify.ko for the running kernel
# make intree               fwverify built into small 6.12 and 7.3 kernels (the
#                           loader patch applied), with the VM suites run on
#                           each (slow: scripts/intree/build.sh)
# make debug-kernel         the kselftests on a 6.12 kernel with KASAN, lockdep and
#                           DEBUG_OBJECTS (built once: scripts/debug-kernel.sh)

TOP := $(CURDIR)
KVER ?=
ifneq ($(KVER),)
KDIR ?= $(TOP)/build/kernels/$(KVER)/kdir
MDIR := $(or $(KMOD_OUT),$(TOP)/build/kmod/$(KVER))
CERTS_DER := $(MDIR)/certs.der
else
KDIR ?= /lib/modules/$(shell uname -r)/build
MDIR := $(TOP)
CERTS_DER := $(TOP)/build/certs/default.der
endif
FWVERIFY_CERTS ?=
# kbuild runs where the kernel's compiler is: on the host, or for a kernel
# built with a compiler the host cannot run (7.3: trixie's gcc-14) in a
# Debian build root of that compiler's release (scripts/buildroot.sh).
KBUILD_RUN = $(TOP)/scripts/buildroot.sh run $(KDIR) --bind $(MDIR) --bind $(dir $(CERTS_DER)) --

KMOD_SRCS := Kbuild kmod/Kbuild kmod/no-certs.der $(wildcard kmod/*.[chS] kmod/compat/*.h kmod/uapi/*.h)

.PHONY: all module userspace certs check test bench demo selftests-matrix deb packaging \
	dkms-install intree debug-kernel clean distclean FORCE

all: module userspace

certs: FORCE
	@mkdir -p $(dir $(CERTS_DER))
	@scripts/certs-der.sh $(CERTS_DER) "$(FWVERIFY_CERTS)"

module: certs
ifneq ($(KVER),)
	@mkdir -p $(MDIR)
	@cp -p --parents $(KMOD_SRCS) $(MDIR)/
endif
	$(KBUILD_RUN) $(MAKE) -C $(KDIR) M=$(MDIR) FWVERIFY_CERTS_DER=$(CERTS_DER) $(KBUILD_ARGS) modules

userspace:
	$(MAKE) -C userspace

check:
	scripts/check-kmod.sh

test:
	scripts/test.sh

bench:
	scripts/bench.sh

demo:
	scripts/demo.sh

selftests-matrix:
	tests/upstream/matrix.sh

deb:
	scripts/package.sh

packaging:
	tests/packaging/run.sh

# What fwverify-dkms installs, from this tree: the same sources and dkms.conf.
DKMS_VERSION := $(shell dpkg-parsechangelog -l debian/changelog -S Version 2>/dev/null || echo 0)
DKMS_SRC := /usr/src/fwverify-$(DKMS_VERSION)
dkms-install:
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)
	cp -p --parents $(KMOD_SRCS) scripts/dkms-make.sh scripts/certs-der.sh $(DKMS_SRC)/
	sed 's/#MODULE_VERSION#/$(DKMS_VERSION)/' dkms.conf >$(DKMS_SRC)/dkms.conf
	dkms install fwverify/$(DKMS_VERSION)

intree:
	INTREE_SERIES=6.12 scripts/intree/build.sh
	INTREE_SERIES=7.3 scripts/intree/build.sh

debug-kernel:
	scripts/debug-kernel.sh test

clean:
	-$(MAKE) -C $(KDIR) M=$(TOP) clean 2>/dev/null
	-$(MAKE) -C userspace clean
	rm -rf build/kmod build/certs build/vm build/pki

# All that set-up and the tests made: build/ and $(FWVERIFY_CACHE), the
# kernels, sources, build roots and chroots.  Never through a mount (a
# chroot still in use).  The Debian packages set-up installed stay: the
# command that removes them is printed (README.md).
FWVERIFY_CACHE ?= /var/cache/fwverify
distclean: clean
	@for d in "$(TOP)/build" "$(FWVERIFY_CACHE)"; do \
		if findmnt -rn -o TARGET | grep -q "^$$d\(/\|$$\)"; then \
			echo "distclean: something is mounted under $$d (a test's chroot?); nothing removed" >&2; \
			exit 2; \
		fi; \
	done
	@if [ -s "$(FWVERIFY_CACHE)/setup-packages" ]; then \
		echo "distclean: the Debian packages scripts/setup.sh installed stay; to remove them:"; \
		echo "  apt-get purge --autoremove $$(sort -u "$(FWVERIFY_CACHE)/setup-packages" | paste -sd ' ')"; \
	fi
	rm -rf --one-file-system "$(TOP)/build" "$(FWVERIFY_CACHE)"

FORCE:
