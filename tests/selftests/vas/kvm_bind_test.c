// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM guests on a vas: KVM_BIND_VAS and what follows from it, with real
 * x86-64 guests (kvm_guest.h) whose code is the functions below.
 *
 * The fixture makes the layout a VMM would: a vas with the boot memory as
 * memslot 0 and a data memslot, a VM bound to it, one vCPU; a test binder
 * is bound too, before KVM, so that it sees every change KVM sees and can
 * play the in-kernel backend. Each test then checks one promise: guest and
 * vas see the same memory, memslot changes reach the guest, read-only
 * memslots exit as MMIO, one dirty log holds guest and backend writes,
 * KVM refuses what it cannot take with its own errno and nothing changes,
 * every KVM_BIND_VAS error, and the lifetimes of the vas fd and the VM.
 */
#include <pthread.h>
#include <stdlib.h>
#include <linux/kvm.h>

#include "kselftest_harness.h"
#include "vas_util.h"
#include "kvm_guest.h"

#define DATA_GPA	0x40000000UL
#define DATA_PAGES	64
#define DATA_SIZE	(DATA_PAGES * PAGE)
#define OTHER_GPA	0x80000000UL
#define BOOT_SLOT	0
#define DATA_SLOT	1
/* First slot id KVM refuses: KVM_USER_MEM_SLOTS on x86 */
#define KVM_FIRST_PRIVATE_SLOT	32764

/* ------------------------------------------------------------ guest code */

GUEST_CODE uint64_t guest_fill(uint64_t gpa, uint64_t len, uint64_t seed)
{
	unsigned char *p = (unsigned char *)gpa;
	uint64_t i;

	for (i = 0; i < len; i++)
		GUEST_WRITE(&p[i], (unsigned char)(seed + i * 13 + (i >> 12)));
	return len;
}

GUEST_CODE uint64_t guest_sum(uint64_t gpa, uint64_t len, uint64_t unused)
{
	unsigned char *p = (unsigned char *)gpa;
	uint64_t i, sum = 0;

	for (i = 0; i < len; i++)
		sum = sum * 31 + GUEST_READ(&p[i]);
	return sum;
}

GUEST_CODE uint64_t guest_read64(uint64_t gpa, uint64_t unused1,
				 uint64_t unused2)
{
	return GUEST_READ((uint64_t *)gpa);
}

GUEST_CODE uint64_t guest_write64(uint64_t gpa, uint64_t value,
				  uint64_t unused)
{
	GUEST_WRITE((uint64_t *)gpa, value);
	return 0;
}

/* Counts at @gpa until the word at @stop_gpa is set: a guest that runs on */
GUEST_CODE uint64_t guest_count(uint64_t gpa, uint64_t stop_gpa,
				uint64_t unused)
{
	uint64_t *counter = (uint64_t *)gpa;

	while (!GUEST_READ((uint64_t *)stop_gpa))
		GUEST_WRITE(counter, GUEST_READ(counter) + 1);
	return GUEST_READ(counter);
}

static uint64_t host_sum(const unsigned char *p, size_t len)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < len; i++)
		sum = sum * 31 + p[i];
	return sum;
}

/* ------------------------------------------------------------ helpers */

static int bind_vas(int vm_fd, int vas_fd, unsigned int flags)
{
	struct kvm_bind_vas args = { .fd = vas_fd, .flags = flags };

	return ioctl(vm_fd, KVM_BIND_VAS, &args) ? -errno : 0;
}

/* Runs @fn in the guest; fails the test unless it returned normally. */
#define GUEST_CALL(fn, a0, a1, a2) ({					\
	uint64_t __ret = 0;						\
	ASSERT_EQ(KVM_EXIT_HLT,						\
		  kvm_guest_call(&self->g, fn, a0, a1, a2, &__ret));	\
	__ret;								\
})

