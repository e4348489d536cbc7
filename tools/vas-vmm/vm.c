// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VM and its memory: guest RAM lives in a vas, and KVM runs the
 * guest on it.
 *
 * vas_create() gives an empty guest-physical address space; guest RAM is
 * one anonymous mapping of this process (2 MiB aligned, MADV_HUGEPAGE,
 * populated up front), entered in the vas as memslot 0 for [0, 3 GiB at
 * most) and memslot 1 for the rest from 4 GiB on. The VM is bound to the
 * vas with KVM_BIND_VAS before it has vCPUs or memslots, and takes the
 * vas's memslots from then on: guest memory is never registered with
 * KVM_SET_USER_MEMORY_REGION (a bound VM refuses it). The in-kernel
 * backend of the net device binds to the same vas fd.
 *
 * KVM's own memslots on x86 (Documentation/virt/vas/kvm.rst): the TSS and
 * identity-map page that VMX needs (KVM_SET_TSS_ADDR,
 * KVM_SET_IDENTITY_MAP_ADDR) and the APIC access page live next to the
 * vas's, and a vas memslot overlapping one fails with EEXIST; they are
 * placed just below 4 GiB, outside RAM, and set after the binding, since
 * a VM with memslots of its own can no longer be bound. On SVM they cost
 * nothing. The irqchip (PIC, IOAPIC, local APICs) and the PIT are KVM's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include <linux/vas.h>

#include "vas-vmm.h"

#ifndef __NR_vas_create
#define __NR_vas_create		463
#endif

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE	23
#endif

#define HUGE_PAGE_SIZE		(2 * MiB)

static int check_cap(struct vm *vm, int cap, const char *name)
{
	int r = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, cap);

	if (r <= 0) {
		error("KVM lacks %s", name);
		return -1;
	}
	return r;
}

