// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM on a vas, benchmark: prints how a VM bound to a vas compares with
 * an ordinary VM, both measured in the same boot, in alternating rounds:
 *
 * - a guest loop that touches every page of a memslot: the first pass
 *   faults every page in (host and nested page tables), the second runs
 *   on mapped memory;
 * - creating and deleting a memslot: VAS_SET_MEMSLOT on a bound VM vs
 *   KVM_SET_USER_MEMORY_REGION on an unbound one.
 *
 * Ratios are bound / unbound: 1.0 is parity, above is slower. The best of
 * ROUNDS rounds is kept for each side. Under QEMU TCG absolute times mean
 * little; ratios measured side by side do.
 */
#include <stdio.h>
#include <time.h>
#include <linux/kvm.h>

#include "vas_util.h"
#include "kvm_guest.h"

#define ROUNDS		3
#define TOUCH_GPA	0x40000000UL
#define TOUCH_PAGES	2048		/* 8 MiB */
#define SLOT_OPS	50
#define OP_SLOT		2
#define OP_GPA		0x80000000UL
#define OP_SIZE		(256 * PAGE)

GUEST_CODE uint64_t guest_touch_pages(uint64_t gpa, uint64_t npages,
				      uint64_t value)
{
	uint64_t i;

	for (i = 0; i < npages; i++)
		GUEST_WRITE((uint64_t *)(gpa + i * PAGE), value + i);
	return npages;
}

