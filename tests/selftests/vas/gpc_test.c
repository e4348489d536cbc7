// SPDX-License-Identifier: GPL-2.0-only
/*
 * vas gfn->pfn cache selftests, through the test binder, which uses the
 * cache the documented way with interrupts disabled: hits need no refresh;
 * an owner zap, a memslot change or the owner's exit forces one; writes
 * are logged dirty; every bad input has its errno.
 */
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "vas_util.h"

#define GPA	0x200000ULL

static int gpc_activate(int bfd, uint64_t gpa, uint64_t len, int write)
{
	return binder_ioctl(bfd, VAS_TEST_BINDER_GPC_ACTIVATE,
			    write ? VAS_TEST_MAP_WRITE : 0, VAS_TEST_CALLER,
			    gpa, len, NULL);
}

#define GPC_READ(buf, len)	gpc_rw(self->bfd, VAS_TEST_BINDER_GPC_READ, buf, len)
#define GPC_WRITE(buf, len)	gpc_rw(self->bfd, VAS_TEST_BINDER_GPC_WRITE, buf, len)

FIXTURE(gpc) {
	int fd;
	int bfd;
	unsigned char *mem;
};

FIXTURE_SETUP(gpc)
{
	self->fd = sys_vas_create(0);
	ASSERT_LE(0, self->fd);
	self->mem = mmap(NULL, MEM_PAGES * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
	memset(self->mem, 0x22, MEM_PAGES * PAGE);
	self->bfd = vas_test_bind(self->fd);
	if (self->bfd == -ENOTTY)
		SKIP(return, "CONFIG_VAS_TEST is off");
	ASSERT_LE(0, self->bfd);
	ASSERT_EQ(0, set_memslot(self->fd, 0, VAS_MEM_LOG_DIRTY_PAGES, GPA,
				 8 * PAGE, self->mem));
}

FIXTURE_TEARDOWN(gpc)
{
	if (self->bfd >= 0)
		close(self->bfd);
	close(self->fd);
	munmap(self->mem, MEM_PAGES * PAGE);
}

TEST_F(gpc, hits_writes_and_dirty)
{
	unsigned char buf[64];
	uint64_t bitmap;

	ASSERT_EQ(0, gpc_activate(self->bfd, GPA + PAGE + 16, sizeof(buf), 1));
	ASSERT_EQ(0, get_dirty_log(self->fd, 0, 0, &bitmap));

	ASSERT_EQ(0, GPC_READ(buf, sizeof(buf)));
	EXPECT_EQ(0x22, buf[0]);
	/* the owner writes: same page, seen without a refresh */
	self->mem[PAGE + 16] = 0x31;
	ASSERT_EQ(0, GPC_READ(buf, 1));
	EXPECT_EQ(0x31, buf[0]);

	memset(buf, 0x47, sizeof(buf));
	ASSERT_EQ(0, GPC_WRITE(buf, sizeof(buf)));
	EXPECT_EQ(0x47, self->mem[PAGE + 16]);
	EXPECT_EQ(0x47, self->mem[PAGE + 16 + 63]);
	EXPECT_EQ(0x22, self->mem[PAGE + 16 + 64]);
	ASSERT_EQ(0, get_dirty_log(self->fd, 0, 0, &bitmap));
	EXPECT_EQ(1ULL << 1, bitmap);

	/* a read does not dirty */
	ASSERT_EQ(0, GPC_READ(buf, 8));
	ASSERT_EQ(0, get_dirty_log(self->fd, 0, 0, &bitmap));
	EXPECT_EQ(0, bitmap);
}

/* The owner zaps the page: the next access refreshes and sees the new page. */
TEST_F(gpc, owner_zap_forces_refresh)
{
	unsigned char byte;

	ASSERT_EQ(0, gpc_activate(self->bfd, GPA + 2 * PAGE, 8, 0));
	ASSERT_EQ(0, GPC_READ(&byte, 1));
	EXPECT_EQ(0x22, byte);
	ASSERT_EQ(0, madvise(self->mem + 2 * PAGE, PAGE, MADV_DONTNEED));
	self->mem[2 * PAGE] = 0x99;
	ASSERT_EQ(1, GPC_READ(&byte, 1));
	EXPECT_EQ(0x99, byte);
	ASSERT_EQ(0, GPC_READ(&byte, 1));
	/* a zap that starts on the page before and ends inside this one */
	ASSERT_EQ(0, madvise(self->mem + PAGE, 2 * PAGE, MADV_DONTNEED));
	self->mem[2 * PAGE] = 0x9a;
	ASSERT_EQ(1, GPC_READ(&byte, 1));
	EXPECT_EQ(0x9a, byte);
	/* and one that covers it from before to after */
	ASSERT_EQ(0, munmap(self->mem + PAGE, 3 * PAGE));
	ASSERT_NE(MAP_FAILED, mmap(self->mem + PAGE, 3 * PAGE, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	self->mem[2 * PAGE] = 0x9b;
	ASSERT_EQ(1, GPC_READ(&byte, 1));
	EXPECT_EQ(0x9b, byte);
	/* zapping another page does not touch this cache */
	ASSERT_EQ(0, madvise(self->mem + 3 * PAGE, PAGE, MADV_DONTNEED));
	ASSERT_EQ(0, GPC_READ(&byte, 1));
}

TEST_F(gpc, memslot_changes)
{
	unsigned char byte = 0;

	ASSERT_EQ(0, gpc_activate(self->bfd, GPA + 3 * PAGE, 8, 1));
	/* moved away: the address is a hole */
	ASSERT_EQ(0, set_memslot(self->fd, 0, 0, GPA + 0x100000, 8 * PAGE, self->mem));
	EXPECT_EQ(-EFAULT, GPC_READ(&byte, 1));
	/* back, read-only: reads refresh once, writes are refused */
	ASSERT_EQ(0, set_memslot(self->fd, 0, VAS_MEM_READONLY, GPA, 8 * PAGE, self->mem));
	EXPECT_EQ(-EPERM, GPC_WRITE(&byte, 1));
	ASSERT_EQ(0, set_memslot(self->fd, 0, 0, GPA, 8 * PAGE, self->mem));
	EXPECT_EQ(1, GPC_READ(&byte, 1));
	EXPECT_EQ(0x22, byte);
	/* another memslot is created: the generation changes, one refresh */
	ASSERT_EQ(0, set_memslot(self->fd, 1, 0, 0, PAGE, self->mem + 20 * PAGE));
	EXPECT_EQ(1, GPC_READ(&byte, 1));
	EXPECT_EQ(0, GPC_READ(&byte, 1));
}

TEST_F(gpc, bad_requests)
{
	unsigned char buf[16];

	EXPECT_EQ(-EINVAL, gpc_activate(self->bfd, GPA + PAGE - 8, 16, 0));
	EXPECT_EQ(-EINVAL, gpc_activate(self->bfd, GPA, 0, 0));
	EXPECT_EQ(-EINVAL, gpc_activate(self->bfd, GPA, PAGE + 1, 0));
	/* lengths whose end wraps around must not pass the page check */
	EXPECT_EQ(-EINVAL, gpc_activate(self->bfd, GPA + 0xfff, ~0ULL, 0));
	EXPECT_EQ(-EINVAL, gpc_activate(self->bfd, GPA + 1, ~0ULL, 0));
	EXPECT_EQ(-EINVAL, gpc_activate(self->bfd, GPA + 8, ~0ULL - 7, 0));
	EXPECT_EQ(-EFAULT, gpc_activate(self->bfd, 0x1000, 8, 0));
	EXPECT_EQ(-EINVAL, GPC_READ(buf, 8));		/* not active */
	ASSERT_EQ(0, set_memslot(self->fd, 1, VAS_MEM_READONLY, 0x1000, PAGE,
				 self->mem + 20 * PAGE));
	EXPECT_EQ(-EPERM, gpc_activate(self->bfd, 0x1000, 8, 1));
	ASSERT_EQ(0, gpc_activate(self->bfd, 0x1000, 8, 0));
	EXPECT_EQ(-EBUSY, gpc_activate(self->bfd, GPA, 8, 0));
	EXPECT_EQ(-EINVAL, GPC_READ(buf, 9));		/* longer than activated */
	EXPECT_EQ(0, GPC_READ(buf, 8));
	ASSERT_EQ(0, binder_cmd(self->bfd, VAS_TEST_BINDER_GPC_DEACTIVATE, 0, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, GPC_READ(buf, 8));
}

/* Once the owner is gone, refreshes fail with ESRCH. */
TEST(owner_exit)
{
	int sv[2], fd, bfd, status;
	unsigned char byte;
	pid_t pid;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pid = fork_vas_owner(sv, 0, 0x5a);
	ASSERT_LE(0, pid);
	fd = recv_fd(sv[0]);
	ASSERT_LE(0, fd);
	bfd = vas_test_bind(fd);
	if (bfd == -ENOTTY) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		SKIP(return, "CONFIG_VAS_TEST is off");
	}
	ASSERT_LE(0, bfd);
	ASSERT_EQ(0, gpc_activate(bfd, 0, 1, 0));
	ASSERT_EQ(0, gpc_rw(bfd, VAS_TEST_BINDER_GPC_READ, &byte, 1));
	EXPECT_EQ(0x5a, byte);
	EXPECT_EQ(0, finish_vas_owner(sv, pid, 0, 0x5a));
	EXPECT_EQ(-ESRCH, gpc_rw(bfd, VAS_TEST_BINDER_GPC_READ, &byte, 1));
	close(bfd);
	close(fd);
}

TEST_HARNESS_MAIN
