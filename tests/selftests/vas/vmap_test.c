// SPDX-License-Identifier: GPL-2.0-only
/*
 * vas vmap selftests, through the test binder: a kernel mapping of guest
 * memory reads and writes the owner's pages; it is invalidated (holder
 * told, mapping gone, pins dropped) when its memslot is deleted, moved or
 * made read-only and when the owner munmaps, mremaps or zaps the memory;
 * pins are charged to RLIMIT_MEMLOCK; writable mappings keep their pages
 * dirty; a stale mapping is never used.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "vas_util.h"

#define GPA	0x100000ULL

static int vmap(int bfd, uint64_t gpa, uint64_t len, int write)
{
	struct vas_test_binder_cmd cmd = {
		.size = sizeof(cmd),
		.op = VAS_TEST_BINDER_VMAP,
		.flags = write ? VAS_TEST_MAP_WRITE : 0,
		.gpa = gpa,
		.length = len,
	};

	return ioctl(bfd, VAS_TEST_BINDER, &cmd) ? -errno : 0;
}

/* Pages this process has pinned: VmPin in /proc/self/status, in pages */
static long vm_pin_pages(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPin: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb < 0 ? -1 : kb / 4;
}

/* Pins are dropped from a work item after an mmu notifier: wait a little */
static long vm_pin_pages_settled(long want)
{
	long now;
	int i;

	for (i = 0; i < 200; i++) {
		now = vm_pin_pages();
		if (now == want)
			break;
		usleep(10000);
	}
	return now;
}

static int count_vmap_invalidations(int bfd)
{
	struct vas_test_event ev[64];
	int i, n, count = 0;

	n = binder_events(bfd, ev, 64);
	for (i = 0; i < n; i++)
		count += ev[i].type == VAS_TEST_EVENT_VMAP_INVALIDATE;
	return count;
}

FIXTURE(vmap) {
	int fd;
	int bfd;
	unsigned char *mem;
};

