// SPDX-License-Identifier: GPL-2.0-only
/*
 * vas dirty log selftests: VAS_MEM_LOG_DIRTY_PAGES, VAS_GET_DIRTY_LOG and
 * VAS_CLEAR_DIRTY_LOG. The log must hold exactly the pages written through
 * the vas, by every writer (pwrite, in-kernel vas_write from the owner, a
 * kernel thread or another process, a binder's own writes), and nothing
 * else; and every bad input has its errno.
 */
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <linux/userfaultfd.h>

#include "kselftest_harness.h"
#include "vas_util.h"

#define SLOT_PAGES	16
#define GPA		0x40000ULL

FIXTURE(dirty) {
	int fd;
	unsigned char *mem;
	uint64_t bitmap[4];
};

FIXTURE_SETUP(dirty)
{
	self->fd = sys_vas_create(0);
	ASSERT_LE(0, self->fd);
	self->mem = mmap(NULL, MEM_PAGES * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
	ASSERT_EQ(0, set_memslot(self->fd, 3, VAS_MEM_LOG_DIRTY_PAGES, GPA,
				 SLOT_PAGES * PAGE, self->mem));
}

FIXTURE_TEARDOWN(dirty)
{
	close(self->fd);
	munmap(self->mem, MEM_PAGES * PAGE);
}

static int write_page(int fd, unsigned int page, unsigned int offset)
{
	unsigned char byte = 0x33;

	return pwrite(fd, &byte, 1, GPA + page * PAGE + offset) == 1 ? 0 : -errno;
}

/* The log as one 64-bit word (the memslot has 16 pages) */
static uint64_t log_word(struct __test_metadata *_metadata, int fd,
			 uint32_t flags)
{
	uint64_t bitmap[2] = { 0, 0xdead };

	EXPECT_EQ(0, get_dirty_log(fd, 3, flags, bitmap));
	EXPECT_EQ(0xdead, bitmap[1]);	/* one word for 16 pages */
	return bitmap[0];
}

#define LOG(flags) log_word(_metadata, self->fd, flags)

TEST_F(dirty, every_writer_and_nothing_else)
{
	unsigned char buf[2 * PAGE];
	int bfd, status;
	pid_t pid;

	EXPECT_EQ(0, LOG(0));
	ASSERT_EQ(0, write_page(self->fd, 1, 0));
	ASSERT_EQ(0, write_page(self->fd, 3, PAGE - 1));
	/* one write over pages 5 and 6 */
	memset(buf, 1, sizeof(buf));
	ASSERT_EQ(2, pwrite(self->fd, buf, 2, GPA + 6 * PAGE - 1));
	/* reads and owner writes to its own memory are not logged */
	ASSERT_EQ(sizeof(buf), pread(self->fd, buf, sizeof(buf), GPA + 10 * PAGE));
	self->mem[12 * PAGE] = 1;
	EXPECT_EQ((1ULL << 1) | (1ULL << 3) | (1ULL << 5) | (1ULL << 6), LOG(0));
	EXPECT_EQ(0, LOG(0));

	/* in-kernel vas_write() from a kernel thread and from the owner */
	if (vas_test_access(self->fd, VAS_TEST_OP_WRITE, VAS_TEST_KTHREAD,
			    GPA + 9 * PAGE, buf, 8, NULL) == -ENOTTY)
		SKIP(return, "CONFIG_VAS_TEST is off");
	ASSERT_EQ(0, vas_test_access(self->fd, VAS_TEST_OP_WRITE, VAS_TEST_CALLER,
				     GPA + 2 * PAGE, buf, 8, NULL));

	/* a binder's write through the vas, and one it reports at sync time */
	bfd = vas_test_bind(self->fd);
	ASSERT_LE(0, bfd);
	ASSERT_EQ(0, binder_cmd(bfd, VAS_TEST_BINDER_WRITE, 0, GPA + 11 * PAGE, 1, buf));
	ASSERT_EQ(0, binder_cmd(bfd, VAS_TEST_BINDER_ADD_DIRTY, 0, GPA + 13 * PAGE,
				2 * PAGE, NULL));

	/* another process, through the remote path */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(write_page(self->fd, 15, 7) ? 1 : 0);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, WEXITSTATUS(status));

	EXPECT_EQ((1ULL << 2) | (1ULL << 9) | (1ULL << 11) | (1ULL << 13) |
		  (1ULL << 14) | (1ULL << 15), LOG(0));
	EXPECT_EQ(0, LOG(0));
	close(bfd);
}

TEST_F(dirty, keep_then_clear)
{
	uint64_t clear = 1ULL << 4;

	ASSERT_EQ(0, write_page(self->fd, 4, 0));
	ASSERT_EQ(0, write_page(self->fd, 8, 0));
	EXPECT_EQ((1ULL << 4) | (1ULL << 8), LOG(VAS_DIRTY_LOG_KEEP));
	EXPECT_EQ((1ULL << 4) | (1ULL << 8), LOG(VAS_DIRTY_LOG_KEEP));
	/* clear exactly what was copied; up to the memslot end is fine */
	ASSERT_EQ(0, clear_dirty_log(self->fd, 3, 0, SLOT_PAGES, &clear));
	EXPECT_EQ(1ULL << 8, LOG(VAS_DIRTY_LOG_KEEP));
	clear = ~0ULL;
	ASSERT_EQ(0, clear_dirty_log(self->fd, 3, 0, SLOT_PAGES, &clear));
	EXPECT_EQ(0, LOG(0));
}

TEST_F(dirty, follows_memslot_changes)
{
	uint64_t bitmap[1];

	ASSERT_EQ(0, write_page(self->fd, 1, 0));
	/* a move keeps the log, at the new address */
	ASSERT_EQ(0, set_memslot(self->fd, 3, VAS_MEM_LOG_DIRTY_PAGES, GPA + 0x100000,
				 SLOT_PAGES * PAGE, self->mem));
	EXPECT_EQ(1ULL << 1, LOG(0));

	/* logging off: the log is gone; on again: it starts empty */
	ASSERT_EQ(0, set_memslot(self->fd, 3, 0, GPA, SLOT_PAGES * PAGE, self->mem));
	EXPECT_EQ(-ENOENT, get_dirty_log(self->fd, 3, 0, bitmap));
	ASSERT_EQ(0, write_page(self->fd, 2, 0));
	ASSERT_EQ(0, set_memslot(self->fd, 3, VAS_MEM_LOG_DIRTY_PAGES, GPA,
				 SLOT_PAGES * PAGE, self->mem));
	EXPECT_EQ(0, LOG(0));
	ASSERT_EQ(0, write_page(self->fd, 2, 0));
	/* read-only and logging: reads only, nothing to log */
	ASSERT_EQ(0, set_memslot(self->fd, 3, VAS_MEM_LOG_DIRTY_PAGES | VAS_MEM_READONLY,
				 GPA, SLOT_PAGES * PAGE, self->mem));
	EXPECT_EQ(-EPERM, write_page(self->fd, 3, 0));
	EXPECT_EQ(1ULL << 2, LOG(0));
}

TEST_F(dirty, big_memslot_many_words)
{
	size_t pages = 64 * 600 + 3, words = (pages + 63) / 64, i;
	unsigned char *big;
	uint64_t *bitmap;

	big = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, big);
	bitmap = calloc(words + 1, sizeof(*bitmap));
	ASSERT_NE(NULL, bitmap);
	ASSERT_EQ(0, set_memslot(self->fd, 4, VAS_MEM_LOG_DIRTY_PAGES, 1ULL << 32,
				 pages * PAGE, big));
	for (i = 0; i < pages; i += 97)
		ASSERT_EQ(1, pwrite(self->fd, "x", 1, (1ULL << 32) + i * PAGE));
	ASSERT_EQ(1, pwrite(self->fd, "x", 1, (1ULL << 32) + (pages - 1) * PAGE));
	bitmap[words] = 0x5a5a;
	ASSERT_EQ(0, get_dirty_log(self->fd, 4, 0, bitmap));
	EXPECT_EQ(0x5a5a, bitmap[words]);
	for (i = 0; i < pages; i++)
		EXPECT_EQ(i % 97 == 0 || i == pages - 1,
			  (bitmap[i / 64] >> (i % 64)) & 1) TH_LOG("page %zu", i);
	free(bitmap);
	munmap(big, pages * PAGE);
}

/* KEEP reads without clearing, as often as asked; a plain read then clears */
TEST_F(dirty, keep_does_not_clear)
{
	ASSERT_EQ(0, write_page(self->fd, 0, 0));
	ASSERT_EQ(0, write_page(self->fd, SLOT_PAGES - 1, PAGE - 1));
	EXPECT_EQ(1ULL | (1ULL << (SLOT_PAGES - 1)), LOG(VAS_DIRTY_LOG_KEEP));
	EXPECT_EQ(1ULL | (1ULL << (SLOT_PAGES - 1)), LOG(VAS_DIRTY_LOG_KEEP));
	EXPECT_EQ(1ULL | (1ULL << (SLOT_PAGES - 1)), LOG(0));
	EXPECT_EQ(0, LOG(VAS_DIRTY_LOG_KEEP));
	EXPECT_EQ(0, LOG(0));
}

/*
 * The largest memslot GET_INFO advertises can log: its bitmap (256 MiB)
 * is not one contiguous allocation, which would fail with a kernel
 * warning. The memory behind the memslot need not exist to create it.
 */
TEST_F(dirty, largest_memslots_can_log)
{
	struct vas_get_info info = { .size = sizeof(info) };
	uint64_t uaddr = 1ULL << 44, bits = 0;

	ASSERT_EQ(0, ioctl(self->fd, VAS_GET_INFO, &info));
	ASSERT_EQ(0, set_memslot(self->fd, 7, VAS_MEM_LOG_DIRTY_PAGES, 1ULL << 40,
				 256ULL << 30, (void *)uaddr));
	EXPECT_EQ(0, clear_dirty_log(self->fd, 7, 0, 64, &bits));
	ASSERT_EQ(0, set_memslot(self->fd, 7, 0, 1ULL << 40, 0, (void *)uaddr));
	ASSERT_EQ(0, set_memslot(self->fd, 7, VAS_MEM_LOG_DIRTY_PAGES, 1ULL << 44,
				 info.max_memslot_size, (void *)uaddr));
	ASSERT_EQ(0, set_memslot(self->fd, 7, 0, 1ULL << 44, 0, (void *)uaddr));
}

/*
 * Clearing the log destroys the owner's migration state: only the owner
 * may (VAS_GET_DIRTY_LOG without KEEP, VAS_CLEAR_DIRTY_LOG). Anyone with
 * the fd may read it with KEEP, and the bits survive.
 */
TEST_F(dirty, only_the_owner_clears)
{
	uint64_t word = ~0ULL;
	int status;
	pid_t pid;

	ASSERT_EQ(0, write_page(self->fd, 5, 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		uint64_t bitmap = 0;

		/* after fork the child has an mm of its own: not the owner */
		if (get_dirty_log(self->fd, 3, 0, &bitmap) != -EPERM)
			_exit(1);
		if (clear_dirty_log(self->fd, 3, 0, SLOT_PAGES, &word) != -EPERM)
			_exit(2);
		if (get_dirty_log(self->fd, 3, VAS_DIRTY_LOG_KEEP, &bitmap) ||
		    bitmap != 1ULL << 5)
			_exit(3);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(1ULL << 5, LOG(0));
}

struct blocked_get {
	int fd;
	void *bitmap;
	int ret;
};

static void *get_log_thread(void *arg)
{
	struct blocked_get *get = arg;

	get->ret = get_dirty_log(get->fd, 3, VAS_DIRTY_LOG_KEEP, get->bitmap);
	return NULL;
}

static void *clear_log_thread(void *arg)
{
	struct blocked_get *get = arg;

	get->ret = clear_dirty_log(get->fd, 3, 0, SLOT_PAGES, get->bitmap);
	return NULL;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

/*
 * A user copy in VAS_GET_DIRTY_LOG / VAS_CLEAR_DIRTY_LOG may block for as
 * long as the caller likes: here the bitmap is in a userfaultfd range and
 * the fault is answered only after the owner changed its memslots. The
 * memslot lock must not be held across that copy, or VAS_SET_MEMSLOT
 * waits for the fault forever.
 */
TEST_F(dirty, user_copy_does_not_block_memslot_changes)
{
	void *(*fns[2])(void *) = { get_log_thread, clear_log_thread };
	struct uffdio_register reg;
	struct uffdio_api api;
	struct uffdio_zeropage zero;
	struct blocked_get get;
	struct uffd_msg msg;
	struct pollfd pfd;
	pthread_t thread;
	uint64_t start;
	void *page;
	int uffd, i;

	for (i = 0; i < 2; i++) {
		uffd = syscall(__NR_userfaultfd, O_CLOEXEC);
		if (uffd < 0)
			SKIP(return, "no userfaultfd: %s", strerror(errno));
		/* no features: a fault waits for the answer */
		api = (struct uffdio_api){ .api = UFFD_API };
		ASSERT_EQ(0, ioctl(uffd, UFFDIO_API, &api));
		page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ASSERT_NE(MAP_FAILED, page);
		reg = (struct uffdio_register){
			.range = { (uintptr_t)page, PAGE },
			.mode = UFFDIO_REGISTER_MODE_MISSING,
		};
		ASSERT_EQ(0, ioctl(uffd, UFFDIO_REGISTER, &reg));

		get = (struct blocked_get){ .fd = self->fd, .bitmap = page };
		ASSERT_EQ(0, pthread_create(&thread, NULL, fns[i], &get));
		pfd = (struct pollfd){ .fd = uffd, .events = POLLIN };
		ASSERT_EQ(1, poll(&pfd, 1, 10000)) TH_LOG("no fault");
		ASSERT_EQ(sizeof(msg), read(uffd, &msg, sizeof(msg)));

		/* the copy is stuck in the fault: memslots still change */
		start = now_ms();
		EXPECT_EQ(0, set_memslot(self->fd, 9, 0, 0x10000000, PAGE, self->mem));
		EXPECT_EQ(0, set_memslot(self->fd, 9, 0, 0x10000000, 0, self->mem));
		EXPECT_GT(2000, now_ms() - start);

		zero = (struct uffdio_zeropage){ .range = { (uintptr_t)page, PAGE } };
		ASSERT_EQ(0, ioctl(uffd, UFFDIO_ZEROPAGE, &zero));
		ASSERT_EQ(0, pthread_join(thread, NULL));
		EXPECT_EQ(0, get.ret);
		close(uffd);
		munmap(page, PAGE);
	}
}

TEST_F(dirty, bad_requests)
{
	struct vas_dirty_log log = {
		.size = sizeof(log),
		.slot = 3,
		.bitmap = (uintptr_t)self->bitmap,
	};
	uint64_t word;

	ASSERT_EQ(0, set_memslot(self->fd, 5, 0, 0x800000, PAGE, self->mem));
	EXPECT_EQ(-ENOENT, get_dirty_log(self->fd, 5, 0, &word));	/* not logging */
	EXPECT_EQ(-ENOENT, get_dirty_log(self->fd, 6, 0, &word));	/* no memslot */
	EXPECT_EQ(-EINVAL, get_dirty_log(self->fd, 32768, 0, &word));
	EXPECT_EQ(-EINVAL, get_dirty_log(self->fd, 3, 2, &word));
	EXPECT_EQ(-EFAULT, get_dirty_log(self->fd, 3, 0, NULL));
	EXPECT_EQ(-ENOENT, clear_dirty_log(self->fd, 5, 0, 1, &word));
	EXPECT_EQ(-EINVAL, clear_dirty_log(self->fd, 3, 1, 1, &word));
	EXPECT_EQ(-EINVAL, clear_dirty_log(self->fd, 3, 0, SLOT_PAGES + 1, &word));
	EXPECT_EQ(-EINVAL, clear_dirty_log(self->fd, 3, 0, 10, &word));
	EXPECT_EQ(-EINVAL, clear_dirty_log(self->fd, 3, 64, 0, &word));
	EXPECT_EQ(-EINVAL, clear_dirty_log(self->fd, 3, ~63ULL, 64, &word));
	EXPECT_EQ(-EFAULT, clear_dirty_log(self->fd, 3, 0, SLOT_PAGES, NULL));

	log.__reserved = 1;
	EXPECT_EQ(-1, ioctl(self->fd, VAS_GET_DIRTY_LOG, &log));
	EXPECT_EQ(EINVAL, errno);
	log.__reserved = 0;
	log.num_pages = 1;
	EXPECT_EQ(-1, ioctl(self->fd, VAS_GET_DIRTY_LOG, &log));
	EXPECT_EQ(EINVAL, errno);
	log.num_pages = 0;
	log.flags = VAS_DIRTY_LOG_KEEP;
	EXPECT_EQ(-1, ioctl(self->fd, VAS_CLEAR_DIRTY_LOG, &log));
	EXPECT_EQ(EINVAL, errno);
	log.size = offsetof(struct vas_dirty_log, bitmap);
	EXPECT_EQ(-1, ioctl(self->fd, VAS_GET_DIRTY_LOG, &log));
	EXPECT_EQ(EINVAL, errno);
}

TEST_HARNESS_MAIN
