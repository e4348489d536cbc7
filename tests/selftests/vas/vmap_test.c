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
	return binder_ioctl(bfd, VAS_TEST_BINDER_VMAP,
			    write ? VAS_TEST_MAP_WRITE : 0, VAS_TEST_CALLER,
			    gpa, len, NULL);
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

/*
 * Counts the holder's ->invalidate calls; -1 if vas_vmap_addr() still
 * returned the mapping in any of them (it must be NULL by then, so that a
 * holder looking from ->invalidate on cannot use it).
 */
static int count_vmap_invalidations(int bfd)
{
	struct vas_test_event ev[64];
	int i, n, count = 0;

	n = binder_events(bfd, ev, 64);
	for (i = 0; i < n; i++) {
		if (ev[i].type != VAS_TEST_EVENT_VMAP_INVALIDATE)
			continue;
		if (!(ev[i].flags & VAS_TEST_EVENT_ADDR_CLEARED))
			return -1;
		count++;
	}
	return count;
}

FIXTURE(vmap) {
	int fd;
	int bfd;
	unsigned char *mem;
};

FIXTURE_SETUP(vmap)
{
	/* A vas of an owner without CAP_IPC_LOCK: pins count against the rlimit */
	ASSERT_EQ(0, set_cap_ipc_lock(0));
	self->fd = sys_vas_create(0);
	ASSERT_EQ(0, set_cap_ipc_lock(1));
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
 * A memslot change tears a writable vmap down and logs its pages dirty,
 * at the guest pages they were, in the log the memslot keeps: a move must
 * not lose ring writes made through the vmap since the last harvest.
 */
TEST_F(vmap, writable_vmap_pages_survive_a_move_in_the_log)
{
	unsigned char ring[4] = "ring";
	uint64_t bitmap = 0;

	ASSERT_EQ(0, vmap(self->bfd, GPA + PAGE, PAGE, 1));
	ASSERT_EQ(0, get_dirty_log(self->fd, 0, 0, &bitmap));
	EXPECT_EQ(1ULL << 1, bitmap);
	ASSERT_EQ(0, binder_cmd(self->bfd, VAS_TEST_BINDER_VMAP_WRITE, 0, GPA + PAGE,
				sizeof(ring), ring));
	ASSERT_EQ(0, set_memslot(self->fd, 0, VAS_MEM_LOG_DIRTY_PAGES, GPA + 0x200000,
				 16 * PAGE, self->mem));
	EXPECT_EQ(1, count_vmap_invalidations(self->bfd));
	ASSERT_EQ(0, get_dirty_log(self->fd, 0, 0, &bitmap));
	EXPECT_EQ(1ULL << 1, bitmap);
	/* a move that overlaps the old place: the same page, not a neighbour */
	ASSERT_EQ(0, binder_cmd(self->bfd, VAS_TEST_BINDER_VUNMAP, 0, 0, 0, NULL));
	ASSERT_EQ(0, vmap(self->bfd, GPA + 0x200000 + PAGE, PAGE, 1));
	ASSERT_EQ(0, get_dirty_log(self->fd, 0, 0, &bitmap));
	ASSERT_EQ(0, set_memslot(self->fd, 0, VAS_MEM_LOG_DIRTY_PAGES,
				 GPA + 0x200000 + 2 * PAGE, 16 * PAGE, self->mem));
	ASSERT_EQ(0, get_dirty_log(self->fd, 0, 0, &bitmap));
	EXPECT_EQ(1ULL << 1, bitmap);
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

/*
 * RLIMIT_MEMLOCK limits what the owner's user has pinned, all its
 * processes together: the test runs as a user of its own (the saved uid
 * stays root), so that nothing another root process pins counts.
 */
TEST_F(vmap, rlimit_memlock)
{
	struct rlimit lim = { 4 * PAGE, 4 * PAGE };
	uid_t uid = 40000 + getpid() % 20000;
	int fd, bfd, bfd2;

	ASSERT_EQ(0, setresuid(uid, uid, 0));
	fd = sys_vas_create(0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, set_memslot(fd, 0, 0, GPA, 16 * PAGE, self->mem));
	ASSERT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &lim));
	bfd = vas_test_bind(fd);
	ASSERT_LE(0, bfd);
	bfd2 = vas_test_bind(fd);
	ASSERT_LE(0, bfd2);

	EXPECT_EQ(-ENOMEM, vmap(bfd, GPA, 5 * PAGE, 0));
	ASSERT_EQ(0, vmap(bfd, GPA, 3 * PAGE, 0));
	EXPECT_EQ(-ENOMEM, vmap(bfd2, GPA, 2 * PAGE, 0));
	ASSERT_EQ(0, vmap(bfd2, GPA, PAGE, 0));
	ASSERT_EQ(0, binder_cmd(bfd, VAS_TEST_BINDER_VUNMAP, 0, 0, 0, NULL));
	ASSERT_EQ(0, binder_cmd(bfd2, VAS_TEST_BINDER_VUNMAP, 0, 0, 0, NULL));
	EXPECT_EQ(0, vmap(bfd, GPA, 4 * PAGE, 0));
	close(bfd2);
	close(bfd);
	close(fd);
}