FIXTURE_SETUP(vmap)
{
	self->fd = sys_vas_create(0);
	ASSERT_LE(0, self->fd);
	self->mem = mmap(NULL, MEM_PAGES * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
	memset(self->mem, 0x11, MEM_PAGES * PAGE);
	self->bfd = vas_test_bind(self->fd);
	if (self->bfd == -ENOTTY)
		SKIP(return, "CONFIG_VAS_TEST is off");
	ASSERT_LE(0, self->bfd);
	ASSERT_EQ(0, set_memslot(self->fd, 0, VAS_MEM_LOG_DIRTY_PAGES, GPA,
				 16 * PAGE, self->mem));
	binder_events(self->bfd, (struct vas_test_event[8]){}, 8);
}

FIXTURE_TEARDOWN(vmap)
{
	if (self->bfd >= 0)
		close(self->bfd);
	close(self->fd);
	munmap(self->mem, MEM_PAGES * PAGE);
}

TEST_F(vmap, read_write_and_pin_accounting)
{
	unsigned char buf[3 * PAGE];
	long base = vm_pin_pages();

	ASSERT_LE(0, base);
	/* 2 pages + 1 byte from an odd offset: 4 pages pinned */
	ASSERT_EQ(0, vmap(self->bfd, GPA + 100, 3 * PAGE + 1 - 100, 1));
	EXPECT_EQ(base + 4, vm_pin_pages());

	memset(buf, 0x5c, sizeof(buf));
	ASSERT_EQ(0, binder_cmd(self->bfd, VAS_TEST_BINDER_VMAP_WRITE, 0, GPA + 200,
				2 * PAGE, buf));
	EXPECT_EQ(0x5c, self->mem[200]);
	EXPECT_EQ(0x5c, self->mem[200 + 2 * PAGE - 1]);
	EXPECT_EQ(0x11, self->mem[200 + 2 * PAGE]);
	self->mem[3 * PAGE] = 0x77;
	ASSERT_EQ(0, binder_cmd(self->bfd, VAS_TEST_BINDER_VMAP_READ, 0, GPA + 3 * PAGE,
				1, buf));
	EXPECT_EQ(0x77, buf[0]);
	/* outside the mapping */
	EXPECT_EQ(-EINVAL, binder_cmd(self->bfd, VAS_TEST_BINDER_VMAP_READ, 0, GPA,
				      1, buf));
	/* one vmap per test binder */
	EXPECT_EQ(-EBUSY, vmap(self->bfd, GPA, PAGE, 0));

	ASSERT_EQ(0, binder_cmd(self->bfd, VAS_TEST_BINDER_VUNMAP, 0, 0, 0, NULL));
	EXPECT_EQ(base, vm_pin_pages());
	EXPECT_EQ(-ENOENT, binder_cmd(self->bfd, VAS_TEST_BINDER_VUNMAP, 0, 0, 0, NULL));
	EXPECT_EQ(0, count_vmap_invalidations(self->bfd));
}

TEST_F(vmap, bad_requests)
{
	long base = vm_pin_pages();

	ASSERT_EQ(0, set_memslot(self->fd, 1, VAS_MEM_READONLY, GPA + 16 * PAGE,
				 4 * PAGE, self->mem + 32 * PAGE));
	EXPECT_EQ(-EINVAL, vmap(self->bfd, GPA, 0, 0));
	EXPECT_EQ(-EINVAL, vmap(self->bfd, ~0ULL - 10, 20, 0));
	EXPECT_EQ(-EFAULT, vmap(self->bfd, 0, PAGE, 0));		/* hole */
	EXPECT_EQ(-EFAULT, vmap(self->bfd, GPA + 15 * PAGE, 2 * PAGE, 0)); /* two memslots */
	EXPECT_EQ(-EPERM, vmap(self->bfd, GPA + 16 * PAGE, PAGE, 1));	/* read-only */
	EXPECT_EQ(base, vm_pin_pages());
	EXPECT_EQ(0, vmap(self->bfd, GPA + 16 * PAGE, PAGE, 0));
	EXPECT_EQ(base + 1, vm_pin_pages());
}

static void expect_invalidated(struct __test_metadata *_metadata, int bfd,
			       long pins_before)
{
	unsigned char byte;

	EXPECT_EQ(1, count_vmap_invalidations(bfd));
	EXPECT_EQ(-ESTALE, binder_cmd(bfd, VAS_TEST_BINDER_VMAP_READ, 0, GPA, 1, &byte));
	EXPECT_EQ(pins_before, vm_pin_pages_settled(pins_before));
	/* the holder re-maps after vunmap */
	EXPECT_EQ(0, binder_cmd(bfd, VAS_TEST_BINDER_VUNMAP, 0, 0, 0, NULL));
}

/* Each memslot change that breaks the mapping invalidates it, at once. */
TEST_F(vmap, memslot_changes_invalidate)
{
	long base = vm_pin_pages();

	ASSERT_EQ(0, vmap(self->bfd, GPA, 2 * PAGE, 1));
	ASSERT_EQ(0, set_memslot(self->fd, 0, VAS_MEM_LOG_DIRTY_PAGES, GPA + 0x100000,
				 16 * PAGE, self->mem));
	expect_invalidated(_metadata, self->bfd, base);

	ASSERT_EQ(0, vmap(self->bfd, GPA + 0x100000, 2 * PAGE, 1));
	ASSERT_EQ(0, set_memslot(self->fd, 0, VAS_MEM_READONLY, GPA + 0x100000,
				 16 * PAGE, self->mem));
	expect_invalidated(_metadata, self->bfd, base);

	/* a read-only mapping survives the read-only flip, not the delete */
	ASSERT_EQ(0, set_memslot(self->fd, 0, 0, GPA, 16 * PAGE, self->mem));
	ASSERT_EQ(0, vmap(self->bfd, GPA, PAGE, 0));
	ASSERT_EQ(0, set_memslot(self->fd, 0, VAS_MEM_READONLY, GPA, 16 * PAGE, self->mem));
	EXPECT_EQ(0, count_vmap_invalidations(self->bfd));
	ASSERT_EQ(0, set_memslot(self->fd, 0, 0, 0, 0, NULL));
	expect_invalidated(_metadata, self->bfd, base);
}

/*
 * The owner zaps a page under the mapping and writes new data there. A
 * stale mapping would still show the old page; the vmap must refuse.
 */
TEST_F(vmap, owner_munmap_madvise_mremap_invalidate)
{
	long base = vm_pin_pages();
	unsigned char byte;
	void *moved;

	self->mem[PAGE] = 0xaa;
	ASSERT_EQ(0, vmap(self->bfd, GPA, 4 * PAGE, 0));
	ASSERT_EQ(0, binder_cmd(self->bfd, VAS_TEST_BINDER_VMAP_READ, 0, GPA + PAGE, 1, &byte));
	EXPECT_EQ(0xaa, byte);
	ASSERT_EQ(0, madvise(self->mem + PAGE, PAGE, MADV_DONTNEED));
	self->mem[PAGE] = 0xbb;
	expect_invalidated(_metadata, self->bfd, base);

	ASSERT_EQ(0, vmap(self->bfd, GPA, 4 * PAGE, 1));
	moved = mremap(self->mem + 2 * PAGE, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED,
		       self->mem + 40 * PAGE);
	ASSERT_NE(MAP_FAILED, moved);
	expect_invalidated(_metadata, self->bfd, base);

	ASSERT_NE(MAP_FAILED, mmap(self->mem + 2 * PAGE, PAGE, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	ASSERT_EQ(0, vmap(self->bfd, GPA, 4 * PAGE, 1));
	ASSERT_EQ(0, munmap(self->mem + 3 * PAGE, PAGE));
	expect_invalidated(_metadata, self->bfd, base);

	/* unmapped owner memory cannot be mapped */
	EXPECT_EQ(-EFAULT, vmap(self->bfd, GPA, 4 * PAGE, 0));
	EXPECT_EQ(base, vm_pin_pages());
}

TEST_F(vmap, rlimit_memlock)
{
	struct rlimit old, lim = { 4 * PAGE, 4 * PAGE };
	int bfd2;

	ASSERT_EQ(0, getrlimit(RLIMIT_MEMLOCK, &old));
	ASSERT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &lim));
	bfd2 = vas_test_bind(self->fd);
	ASSERT_LE(0, bfd2);

	EXPECT_EQ(-ENOMEM, vmap(self->bfd, GPA, 5 * PAGE, 0));
	ASSERT_EQ(0, vmap(self->bfd, GPA, 3 * PAGE, 0));
	EXPECT_EQ(-ENOMEM, vmap(bfd2, GPA, 2 * PAGE, 0));
	ASSERT_EQ(0, vmap(bfd2, GPA, PAGE, 0));
	ASSERT_EQ(0, binder_cmd(self->bfd, VAS_TEST_BINDER_VUNMAP, 0, 0, 0, NULL));
	ASSERT_EQ(0, binder_cmd(bfd2, VAS_TEST_BINDER_VUNMAP, 0, 0, 0, NULL));
	EXPECT_EQ(0, vmap(self->bfd, GPA, 4 * PAGE, 0));
	close(bfd2);
	ASSERT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &old));
}

