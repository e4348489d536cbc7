# SPDX-License-Identifier: GPL-2.0-only
#
# Builds Linux 6.12 with vas and tests it under QEMU.
#
#   make run     build everything, boot the kernel and run the vas demo
#   make check   build everything, boot the test kernel, run every KUnit
#                suite, selftest and the upstream KVM selftests of
#                tests/kvm-selftests.list, print "N passed, N failed, ..."
#   make bench   boot and print the benchmark's ratios (make check runs it too)
#   make lint    checkpatch --strict, kernel-doc, RST, sparse and W=1 on vas
#   make patches the mailable series in build/patches/ (make check checks
#                that it applies and gives this tree; make bisect-series
#                builds the kernel after each of its patches)
#   make fuzz    fuzz the memslot table and dirty log in userspace against a
#                reference model for FUZZ_SECONDS (tools/testing/vas/);
#                make check starts with a 25 s run of it, seed 1 (fuzz-short)
#
# The base kernel comes from Debian's linux-source-6.12; patches/ is a short
# series of hooks applied to it; every other file of this tree is linked into
# the extracted source at the same path. All output goes to build/.

TOP        := $(CURDIR)
BUILD      := $(TOP)/build
SRC        := $(BUILD)/linux
OBJ        := $(BUILD)/obj
STAMPS     := $(BUILD)/stamps
TARBALL    := /usr/src/linux-source-6.12.tar.xz
JOBS       ?= $(shell echo $$(( $$(nproc) + 1 )))
KCC        ?= ccache gcc
KMAKE      := $(MAKE) -C $(SRC) O=$(OBJ) CC="$(KCC)" HOSTCC="$(KCC)" -j$(JOBS)
# The same in every kernel make, lint's included: a change would relink.
# A real date (6.12's release), as kernel-doc parses it.
export KBUILD_BUILD_TIMESTAMP := 2024-11-17
export KBUILD_BUILD_USER := vas
export KBUILD_BUILD_HOST := vas
CONFIG_FRAGMENT := $(TOP)/tests/config/vas.config
PATCHES    := $(sort $(wildcard $(TOP)/patches/*.patch))
# Overlay: every file of these trees is linked into the kernel source.
OVERLAY_DIRS := virt include Documentation drivers samples tools
# External modules (top-level Kbuild): built in a tree of links to these
MODULES    := $(BUILD)/modules
MODULE_DIRS := drivers samples
TESTS_BIN  := $(BUILD)/tests
USERCC     := gcc
USERCFLAGS := -static -O2 -g -Wall \
              -D_GNU_SOURCE -isystem $(OBJ)/usr/include \
              -I $(SRC)/tools/testing/selftests -iquote $(TOP)/virt/vas \
              -iquote $(TOP)/samples/vas
SELFTESTS  := $(patsubst $(TOP)/tests/selftests/%.c,%,$(wildcard $(TOP)/tests/selftests/*/*.c))
BENCHES    := $(patsubst $(TOP)/tests/bench/%.c,bench/%,$(wildcard $(TOP)/tests/bench/*.c))
# Upstream KVM selftests run by make check: first word of each list line
KVM_LIST   := $(TOP)/tests/kvm-selftests.list
KVM_TESTS  := $(sort $(shell awk '/^[[:alnum:]]/ { print $$1 }' $(KVM_LIST)))
KVM_BIN    := $(BUILD)/kvm-selftests
QEMU_TIMEOUT ?= 1500

export CCACHE_BASEDIR := $(BUILD)

.PHONY: all run check bench lint deps kernel source overlay config headers \
        modules check-modules selftests kvm-selftests guest vmm initramfs \
        clean distclean FORCE
.DEFAULT_GOAL := all

all: kernel modules selftests guest vmm initramfs

# ---------------------------------------------------------------- packages
DEBIAN_PACKAGES := linux-source-6.12 build-essential flex bison bc libelf-dev \
                   libssl-dev cpio busybox-static qemu-system-x86 ccache kmod \
                   python3 python3-docutils sparse xz-utils gzip \
                   clang libclang-rt-14-dev

$(STAMPS)/deps:
	@mkdir -p $(STAMPS)
	@missing=$$(for p in $(DEBIAN_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "  DEPS    installing:" $$missing; \
		SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
			--no-install-recommends $$missing >/dev/null || exit 1; \
	fi
	@touch $@

deps: $(STAMPS)/deps

# ---------------------------------------------------------------- source
$(STAMPS)/extracted: $(STAMPS)/deps
	@echo "  EXTRACT $(TARBALL)"
	@rm -rf $(SRC) $(BUILD)/applied
	@mkdir -p $(SRC)
	@tar -xf $(TARBALL) -C $(SRC) --strip-components=1
	@touch $@

# Applies the series. Patches already applied are kept; if the series
# changed, the previously applied patches are reverted first (newest first),
# so only the files they touch are rebuilt.
$(STAMPS)/patched: $(STAMPS)/extracted $(PATCHES) $(TOP)/scripts/apply-series.sh
	@$(TOP)/scripts/apply-series.sh $(SRC) $(BUILD)/applied $(PATCHES)
	@touch $@

source: $(STAMPS)/patched

overlay: $(STAMPS)/patched
	@$(TOP)/scripts/link-overlay.sh $(TOP) $(SRC) $(OVERLAY_DIRS)

# ---------------------------------------------------------------- kernel
$(OBJ)/.config: $(CONFIG_FRAGMENT) $(STAMPS)/patched | overlay
	@echo "  CONFIG  tinyconfig + $(notdir $(CONFIG_FRAGMENT))"
	@mkdir -p $(OBJ)
	@$(KMAKE) -s tinyconfig >/dev/null
	@cd $(OBJ) && $(SRC)/scripts/kconfig/merge_config.sh -m -O $(OBJ) \
		$(OBJ)/.config $(CONFIG_FRAGMENT) >/dev/null
	@$(KMAKE) -s olddefconfig >/dev/null
	@$(TOP)/scripts/check-config.sh $(CONFIG_FRAGMENT) $(OBJ)/.config

config: $(OBJ)/.config

kernel: $(OBJ)/.config overlay
	@echo "  KERNEL  $$($(MAKE) -s -C $(SRC) kernelversion) in $(OBJ)"
	@$(KMAKE) bzImage modules headers

headers: kernel

# The top-level Kbuild's modules, against the kernel just built. kbuild
# writes objects next to the sources, so M= is a tree of links to them.
modules: kernel
	@$(TOP)/scripts/link-overlay.sh $(TOP) $(MODULES) $(MODULE_DIRS)
	@ln -sfn $(TOP)/Kbuild $(MODULES)/Kbuild
	@$(KMAKE) M=$(MODULES) modules

# No backend module may need a KVM symbol; each imports the VAS namespace
check-modules: modules
	@$(TOP)/scripts/check-modules.sh $(MODULES) $(SRC)

# ---------------------------------------------------------------- userspace
# The programs build against the kernel's installed uAPI headers, which
# "make headers" rewrites only when they change: they depend on those
# files, and on the kernel build only for its order, so that a finished
# build rebuilds nothing.
UAPI_VAS   := $(OBJ)/usr/include/linux/vas.h
TEST_DEPS  := $(wildcard $(TOP)/tests/selftests/*/*.h) $(TOP)/virt/vas/vas_test.h \
              $(wildcard $(TOP)/samples/vas/*.h) $(UAPI_VAS)

$(UAPI_VAS): | kernel

$(TESTS_BIN)/%: $(TOP)/tests/selftests/%.c $(TEST_DEPS) | kernel
	@mkdir -p $(dir $@)
	@echo "  CC      $*"
	@$(USERCC) $(USERCFLAGS) -o $@ $< -lpthread

$(TESTS_BIN)/bench/%: $(TOP)/tests/bench/%.c $(TEST_DEPS) | kernel
	@mkdir -p $(dir $@)
	@echo "  CC      bench/$*"
	@$(USERCC) $(USERCFLAGS) -I $(TOP)/tests/selftests/vas -o $@ $<

$(TESTS_BIN)/vas-demo: $(TOP)/samples/vas/vas-demo.c $(UAPI_VAS) | kernel
	@mkdir -p $(dir $@)
	@echo "  CC      vas-demo"
	@$(USERCC) $(USERCFLAGS) -o $@ $<

# The listed upstream KVM selftests, unchanged and static, with the tree's
# own Makefile: only they and their library are built, and the sub-make
# tracks each object's headers itself. Like the rules above this depends on
# kernel for the UAPI headers it installs; "make -o kernel kvm-selftests"
# rebuilds them alone against the headers already there.
kvm-selftests: | kernel
	@echo "  KVMTEST $(KVM_TESTS)"
	@$(MAKE) -s -j$(JOBS) -C $(SRC)/tools/testing/selftests/kvm \
		CC="$(USERCC)" EXTRA_CFLAGS=-static OUTPUT=$(KVM_BIN) \
		LINUX_HDR_PATH=$(OBJ)/usr/include \
		KHDR_INCLUDES="-isystem $(OBJ)/usr/include" \
		$(addprefix $(KVM_BIN)/,$(KVM_TESTS))

# ---------------------------------------------------------------- guest, VMM
# The guest vas-vmm boots in the test VM: a small kernel (tinyconfig +
# tests/guest/guest.config) and a busybox initramfs, built by
# tests/guest/build.sh out of tree from the same source, incrementally.
GUEST      := $(BUILD)/guest
GUEST_KERNEL := $(GUEST)/obj/arch/x86/boot/bzImage
GUEST_INITRD := $(GUEST)/initramfs.cpio.gz
GUEST_STAMP := $(STAMPS)/guest
VMM        := $(TESTS_BIN)/vmm/vas-vmm

guest: $(STAMPS)/patched
	@echo "  GUEST   $(GUEST_KERNEL)"
	@$(TOP)/tests/guest/build.sh $(SRC) $(GUEST) "$(KCC)" $(JOBS) >$(BUILD)/guest.log 2>&1 || \
		{ tail -20 $(BUILD)/guest.log; exit 1; }

# Refreshed only when the guest changed, so the initramfs is not repacked
$(GUEST_STAMP): guest
	@new=$$(find $(GUEST_KERNEL) $(GUEST_INITRD) -newer $@ 2>/dev/null); \
	[ -e $@ ] && [ -z "$$new" ] || touch $@

VMM_SRCS   := $(wildcard $(TOP)/tools/vas-vmm/*.[ch]) $(TOP)/tools/vas-vmm/Makefile
$(VMM): $(VMM_SRCS) $(UAPI_VAS) | kernel
	@echo "  CC      vas-vmm"
	@$(MAKE) -s -C $(TOP)/tools/vas-vmm OUTPUT=$(dir $@) CC="$(USERCC)" \
		UAPI=$(OBJ)/usr/include

# The freestanding guest program vmm-venet.sh runs under vas-vmm --program
VENET_GUEST := $(TESTS_BIN)/vmm/venet-guest.bin
VENET_GUEST_SRCS := $(TOP)/tests/vmm/venet-guest.c $(TOP)/tests/vmm/venet-guest.ld \
		    $(TOP)/tools/vas-vmm/vbus-proxy.h
$(VENET_GUEST): $(VENET_GUEST_SRCS) $(UAPI_VAS) | kernel
	@mkdir -p $(dir $@)
	@echo "  CC      venet-guest"
	@$(USERCC) -ffreestanding -nostdlib -fno-pic -no-pie -mno-red-zone -static \
		-O2 -mgeneral-regs-only -fno-stack-protector -fcf-protection=none \
		-fno-asynchronous-unwind-tables -Wall -Wextra -Wl,--build-id=none \
		-Wl,--no-warn-rwx-segments -isystem $(OBJ)/usr/include \
		-I $(TOP)/tools/vas-vmm -T $(TOP)/tests/vmm/venet-guest.ld \
		-o $(@:.bin=.elf) $<
	@objcopy -O binary $(@:.bin=.elf) $@

vmm: $(VMM) $(VENET_GUEST)

selftests: $(addprefix $(TESTS_BIN)/,$(SELFTESTS) $(BENCHES)) \
           $(TESTS_BIN)/vas-demo kvm-selftests

initramfs: $(BUILD)/initramfs.cpio.gz

# Repacked when one of its files changed
KVM_PROGS  := $(addprefix $(KVM_BIN)/,$(KVM_TESTS))
$(KVM_PROGS): kvm-selftests ;

# In-tree modules the external ones need (vringh, for vhost-xi-net)
KERNEL_MODULE_DIRS := $(OBJ)/drivers/vhost

# The modules are rewritten only when they change: depend on them through
# a stamp that modules refreshes only then.
MODULES_STAMP := $(STAMPS)/modules
$(MODULES_STAMP): modules
	@ko=$$(find $(MODULES) -name '*.ko' -newer $@ 2>/dev/null); \
	[ -e $@ ] && [ -z "$$ko" ] || touch $@

$(BUILD)/initramfs.cpio.gz: $(addprefix $(TESTS_BIN)/,$(SELFTESTS) $(BENCHES)) \
		$(TESTS_BIN)/vas-demo $(KVM_PROGS) $(KVM_LIST) $(MODULES_STAMP) \
		$(VMM) $(VENET_GUEST) $(GUEST_STAMP) $(wildcard $(TOP)/tests/vmm/*) \
		$(TOP)/tests/qemu/init $(TOP)/tests/qemu/mkinitramfs.sh
	@VMM=$(VMM) GUEST_KERNEL=$(GUEST_KERNEL) GUEST_INITRD=$(GUEST_INITRD) \
	 VMM_SCRIPTS=$(TOP)/tests/vmm VENET_GUEST=$(VENET_GUEST) \
	 $(TOP)/tests/qemu/mkinitramfs.sh $(BUILD)/initramfs $@ $(TOP)/tests/qemu/init \
		$(TESTS_BIN) "$(BENCHES)" $(KVM_LIST) $(KVM_BIN) \
		"$(MODULES) $(KERNEL_MODULE_DIRS)" $(SELFTESTS)

# ---------------------------------------------------------------- fuzzing
# virt/vas/memslots.c and dirty.c built for userspace under libFuzzer
# (tools/testing/vas/Makefile); they need only the extracted source.
FUZZ_SECONDS ?= 300
FUZZ_SEED    ?= 0
FUZZ_MAKE    := $(MAKE) --no-print-directory -C $(TOP)/tools/testing/vas \
                SRC=$(SRC) OUTPUT=$(BUILD)/fuzz

.PHONY: fuzz fuzz-short
fuzz: $(STAMPS)/patched
	@$(FUZZ_MAKE) run FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_SEED=$(FUZZ_SEED)

fuzz-short: $(STAMPS)/patched
	@rm -rf $(BUILD)/fuzz/corpus-short
	@$(FUZZ_MAKE) run FUZZ_SECONDS=25 FUZZ_SEED=1 \
		FUZZ_CORPUS=$(BUILD)/fuzz/corpus-short

# ---------------------------------------------------------------- jobs
run: all
	@$(TOP)/tests/qemu/boot.sh $(OBJ)/arch/x86/boot/bzImage \
		$(BUILD)/initramfs.cpio.gz run $(BUILD)/logs $(QEMU_TIMEOUT)
	@python3 $(TOP)/tests/qemu/results.py run $(BUILD)/logs/run-console.log \
		$(BUILD)/logs/run-output.log

# The benchmark alone: prints vas/anchor ratios measured in one boot
bench: all
	@$(TOP)/tests/qemu/boot.sh $(OBJ)/arch/x86/boot/bzImage \
		$(BUILD)/initramfs.cpio.gz bench $(BUILD)/logs $(QEMU_TIMEOUT)
	@python3 $(TOP)/tests/qemu/results.py bench $(BUILD)/logs/bench-console.log \
		$(BUILD)/logs/bench-output.log

check: fuzz-short all lint check-modules check-series
	@$(TOP)/tests/qemu/boot.sh $(OBJ)/arch/x86/boot/bzImage \
		$(BUILD)/initramfs.cpio.gz check $(BUILD)/logs $(QEMU_TIMEOUT)
	@python3 $(TOP)/tests/qemu/results.py check $(BUILD)/logs/check-console.log \
		$(BUILD)/logs/check-output.log

# ---------------------------------------------------------------- series
# The mailable form: a format-patch series against the pristine kernel
# that creates every file of the kernel tree and carries every hook
# (patches/mail/ lists it)
SERIES     := $(BUILD)/patches
# What it creates: the overlay but the userspace fuzzer in tools/
SERIES_DIRS := virt include Documentation drivers samples
.PHONY: patches check-series bisect-series
patches: $(STAMPS)/patched
	@$(TOP)/scripts/make-series.sh $(TOP) $(TARBALL) $(SRC) $(BUILD)/series $(SERIES)

# The series applies to the pristine tree and gives this one
check-series: patches overlay
	@$(TOP)/scripts/check-series.sh $(TOP) $(TARBALL) $(SRC) $(SERIES) \
		$(BUILD)/series-check $(SERIES_DIRS)

# Every patch of the series builds: a kernel with every vas option and the
# samples (tests/config/bisect.config) after each one, in build/bisect/,
# incrementally and with ccache (not part of make check)
bisect-series: patches
	@$(TOP)/scripts/bisect-series.sh $(TARBALL) $(SERIES) $(BUILD)/bisect \
		$(TOP)/tests/config/bisect.config "$(KCC)" $(JOBS)

# checkpatch, kernel-doc, and sparse on every vas source (any output fails)
lint: kernel modules
	@$(TOP)/scripts/lint.sh $(TOP) $(SRC) $(OBJ) "$(KCC)" $(MODULES)

clean:
	rm -rf $(OBJ) $(MODULES) $(TESTS_BIN) $(KVM_BIN) $(BUILD)/initramfs* \
		$(BUILD)/logs $(GUEST)

distclean:
	rm -rf $(BUILD)

FORCE:
