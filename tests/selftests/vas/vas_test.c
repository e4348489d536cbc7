// SPDX-License-Identifier: GPL-2.0-only
/*
 * vas selftests: vas_create(2), VAS_GET_INFO, VAS_SET_MEMSLOT, pread/pwrite
 * on the fd, the three in-kernel access paths (through the VAS_TEST
 * interface), sharing the fd by fork and SCM_RIGHTS, owner exit,
 * concurrency with memslot changes, and close during a read.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include <linux/vas.h>

#include "kselftest_harness.h"
#include "vas_util.h"

/* ---------------------------------------------------------------- ABI */

/* The numbers and first-version layouts userspace (and syzkaller) bake in */
TEST(abi_is_stable)
{
	EXPECT_EQ(463, __NR_vas_create);
	EXPECT_EQ(O_CLOEXEC, VAS_CLOEXEC);
	EXPECT_EQ(02000000, VAS_CLOEXEC);
	EXPECT_EQ(1, VAS_MEM_READONLY);
	EXPECT_EQ(0xB900, VAS_GET_INFO);
	EXPECT_EQ(0xB901, VAS_SET_MEMSLOT);
	EXPECT_EQ(0xB902, VAS_GET_DIRTY_LOG);
	EXPECT_EQ(0xB903, VAS_CLEAR_DIRTY_LOG);
	EXPECT_EQ(2, VAS_MEM_LOG_DIRTY_PAGES);
	EXPECT_EQ(40, sizeof(struct vas_dirty_log));
	EXPECT_EQ(32, sizeof(struct vas_get_info));
	EXPECT_EQ(40, sizeof(struct vas_set_memslot));
	EXPECT_EQ(16, offsetof(struct vas_set_memslot, guest_phys_addr));
	EXPECT_EQ(32, offsetof(struct vas_set_memslot, userspace_addr));
	EXPECT_EQ(16, offsetof(struct vas_get_info, capabilities));
}

/* ---------------------------------------------------------------- create */

TEST(create_flags)
{
	int fd, bit;

	fd = sys_vas_create(0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(O_RDWR, fcntl(fd, F_GETFL) & O_ACCMODE);
	close(fd);

	fd = sys_vas_create(VAS_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);

	for (bit = 0; bit < 32; bit++) {
		if ((1U << bit) == VAS_CLOEXEC)
			continue;
		errno = 0;
		EXPECT_EQ(-1, sys_vas_create(1U << bit)) TH_LOG("bit %d", bit);
		EXPECT_EQ(EINVAL, errno) TH_LOG("bit %d", bit);
	}
}

TEST(fdinfo_name)
{
	char link[64], target[64] = {};
	int fd = sys_vas_create(0);

	ASSERT_LE(0, fd);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ASSERT_LT(0, readlink(link, target, sizeof(target) - 1));
	EXPECT_STREQ("anon_inode:[vas]", target);
	close(fd);
}

/* ---------------------------------------------------------------- ioctls */

FIXTURE(vas) {
	int fd;
	unsigned char *mem;
};

FIXTURE_SETUP(vas)
{
	self->fd = sys_vas_create(VAS_CLOEXEC);
	ASSERT_LE(0, self->fd);
	self->mem = mmap(NULL, MEM_PAGES * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
}

FIXTURE_TEARDOWN(vas)
{
	close(self->fd);
	munmap(self->mem, MEM_PAGES * PAGE);
}

TEST_F(vas, get_info)
{
	struct {
		struct vas_get_info info;
		uint64_t tail;
	} big = {};
	struct vas_get_info info = { .size = sizeof(info) };

	ASSERT_EQ(0, ioctl(self->fd, VAS_GET_INFO, &info));
	EXPECT_EQ(VAS_API_VERSION, info.api_version);
	EXPECT_LE(32764, info.max_memslots);
	EXPECT_EQ(VAS_CAP_READONLY_MEMSLOTS | VAS_CAP_RW_FD,
		  info.capabilities & (VAS_CAP_READONLY_MEMSLOTS | VAS_CAP_RW_FD));
	EXPECT_LE(1ULL << 40, info.max_memslot_size);

	/* a newer, larger struct: accepted while its tail is zero */
	big.info.size = sizeof(big);
	ASSERT_EQ(0, ioctl(self->fd, VAS_GET_INFO, &big));
	EXPECT_EQ(info.max_memslots, big.info.max_memslots);
	EXPECT_EQ(0, big.tail);
	big.tail = 1;
	EXPECT_EQ(-1, ioctl(self->fd, VAS_GET_INFO, &big));
	EXPECT_EQ(E2BIG, errno);

	/* shorter than the first version */
	info.size = offsetof(struct vas_get_info, max_memslot_size);
	EXPECT_EQ(-1, ioctl(self->fd, VAS_GET_INFO, &info));
	EXPECT_EQ(EINVAL, errno);
	info.size = 0;
	EXPECT_EQ(-1, ioctl(self->fd, VAS_GET_INFO, &info));
	EXPECT_EQ(EINVAL, errno);

	info.size = sizeof(info);
	info.flags = 1;
	EXPECT_EQ(-1, ioctl(self->fd, VAS_GET_INFO, &info));
	EXPECT_EQ(EINVAL, errno);

	EXPECT_EQ(-1, ioctl(self->fd, VAS_GET_INFO, NULL));
	EXPECT_EQ(EFAULT, errno);
}

/*
 * A size beyond a page is refused before the kernel looks at the tail, as
 * clone3() and openat2() do: no zero check over gigabytes, even when all
 * those bytes are zero and readable.
 */
TEST_F(vas, struct_size_capped_at_page)
{
	size_t len = 4 * PAGE;
	struct vas_get_info *info;

	info = mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, info);

	info->size = PAGE;
	EXPECT_EQ(0, ioctl(self->fd, VAS_GET_INFO, info));
	EXPECT_EQ(VAS_API_VERSION, info->api_version);

	info->size = PAGE + 8;
	EXPECT_EQ(-1, ioctl(self->fd, VAS_GET_INFO, info));
	EXPECT_EQ(E2BIG, errno);
	info->size = 0xffffffff;
	EXPECT_EQ(-1, ioctl(self->fd, VAS_GET_INFO, info));
	EXPECT_EQ(E2BIG, errno);
	munmap(info, len);
}

TEST_F(vas, unknown_ioctl)
{
	struct vas_get_info info = { .size = sizeof(info) };

	EXPECT_EQ(-1, ioctl(self->fd, _IO(VAS_TYPE, 0x10), &info));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IO(VAS_TYPE, 0x1e), &info));
	EXPECT_EQ(ENOTTY, errno);
	/* right number, wrong type or direction bits */
	EXPECT_EQ(-1, ioctl(self->fd, _IOR(VAS_TYPE, VAS_CMD_GET_INFO, int), &info));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IO(0xAE, 0x01), &info));
	EXPECT_EQ(ENOTTY, errno);
}