/* Opens /dev/kvm and checks that it can do what the run needs */
int vm_check_kvm(struct vm *vm)
{
	int r, max;

	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		error("no /dev/kvm: %s (is KVM built in, the CPU's virtualization enabled?)",
		      strerror(errno));
		return -1;
	}
	r = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (r != KVM_API_VERSION) {
		error("KVM API version %d, %d needed", r, KVM_API_VERSION);
		return -1;
	}
	if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_VAS) <= 0) {
		error("KVM has no KVM_CAP_VAS: this kernel cannot bind a VM to a vas (CONFIG_KVM_VAS)");
		return -1;
	}
	if (check_cap(vm, KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP") < 0 ||
	    check_cap(vm, KVM_CAP_IOEVENTFD, "KVM_CAP_IOEVENTFD") < 0 ||
	    check_cap(vm, KVM_CAP_IRQFD, "KVM_CAP_IRQFD") < 0 ||
	    check_cap(vm, KVM_CAP_PIT2, "KVM_CAP_PIT2") < 0 ||
	    check_cap(vm, KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR") < 0 ||
	    check_cap(vm, KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID") < 0 ||
	    check_cap(vm, KVM_CAP_IMMEDIATE_EXIT,
		      "KVM_CAP_IMMEDIATE_EXIT") < 0)
		return -1;
	max = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	if (max <= 0)
		max = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
	if (max <= 0)
		max = 4;
	if (vm->cfg->nr_cpus > max) {
		error("-smp %d: KVM allows at most %d vCPUs", vm->cfg->nr_cpus,
		      max);
		return -1;
	}
	return 0;
}

static int set_memslot(struct vm *vm, uint32_t slot, uint64_t gpa,
		       uint64_t size, void *hva, uint32_t flags)
{
	struct vas_set_memslot req = {
		.size = sizeof(req),
		.flags = flags,
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)hva,
	};

	return ioctl(vm->vas_fd, VAS_SET_MEMSLOT, &req) ? -errno : 0;
}

/* The vas, guest RAM, and the memslots that put one in the other */
int vm_create_memory(struct vm *vm)
{
	struct vas_get_info vinfo = { .size = sizeof(vinfo) };
	uint64_t size = vm->cfg->ram_size, flags = 0;
	uint8_t *map, *ram;
	size_t i;
	int ret;

	vm->vas_fd = syscall(__NR_vas_create, VAS_CLOEXEC);
	if (vm->vas_fd < 0) {
		if (errno == ENOSYS)
			error("this kernel has no vas support (vas_create: %s)",
			      strerror(errno));
		else
			error("vas_create: %s", strerror(errno));
		return -1;
	}
	if (ioctl(vm->vas_fd, VAS_GET_INFO, &vinfo)) {
		error("VAS_GET_INFO: %s", strerror(errno));
		return -1;
	}
	if (vm->cfg->dirty_log) {
		if (!(vinfo.capabilities & VAS_CAP_DIRTY_LOG)) {
			error("--dirty-log: this vas has no dirty log");
			return -1;
		}
		flags = VAS_MEM_LOG_DIRTY_PAGES;
	}

	/* 2 MiB aligned, so that THP can back it with huge pages */
	map = mmap(NULL, size + HUGE_PAGE_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (map == MAP_FAILED) {
		error("cannot map %llu MiB of guest memory: %s",
		      (unsigned long long)size / MiB, strerror(errno));
		return -1;
	}
	ram = (uint8_t *)(((uintptr_t)map + HUGE_PAGE_SIZE - 1) &
			  ~(uintptr_t)(HUGE_PAGE_SIZE - 1));
	if (ram > map)
		munmap(map, ram - map);
	munmap(ram + size, map + HUGE_PAGE_SIZE - ram);
	vm->ram = ram;
	vm->ram_size = size;
	madvise(ram, size, MADV_HUGEPAGE);
	/*
	 * Populate now, what MAP_POPULATE would do, but after MADV_HUGEPAGE:
	 * pages faulted in by mmap() itself would be 4 KiB ones.
	 */
	if (madvise(ram, size, MADV_POPULATE_WRITE)) {
		if (errno == ENOMEM || errno == EFAULT) {
			error("cannot populate %llu MiB of guest memory: %s",
			      (unsigned long long)size / MiB,
			      strerror(errno));
			return -1;
		}
		for (i = 0; i < size; i += PAGE_SIZE)
			ram[i] = 0;
	}

	vm->low_ram_size = size < LOW_RAM_MAX ? size : LOW_RAM_MAX;
	vm->high_ram_size = size - vm->low_ram_size;
	info("vas created: fd %d, api %u, %u memslots max, capabilities 0x%llx; guest RAM %llu MiB at %p (huge pages advised)",
	     vm->vas_fd, vinfo.api_version, vinfo.max_memslots,
	     (unsigned long long)vinfo.capabilities,
	     (unsigned long long)size / MiB, ram);

	ret = set_memslot(vm, 0, 0, vm->low_ram_size, ram, flags);
	if (ret) {
		error("VAS_SET_MEMSLOT 0: %s", strerror(-ret));
		return -1;
	}
	vm->nr_memslots = 1;
	info("memslot 0: guest-physical [0x0, 0x%llx) -> %p%s",
	     (unsigned long long)vm->low_ram_size, ram,
	     flags ? ", dirty log" : "");
	if (vm->high_ram_size) {
		ret = set_memslot(vm, 1, HIGH_RAM_START, vm->high_ram_size,
				  ram + vm->low_ram_size, flags);
		if (ret) {
			error("VAS_SET_MEMSLOT 1: %s", strerror(-ret));
			return -1;
		}
		vm->nr_memslots = 2;
		info("memslot 1: guest-physical [0x%llx, 0x%llx) -> %p%s",
		     HIGH_RAM_START, HIGH_RAM_START + vm->high_ram_size,
		     ram + vm->low_ram_size, flags ? ", dirty log" : "");
	}
	return 0;
}

/* The VM, bound to the vas, with its irqchip and PIT */
int vm_create(struct vm *vm)
{
	struct kvm_bind_vas bind = { .fd = vm->vas_fd };
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
	uint64_t identity = KVM_IDENTITY_MAP_ADDR;

	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		error("KVM_CREATE_VM: %s", strerror(errno));
		return -1;
	}
	if (ioctl(vm->vm_fd, KVM_BIND_VAS, &bind)) {
		error("KVM_BIND_VAS: %s", strerror(errno));
		return -1;
	}
	info("VM (fd %d) bound to vas fd %d: KVM runs the guest on the vas's %d memslot(s)",
	     vm->vm_fd, vm->vas_fd, vm->nr_memslots);

	if (ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &identity)) {
		error("KVM_SET_IDENTITY_MAP_ADDR 0x%llx: %s",
		      (unsigned long long)identity, strerror(errno));
		return -1;
	}
	if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)KVM_TSS_ADDR)) {
		error("KVM_SET_TSS_ADDR 0x%llx: %s", KVM_TSS_ADDR,
		      strerror(errno));
		return -1;
	}
	info("KVM's own memslots (VMX only): identity map at 0x%llx, TSS at 0x%llx, outside RAM",
	     KVM_IDENTITY_MAP_ADDR, KVM_TSS_ADDR);

	if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0)) {
		error("KVM_CREATE_IRQCHIP: %s", strerror(errno));
		return -1;
	}
	if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit)) {
		error("KVM_CREATE_PIT2: %s", strerror(errno));
		return -1;
	}
	info("irqchip: in-kernel PIC, IOAPIC at 0x%x, local APICs; PIT",
	     IOAPIC_ADDR);
	return 0;
}