/* Runs @fn in the guest and expects an MMIO exit at @gpa */
#define EXPECT_GUEST_MMIO(fn, gpa, value, write) do {		\
	uint64_t __ret;							\
	ASSERT_EQ(KVM_EXIT_MMIO,					\
		  kvm_guest_call(&self->g, fn, gpa, value, 0, &__ret));	\
	EXPECT_EQ(gpa, self->g.run->mmio.phys_addr);			\
	EXPECT_EQ(write, self->g.run->mmio.is_write);			\
	EXPECT_EQ(8, self->g.run->mmio.len);				\
} while (0)

static bool kvm_available(void)
{
	return access("/dev/kvm", R_OK | W_OK) == 0;
}

/* ------------------------------------------------------------ fixture */

FIXTURE(kvm_vas) {
	int fd;
	int bfd;
	unsigned char *boot;
	unsigned char *data;
	struct kvm_guest g;
};

FIXTURE_SETUP(kvm_vas)
{
	self->bfd = -1;
	self->g.vm_fd = -1;
	if (!kvm_available())
		SKIP(return, "no /dev/kvm");
	self->fd = sys_vas_create(0);
	ASSERT_LE(0, self->fd);
	self->boot = mmap(NULL, KVM_GUEST_BOOT_SIZE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	self->data = mmap(NULL, DATA_SIZE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->boot);
	ASSERT_NE(MAP_FAILED, self->data);
	ASSERT_EQ(0, set_memslot(self->fd, BOOT_SLOT, 0, 0, KVM_GUEST_BOOT_SIZE,
				 self->boot));
	ASSERT_EQ(0, set_memslot(self->fd, DATA_SLOT, VAS_MEM_LOG_DIRTY_PAGES,
				 DATA_GPA, DATA_SIZE, self->data));
	self->bfd = vas_test_bind(self->fd);
	ASSERT_LE(0, self->bfd);

	ASSERT_EQ(0, kvm_guest_open(&self->g));
	ASSERT_EQ(1, ioctl(self->g.vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_VAS));
	ASSERT_EQ(0, kvm_guest_setup_boot(&self->g, self->boot));
	ASSERT_EQ(0, bind_vas(self->g.vm_fd, self->fd, 0));
	ASSERT_EQ(0, kvm_guest_create_vcpu(&self->g));
}

FIXTURE_TEARDOWN(kvm_vas)
{
	if (self->g.vm_fd >= 0)
		kvm_guest_close(&self->g);
	if (self->bfd >= 0)
		close(self->bfd);
	if (self->fd >= 0)
		close(self->fd);
}

/* Guest writes are what pread and a binder's vas_read() see, and back. */
TEST_F(kvm_vas, guest_and_vas_share_memory)
{
	unsigned char expect[DATA_SIZE], buf[DATA_SIZE];

	fill(expect, DATA_SIZE, 0x5a);
	EXPECT_EQ(DATA_SIZE, GUEST_CALL(guest_fill, DATA_GPA, DATA_SIZE, 0x5a));
	ASSERT_EQ(DATA_SIZE, pread(self->fd, buf, DATA_SIZE, DATA_GPA));
	EXPECT_EQ(0, memcmp(expect, buf, DATA_SIZE));
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(0, binder_cmd(self->bfd, VAS_TEST_BINDER_READ, 0, DATA_GPA,
				DATA_SIZE, buf));
	EXPECT_EQ(0, memcmp(expect, buf, DATA_SIZE));

	fill(expect, DATA_SIZE, 0x33);
	ASSERT_EQ(DATA_SIZE, pwrite(self->fd, expect, DATA_SIZE, DATA_GPA));
	EXPECT_EQ(host_sum(expect, DATA_SIZE),
		  GUEST_CALL(guest_sum, DATA_GPA, DATA_SIZE, 0));
	fill(expect, PAGE, 0x71);
	ASSERT_EQ(0, binder_cmd(self->bfd, VAS_TEST_BINDER_WRITE, 0,
				DATA_GPA + PAGE, PAGE, expect));
	EXPECT_EQ(host_sum(expect, PAGE),
		  GUEST_CALL(guest_sum, DATA_GPA + PAGE, PAGE, 0));
}

/* A memslot added, moved and deleted while the VM exists */
TEST_F(kvm_vas, memslot_add_move_delete)
{
	unsigned char *mem = self->data;
	uint64_t value = 0x1122334455667788ULL;

	EXPECT_GUEST_MMIO(guest_read64, OTHER_GPA, 0, 0);

	memcpy(mem + 8 * PAGE, &value, sizeof(value));
	ASSERT_EQ(0, set_memslot(self->fd, 2, 0, OTHER_GPA, PAGE, mem + 8 * PAGE));
	EXPECT_EQ(value, GUEST_CALL(guest_read64, OTHER_GPA, 0, 0));

	ASSERT_EQ(0, set_memslot(self->fd, 2, 0, OTHER_GPA + 16 * PAGE, PAGE,
				 mem + 8 * PAGE));
	EXPECT_EQ(value, GUEST_CALL(guest_read64, OTHER_GPA + 16 * PAGE, 0, 0));
	EXPECT_GUEST_MMIO(guest_read64, OTHER_GPA, 0, 0);
	GUEST_CALL(guest_write64, OTHER_GPA + 16 * PAGE, ~value, 0);
	EXPECT_EQ(~value, *(uint64_t *)(mem + 8 * PAGE));

	ASSERT_EQ(0, set_memslot(self->fd, 2, 0, 0, 0, NULL));
	EXPECT_GUEST_MMIO(guest_read64, OTHER_GPA + 16 * PAGE, 0, 0);
	/* the neighbour did not move */
	EXPECT_EQ(*(uint64_t *)mem, GUEST_CALL(guest_read64, DATA_GPA, 0, 0));
}

/* A read-only memslot: reads work, writes exit to userspace as MMIO. */
TEST_F(kvm_vas, readonly_memslot_write_exits_as_mmio)
{
	uint64_t value = 0xfeedfacecafebeefULL;

	memcpy(self->data + 4 * PAGE, &value, sizeof(value));
	ASSERT_EQ(0, set_memslot(self->fd, 2, VAS_MEM_READONLY, OTHER_GPA, PAGE,
				 self->data + 4 * PAGE));
	EXPECT_EQ(value, GUEST_CALL(guest_read64, OTHER_GPA, 0, 0));
	EXPECT_GUEST_MMIO(guest_write64, OTHER_GPA, 0x42, 1);
	EXPECT_EQ(0x42, *(uint64_t *)self->g.run->mmio.data);
	EXPECT_EQ(value, *(uint64_t *)(self->data + 4 * PAGE));

	/*
	 * KVM cannot flip a memslot's read-only flag in place: it vetoes with
	 * its errno and the memslot stays read-only, in the vas too.
	 */
	EXPECT_EQ(-EINVAL, set_memslot(self->fd, 2, 0, OTHER_GPA, PAGE,
				       self->data + 4 * PAGE));
	EXPECT_EQ(-EPERM, pwrite(self->fd, &value, 8, OTHER_GPA) < 0 ? -errno : 0);
	EXPECT_GUEST_MMIO(guest_write64, OTHER_GPA, 0x43, 1);
	/* deleted and created again writable, the write reaches memory */
	ASSERT_EQ(0, set_memslot(self->fd, 2, 0, 0, 0, NULL));
	ASSERT_EQ(0, set_memslot(self->fd, 2, 0, OTHER_GPA, PAGE,
				 self->data + 4 * PAGE));
	GUEST_CALL(guest_write64, OTHER_GPA, 0x44, 0);
	EXPECT_EQ(0x44, *(uint64_t *)(self->data + 4 * PAGE));
}

static int dirty_pages(uint64_t *bitmap, int npages, int *list)
{
	int i, n = 0;

	for (i = 0; i < npages; i++)
		if (bitmap[i / 64] & (1ULL << (i % 64)))
			list[n++] = i;
	return n;
}

/* One VAS_GET_DIRTY_LOG returns the guest's writes and the backend's. */
TEST_F(kvm_vas, one_dirty_log_for_guest_and_backend)
{
	static const int guest_pages[] = { 0, 5, 9, 63 };
	static const int binder_pages[] = { 2, 40, 41 };
	uint64_t bitmap[DATA_PAGES / 64];
	int list[DATA_PAGES], n, i;
	unsigned char byte = 1;

	/* start from a clean log: the fixture wrote nothing yet */
	ASSERT_EQ(0, get_dirty_log(self->fd, DATA_SLOT, 0, bitmap));
	EXPECT_EQ(0, dirty_pages(bitmap, DATA_PAGES, list));

	for (i = 0; i < ARRAY_SIZE(guest_pages); i++)
		GUEST_CALL(guest_write64, DATA_GPA + guest_pages[i] * PAGE + 8, i, 0);
	for (i = 0; i < ARRAY_SIZE(binder_pages); i++)
		ASSERT_EQ(0, binder_cmd(self->bfd, VAS_TEST_BINDER_WRITE, 0,
					DATA_GPA + binder_pages[i] * PAGE, 1, &byte));
	/* reads are not writes */
	GUEST_CALL(guest_sum, DATA_GPA + 20 * PAGE, 4 * PAGE, 0);

	ASSERT_EQ(0, get_dirty_log(self->fd, DATA_SLOT, 0, bitmap));
	n = dirty_pages(bitmap, DATA_PAGES, list);
	ASSERT_EQ(ARRAY_SIZE(guest_pages) + ARRAY_SIZE(binder_pages), n);
	EXPECT_EQ(0, list[0]);
	EXPECT_EQ(2, list[1]);
	EXPECT_EQ(5, list[2]);
	EXPECT_EQ(9, list[3]);
	EXPECT_EQ(40, list[4]);
	EXPECT_EQ(41, list[5]);
	EXPECT_EQ(63, list[6]);

	/* harvested: logging is armed again for the same pages */
	ASSERT_EQ(0, get_dirty_log(self->fd, DATA_SLOT, 0, bitmap));
	EXPECT_EQ(0, dirty_pages(bitmap, DATA_PAGES, list));
	GUEST_CALL(guest_write64, DATA_GPA + 5 * PAGE, 7, 0);
	ASSERT_EQ(0, get_dirty_log(self->fd, DATA_SLOT, 0, bitmap));
	ASSERT_EQ(1, dirty_pages(bitmap, DATA_PAGES, list));
	EXPECT_EQ(5, list[0]);

	/* guest writes logged before a move are not lost by it */
	GUEST_CALL(guest_write64, DATA_GPA + 6 * PAGE, 7, 0);
	ASSERT_EQ(0, set_memslot(self->fd, DATA_SLOT, VAS_MEM_LOG_DIRTY_PAGES,
				 OTHER_GPA, DATA_SIZE, self->data));
	GUEST_CALL(guest_write64, OTHER_GPA + 7 * PAGE, 7, 0);
	ASSERT_EQ(0, get_dirty_log(self->fd, DATA_SLOT, 0, bitmap));
	ASSERT_EQ(2, dirty_pages(bitmap, DATA_PAGES, list));
	EXPECT_EQ(6, list[0]);
	EXPECT_EQ(7, list[1]);
}

/* KVM's dirty log ioctls and memslot ioctls are the vas's job now. */
TEST_F(kvm_vas, kvm_memslot_and_log_ioctls_busy)
{
	struct kvm_userspace_memory_region2 region2 = {
		.slot = 5, .guest_phys_addr = OTHER_GPA, .memory_size = PAGE,
		.userspace_addr = (uintptr_t)self->data,
	};
	uint64_t bitmap[DATA_PAGES / 64];
	struct kvm_dirty_log log = { .slot = DATA_SLOT, .dirty_bitmap = bitmap };
	struct kvm_clear_dirty_log clear = {
		.slot = DATA_SLOT, .num_pages = 64, .dirty_bitmap = bitmap,
	};

	EXPECT_EQ(-EBUSY, kvm_guest_set_memory_region(self->g.vm_fd, 5, 0,
						      OTHER_GPA, PAGE,
						      self->data));
	EXPECT_EQ(-EBUSY, kvm_guest_set_memory_region(self->g.vm_fd, DATA_SLOT,
						      0, 0, 0, NULL));
	EXPECT_EQ(-1, ioctl(self->g.vm_fd, KVM_SET_USER_MEMORY_REGION2, &region2));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(-1, ioctl(self->g.vm_fd, KVM_GET_DIRTY_LOG, &log));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(-1, ioctl(self->g.vm_fd, KVM_CLEAR_DIRTY_LOG, &clear));
	EXPECT_EQ(EBUSY, errno);
	/* and nothing changed */
	EXPECT_GUEST_MMIO(guest_read64, OTHER_GPA, 0, 0);
	EXPECT_EQ(*(uint64_t *)self->data, GUEST_CALL(guest_read64, DATA_GPA, 0, 0));
}

/*
 * A change KVM cannot take fails VAS_SET_MEMSLOT with KVM's errno; the
 * vas and the other binder are unchanged (the binder got ->abort).
 */
TEST_F(kvm_vas, kvm_veto_leaves_everything_unchanged)
{
	struct vas_test_event ev[8];
	unsigned char buf[8];

	while (binder_events(self->bfd, ev, 8) > 0)
		;
	/* the vas alone takes ids up to 32767; KVM's user slots end below */
	EXPECT_EQ(-EINVAL, set_memslot(self->fd, KVM_FIRST_PRIVATE_SLOT, 0,
				       OTHER_GPA, PAGE, self->data));
	EXPECT_EQ(-EFAULT, pread(self->fd, buf, 8, OTHER_GPA) < 0 ? -errno : 0);
	ASSERT_EQ(2, binder_events(self->bfd, ev, 8));
	EXPECT_EQ(VAS_TEST_EVENT_PREPARE, ev[0].type);
	EXPECT_EQ(VAS_TEST_EVENT_ABORT, ev[1].type);
	EXPECT_EQ(KVM_FIRST_PRIVATE_SLOT, ev[1].slot);
	EXPECT_GUEST_MMIO(guest_read64, OTHER_GPA, 0, 0);
	/* the guest still runs on the rest */
	EXPECT_EQ(*(uint64_t *)self->data, GUEST_CALL(guest_read64, DATA_GPA, 0, 0));
}

/*
 * KVM applies a change when it is asked, so it is asked last: a binder
 * bound after KVM that vetoes a change stops it before KVM sees it. The
 * guest never runs on the vetoed layout, and a vetoed delete or logging
 * off loses none of the guest writes KVM logged.
 */
TEST_F(kvm_vas, other_binder_veto_never_reaches_kvm)
{
	uint64_t value = 0x0123456789abcdefULL, bitmap[DATA_PAGES / 64];
	int vetoer, list[DATA_PAGES];

	memcpy(self->data + 3 * PAGE, &value, sizeof(value));
	/*
	 * The guest's first touch of a page of a logging memslot maps it
	 * writable, which KVM logs: touch it before the log is cleared.
	 */
	EXPECT_EQ(value, GUEST_CALL(guest_read64, DATA_GPA + 3 * PAGE, 0, 0));
	ASSERT_EQ(0, get_dirty_log(self->fd, DATA_SLOT, 0, bitmap));
	GUEST_CALL(guest_write64, DATA_GPA + 10 * PAGE, 1, 0);
	GUEST_CALL(guest_write64, DATA_GPA + 12 * PAGE, 2, 0);

	vetoer = vas_test_bind(self->fd);
	ASSERT_LE(0, vetoer);
	ASSERT_EQ(0, binder_cmd(vetoer, VAS_TEST_BINDER_SET_VETO, ENOSPC, 0, 0,
				NULL));
	EXPECT_EQ(-ENOSPC, set_memslot(self->fd, 2, 0, OTHER_GPA, PAGE,
				       self->data + 3 * PAGE));
	EXPECT_GUEST_MMIO(guest_read64, OTHER_GPA, 0, 0);
	/* a vetoed delete, move and logging off leave the memslot as it was */
	EXPECT_EQ(-ENOSPC, set_memslot(self->fd, DATA_SLOT, 0, 0, 0, NULL));
	EXPECT_EQ(-ENOSPC, set_memslot(self->fd, DATA_SLOT, VAS_MEM_LOG_DIRTY_PAGES,
				       OTHER_GPA, DATA_SIZE, self->data));
	EXPECT_EQ(-ENOSPC, set_memslot(self->fd, DATA_SLOT, 0, DATA_GPA, DATA_SIZE,
				       self->data));
	EXPECT_EQ(value, GUEST_CALL(guest_read64, DATA_GPA + 3 * PAGE, 0, 0));
	EXPECT_GUEST_MMIO(guest_read64, OTHER_GPA, 0, 0);
	/* the guest's writes from before are all still in the log */
	ASSERT_EQ(0, get_dirty_log(self->fd, DATA_SLOT, 0, bitmap));
	ASSERT_EQ(2, dirty_pages(bitmap, DATA_PAGES, list));
	EXPECT_EQ(10, list[0]);
	EXPECT_EQ(12, list[1]);
	/* and logging still works */
	GUEST_CALL(guest_write64, DATA_GPA + 13 * PAGE, 3, 0);
	ASSERT_EQ(0, get_dirty_log(self->fd, DATA_SLOT, 0, bitmap));
	ASSERT_EQ(1, dirty_pages(bitmap, DATA_PAGES, list));
	EXPECT_EQ(13, list[0]);

	close(vetoer);
	ASSERT_EQ(0, set_memslot(self->fd, 2, 0, OTHER_GPA, PAGE,
				 self->data + 3 * PAGE));
	EXPECT_EQ(value, GUEST_CALL(guest_read64, OTHER_GPA, 0, 0));
}

/*
 * The harvest reaches the last word of KVM's bitmap, also a partial one:
 * a memslot of 70 pages has a second word with 6 pages in it.
 */
TEST_F(kvm_vas, harvest_reaches_the_last_bitmap_word)
{
	uint64_t bitmap[2] = { 0, 0 };
	unsigned char *mem;
	int list[70];

	mem = mmap(NULL, 70 * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mem);
	ASSERT_EQ(0, set_memslot(self->fd, 2, VAS_MEM_LOG_DIRTY_PAGES, OTHER_GPA,
				 70 * PAGE, mem));
	GUEST_CALL(guest_write64, OTHER_GPA + 69 * PAGE + 8, 1, 0);
	GUEST_CALL(guest_write64, OTHER_GPA + 64 * PAGE, 2, 0);
	GUEST_CALL(guest_write64, OTHER_GPA + 63 * PAGE, 3, 0);
	ASSERT_EQ(0, get_dirty_log(self->fd, 2, 0, bitmap));
	ASSERT_EQ(3, dirty_pages(bitmap, 70, list));
	EXPECT_EQ(63, list[0]);
	EXPECT_EQ(64, list[1]);
	EXPECT_EQ(69, list[2]);
	EXPECT_EQ(1, *(uint64_t *)(mem + 69 * PAGE + 8));
	ASSERT_EQ(0, set_memslot(self->fd, 2, 0, 0, 0, NULL));
	munmap(mem, 70 * PAGE);
}

/* Logging needs KVM's bitmap; a VM logging into a dirty ring refuses it. */
TEST(kvm_vas_dirty_ring_refuses_logging)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_DIRTY_LOG_RING };
	unsigned char *mem;
	struct kvm_guest g;
	int fd;

	if (!kvm_available())
		SKIP(return, "no /dev/kvm");
	mem = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mem);
	fd = sys_vas_create(0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kvm_guest_open(&g));
	if (ioctl(g.vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_DIRTY_LOG_RING) <= 0) {
		kvm_guest_close(&g);
		SKIP(return, "no dirty ring");
	}
	cap.args[0] = 64 * 1024;
	ASSERT_EQ(0, ioctl(g.vm_fd, KVM_ENABLE_CAP, &cap));
	ASSERT_EQ(0, bind_vas(g.vm_fd, fd, 0));
	EXPECT_EQ(-EOPNOTSUPP, set_memslot(fd, 0, VAS_MEM_LOG_DIRTY_PAGES, 0,
					   PAGE, mem));
	EXPECT_EQ(0, set_memslot(fd, 0, 0, 0, PAGE, mem));
	EXPECT_EQ(-EOPNOTSUPP, set_memslot(fd, 0, VAS_MEM_LOG_DIRTY_PAGES, 0,
					   PAGE, mem));
	kvm_guest_close(&g);
	close(fd);

	/* bound first, with a memslot that logs: the ring is refused */
	fd = sys_vas_create(0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kvm_guest_open(&g));
	ASSERT_EQ(0, bind_vas(g.vm_fd, fd, 0));
	ASSERT_EQ(0, set_memslot(fd, 0, VAS_MEM_LOG_DIRTY_PAGES, 0, PAGE, mem));
	EXPECT_EQ(-1, ioctl(g.vm_fd, KVM_ENABLE_CAP, &cap));
	EXPECT_EQ(EBUSY, errno);
	cap.cap = KVM_CAP_DIRTY_LOG_RING_ACQ_REL;
	EXPECT_EQ(-1, ioctl(g.vm_fd, KVM_ENABLE_CAP, &cap));
	EXPECT_EQ(EBUSY, errno);
	kvm_guest_close(&g);
	close(fd);
}