TEST_F(vas, set_memslot_struct_size)
{
	struct {
		struct vas_set_memslot req;
		uint64_t tail;
	} big = {
		.req = {
			.size = sizeof(big),
			.memory_size = PAGE,
			.userspace_addr = (uintptr_t)self->mem,
		},
	};

	big.tail = 5;
	EXPECT_EQ(-1, ioctl(self->fd, VAS_SET_MEMSLOT, &big));
	EXPECT_EQ(E2BIG, errno);
	big.tail = 0;
	EXPECT_EQ(0, ioctl(self->fd, VAS_SET_MEMSLOT, &big));

	big.req.size = sizeof(big.req) - 8;
	big.req.slot = 1;
	big.req.guest_phys_addr = PAGE;
	EXPECT_EQ(-1, ioctl(self->fd, VAS_SET_MEMSLOT, &big));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, VAS_SET_MEMSLOT, (void *)8));
	EXPECT_EQ(EFAULT, errno);
}

/* Every VAS_SET_MEMSLOT rule, one case each. Slot 0 at [0x10000, +4 pages) exists. */
FIXTURE(bad_memslot) {
	int fd;
	unsigned char *mem;
};

FIXTURE_VARIANT(bad_memslot) {
	uint32_t slot;
	uint32_t flags;
	uint32_t reserved;
	uint64_t gpa;
	uint64_t size;
	int64_t uaddr_offset;	/* from mem, unless uaddr_abs */
	uint64_t uaddr_abs;
	int err;
};