/* The host address of [gpa, gpa + len) if it is all RAM, else NULL */
void *gpa_to_hva(struct vm *vm, uint64_t gpa, uint64_t len)
{
	uint8_t *ram = vm->ram;

	if (gpa + len < gpa)
		return NULL;
	if (gpa + len <= vm->low_ram_size)
		return ram + gpa;
	if (gpa >= HIGH_RAM_START &&
	    gpa + len <= HIGH_RAM_START + vm->high_ram_size)
		return ram + vm->low_ram_size + (gpa - HIGH_RAM_START);
	return NULL;
}

/* Pages dirtied since the memslots were created: guest and backends */
uint64_t vm_dirty_pages(struct vm *vm)
{
	uint64_t sizes[2] = { vm->low_ram_size, vm->high_ram_size };
	uint64_t count = 0, *bitmap, words, w;
	int slot;

	for (slot = 0; slot < vm->nr_memslots; slot++) {
		struct vas_dirty_log log = {
			.size = sizeof(log),
			.slot = slot,
		};

		words = (sizes[slot] / PAGE_SIZE + 63) / 64;
		bitmap = calloc(words, sizeof(*bitmap));
		if (!bitmap)
			return count;
		log.bitmap = (uintptr_t)bitmap;
		if (ioctl(vm->vas_fd, VAS_GET_DIRTY_LOG, &log)) {
			warning("VAS_GET_DIRTY_LOG %d: %s", slot,
				strerror(errno));
		} else {
			for (w = 0; w < words; w++)
				count += __builtin_popcountll(bitmap[w]);
		}
		free(bitmap);
	}
	return count;
}

int vm_irq_line(struct vm *vm, int gsi, int level)
{
	struct kvm_irq_level irq = { .irq = gsi, .level = level };

	return ioctl(vm->vm_fd, KVM_IRQ_LINE, &irq) ? -errno : 0;
}

int vm_add_mmio(struct vm *vm, const struct mmio_device *dev)
{
	if (vm->nr_mmio >= MAX_MMIO_DEVICES) {
		error("too many MMIO devices");
		return -1;
	}
	vm->mmio[vm->nr_mmio++] = *dev;
	return 0;
}

void vm_del_mmio(struct vm *vm, uint64_t base)
{
	int i;

	for (i = 0; i < vm->nr_mmio; i++) {
		if (vm->mmio[i].base != base)
			continue;
		memmove(&vm->mmio[i], &vm->mmio[i + 1],
			(vm->nr_mmio - i - 1) * sizeof(vm->mmio[0]));
		vm->nr_mmio--;
		return;
	}
}

/*
 * Releases what vm_create_memory() and vm_create() made, in the order
 * that leaves nothing behind: the VM first (its binding holds a
 * reference on the vas), then the memslots, the vas fd, and the memory.
 */
void vm_destroy(struct vm *vm)
{
	int slot;

	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	vm->vm_fd = -1;
	if (vm->vas_fd >= 0) {
		for (slot = vm->nr_memslots - 1; slot >= 0; slot--)
			if (set_memslot(vm, slot, 0, 0, NULL, 0))
				warning("deleting memslot %d: %s", slot,
					strerror(errno));
		close(vm->vas_fd);
	}
	vm->vas_fd = -1;
	vm->nr_memslots = 0;
	if (vm->ram)
		munmap(vm->ram, vm->ram_size);
	vm->ram = NULL;
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	vm->kvm_fd = -1;
}