struct bench_vm {
	struct kvm_guest g;
	int vas_fd;		/* -1: an ordinary VM */
	unsigned char *boot, *mem, *op_mem;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void *map_anon(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* Sets a memslot the way this VM takes them: on its vas, or on KVM */
static int vm_set_memslot(struct bench_vm *vm, uint32_t slot, uint64_t gpa,
			  uint64_t size, void *hva)
{
	if (vm->vas_fd >= 0)
		return set_memslot(vm->vas_fd, slot, 0, gpa, size, hva);
	return kvm_guest_set_memory_region(vm->g.vm_fd, slot, 0, gpa, size, hva);
}

static int vm_create(struct bench_vm *vm, bool bound)
{
	struct kvm_bind_vas bind;
	int err;

	memset(vm, 0, sizeof(*vm));
	vm->g.kvm_fd = vm->g.vm_fd = vm->g.vcpu_fd = -1;
	vm->vas_fd = -1;
	vm->boot = map_anon(KVM_GUEST_BOOT_SIZE);
	vm->mem = map_anon(TOUCH_PAGES * PAGE);
	vm->op_mem = map_anon(OP_SIZE);
	if (!vm->boot || !vm->mem || !vm->op_mem)
		return -ENOMEM;
	err = kvm_guest_open(&vm->g);
	if (err)
		return err;
	if (bound) {
		vm->vas_fd = sys_vas_create(VAS_CLOEXEC);
		if (vm->vas_fd < 0)
			return -errno;
		bind = (struct kvm_bind_vas){ .fd = vm->vas_fd };
		if (ioctl(vm->g.vm_fd, KVM_BIND_VAS, &bind))
			return -errno;
	}
	err = vm_set_memslot(vm, 0, 0, KVM_GUEST_BOOT_SIZE, vm->boot);
	if (!err)
		err = vm_set_memslot(vm, 1, TOUCH_GPA, TOUCH_PAGES * PAGE, vm->mem);
	if (!err)
		err = kvm_guest_setup_boot(&vm->g, vm->boot);
	if (!err)
		err = kvm_guest_create_vcpu(&vm->g);
	return err;
}

static void vm_destroy(struct bench_vm *vm)
{
	kvm_guest_close(&vm->g);
	if (vm->vas_fd >= 0)
		close(vm->vas_fd);
	munmap(vm->boot, KVM_GUEST_BOOT_SIZE);
	munmap(vm->mem, TOUCH_PAGES * PAGE);
	munmap(vm->op_mem, OP_SIZE);
}

/* ns of one guest pass over every page of the memslot */
static int64_t touch_pass(struct bench_vm *vm, uint64_t value)
{
	uint64_t start = now_ns(), ret;
	int exit_reason;

	exit_reason = kvm_guest_call(&vm->g, guest_touch_pages, TOUCH_GPA,
				     TOUCH_PAGES, value, &ret);
	if (exit_reason != KVM_EXIT_HLT || ret != TOUCH_PAGES)
		return -1;
	return now_ns() - start;
}

/* ns of one memslot create + delete, averaged over SLOT_OPS */
static int64_t slot_ops(struct bench_vm *vm)
{
	uint64_t start = now_ns();
	int i;

	for (i = 0; i < SLOT_OPS; i++)
		if (vm_set_memslot(vm, OP_SLOT, OP_GPA, OP_SIZE, vm->op_mem) ||
		    vm_set_memslot(vm, OP_SLOT, 0, 0, NULL))
			return -1;
	return (now_ns() - start) / SLOT_OPS;
}

struct figures {
	int64_t first_touch, second_touch, slot_op;
};

static int measure(bool bound, struct figures *f)
{
	struct bench_vm vm;
	int err = vm_create(&vm, bound);

	if (!err) {
		f->first_touch = touch_pass(&vm, 1);
		f->second_touch = touch_pass(&vm, 2);
		f->slot_op = slot_ops(&vm);
		if (f->first_touch < 0 || f->second_touch < 0 || f->slot_op < 0)
			err = -EIO;
	}
	vm_destroy(&vm);
	return err;
}

static void keep_best(struct figures *best, const struct figures *f)
{
	if (!best->first_touch || f->first_touch < best->first_touch)
		best->first_touch = f->first_touch;
	if (!best->second_touch || f->second_touch < best->second_touch)
		best->second_touch = f->second_touch;
	if (!best->slot_op || f->slot_op < best->slot_op)
		best->slot_op = f->slot_op;
}

static double ratio(int64_t a, int64_t b)
{
	return b ? (double)a / b : 0;
}

int main(void)
{
	struct figures best[2] = {}, f = {};
	int round, bound, err;

	if (access("/dev/kvm", R_OK | W_OK)) {
		printf("kvm-bench: no /dev/kvm: skipped\n");
		return 0;
	}
	for (round = 0; round < ROUNDS; round++) {
		for (bound = 0; bound < 2; bound++) {
			/* alternate which side goes first */
			bool b = round & 1 ? !bound : bound;

			err = measure(b, &f);
			if (err) {
				printf("kvm-bench: %s VM failed: %s\n",
				       b ? "bound" : "unbound", strerror(-err));
				return 1;
			}
			keep_best(&best[b], &f);
		}
	}
	printf("kvm-bench: best of %d rounds; ratio = vas-bound VM / ordinary VM, same boot\n",
	       ROUNDS);
	printf("kvm-bench: guest touches %d pages, first pass: bound %lld ns, unbound %lld ns, ratio %.2f\n",
	       TOUCH_PAGES, (long long)best[1].first_touch,
	       (long long)best[0].first_touch,
	       ratio(best[1].first_touch, best[0].first_touch));
	printf("kvm-bench: guest touches %d pages, second pass: bound %lld ns, unbound %lld ns, ratio %.2f\n",
	       TOUCH_PAGES, (long long)best[1].second_touch,
	       (long long)best[0].second_touch,
	       ratio(best[1].second_touch, best[0].second_touch));
	printf("kvm-bench: memslot create+delete: VAS_SET_MEMSLOT %lld ns, KVM_SET_USER_MEMORY_REGION %lld ns, ratio %.2f\n",
	       (long long)best[1].slot_op, (long long)best[0].slot_op,
	       ratio(best[1].slot_op, best[0].slot_op));
	return 0;
}