/* A writable vmap's pages are dirty on every read of the log, and once after. */
TEST_F(vmap, writable_vmap_stays_dirty)
{
	uint64_t bitmap = 0;

	ASSERT_EQ(0, get_dirty_log(self->fd, 0, 0, &bitmap));
	EXPECT_EQ(0, bitmap);
	ASSERT_EQ(0, vmap(self->bfd, GPA + 2 * PAGE, 2 * PAGE, 1));
	ASSERT_EQ(0, get_dirty_log(self->fd, 0, 0, &bitmap));
	EXPECT_EQ(0xc, bitmap);
	ASSERT_EQ(0, get_dirty_log(self->fd, 0, 0, &bitmap));
	EXPECT_EQ(0xc, bitmap);
	ASSERT_EQ(0, binder_cmd(self->bfd, VAS_TEST_BINDER_VUNMAP, 0, 0, 0, NULL));
	ASSERT_EQ(0, get_dirty_log(self->fd, 0, 0, &bitmap));
	EXPECT_EQ(0xc, bitmap);
	ASSERT_EQ(0, get_dirty_log(self->fd, 0, 0, &bitmap));
	EXPECT_EQ(0, bitmap);
	/* a read-only vmap dirties nothing */
	ASSERT_EQ(0, vmap(self->bfd, GPA, 2 * PAGE, 0));
	ASSERT_EQ(0, get_dirty_log(self->fd, 0, 0, &bitmap));
	EXPECT_EQ(0, bitmap);
}

