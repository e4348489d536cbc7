// SPDX-License-Identifier: GPL-2.0-only
/*
 * vas benchmark: prints how vas paths compare with their anchors measured
 * in the same kernel, in the same call (VAS_TEST_OP_BENCH, CONFIG_VAS_BENCH):
 *
 * - vas_read()/vas_write() of 64 KiB vs memcpy() of 64 KiB, from the owner,
 *   a kernel thread and a foreign process, and in the owner also vs a raw
 *   copy_from_user() of the same memory (the floor of that path);
 * - an 8-byte vas_read() vs kvm_read_guest() on a VM with the same memslots;
 * - the vas gfn->pfn cache vs KVM's (check + 8-byte read);
 * - a memslot lookup vs gfn_to_memslot() with 1, 32 and 509 memslots.
 *
 * Ratios are vas / anchor: 1.0 is parity, above is slower. Under QEMU TCG
 * absolute times mean little; ratios measured side by side do.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <linux/kvm.h>

#include "vas_util.h"

#define SLOT_SIZE	(16 * PAGE)	/* 64 KiB per memslot */
#define SLOT_STRIDE	(32 * PAGE)	/* with a hole after each */
#define ITERATIONS	2000

static double ratio(uint64_t a, uint64_t b)
{
	return b ? (double)a / b : 0;
}

static int bench(int fd, int kvm_fd, uint32_t context, uint32_t nslots,
		 struct vas_test_bench *out)
{
	struct vas_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = VAS_TEST_OP_BENCH,
		.context = context,
		.bench = {
			.iterations = ITERATIONS,
			.kvm_fd = kvm_fd,
			.gpa = 0,
			.lookup_gpa = 0,
			.lookup_stride = SLOT_STRIDE,
			.lookup_count = nslots,
		},
	};
	int ret = ioctl(fd, VAS_TEST, &cmd) ? -errno : 0;

	*out = cmd.bench;
	return ret;
}

/* One vas and one VM with the same @nslots memslots over @mem */
static int setup(int kvm, unsigned char *mem, uint32_t nslots, int *vm_out)
{
	int fd = sys_vas_create(VAS_CLOEXEC), vm;
	uint32_t i;

	if (fd < 0)
		return -errno;
	vm = kvm >= 0 ? ioctl(kvm, KVM_CREATE_VM, 0) : -1;
	for (i = 0; i < nslots; i++) {
		struct kvm_userspace_memory_region region = {
			.slot = i,
			.guest_phys_addr = (uint64_t)i * SLOT_STRIDE,
			.memory_size = SLOT_SIZE,
			.userspace_addr = (uintptr_t)mem + (uint64_t)i * SLOT_SIZE,
		};

		if (set_memslot(fd, i, 0, region.guest_phys_addr, SLOT_SIZE,
				(void *)(uintptr_t)region.userspace_addr))
			return -EINVAL;
		if (vm >= 0 && ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region)) {
			perror("KVM_SET_USER_MEMORY_REGION");
			close(vm);
			vm = -1;
		}
	}
	*vm_out = vm;
	return fd;
}

int main(void)
{
	static const uint32_t slot_counts[] = { 1, 32, 509 };
	struct vas_test_bench r;
	unsigned char *mem;
	int kvm, fd, vm, status, err;
	unsigned int i;
	pid_t pid;

	mem = mmap(NULL, 509 * SLOT_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (mem == MAP_FAILED)
		return 1;
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		printf("bench: no /dev/kvm (%s): KVM anchors skipped\n",
		       strerror(errno));

	fd = setup(kvm, mem, 1, &vm);
	if (fd < 0)
		return 1;
	err = bench(fd, vm, VAS_TEST_CALLER, 1, &r);
	if (err == -ENOTTY) {
		printf("bench: CONFIG_VAS_BENCH is off\n");
		return 0;
	}
	if (err) {
		printf("bench: VAS_TEST_OP_BENCH failed: %s\n", strerror(-err));
		return 1;
	}
	printf("bench: %u copies, 16x as many small ops; ratio = vas / anchor, same boot, same call\n",
	       ITERATIONS);
	printf("bench: owner    64K read  %8llu ns  memcpy %8llu ns  ratio %.2f\n",
	       (unsigned long long)r.vas_read_64k_ns,
	       (unsigned long long)r.memcpy_64k_ns,
	       ratio(r.vas_read_64k_ns, r.memcpy_64k_ns));
	printf("bench: owner    64K read  %8llu ns  copy_from_user %8llu ns  ratio %.2f\n",
	       (unsigned long long)r.vas_read_64k_ns,
	       (unsigned long long)r.copy_from_user_64k_ns,
	       ratio(r.vas_read_64k_ns, r.copy_from_user_64k_ns));
	printf("bench: owner    64K write %8llu ns  memcpy %8llu ns  ratio %.2f\n",
	       (unsigned long long)r.vas_write_64k_ns,
	       (unsigned long long)r.memcpy_64k_ns,
	       ratio(r.vas_write_64k_ns, r.memcpy_64k_ns));
	printf("bench: 8-byte read: vas_read %llu ns, kvm_read_guest %llu ns, ratio %.2f\n",
	       (unsigned long long)r.vas_read_8_ns,
	       (unsigned long long)r.kvm_read_8_ns,
	       ratio(r.vas_read_8_ns, r.kvm_read_8_ns));
	printf("bench: gpc check+read: vas %llu ns, kvm %llu ns, ratio %.2f\n",
	       (unsigned long long)r.vas_gpc_read_ns,
	       (unsigned long long)r.kvm_gpc_read_ns,
	       ratio(r.vas_gpc_read_ns, r.kvm_gpc_read_ns));

	if (!bench(fd, -1, VAS_TEST_KTHREAD, 1, &r))
		printf("bench: kthread  64K read  ratio %.2f, write ratio %.2f (path %u)\n",
		       ratio(r.vas_read_64k_ns, r.memcpy_64k_ns),
		       ratio(r.vas_write_64k_ns, r.memcpy_64k_ns), r.path_taken);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (bench(fd, -1, VAS_TEST_CALLER, 1, &r))
			_exit(1);
		printf("bench: foreign  64K read  ratio %.2f, write ratio %.2f (path %u)\n",
		       ratio(r.vas_read_64k_ns, r.memcpy_64k_ns),
		       ratio(r.vas_write_64k_ns, r.memcpy_64k_ns), r.path_taken);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	close(fd);
	if (vm >= 0)
		close(vm);

	for (i = 0; i < sizeof(slot_counts) / sizeof(slot_counts[0]); i++) {
		fd = setup(kvm, mem, slot_counts[i], &vm);
		if (fd < 0 || bench(fd, vm, VAS_TEST_CALLER, slot_counts[i], &r))
			return 1;
		printf("bench: lookup, %3u memslots: vas %llu ns, kvm %llu ns, ratio %.2f\n",
		       slot_counts[i], (unsigned long long)r.vas_lookup_ns,
		       (unsigned long long)r.kvm_lookup_ns,
		       ratio(r.vas_lookup_ns, r.kvm_lookup_ns));
		close(fd);
		if (vm >= 0)
			close(vm);
	}
	return 0;
}