FIXTURE_SETUP(bad_memslot)
{
	self->fd = sys_vas_create(0);
	ASSERT_LE(0, self->fd);
	self->mem = mmap(NULL, MEM_PAGES * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
	ASSERT_EQ(0, set_memslot(self->fd, 0, 0, 0x10000, 4 * PAGE, self->mem));
}

FIXTURE_TEARDOWN(bad_memslot)
{
	close(self->fd);
	munmap(self->mem, MEM_PAGES * PAGE);
}

#define BAD(_name, ...) \
	FIXTURE_VARIANT_ADD(bad_memslot, _name) { .slot = 1, .gpa = 0x40000, \
		.size = PAGE, .uaddr_offset = 8 * PAGE, __VA_ARGS__ }

BAD(unaligned_gpa, .gpa = 0x40800, .err = EINVAL);
BAD(unaligned_size, .size = PAGE + 1, .err = EINVAL);
BAD(unaligned_uaddr, .uaddr_offset = 8 * PAGE + 16, .err = EINVAL);
BAD(unknown_flag, .flags = 1U << 2, .err = EINVAL);
BAD(high_flag, .flags = 1U << 31, .err = EINVAL);
BAD(reserved_nonzero, .reserved = 1, .err = EINVAL);
BAD(slot_id_limit, .slot = 32768, .err = EINVAL);
BAD(slot_id_max, .slot = UINT32_MAX, .err = EINVAL);
BAD(gpa_overflow, .gpa = 0xfffffffffffff000ULL, .size = 2 * PAGE, .err = EINVAL);
BAD(gpa_end_at_2_64, .gpa = 0xfffffffffffff000ULL, .err = EINVAL);
BAD(uaddr_overflow, .uaddr_abs = 0xfffffffffffff000ULL, .size = 2 * PAGE,
    .err = EINVAL);
BAD(uaddr_kernel, .uaddr_abs = 0xffff888000000000ULL, .err = EINVAL);
BAD(uaddr_noncanonical, .uaddr_abs = 0x7ffffffffffff000ULL, .size = 2 * PAGE,
    .err = EINVAL);
BAD(size_too_big, .size = 1ULL << 43, .err = EINVAL);
BAD(overlap_inside, .gpa = 0x11000, .err = EEXIST);
BAD(overlap_start, .gpa = 0xf000, .size = 2 * PAGE, .err = EEXIST);
BAD(overlap_end, .gpa = 0x13000, .size = 2 * PAGE, .err = EEXIST);
BAD(overlap_around, .gpa = 0x0, .size = 0x20 * PAGE, .err = EEXIST);
BAD(delete_missing, .slot = 7, .size = 0, .err = ENOENT);
BAD(resize_existing, .slot = 0, .gpa = 0x10000, .size = 2 * PAGE,
    .uaddr_offset = 0, .err = EINVAL);
BAD(new_uaddr_existing, .slot = 0, .gpa = 0x10000, .size = 4 * PAGE,
    .uaddr_offset = 4 * PAGE, .err = EINVAL);

TEST_F(bad_memslot, rejected)
{
	struct vas_set_memslot req = {
		.size = sizeof(req),
		.flags = variant->flags,
		.slot = variant->slot,
		.__reserved = variant->reserved,
		.guest_phys_addr = variant->gpa,
		.memory_size = variant->size,
		.userspace_addr = variant->uaddr_abs ? variant->uaddr_abs :
				  (uintptr_t)self->mem + variant->uaddr_offset,
	};
	unsigned char byte;

	EXPECT_EQ(-1, ioctl(self->fd, VAS_SET_MEMSLOT, &req));
	EXPECT_EQ(variant->err, errno);

	/* nothing changed: slot 0 is still there, the new range is a hole */
	EXPECT_EQ(1, pread(self->fd, &byte, 1, 0x10000 + 4 * PAGE - 1));
	if (variant->gpa < 0x10000 || variant->gpa >= 0x14000) {
		EXPECT_EQ(-1, pread(self->fd, &byte, 1, variant->gpa & INT64_MAX));
		EXPECT_EQ(EFAULT, errno);
	}
}

TEST_F_TIMEOUT(vas, many_memslots, 300)
{
	struct vas_get_info info = { .size = sizeof(info) };
	unsigned char *big;
	uint32_t i, n;
	char byte;

	ASSERT_EQ(0, ioctl(self->fd, VAS_GET_INFO, &info));
	n = info.max_memslots;
	ASSERT_LE(32764, n);
	big = mmap(NULL, n * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, big);

	/* one page each, guest order reversed against owner order */
	for (i = 0; i < n; i++)
		ASSERT_EQ(0, set_memslot(self->fd, i, 0, (uint64_t)(n - 1 - i) * PAGE,
					 PAGE, big + i * PAGE)) TH_LOG("slot %u", i);
	EXPECT_EQ(-EINVAL, set_memslot(self->fd, n, 0, (uint64_t)n * PAGE, PAGE, big));

	big[5 * PAGE + 7] = 0x5a;
	ASSERT_EQ(1, pread(self->fd, &byte, 1, (uint64_t)(n - 1 - 5) * PAGE + 7));
	EXPECT_EQ(0x5a, byte);
	byte = 0x6b;
	ASSERT_EQ(1, pwrite(self->fd, &byte, 1, (uint64_t)(n - 1) * PAGE));
	EXPECT_EQ(0x6b, big[0]);
	munmap(big, n * PAGE);
}

/* ---------------------------------------------------------------- read/write */

TEST_F(vas, round_trip_across_memslots)
{
	size_t len = 6 * PAGE - 100;
	unsigned char *in = malloc(len), *out = malloc(len);

	/* contiguous in the guest, scattered in the owner */
	ASSERT_EQ(0, set_memslot(self->fd, 0, 0, 0x100000, 2 * PAGE, self->mem + 10 * PAGE));
	ASSERT_EQ(0, set_memslot(self->fd, 1, 0, 0x102000, 3 * PAGE, self->mem));
	ASSERT_EQ(0, set_memslot(self->fd, 2, 0, 0x105000, 1 * PAGE, self->mem + 20 * PAGE));

	fill(in, len, 3);
	ASSERT_EQ(len, pwrite(self->fd, in, len, 0x100000 + 50));
	ASSERT_EQ(len, pread(self->fd, out, len, 0x100000 + 50));
	EXPECT_EQ(0, memcmp(in, out, len));

	/* the bytes are in the owner memory the memslots name */
	EXPECT_EQ(0, memcmp(self->mem + 10 * PAGE + 50, in, 2 * PAGE - 50));
	EXPECT_EQ(0, memcmp(self->mem, in + 2 * PAGE - 50, 3 * PAGE));
	EXPECT_EQ(0, memcmp(self->mem + 20 * PAGE, in + 5 * PAGE - 50, PAGE - 50));

	/* and owner writes are seen through the vas */
	self->mem[PAGE] = 0xa5;
	ASSERT_EQ(1, pread(self->fd, out, 1, 0x103000));
	EXPECT_EQ(0xa5, out[0]);
	free(in);
	free(out);
}

TEST_F(vas, vectored_io)
{
	unsigned char a[100], b[5000], c[3], out[5103];
	struct iovec wv[] = { { a, sizeof(a) }, { b, sizeof(b) }, { c, sizeof(c) } };
	struct iovec rv[] = { { out, 1 }, { out + 1, sizeof(out) - 1 } };

	ASSERT_EQ(0, set_memslot(self->fd, 0, 0, 0, 2 * PAGE, self->mem + PAGE));
	ASSERT_EQ(0, set_memslot(self->fd, 1, 0, 2 * PAGE, 2 * PAGE, self->mem + 5 * PAGE));
	fill(a, sizeof(a), 1);
	fill(b, sizeof(b), 2);
	fill(c, sizeof(c), 3);
	ASSERT_EQ(sizeof(out), pwritev(self->fd, wv, 3, 2 * PAGE - 2000));
	ASSERT_EQ(sizeof(out), preadv(self->fd, rv, 2, 2 * PAGE - 2000));
	EXPECT_EQ(0, memcmp(out, a, sizeof(a)));
	EXPECT_EQ(0, memcmp(out + sizeof(a), b, sizeof(b)));
	EXPECT_EQ(0, memcmp(out + sizeof(a) + sizeof(b), c, sizeof(c)));
}

TEST_F(vas, read_write_lseek)
{
	char buf[16] = "hello, guest";
	char out[16] = {};

	ASSERT_EQ(0, set_memslot(self->fd, 0, 0, 0x8000, PAGE, self->mem));
	ASSERT_EQ(0x8010, lseek(self->fd, 0x8010, SEEK_SET));
	ASSERT_EQ(sizeof(buf), write(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(0x8020, lseek(self->fd, 0, SEEK_CUR));
	ASSERT_EQ(0x8010, lseek(self->fd, -0x10, SEEK_CUR));
	ASSERT_EQ(sizeof(out), read(self->fd, out, sizeof(out)));
	EXPECT_STREQ(buf, out);
	EXPECT_STREQ(buf, (char *)self->mem + 0x10);
	EXPECT_EQ(-1, lseek(self->fd, 0, SEEK_END));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, lseek(self->fd, -1, SEEK_SET));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(vas, holes_and_readonly)
{
	unsigned char buf[2 * PAGE];

	ASSERT_EQ(0, set_memslot(self->fd, 0, 0, 0x10000, PAGE, self->mem));
	ASSERT_EQ(0, set_memslot(self->fd, 1, VAS_MEM_READONLY, 0x11000, PAGE,
				 self->mem + PAGE));
	memset(self->mem + PAGE, 0x77, PAGE);

	/* a hole: EFAULT; running into one: the bytes before it */
	EXPECT_EQ(-1, pread(self->fd, buf, 16, 0x20000));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, pwrite(self->fd, buf, 16, 0xfff8));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(8, pread(self->fd, buf, 16, 0x11ff8));
	EXPECT_EQ(0x77, buf[7]);

	/* read-only: readable, EPERM to write; running into it: the bytes before */
	EXPECT_EQ(PAGE, pread(self->fd, buf, PAGE, 0x11000));
	EXPECT_EQ(-1, pwrite(self->fd, buf, 1, 0x11000));
	EXPECT_EQ(EPERM, errno);
	memset(buf, 0x11, sizeof(buf));
	EXPECT_EQ(100, pwrite(self->fd, buf, 200, 0x11000 - 100));
	EXPECT_EQ(0x11, self->mem[PAGE - 1]);
	EXPECT_EQ(0x77, self->mem[PAGE]);

	/* the owner unmapped memory behind a memslot: EFAULT */
	ASSERT_EQ(0, munmap(self->mem + 2 * PAGE, PAGE));
	ASSERT_EQ(0, set_memslot(self->fd, 2, 0, 0x12000, PAGE, self->mem + 2 * PAGE));
	EXPECT_EQ(-1, pread(self->fd, buf, 1, 0x12000));
	EXPECT_EQ(EFAULT, errno);

	/* offsets beyond the loff_t range */
	EXPECT_EQ(-1, pread(self->fd, buf, 1, -4096));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(vas, move_flags_delete)
{
	unsigned char byte = 0;

	self->mem[3] = 0x42;
	ASSERT_EQ(0, set_memslot(self->fd, 5, 0, 0x10000, 2 * PAGE, self->mem));
	ASSERT_EQ(1, pread(self->fd, &byte, 1, 0x10003));
	EXPECT_EQ(0x42, byte);

	/* move: the data follows, the old range is a hole */
	ASSERT_EQ(0, set_memslot(self->fd, 5, 0, 0x50000, 2 * PAGE, self->mem));
	ASSERT_EQ(1, pread(self->fd, &byte, 1, 0x50003));
	EXPECT_EQ(0x42, byte);
	EXPECT_EQ(-1, pread(self->fd, &byte, 1, 0x10003));
	EXPECT_EQ(EFAULT, errno);

	/* flags only: read-only and back */
	ASSERT_EQ(0, set_memslot(self->fd, 5, VAS_MEM_READONLY, 0x50000, 2 * PAGE, self->mem));
	EXPECT_EQ(-1, pwrite(self->fd, &byte, 1, 0x50003));
	EXPECT_EQ(EPERM, errno);
	ASSERT_EQ(0, set_memslot(self->fd, 5, 0, 0x50000, 2 * PAGE, self->mem));
	EXPECT_EQ(1, pwrite(self->fd, &byte, 1, 0x50003));

	/* move and flags at once */
	ASSERT_EQ(0, set_memslot(self->fd, 5, VAS_MEM_READONLY, 0x51000, 2 * PAGE, self->mem));
	EXPECT_EQ(1, pread(self->fd, &byte, 1, 0x51003));
	EXPECT_EQ(-1, pwrite(self->fd, &byte, 1, 0x51003));
	EXPECT_EQ(EPERM, errno);

	/* delete, twice */
	ASSERT_EQ(0, set_memslot(self->fd, 5, 0, 0, 0, NULL));
	EXPECT_EQ(-1, pread(self->fd, &byte, 1, 0x51003));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-ENOENT, set_memslot(self->fd, 5, 0, 0, 0, NULL));
}

/* ---------------------------------------------------------------- access paths */

TEST_F(vas, path_owner)
{
	unsigned char in[300], out[300];
	uint32_t path = 0;
	int ret;

	ASSERT_EQ(0, set_memslot(self->fd, 0, 0, 0x1000, PAGE, self->mem + 4 * PAGE));
	ASSERT_EQ(0, set_memslot(self->fd, 1, VAS_MEM_READONLY, 0x2000, PAGE,
				 self->mem + 8 * PAGE));
	fill(in, sizeof(in), 7);
	ret = vas_test_access(self->fd, VAS_TEST_OP_WRITE, VAS_TEST_CALLER,
			      0x1f00, in, sizeof(in), &path);
	if (ret == -ENOTTY)
		SKIP(return, "CONFIG_VAS_TEST is off");
	/* the write ran into the read-only memslot after 256 bytes */
	EXPECT_EQ(-EPERM, ret);
	EXPECT_EQ(VAS_TEST_PATH_OWNER, path);
	EXPECT_EQ(0, memcmp(self->mem + 4 * PAGE + 0xf00, in, 256));
	EXPECT_EQ(0, self->mem[8 * PAGE]);

	EXPECT_EQ(-EPERM, vas_test_access(self->fd, VAS_TEST_OP_WRITE, VAS_TEST_CALLER,
					  0x1f00, in, sizeof(in), NULL));
	ASSERT_EQ(0, vas_test_access(self->fd, VAS_TEST_OP_WRITE, VAS_TEST_CALLER,
				     0x1000, in, sizeof(in), &path));
	ASSERT_EQ(0, vas_test_access(self->fd, VAS_TEST_OP_READ, VAS_TEST_CALLER,
				     0x1000, out, sizeof(out), &path));
	EXPECT_EQ(VAS_TEST_PATH_OWNER, path);
	EXPECT_EQ(0, memcmp(in, out, sizeof(in)));
	EXPECT_EQ(-EFAULT, vas_test_access(self->fd, VAS_TEST_OP_READ, VAS_TEST_CALLER,
					   0x3000, out, 1, NULL));
}

TEST_F(vas, path_kthread)
{
	unsigned char in[3 * PAGE], out[3 * PAGE];
	uint32_t path = 0;

	ASSERT_EQ(0, set_memslot(self->fd, 0, 0, 0x1000, PAGE, self->mem + 4 * PAGE));
	ASSERT_EQ(0, set_memslot(self->fd, 1, 0, 0x2000, 2 * PAGE, self->mem));
	fill(in, sizeof(in), 9);
	if (vas_test_access(self->fd, VAS_TEST_OP_WRITE, VAS_TEST_KTHREAD,
			    0x1000, in, sizeof(in), &path) == -ENOTTY)
		SKIP(return, "CONFIG_VAS_TEST is off");
	EXPECT_EQ(VAS_TEST_PATH_KTHREAD, path);
	EXPECT_EQ(0, memcmp(self->mem + 4 * PAGE, in, PAGE));
	EXPECT_EQ(0, memcmp(self->mem, in + PAGE, 2 * PAGE));

	path = 0;
	ASSERT_EQ(0, vas_test_access(self->fd, VAS_TEST_OP_READ, VAS_TEST_KTHREAD,
				     0x1000, out, sizeof(out), &path));
	EXPECT_EQ(VAS_TEST_PATH_KTHREAD, path);
	EXPECT_EQ(0, memcmp(in, out, sizeof(in)));
	EXPECT_EQ(-EFAULT, vas_test_access(self->fd, VAS_TEST_OP_READ, VAS_TEST_KTHREAD,
					   0x3000, out, PAGE + 1, NULL));
	ASSERT_EQ(0, set_memslot(self->fd, 1, VAS_MEM_READONLY, 0x2000, 2 * PAGE, self->mem));
	EXPECT_EQ(-EPERM, vas_test_access(self->fd, VAS_TEST_OP_WRITE, VAS_TEST_KTHREAD,
					  0x2000, in, 1, NULL));
}

/* vas_get_from_fd(): the right vas for a vas fd, EINVAL/EBADF for others */
TEST_F(vas, get_from_fd)
{
	unsigned char *other_mem, out[64];
	int other, pipefd[2], ret;

	other = sys_vas_create(0);
	ASSERT_LE(0, other);
	other_mem = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, other_mem);
	memset(other_mem, 0x2f, PAGE);
	memset(self->mem, 0x1e, PAGE);
	ASSERT_EQ(0, set_memslot(other, 0, 0, 0x7000, PAGE, other_mem));
	ASSERT_EQ(0, set_memslot(self->fd, 0, 0, 0x7000, PAGE, self->mem));

	ret = vas_test_access_via_fd(self->fd, other, VAS_TEST_OP_READ,
				     VAS_TEST_CALLER, 0x7000, out, sizeof(out));
	if (ret == -ENOTTY)
		SKIP(return, "CONFIG_VAS_TEST is off");
	ASSERT_EQ(0, ret);
	EXPECT_EQ(0x2f, out[0]);
	EXPECT_EQ(0x2f, out[63]);

	/* the reference taken from the fd works in a kernel thread too */
	memset(out, 0x4d, sizeof(out));
	ASSERT_EQ(0, vas_test_access_via_fd(self->fd, other, VAS_TEST_OP_WRITE,
					    VAS_TEST_KTHREAD, 0x7010, out, 8));
	EXPECT_EQ(0x4d, other_mem[0x10]);
	EXPECT_EQ(0x2f, other_mem[0x18]);
	EXPECT_EQ(0x1e, self->mem[0x10]);

	ASSERT_EQ(0, vas_test_access_via_fd(other, self->fd, VAS_TEST_OP_READ,
					    VAS_TEST_CALLER, 0x7000, out, 8));
	EXPECT_EQ(0x1e, out[0]);

	ASSERT_EQ(0, pipe(pipefd));
	EXPECT_EQ(-EINVAL, vas_test_access_via_fd(self->fd, pipefd[0], VAS_TEST_OP_READ,
						  VAS_TEST_CALLER, 0x7000, out, 8));
	close(pipefd[0]);
	EXPECT_EQ(-EBADF, vas_test_access_via_fd(self->fd, pipefd[0], VAS_TEST_OP_READ,
						 VAS_TEST_CALLER, 0x7000, out, 8));
	EXPECT_EQ(-EBADF, vas_test_access_via_fd(self->fd, -1, VAS_TEST_OP_READ,
						 VAS_TEST_CALLER, 0x7000, out, 8));
	close(pipefd[1]);
	close(other);
	munmap(other_mem, PAGE);
}

/*
 * A forked child has its own mm: it is not the owner. It may read and write
 * guest memory (remote path) but not change memslots.
 */
TEST_F(vas, fork_child_is_foreign)
{
	unsigned char in[2 * PAGE];
	pid_t pid;
	int status;

	ASSERT_EQ(0, set_memslot(self->fd, 0, 0, 0x1000, 2 * PAGE, self->mem + 2 * PAGE));
	ASSERT_EQ(0, set_memslot(self->fd, 1, VAS_MEM_READONLY, 0x3000, PAGE, self->mem));
	fill(in, sizeof(in), 11);
	memcpy(self->mem + 2 * PAGE, in, sizeof(in));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		unsigned char out[2 * PAGE], w[64];
		uint32_t path = 0;
		int ret;

		/* the child's copy of mem diverges from the owner's */
		memset(self->mem + 2 * PAGE, 0, 2 * PAGE);
		if (pread(self->fd, out, sizeof(out), 0x1000) != sizeof(out) ||
		    memcmp(out, in, sizeof(in)))
			_exit(1);
		if (set_memslot(self->fd, 2, 0, 0x8000, PAGE, self->mem) != -EPERM)
			_exit(2);
		if (set_memslot(self->fd, 0, 0, 0, 0, NULL) != -EPERM)
			_exit(3);
		memset(w, 0xcd, sizeof(w));
		if (pwrite(self->fd, w, sizeof(w), 0x1000) != sizeof(w))
			_exit(4);
		if (pwrite(self->fd, w, 1, 0x3000) != -1 || errno != EPERM)
			_exit(5);
		ret = vas_test_access(self->fd, VAS_TEST_OP_READ, VAS_TEST_CALLER,
				      0x1000, out, sizeof(out), &path);
		if (ret == -ENOTTY)
			_exit(100);
		if (ret || path != VAS_TEST_PATH_REMOTE || memcmp(out, w, sizeof(w)) ||
		    memcmp(out + sizeof(w), in + sizeof(w), sizeof(in) - sizeof(w)))
			_exit(6);
		memset(w, 0xef, sizeof(w));
		if (vas_test_access(self->fd, VAS_TEST_OP_WRITE, VAS_TEST_CALLER,
				    0x1000 + PAGE, w, sizeof(w), &path))
			_exit(7);
		if (vas_test_access(self->fd, VAS_TEST_OP_WRITE, VAS_TEST_CALLER,
				    0x3000, w, 1, &path) != -EPERM)
			_exit(8);
		if (vas_test_access(self->fd, VAS_TEST_OP_READ, VAS_TEST_CALLER,
				    0x9000, w, 1, &path) != -EFAULT)
			_exit(9);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	/* 100: all but the VAS_TEST part passed, CONFIG_VAS_TEST is off */
	if (WEXITSTATUS(status) != 100)
		ASSERT_EQ(0, WEXITSTATUS(status));
	/* the child's writes landed in the owner's memory */
	EXPECT_EQ(0xcd, self->mem[2 * PAGE]);
	EXPECT_EQ(0xcd, self->mem[2 * PAGE + 63]);
	EXPECT_EQ(in[64], self->mem[2 * PAGE + 64]);
	if (WEXITSTATUS(status) == 0) {
		EXPECT_EQ(0xef, self->mem[3 * PAGE]);
		EXPECT_EQ(0xef, self->mem[3 * PAGE + 63]);
		EXPECT_EQ(in[PAGE + 64], self->mem[3 * PAGE + 64]);
	}
}

/*
 * Another process creates the vas and sends its fd over SCM_RIGHTS. We may
 * read and write guest memory but not change memslots. When the owner
 * exits, every access fails with ESRCH, and nothing crashes.
 */
TEST(scm_rights_and_owner_exit)
{
	unsigned char buf[PAGE];
	int sv[2], fd, status;
	uint32_t path;
	pid_t pid;
	char go;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		unsigned char *mem = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
					  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		int vfd = sys_vas_create(0);

		if (mem == MAP_FAILED || vfd < 0 ||
		    set_memslot(vfd, 0, 0, 0x4000, 2 * PAGE, mem))
			_exit(1);
		memset(mem, 0x3c, 2 * PAGE);
		if (send_fd(sv[1], vfd))
			_exit(2);
		close(vfd);
		/* wait for the peer's writes, then check them and exit */
		if (read(sv[1], &go, 1) != 1)
			_exit(3);
		_exit(mem[PAGE] == 0x99 ? 0 : 4);
	}
	fd = recv_fd(sv[0]);
	ASSERT_LE(0, fd);

	ASSERT_EQ(PAGE, pread(fd, buf, PAGE, 0x4000));
	EXPECT_EQ(0x3c, buf[0]);
	EXPECT_EQ(0x3c, buf[PAGE - 1]);
	buf[0] = 0x99;
	EXPECT_EQ(1, pwrite(fd, buf, 1, 0x5000));
	EXPECT_EQ(-EPERM, set_memslot(fd, 1, 0, 0x8000, PAGE, buf));
	EXPECT_EQ(-EPERM, set_memslot(fd, 0, 0, 0, 0, NULL));
	if (vas_test_access(fd, VAS_TEST_OP_READ, VAS_TEST_CALLER, 0x4000, buf,
			    8, &path) != -ENOTTY)
		EXPECT_EQ(VAS_TEST_PATH_REMOTE, path);

	ASSERT_EQ(1, write(sv[0], "g", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));

	/* the owner is gone: its memory with it */
	EXPECT_EQ(-1, pread(fd, buf, 1, 0x4000));
	EXPECT_EQ(ESRCH, errno);
	EXPECT_EQ(-1, pwrite(fd, buf, 1, 0x4000));
	EXPECT_EQ(ESRCH, errno);
	if (vas_test_access(fd, VAS_TEST_OP_READ, VAS_TEST_KTHREAD, 0x4000, buf,
			    8, &path) != -ENOTTY) {
		EXPECT_EQ(-ESRCH, vas_test_access(fd, VAS_TEST_OP_READ,
						  VAS_TEST_KTHREAD, 0x4000,
						  buf, 8, &path));
		EXPECT_EQ(VAS_TEST_PATH_KTHREAD, path);
		EXPECT_EQ(-ESRCH, vas_test_access(fd, VAS_TEST_OP_WRITE,
						  VAS_TEST_CALLER, 0x4000,
						  buf, 8, &path));
		EXPECT_EQ(VAS_TEST_PATH_REMOTE, path);
	}
	/* and nobody can change the memslots any more */
	EXPECT_EQ(-EPERM, set_memslot(fd, 0, 0, 0, 0, NULL));
	close(fd);
	close(sv[0]);
	close(sv[1]);
}