/* Another process maps the owner's memory; the owner's exit invalidates it. */
TEST_F(vmap, foreign_vmap_and_owner_exit)
{
	int sv[2], fd, bfd;
	unsigned char byte = 0;
	pid_t pid;

	/* the child owns a new vas; this process maps it */
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pid = fork_vas_owner(sv, 0x8000, 0x42);
	ASSERT_LE(0, pid);
	fd = recv_fd(sv[0]);
	ASSERT_LE(0, fd);
	bfd = vas_test_bind(fd);
	ASSERT_LE(0, bfd);
	ASSERT_EQ(0, vmap(bfd, 0x8000, PAGE, 1));
	ASSERT_EQ(0, binder_cmd(bfd, VAS_TEST_BINDER_VMAP_READ, 0, 0x8005, 1, &byte));
	EXPECT_EQ(0x42, byte);
	byte = 0x43;
	ASSERT_EQ(0, binder_cmd(bfd, VAS_TEST_BINDER_VMAP_WRITE, 0, 0x8006, 1, &byte));
	EXPECT_EQ(0, finish_vas_owner(sv, pid, 6, 0x43));

	EXPECT_EQ(1, count_vmap_invalidations(bfd));
	EXPECT_EQ(-ESTALE, binder_cmd(bfd, VAS_TEST_BINDER_VMAP_READ, 0, 0x8005, 1, &byte));
	ASSERT_EQ(0, binder_cmd(bfd, VAS_TEST_BINDER_VUNMAP, 0, 0, 0, NULL));
	EXPECT_EQ(-ESRCH, vmap(bfd, 0x8000, PAGE, 0));
	close(bfd);
	close(fd);
}

static int sgmap(int bfd, uint64_t gpa, uint64_t len, int write)
{
	struct vas_test_binder_cmd cmd = {
		.size = sizeof(cmd),
		.op = VAS_TEST_BINDER_SGMAP,
		.flags = write ? VAS_TEST_MAP_WRITE : 0,
		.gpa = gpa,
		.length = len,
	};

	return ioctl(bfd, VAS_TEST_BINDER, &cmd) ? -errno : 0;
}

static int sgmap_nents(int bfd)
{
	struct vas_test_binder_cmd cmd = {
		.size = sizeof(cmd),
		.op = VAS_TEST_BINDER_SGMAP_NENTS,
	};

	return ioctl(bfd, VAS_TEST_BINDER, &cmd);
}

/* An sgmap crosses pages and memslots; its pages are the owner's. */
TEST_F(vmap, sgmap_across_memslots)
{
	size_t len = 6 * PAGE;
	unsigned char *in = malloc(len), *out = malloc(len);
	uint64_t gpa = GPA + 15 * PAGE + 100;
	long base = vm_pin_pages();
	int nents;

	/* guest: slot 0 [0, 16), slot 1 [16, 20) -> mem 32.., slot 2 [20, 24) -> mem 20.. */
	ASSERT_EQ(0, set_memslot(self->fd, 1, 0, GPA + 16 * PAGE, 4 * PAGE, self->mem + 32 * PAGE));
	ASSERT_EQ(0, set_memslot(self->fd, 2, 0, GPA + 20 * PAGE, 4 * PAGE, self->mem + 20 * PAGE));
	ASSERT_EQ(0, sgmap(self->bfd, gpa, len, 1));
	EXPECT_EQ(base + 7, vm_pin_pages());
	nents = sgmap_nents(self->bfd);
	EXPECT_LE(1, nents);
	EXPECT_GE(7, nents);

	fill(in, len, 21);
	ASSERT_EQ(0, binder_cmd(self->bfd, VAS_TEST_BINDER_SGMAP_WRITE, 0, gpa, len, in));
	EXPECT_EQ(0, memcmp(self->mem + 15 * PAGE + 100, in, PAGE - 100));
	EXPECT_EQ(0, memcmp(self->mem + 32 * PAGE, in + PAGE - 100, 4 * PAGE));
	EXPECT_EQ(0, memcmp(self->mem + 20 * PAGE, in + 5 * PAGE - 100, PAGE + 100));
	ASSERT_EQ(0, binder_cmd(self->bfd, VAS_TEST_BINDER_SGMAP_READ, 0, gpa, len, out));
	EXPECT_EQ(0, memcmp(in, out, len));
	/* a part of it, from the middle */
	ASSERT_EQ(0, binder_cmd(self->bfd, VAS_TEST_BINDER_SGMAP_READ, 0, gpa + 5000, 10, out));
	EXPECT_EQ(0, memcmp(in + 5000, out, 10));
	EXPECT_EQ(-EINVAL, binder_cmd(self->bfd, VAS_TEST_BINDER_SGMAP_READ, 0, gpa - 1, 1, out));
	EXPECT_EQ(-EINVAL, binder_cmd(self->bfd, VAS_TEST_BINDER_SGMAP_READ, 0, gpa + len, 1, out));

	ASSERT_EQ(0, binder_cmd(self->bfd, VAS_TEST_BINDER_SGUNMAP, 0, 0, 0, NULL));
	EXPECT_EQ(base, vm_pin_pages());
	EXPECT_EQ(-ENOENT, binder_cmd(self->bfd, VAS_TEST_BINDER_SGUNMAP, 0, 0, 0, NULL));
	free(in);
	free(out);
}