/*
 * An owner with CAP_IPC_LOCK, like a VFIO or iommufd user, may pin beyond
 * RLIMIT_MEMLOCK; the pins still show in its locked and pinned counts.
 * What counts is the owner's capability when it created the vas.
 */
TEST_F(vmap, cap_ipc_lock_lifts_rlimit)
{
	struct rlimit old, lim = { PAGE, PAGE };
	long base = vm_pin_pages();
	int fd, bfd;

	fd = sys_vas_create(0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, set_memslot(fd, 0, 0, GPA, 16 * PAGE, self->mem));
	bfd = vas_test_bind(fd);
	ASSERT_LE(0, bfd);

	ASSERT_EQ(0, getrlimit(RLIMIT_MEMLOCK, &old));
	ASSERT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &lim));
	/* dropped after creation: the vas keeps what its owner had */
	ASSERT_EQ(0, set_cap_ipc_lock(0));
	EXPECT_EQ(0, vmap(bfd, GPA, 8 * PAGE, 0));
	EXPECT_EQ(base + 8, vm_pin_pages());
	/* the fixture's vas was created without it */
	EXPECT_EQ(-ENOMEM, vmap(self->bfd, GPA, 2 * PAGE, 0));
	ASSERT_EQ(0, set_cap_ipc_lock(1));
	ASSERT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &old));

	close(bfd);
	EXPECT_EQ(base, vm_pin_pages());
	close(fd);
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
	return binder_ioctl(bfd, VAS_TEST_BINDER_SGMAP,
			    write ? VAS_TEST_MAP_WRITE : 0, VAS_TEST_CALLER,
			    gpa, len, NULL);
}

static int sgmap_nents(int bfd)
{
	return binder_ioctl(bfd, VAS_TEST_BINDER_SGMAP_NENTS, 0,
			    VAS_TEST_CALLER, 0, 0, NULL);
}

/*
 * The pinned pages stay those of the range whatever their protection:
 * fork (which write-protects the parent's range for copy-on-write and
 * copies pinned pages for the child) and mprotect() leave a vmap alone.
 */
TEST_F(vmap, protection_changes_keep_the_mapping)
{
	unsigned char byte = 0x42;
	int status;
	pid_t pid;

	ASSERT_EQ(0, vmap(self->bfd, GPA, 4 * PAGE, 1));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(self->mem[PAGE] == 0x11 ? 0 : 1);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(0, mprotect(self->mem, 4 * PAGE, PROT_READ));
	ASSERT_EQ(0, mprotect(self->mem, 4 * PAGE, PROT_READ | PROT_WRITE));

	EXPECT_EQ(0, count_vmap_invalidations(self->bfd));
	ASSERT_EQ(0, binder_cmd(self->bfd, VAS_TEST_BINDER_VMAP_WRITE, 0, GPA + PAGE, 1,
				&byte));
	/* the parent's page is still the one mapped */
	EXPECT_EQ(0x42, self->mem[PAGE]);
	self->mem[2 * PAGE] = 0x43;
	ASSERT_EQ(0, binder_cmd(self->bfd, VAS_TEST_BINDER_VMAP_READ, 0, GPA + 2 * PAGE, 1,
				&byte));
	EXPECT_EQ(0x43, byte);
}

/*
 * Lengths that reach or wrap past the end of the address space: a clean
 * error, never a loop over a page count that wrapped to zero.
 */