/* Every way KVM_BIND_VAS can fail, on a VM of its own each */
TEST(kvm_bind_vas_errors)
{
	struct kvm_guest g, g2;
	unsigned char *mem;
	int fd, fd2, vcpu, sv[2];
	pid_t owner;

	if (!kvm_available())
		SKIP(return, "no /dev/kvm");
	mem = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mem);
	fd = sys_vas_create(0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kvm_guest_open(&g));

	EXPECT_EQ(-EINVAL, bind_vas(g.vm_fd, fd, 1));
	EXPECT_EQ(-EBADF, bind_vas(g.vm_fd, 9999, 0));
	EXPECT_EQ(-EBADF, bind_vas(g.vm_fd, -1, 0));
	EXPECT_EQ(-EINVAL, bind_vas(g.vm_fd, g.kvm_fd, 0));
	EXPECT_EQ(-1, ioctl(g.vm_fd, KVM_BIND_VAS, (void *)8));
	EXPECT_EQ(EFAULT, errno);

	/* a VM with a memslot of its own */
	ASSERT_EQ(0, kvm_guest_set_memory_region(g.vm_fd, 0, 0, 0, PAGE, mem));
	EXPECT_EQ(-EBUSY, bind_vas(g.vm_fd, fd, 0));
	ASSERT_EQ(0, kvm_guest_set_memory_region(g.vm_fd, 0, 0, 0, 0, mem));
	EXPECT_EQ(0, bind_vas(g.vm_fd, fd, 0));
	/* bound twice; the vas bound to a second VM */
	EXPECT_EQ(-EBUSY, bind_vas(g.vm_fd, fd, 0));
	ASSERT_EQ(0, kvm_guest_open(&g2));
	EXPECT_EQ(-EBUSY, bind_vas(g2.vm_fd, fd, 0));

	/* a VM with a vCPU */
	fd2 = sys_vas_create(0);
	ASSERT_LE(0, fd2);
	vcpu = ioctl(g2.vm_fd, KVM_CREATE_VCPU, 0);
	ASSERT_LE(0, vcpu);
	EXPECT_EQ(-EBUSY, bind_vas(g2.vm_fd, fd2, 0));
	close(vcpu);
	kvm_guest_close(&g2);

	/* another process's vas */
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	owner = fork_vas_owner(sv, 0, 0xaa);
	ASSERT_LT(0, owner);
	close(fd2);
	fd2 = recv_fd(sv[0]);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, kvm_guest_open(&g2));
	EXPECT_EQ(-EPERM, bind_vas(g2.vm_fd, fd2, 0));
	EXPECT_EQ(0, finish_vas_owner(sv, owner, 0, 0xaa));
	close(fd2);

	/* a vas with a memslot KVM refuses: nothing of the vas stays in KVM */
	fd2 = sys_vas_create(0);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, set_memslot(fd2, 0, 0, 0, PAGE, mem));
	ASSERT_EQ(0, set_memslot(fd2, KVM_FIRST_PRIVATE_SLOT, 0, PAGE, PAGE,
				 mem + PAGE));
	EXPECT_EQ(-EINVAL, bind_vas(g2.vm_fd, fd2, 0));
	EXPECT_EQ(0, kvm_guest_set_memory_region(g2.vm_fd, 1, 0, 0, PAGE,
						 mem + 2 * PAGE));
	kvm_guest_close(&g2);
	close(fd2);

	kvm_guest_close(&g);
	close(fd);
}

