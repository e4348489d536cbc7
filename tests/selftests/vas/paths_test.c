// SPDX-License-Identifier: GPL-2.0-only
/*
 * Each backend access path of vas from each context: vmap, sgmap and the
 * gfn->pfn cache created by the owner itself, by a kernel thread, and by
 * a foreign process (a forked child, which has its own mm), through the
 * test binder. The owner then checks what landed in its memory.
 */
#include <sys/mman.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "vas_util.h"

#define GPA	0x300000ULL

FIXTURE(paths) {
	int fd;
	int bfd;
	unsigned char *mem;
};

FIXTURE_VARIANT(paths) {
	uint32_t context;	/* enum vas_test_context for the creating ops */
	int foreign;		/* run everything in a forked child */
};

FIXTURE_VARIANT_ADD(paths, owner) { .context = VAS_TEST_CALLER };
FIXTURE_VARIANT_ADD(paths, kthread) { .context = VAS_TEST_KTHREAD };
FIXTURE_VARIANT_ADD(paths, foreign) { .context = VAS_TEST_CALLER, .foreign = 1 };

FIXTURE_SETUP(paths)
{
	self->fd = sys_vas_create(0);
	ASSERT_LE(0, self->fd);
	self->mem = mmap(NULL, MEM_PAGES * PAGE, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
	memset(self->mem, 0x10, MEM_PAGES * PAGE);
	self->bfd = vas_test_bind(self->fd);
	if (self->bfd == -ENOTTY)
		SKIP(return, "CONFIG_VAS_TEST is off");
	ASSERT_LE(0, self->bfd);
	/* two memslots, contiguous in the guest, apart in the owner */
	ASSERT_EQ(0, set_memslot(self->fd, 0, 0, GPA, 2 * PAGE, self->mem + 8 * PAGE));
	ASSERT_EQ(0, set_memslot(self->fd, 1, 0, GPA + 2 * PAGE, 2 * PAGE, self->mem));
}

FIXTURE_TEARDOWN(paths)
{
	if (self->bfd >= 0)
		close(self->bfd);
	close(self->fd);
	munmap(self->mem, MEM_PAGES * PAGE);
}

/* The backend's work; returns 0 or the number of the step that failed */
static int backend(int bfd, uint32_t context)
{
	unsigned char buf[2 * PAGE];

	/* vmap in memslot 0, written through */
	if (binder_ioctl(bfd, VAS_TEST_BINDER_VMAP, VAS_TEST_MAP_WRITE, context, GPA + 100,
		PAGE, NULL))
		return 1;
	memset(buf, 0xa1, PAGE);
	if (binder_ioctl(bfd, VAS_TEST_BINDER_VMAP_WRITE, 0, 0, GPA + 100, PAGE, buf))
		return 2;
	/* sgmap across both memslots, written through */
	if (binder_ioctl(bfd, VAS_TEST_BINDER_SGMAP, VAS_TEST_MAP_WRITE, context,
		GPA + PAGE + 200, 2 * PAGE, NULL))
		return 3;
	memset(buf, 0xb2, sizeof(buf));
	if (binder_ioctl(bfd, VAS_TEST_BINDER_SGMAP_WRITE, 0, 0, GPA + 2 * PAGE, PAGE, buf))
		return 4;
	/* gfn->pfn cache on memslot 1's second page */
	if (binder_ioctl(bfd, VAS_TEST_BINDER_GPC_ACTIVATE, VAS_TEST_MAP_WRITE, context,
		GPA + 3 * PAGE + 8, 16, NULL))
		return 5;
	memset(buf, 0xc3, 16);
	if (binder_ioctl(bfd, VAS_TEST_BINDER_GPC_WRITE, 0, 0, 0, 16, buf) < 0)
		return 6;
	if (binder_ioctl(bfd, VAS_TEST_BINDER_GPC_READ, 0, 0, 0, 16, buf) < 0 || buf[15] != 0xc3)
		return 7;
	if (binder_ioctl(bfd, VAS_TEST_BINDER_VUNMAP, 0, 0, 0, 0, NULL) ||
	    binder_ioctl(bfd, VAS_TEST_BINDER_SGUNMAP, 0, 0, 0, 0, NULL) ||
	    binder_ioctl(bfd, VAS_TEST_BINDER_GPC_DEACTIVATE, 0, 0, 0, 0, NULL))
		return 8;
	return 0;
}

TEST_F(paths, vmap_sgmap_gpc)
{
	int status;
	pid_t pid;

	if (variant->foreign) {
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid)
			_exit(backend(self->bfd, variant->context));
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_EQ(0, WEXITSTATUS(status));
	} else {
		ASSERT_EQ(0, backend(self->bfd, variant->context));
	}

	/* memslot 0 maps owner page 8.., memslot 1 owner page 0.. */
	EXPECT_EQ(0x10, self->mem[8 * PAGE + 99]);
	EXPECT_EQ(0xa1, self->mem[8 * PAGE + 100]);
	EXPECT_EQ(0xa1, self->mem[9 * PAGE + 99]);
	EXPECT_EQ(0x10, self->mem[9 * PAGE + 100]);
	EXPECT_EQ(0xb2, self->mem[0]);
	EXPECT_EQ(0xb2, self->mem[PAGE - 1]);
	EXPECT_EQ(0x10, self->mem[PAGE]);
	EXPECT_EQ(0xc3, self->mem[PAGE + 8]);
	EXPECT_EQ(0xc3, self->mem[PAGE + 23]);
	EXPECT_EQ(0x10, self->mem[PAGE + 24]);
}

/* A context the creating ops do not take is refused */
TEST_F(paths, bad_context)
{
	EXPECT_EQ(-EINVAL, binder_ioctl(self->bfd, VAS_TEST_BINDER_VMAP, 0, 2, GPA, 1, NULL));
	EXPECT_EQ(-EINVAL, binder_ioctl(self->bfd, VAS_TEST_BINDER_READ, 0, VAS_TEST_KTHREAD,
			       GPA, 1, NULL));
}

TEST_HARNESS_MAIN