TEST_F(vmap, sgmap_lengths_that_wrap)
{
	/* a memslot at 0: the walk over the range starts for real */
	ASSERT_EQ(0, set_memslot(self->fd, 2, 0, 0, PAGE, self->mem + 40 * PAGE));
	EXPECT_EQ(-ENOMEM, sgmap(self->bfd, 0, ~0ULL, 0));
	EXPECT_EQ(-ENOMEM, sgmap(self->bfd, 0, ~0ULL, 1));
	EXPECT_EQ(-ENOMEM, sgmap(self->bfd, 1, ~0ULL, 0));
	EXPECT_EQ(-EINVAL, sgmap(self->bfd, 2, ~0ULL, 0));
	EXPECT_EQ(-ENOMEM, sgmap(self->bfd, PAGE, ~0ULL - PAGE, 1));
	EXPECT_EQ(-EINVAL, sgmap(self->bfd, ~0ULL, 2, 0));
	EXPECT_EQ(-EFAULT, sgmap(self->bfd, ~0ULL, 1, 0));	/* last byte: a hole */
	EXPECT_EQ(0, sgmap(self->bfd, GPA + 16 * PAGE - 1, 1, 0));
}

/*
 * A huge request is refused before anything is allocated for it: by the
 * owner's RLIMIT_MEMLOCK, or beyond what one page array can hold (a
 * kvcalloc() that large would warn).
 */
TEST_F(vmap, huge_requests_refused_before_allocating)
{
	void *far = (void *)(1ULL << 45);
	long base = vm_pin_pages();
	int fd, bfd;

	/* 2 TiB of guest memory; the owner memory behind it need not exist */
	ASSERT_EQ(0, set_memslot(self->fd, 1, 0, 1ULL << 44, 1ULL << 41, far));
	EXPECT_EQ(-ENOMEM, sgmap(self->bfd, 1ULL << 44, 1ULL << 40, 0));
	EXPECT_EQ(-ENOMEM, sgmap(self->bfd, 1ULL << 44, 1ULL << 41, 0));
	EXPECT_EQ(-ENOMEM, vmap(self->bfd, 1ULL << 44, 1ULL << 40, 0));

	/* an owner with CAP_IPC_LOCK: no rlimit, still no giant array */
	fd = sys_vas_create(0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, set_memslot(fd, 1, 0, 1ULL << 44, 1ULL << 41, far));
	bfd = vas_test_bind(fd);
	ASSERT_LE(0, bfd);
	EXPECT_EQ(-ENOMEM, sgmap(bfd, 1ULL << 44, 1ULL << 41, 0));
	EXPECT_EQ(-ENOMEM, vmap(bfd, 1ULL << 44, 1ULL << 41, 0));
	EXPECT_EQ(base, vm_pin_pages());
	close(bfd);
	close(fd);
}

/*
 * A write to a read-only memslot is refused on every path that can write,
 * each checked on its own: pwrite, vas_write() from the owner, a kernel
 * thread and another process, a binder's vas_write(), and setting up a
 * writable vmap, sgmap or gfn->pfn cache. Reads work on all of them.
 */
TEST_F(vmap, readonly_refused_on_every_path)
{
	uint64_t ro = GPA + 32 * PAGE;
	unsigned char byte = 0x99;
	int status;
	pid_t pid;

	ASSERT_EQ(0, set_memslot(self->fd, 1, VAS_MEM_READONLY, ro, 2 * PAGE,
				 self->mem + 20 * PAGE));
	EXPECT_EQ(-1, pwrite(self->fd, &byte, 1, ro));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-EPERM, vas_test_access(self->fd, VAS_TEST_OP_WRITE, VAS_TEST_CALLER,
					  ro, &byte, 1, NULL));
	EXPECT_EQ(-EPERM, vas_test_access(self->fd, VAS_TEST_OP_WRITE, VAS_TEST_KTHREAD,
					  ro, &byte, 1, NULL));
	EXPECT_EQ(-EPERM, binder_cmd(self->bfd, VAS_TEST_BINDER_WRITE, 0, ro, 1, &byte));
	EXPECT_EQ(-EPERM, vmap(self->bfd, ro, PAGE, 1));
	EXPECT_EQ(-EPERM, sgmap(self->bfd, ro, PAGE, 1));
	EXPECT_EQ(-EPERM, binder_ioctl(self->bfd, VAS_TEST_BINDER_GPC_ACTIVATE,
				       VAS_TEST_MAP_WRITE, VAS_TEST_CALLER, ro, 8, NULL));
	/* the remote path: another process with the fd */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(pwrite(self->fd, &byte, 1, ro) == -1 && errno == EPERM ? 0 : 1);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(0x11, self->mem[20 * PAGE]);

	EXPECT_EQ(0, vmap(self->bfd, ro, PAGE, 0));
	EXPECT_EQ(0, sgmap(self->bfd, ro, PAGE, 0));
	EXPECT_EQ(1, pread(self->fd, &byte, 1, ro + 5));
	EXPECT_EQ(0x11, byte);
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