struct counting_guest {
	struct kvm_guest *g;
	uint64_t ret;
	int exit_reason;
};

#define COUNTER_PAGE	10
#define STOP_PAGE	11

static void *run_counting_guest(void *arg)
{
	struct counting_guest *c = arg;

	c->exit_reason = kvm_guest_call(c->g, guest_count,
					DATA_GPA + COUNTER_PAGE * PAGE,
					DATA_GPA + STOP_PAGE * PAGE, 0, &c->ret);
	return NULL;
}

/* Waits until the guest's counter moves past @from; returns its value. */
static uint64_t counter_moves(uint64_t *counter, uint64_t from)
{
	int i;

	for (i = 0; i < 10000 && GUEST_READ(counter) <= from; i++)
		usleep(1000);
	return GUEST_READ(counter);
}

/* The VM holds the vas: closing the vas fd while the guest runs is fine. */
TEST_F(kvm_vas, close_vas_fd_while_guest_runs)
{
	uint64_t *counter = (uint64_t *)(self->data + COUNTER_PAGE * PAGE);
	uint64_t *stop = (uint64_t *)(self->data + STOP_PAGE * PAGE);
	struct counting_guest c = { .g = &self->g };
	pthread_t thread;
	uint64_t seen;

	ASSERT_EQ(0, pthread_create(&thread, NULL, run_counting_guest, &c));
	seen = counter_moves(counter, 0);
	ASSERT_LT(0, seen);
	close(self->bfd);
	self->bfd = -1;
	close(self->fd);
	self->fd = -1;
	/* still counting, into the same memory */
	seen = counter_moves(counter, seen);
	GUEST_WRITE(stop, 1);
	ASSERT_EQ(0, pthread_join(thread, NULL));
	ASSERT_EQ(KVM_EXIT_HLT, c.exit_reason);
	EXPECT_LT(seen, c.ret);
	EXPECT_EQ(c.ret, GUEST_READ(counter));
	/* and it runs again afterwards */
	EXPECT_EQ(c.ret, GUEST_CALL(guest_read64, DATA_GPA + COUNTER_PAGE * PAGE,
				    0, 0));
}