/* ---------------------------------------------------------------- concurrency */

struct reader_ctx {
	int fd;
	volatile int stop;
	unsigned long reads, writes, holes, bad;
	int err;
};

/* Writes the pattern the memory already holds, so readers can check it. */
static void *writer_fn(void *arg)
{
	struct reader_ctx *r = arg;
	unsigned char buf[PAGE + 512];

	memset(buf, 0xab, sizeof(buf));
	while (!r->stop) {
		if (pwrite(r->fd, buf, sizeof(buf), 0x10000 + 256) < 0) {
			if (errno != EFAULT && errno != EPERM) {
				r->err = errno;
				break;
			}
			continue;
		}
		__atomic_fetch_add(&r->writes, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void *reader_fn(void *arg)
{
	struct reader_ctx *r = arg;
	unsigned char buf[2 * PAGE];
	size_t i;
	ssize_t n;

	while (!r->stop) {
		n = pread(r->fd, buf, sizeof(buf), 0x10000);
		if (n < 0) {
			if (errno != EFAULT) {
				r->err = errno;
				break;
			}
				__atomic_fetch_add(&r->holes, 1, __ATOMIC_RELAXED);
			continue;
		}
		/* a full read or the bytes up to a hole, all from one pattern */
		for (i = 0; i < (size_t)n; i++)
			if (buf[i] != 0xab)
				__atomic_fetch_add(&r->bad, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&r->reads, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

/*
 * Readers and a writer never see anything but the slot's memory or a hole
 * (or, for the writer, a read-only memslot) while memslots change.
 */
TEST_F(vas, read_write_while_memslots_change)
{
	struct reader_ctx r = { .fd = self->fd };
	pthread_t threads[3];
	int i;

	memset(self->mem, 0xab, 4 * PAGE);
	memset(self->mem + 4 * PAGE, 0xcd, 4 * PAGE);
	ASSERT_EQ(0, set_memslot(self->fd, 0, 0, 0x10000, 2 * PAGE, self->mem));
	ASSERT_EQ(0, set_memslot(self->fd, 1, 0, 0x40000, 2 * PAGE, self->mem + 4 * PAGE));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, pthread_create(&threads[i], NULL,
					    i < 2 ? reader_fn : writer_fn, &r));

	for (i = 0; i < 100; i++) {
		ASSERT_EQ(0, set_memslot(self->fd, 0, 0, 0x20000, 2 * PAGE, self->mem));
		ASSERT_EQ(0, set_memslot(self->fd, 0, 0, 0x10000, 2 * PAGE, self->mem));
		ASSERT_EQ(0, set_memslot(self->fd, 0, 0, 0x11000, 2 * PAGE, self->mem));
		ASSERT_EQ(0, set_memslot(self->fd, 0, VAS_MEM_READONLY, 0x10000, 2 * PAGE,
					 self->mem));
		ASSERT_EQ(0, set_memslot(self->fd, 0, 0, 0, 0, NULL));
		ASSERT_EQ(0, set_memslot(self->fd, 0, 0, 0x10000, 2 * PAGE, self->mem));
		/* slot 1 moves next to it and away */
		ASSERT_EQ(0, set_memslot(self->fd, 1, 0, 0x12000, 2 * PAGE, self->mem + 4 * PAGE));
		ASSERT_EQ(0, set_memslot(self->fd, 1, 0, 0x40000, 2 * PAGE, self->mem + 4 * PAGE));
	}
	r.stop = 1;
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, pthread_join(threads[i], NULL));
	EXPECT_EQ(0, r.err);
	EXPECT_EQ(0, r.bad);
	EXPECT_LT(0, r.reads);
	EXPECT_LT(0, r.writes);
	/* nothing was written outside the memslots' memory */
	EXPECT_EQ(0xcd, self->mem[4 * PAGE]);
	TH_LOG("%lu reads, %lu writes, %lu holes", r.reads, r.writes, r.holes);
}

struct closer_ctx {
	int fd;
	volatile int started;
	int last_errno;
	unsigned long reads;
};

static void *big_reader_fn(void *arg)
{
	struct closer_ctx *c = arg;
	size_t len = 1 << 20;
	void *buf = malloc(len);

	for (;;) {
		c->started = 1;
		if (pread(c->fd, buf, len, 0) < 0) {
			c->last_errno = errno;
			break;
		}
		c->reads++;
	}
	free(buf);
	return NULL;
}

/* close() while another thread is inside pread(): the read finishes, later ones get EBADF. */
TEST(close_during_read)
{
	struct closer_ctx c = {};
	size_t len = 1 << 20;
	pthread_t thread;
	void *mem;

	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mem);
	memset(mem, 1, len);
	c.fd = sys_vas_create(0);
	ASSERT_LE(0, c.fd);
	ASSERT_EQ(0, set_memslot(c.fd, 0, 0, 0, len, mem));
	ASSERT_EQ(0, pthread_create(&thread, NULL, big_reader_fn, &c));
	while (!c.started)
		sched_yield();
	usleep(20000);
	ASSERT_EQ(0, close(c.fd));
	ASSERT_EQ(0, pthread_join(thread, NULL));
	EXPECT_EQ(EBADF, c.last_errno);
	munmap(mem, len);
}

/* One value through VAS_TEST_OP_READ_ONCE/WRITE_ONCE: 0 or -errno */
static int access_once(int fd, uint32_t op, uint32_t context, uint64_t gpa,
		       uint64_t *val, uint32_t size, uint32_t *path)
{
	return vas_test_access(fd, op, context, gpa, val, size, path);
}

/*
 * vas_read_once()/vas_write_once() on each path: the owner, a kernel
 * thread and another process; every size, every errno.
 */
TEST_F(vas, read_once_write_once)
{
	static const uint32_t sizes[] = { 1, 2, 4, 8 };
	uint64_t val, bitmap;
	uint32_t path, ctx;
	int i, status;
	pid_t pid;

	ASSERT_EQ(0, set_memslot(self->fd, 0, VAS_MEM_LOG_DIRTY_PAGES, 0x10000,
				 2 * PAGE, self->mem));
	ASSERT_EQ(0, set_memslot(self->fd, 1, VAS_MEM_READONLY, 0x20000, PAGE,
				 self->mem + 4 * PAGE));
	val = 0;
	if (access_once(self->fd, VAS_TEST_OP_READ_ONCE, VAS_TEST_CALLER,
			0x10000, &val, 8, NULL) == -ENOTTY)
		SKIP(return, "CONFIG_VAS_TEST is off");
	ASSERT_EQ(0, get_dirty_log(self->fd, 0, 0, &bitmap));

	for (ctx = VAS_TEST_CALLER; ctx <= VAS_TEST_KTHREAD; ctx++) {
		for (i = 0; i < 4; i++) {
			uint64_t gpa = 0x10000 + PAGE + 64 * ctx + 8 * i;
			uint64_t want = 0x8877665544332211ULL >> (64 - 8 * sizes[i]);

			val = want;
			ASSERT_EQ(0, access_once(self->fd, VAS_TEST_OP_WRITE_ONCE, ctx,
						 gpa, &val, sizes[i], &path));
			EXPECT_EQ(ctx ? VAS_TEST_PATH_KTHREAD : VAS_TEST_PATH_OWNER, path);
			EXPECT_EQ(0, memcmp(self->mem + PAGE + 64 * ctx + 8 * i, &want,
					    sizes[i]));
			val = 0;
			ASSERT_EQ(0, access_once(self->fd, VAS_TEST_OP_READ_ONCE, ctx,
						 gpa, &val, sizes[i], NULL));
			EXPECT_EQ(want, val) TH_LOG("size %u", sizes[i]);
		}
	}
	/* the writes are in the log: page 1 only */
	ASSERT_EQ(0, get_dirty_log(self->fd, 0, 0, &bitmap));
	EXPECT_EQ(1ULL << 1, bitmap);

	/* the remote path: another process holding the fd */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		uint64_t v = 0x5a5a;

		if (access_once(self->fd, VAS_TEST_OP_WRITE_ONCE, VAS_TEST_CALLER,
				0x10000 + 16, &v, 2, &path) || path != VAS_TEST_PATH_REMOTE)
			_exit(1);
		v = 0;
		if (access_once(self->fd, VAS_TEST_OP_READ_ONCE, VAS_TEST_CALLER,
				0x10000 + PAGE + 24, &v, 8, &path) ||
		    v != 0x8877665544332211ULL)
			_exit(2);
		_exit(access_once(self->fd, VAS_TEST_OP_WRITE_ONCE, VAS_TEST_CALLER,
				  0x20000, &v, 4, NULL) == -EPERM ? 0 : 3);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(0x5a5a, *(uint16_t *)(self->mem + 16));

	/* errors: size, alignment, hole, read-only memslot */
	val = 0;
	EXPECT_EQ(-EINVAL, access_once(self->fd, VAS_TEST_OP_READ_ONCE, VAS_TEST_CALLER,
				       0x10000, &val, 3, NULL));
	EXPECT_EQ(-EINVAL, access_once(self->fd, VAS_TEST_OP_READ_ONCE, VAS_TEST_CALLER,
				       0x10000, &val, 0, NULL));
	EXPECT_EQ(-EINVAL, access_once(self->fd, VAS_TEST_OP_READ_ONCE, VAS_TEST_CALLER,
				       0x10000 + 2, &val, 4, NULL));
	EXPECT_EQ(-EINVAL, access_once(self->fd, VAS_TEST_OP_WRITE_ONCE, VAS_TEST_KTHREAD,
				       0x10000 + 1, &val, 2, NULL));
	EXPECT_EQ(-EFAULT, access_once(self->fd, VAS_TEST_OP_READ_ONCE, VAS_TEST_CALLER,
				       0x10000 + 2 * PAGE, &val, 8, NULL));
	EXPECT_EQ(-EFAULT, access_once(self->fd, VAS_TEST_OP_WRITE_ONCE, VAS_TEST_KTHREAD,
				       0x8000, &val, 8, NULL));
	EXPECT_EQ(-EPERM, access_once(self->fd, VAS_TEST_OP_WRITE_ONCE, VAS_TEST_CALLER,
				      0x20000, &val, 8, NULL));
	EXPECT_EQ(0, access_once(self->fd, VAS_TEST_OP_READ_ONCE, VAS_TEST_KTHREAD,
				 0x20000, &val, 8, NULL));
	/* memory the owner unmapped */
	ASSERT_EQ(0, munmap(self->mem, PAGE));
	EXPECT_EQ(-EFAULT, access_once(self->fd, VAS_TEST_OP_READ_ONCE, VAS_TEST_CALLER,
				       0x10000, &val, 8, NULL));
	EXPECT_EQ(-EFAULT, access_once(self->fd, VAS_TEST_OP_READ_ONCE, VAS_TEST_KTHREAD,
				       0x10000, &val, 8, NULL));
}

struct flipper {
	volatile uint16_t *idx;
	volatile uint64_t *word;
	volatile int stop;
};

/* Flips a ring index and a word between all-zeros and all-ones */
static void *flip(void *arg)
{
	struct flipper *f = arg;

	while (!f->stop) {
		*f->idx = 0xffff;
		*f->word = ~0ULL;
		*f->idx = 0;
		*f->word = 0;
	}
	return NULL;
}

static int count_torn(int fd, uint32_t context, int n)
{
	uint64_t v;
	int i, torn = 0;

	for (i = 0; i < n; i++) {
		v = 0x1234;
		if (access_once(fd, VAS_TEST_OP_READ_ONCE, context, 0x10000 + 2,
				&v, 2, NULL) || (v != 0 && v != 0xffff))
			torn++;
		if (access_once(fd, VAS_TEST_OP_READ_ONCE, context, 0x10000 + 8,
				&v, 8, NULL) || (v != 0 && v != ~0ULL))
			torn++;
	}
	return torn;
}

/* A value that changes under the read is read whole, on every path. */
TEST_F(vas, read_once_never_tears)
{
	struct flipper f = { .idx = (uint16_t *)(self->mem + 2),
			     .word = (uint64_t *)(self->mem + 8) };
	pthread_t thread;
	int status;
	pid_t pid;

	ASSERT_EQ(0, set_memslot(self->fd, 0, 0, 0x10000, PAGE, self->mem));
	if (count_torn(self->fd, VAS_TEST_CALLER, 1) == 2)
		SKIP(return, "CONFIG_VAS_TEST is off");
	ASSERT_EQ(0, pthread_create(&thread, NULL, flip, &f));
	EXPECT_EQ(0, count_torn(self->fd, VAS_TEST_CALLER, 2000));
	EXPECT_EQ(0, count_torn(self->fd, VAS_TEST_KTHREAD, 200));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(count_torn(self->fd, VAS_TEST_CALLER, 500) ? 1 : 0);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	f.stop = 1;
	pthread_join(thread, NULL);
}

TEST_HARNESS_MAIN