/*
 * Not invalidated by memslot changes. Mapped for writing, its pages are
 * dirty on every read of the log while it exists and once more at unmap,
 * in the log of the memslot they belong to, wherever that has moved: a
 * write through an sgmap made before a move is not lost by the move.
 */
TEST_F(vmap, sgmap_pins_until_unmap_and_logs_where_its_pages_are)
{
	unsigned char byte = 0x3d;
	uint64_t bitmap = 0;
	long base = vm_pin_pages();

	ASSERT_EQ(0, get_dirty_log(self->fd, 0, 0, &bitmap));
	ASSERT_EQ(0, sgmap(self->bfd, GPA + PAGE, 2 * PAGE, 1));
	ASSERT_EQ(0, binder_cmd(self->bfd, VAS_TEST_BINDER_SGMAP_WRITE, 0, GPA + PAGE + 9, 1,
				&byte));
	ASSERT_EQ(0, get_dirty_log(self->fd, 0, VAS_DIRTY_LOG_KEEP, &bitmap));
	EXPECT_EQ(0x6, bitmap);
	ASSERT_EQ(0, get_dirty_log(self->fd, 0, 0, &bitmap));
	EXPECT_EQ(0x6, bitmap);

	/* moved: still pinned, still the same pages, logged at the new place */
	ASSERT_EQ(0, set_memslot(self->fd, 0, VAS_MEM_LOG_DIRTY_PAGES, GPA + 0x100000,
				 16 * PAGE, self->mem));
	byte = 0;
	ASSERT_EQ(0, binder_cmd(self->bfd, VAS_TEST_BINDER_SGMAP_READ, 0, GPA + PAGE + 9, 1,
				&byte));
	EXPECT_EQ(0x3d, byte);
	EXPECT_EQ(base + 2, vm_pin_pages());
	EXPECT_EQ(0, count_vmap_invalidations(self->bfd));
	ASSERT_EQ(0, get_dirty_log(self->fd, 0, 0, &bitmap));
	EXPECT_EQ(0x6, bitmap);

	/* a memslot at the old address is not the sgmap's */
	ASSERT_EQ(0, set_memslot(self->fd, 1, VAS_MEM_LOG_DIRTY_PAGES, GPA, 4 * PAGE,
				 self->mem + 32 * PAGE));
	ASSERT_EQ(0, binder_cmd(self->bfd, VAS_TEST_BINDER_SGUNMAP, 0, 0, 0, NULL));
	EXPECT_EQ(base, vm_pin_pages());
	ASSERT_EQ(0, get_dirty_log(self->fd, 0, 0, &bitmap));
	EXPECT_EQ(0x6, bitmap);
	ASSERT_EQ(0, get_dirty_log(self->fd, 1, 0, &bitmap));
	EXPECT_EQ(0, bitmap);
	/* gone: nothing more to report */
	ASSERT_EQ(0, get_dirty_log(self->fd, 0, 0, &bitmap));
	EXPECT_EQ(0, bitmap);

	/* a read-only sgmap never dirties */
	ASSERT_EQ(0, sgmap(self->bfd, GPA + 0x100000, 3 * PAGE, 0));
	ASSERT_EQ(0, get_dirty_log(self->fd, 0, 0, &bitmap));
	EXPECT_EQ(0, bitmap);
	ASSERT_EQ(0, binder_cmd(self->bfd, VAS_TEST_BINDER_SGUNMAP, 0, 0, 0, NULL));
	ASSERT_EQ(0, get_dirty_log(self->fd, 0, 0, &bitmap));
	EXPECT_EQ(0, bitmap);
}

TEST_HARNESS_MAIN