/*
 * Destroying the VM unbinds it: the binder still reaches guest memory and
 * the vas takes memslots KVM would have refused.
 */
TEST_F(kvm_vas, destroy_vm_while_binder_holds_vas)
{
	unsigned char buf[PAGE], expect[PAGE];

	GUEST_CALL(guest_fill, DATA_GPA, PAGE, 9);
	kvm_guest_close(&self->g);
	self->g.vm_fd = -1;
	close(self->fd);
	self->fd = -1;

	fill(expect, PAGE, 9);
	ASSERT_EQ(0, binder_cmd(self->bfd, VAS_TEST_BINDER_READ, 0, DATA_GPA,
				PAGE, buf));
	EXPECT_EQ(0, memcmp(expect, buf, PAGE));
}

TEST_F(kvm_vas, destroyed_vm_vetoes_nothing)
{
	kvm_guest_close(&self->g);
	self->g.vm_fd = -1;
	EXPECT_EQ(0, set_memslot(self->fd, KVM_FIRST_PRIVATE_SLOT, 0, OTHER_GPA,
				 PAGE, self->data));
	/* and the vas can be bound to a new VM, here with a refused memslot */
	ASSERT_EQ(0, kvm_guest_open(&self->g));
	EXPECT_EQ(-EINVAL, bind_vas(self->g.vm_fd, self->fd, 0));
	ASSERT_EQ(0, set_memslot(self->fd, KVM_FIRST_PRIVATE_SLOT, 0, 0, 0, NULL));
	EXPECT_EQ(0, bind_vas(self->g.vm_fd, self->fd, 0));
}

TEST_HARNESS_MAIN
