// SPDX-License-Identifier: GPL-2.0-only
/*
 * vas-demo: the smallest VMM-side use of a vas.
 *
 * Creates a guest-physical address space, backs two guest-physical ranges
 * with two separate buffers of its own, then writes and reads guest memory
 * through the vas fd (pwrite/pread at guest-physical offsets), including a
 * transfer that crosses from one memslot into the next.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include <linux/vas.h>

#define PAGE	4096UL

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void add_memslot(int fd, __u32 slot, __u64 gpa, size_t size,
			void *mem)
{
	struct vas_set_memslot req = {
		.size = sizeof(req),
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)mem,
	};

	if (ioctl(fd, VAS_SET_MEMSLOT, &req))
		die("VAS_SET_MEMSLOT");
	printf("memslot %u: guest-physical [0x%08llx, 0x%08llx) -> %p\n",
	       slot, (unsigned long long)gpa,
	       (unsigned long long)(gpa + size), mem);
}

int main(void)
{
	struct vas_get_info info = { .size = sizeof(info) };
	static const char msg[] = "hello from the VMM, across two memslots";
	__u64 gpa = 0x100000 + 4 * PAGE - 16;
	char buf[64] = {}, hole[8];
	char *low, *high;
	int fd;

	fd = syscall(__NR_vas_create, VAS_CLOEXEC);
	if (fd < 0)
		die("vas_create");
	if (ioctl(fd, VAS_GET_INFO, &info))
		die("VAS_GET_INFO");
	printf("vas_create() = fd %d: api version %u, %u memslots, capabilities 0x%llx\n",
	       fd, info.api_version, info.max_memslots,
	       (unsigned long long)info.capabilities);

	low = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	high = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (low == MAP_FAILED || high == MAP_FAILED)
		die("mmap");
	add_memslot(fd, 0, 0x100000, 4 * PAGE, low);
	add_memslot(fd, 1, 0x100000 + 4 * PAGE, 4 * PAGE, high);

	if (pwrite(fd, msg, sizeof(msg), gpa) != sizeof(msg))
		die("pwrite");
	printf("pwrite(gpa 0x%llx, %zu bytes): \"%s\"\n",
	       (unsigned long long)gpa, sizeof(msg), msg);
	printf("  memslot 0 memory now ends with \"%.16s\"\n", low + 4 * PAGE - 16);
	printf("  memslot 1 memory now starts with \"%s\"\n", high);

	if (pread(fd, buf, sizeof(msg), gpa) != sizeof(msg))
		die("pread");
	printf("pread(gpa 0x%llx, %zu bytes): \"%s\"\n",
	       (unsigned long long)gpa, sizeof(msg), buf);

	if (pread(fd, hole, sizeof(hole), 0x200000) < 0)
		printf("pread(gpa 0x200000) outside every memslot: %s\n",
		       strerror(errno));

	if (strcmp(buf, msg)) {
		fprintf(stderr, "read back something else\n");
		return 1;
	}
	close(fd);
	printf("vas demo done\n");
	return 0;
}