TEST_F(vmap, sgmap_bad_requests)
{
	struct rlimit old, lim = { 2 * PAGE, 2 * PAGE };

	ASSERT_EQ(0, set_memslot(self->fd, 1, VAS_MEM_READONLY, GPA + 17 * PAGE, PAGE,
				 self->mem + 32 * PAGE));
	EXPECT_EQ(-EINVAL, sgmap(self->bfd, GPA, 0, 0));
	EXPECT_EQ(-EINVAL, sgmap(self->bfd, ~0ULL - 10, 20, 0));
	EXPECT_EQ(-EFAULT, sgmap(self->bfd, GPA + 15 * PAGE, 3 * PAGE, 0));	/* hole at 16 */
	EXPECT_EQ(-EFAULT, sgmap(self->bfd, 0, 1, 0));
	EXPECT_EQ(-EPERM, sgmap(self->bfd, GPA + 17 * PAGE, 1, 1));
	EXPECT_EQ(0, sgmap(self->bfd, GPA + 17 * PAGE, 1, 0));
	EXPECT_EQ(-EBUSY, sgmap(self->bfd, GPA, 1, 0));
	ASSERT_EQ(0, binder_cmd(self->bfd, VAS_TEST_BINDER_SGUNMAP, 0, 0, 0, NULL));

	ASSERT_EQ(0, getrlimit(RLIMIT_MEMLOCK, &old));
	ASSERT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &lim));
	EXPECT_EQ(-ENOMEM, sgmap(self->bfd, GPA, 3 * PAGE, 0));
	EXPECT_EQ(0, sgmap(self->bfd, GPA + 1, PAGE, 0));
	ASSERT_EQ(0, binder_cmd(self->bfd, VAS_TEST_BINDER_SGUNMAP, 0, 0, 0, NULL));
	ASSERT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &old));
}

/* Not invalidated by memslot changes; dirty at unmap when mapped for writing. */
TEST_F(vmap, sgmap_pins_until_unmap_and_logs_at_unmap)
{
	unsigned char byte = 0x3d;
	uint64_t bitmap = 0;
	long base = vm_pin_pages();

	ASSERT_EQ(0, sgmap(self->bfd, GPA + PAGE, 2 * PAGE, 1));
	ASSERT_EQ(0, binder_cmd(self->bfd, VAS_TEST_BINDER_SGMAP_WRITE, 0, GPA + PAGE + 9, 1,
				&byte));
	ASSERT_EQ(0, get_dirty_log(self->fd, 0, VAS_DIRTY_LOG_KEEP, &bitmap));
	EXPECT_EQ(0, bitmap);

	ASSERT_EQ(0, set_memslot(self->fd, 0, VAS_MEM_LOG_DIRTY_PAGES, GPA + 0x100000,
				 16 * PAGE, self->mem));
	byte = 0;
	ASSERT_EQ(0, binder_cmd(self->bfd, VAS_TEST_BINDER_SGMAP_READ, 0, GPA + PAGE + 9, 1,
				&byte));
	EXPECT_EQ(0x3d, byte);
	EXPECT_EQ(base + 2, vm_pin_pages());
	EXPECT_EQ(0, count_vmap_invalidations(self->bfd));

	/* moved back, then unmapped: pages 1 and 2 are dirty */
	ASSERT_EQ(0, set_memslot(self->fd, 0, VAS_MEM_LOG_DIRTY_PAGES, GPA, 16 * PAGE,
				 self->mem));
	ASSERT_EQ(0, binder_cmd(self->bfd, VAS_TEST_BINDER_SGUNMAP, 0, 0, 0, NULL));
	EXPECT_EQ(base, vm_pin_pages());
	ASSERT_EQ(0, get_dirty_log(self->fd, 0, 0, &bitmap));
	EXPECT_EQ(0x6, bitmap);
}

TEST_HARNESS_MAIN
