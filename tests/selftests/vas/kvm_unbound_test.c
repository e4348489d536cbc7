// SPDX-License-Identifier: GPL-2.0-only
/*
 * Real KVM guests on an ordinary VM, whose memory is user memory registered
 * with KVM_SET_USER_MEMORY_REGION: guest and host see each other's writes;
 * writes to a read-only slot, accesses outside every slot and accesses to a
 * deleted slot exit to userspace as MMIO; a moved slot shows the same
 * memory at its new address; guest exceptions are reported, a triple fault
 * exits as a shutdown, and the vCPU goes on with the next call after any of
 * these. This guards plain KVM against regressions and tests the
 * kvm_guest.h harness itself.
 */
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "kvm_guest.h"

#define BOOT_SLOT	0
#define DATA_SLOT	1
#define RO_SLOT		2
#define DATA_GPA	0x10000000ULL
#define RO_GPA		0x20000000ULL
#define MOVED_GPA	0x30000000ULL
/* In the identity map but in no memslot */
#define HOLE_GPA	0x40000000ULL
/* Beyond the identity map: a page fault */
#define UNMAPPED_GVA	(KVM_GUEST_MAPPED_SIZE + 0x1234)
#define SLOT_SIZE	0x10000UL
#define SLOT_WORDS	(SLOT_SIZE / 8)
#define GOLDEN		0x9e3779b97f4a7c15ULL

static const uint64_t guest_table[] = { 3, 1, 4, 1, 5, 9, 2, 6 };

GUEST_CODE static uint64_t guest_fill(uint64_t gpa, uint64_t words,
				      uint64_t seed)
{
	uint64_t *p = (uint64_t *)gpa;
	uint64_t i;

	for (i = 0; i < words; i++)
		GUEST_WRITE(&p[i], seed ^ (i * GOLDEN));
	return words;
}

GUEST_CODE static uint64_t guest_sum(uint64_t gpa, uint64_t words,
				     uint64_t unused)
{
	uint64_t *p = (uint64_t *)gpa;
	uint64_t i, sum = 0;

	for (i = 0; i < words; i++)
		sum += GUEST_READ(&p[i]) * (i + 1);
	return sum;
}

GUEST_CODE static uint64_t guest_write32(uint64_t gpa, uint64_t val,
					 uint64_t unused)
{
	GUEST_WRITE((uint32_t *)gpa, (uint32_t)val);
	return 1;
}

GUEST_CODE static uint64_t guest_read64(uint64_t gpa, uint64_t unused1,
					uint64_t unused2)
{
	return GUEST_READ((uint64_t *)gpa);
}

GUEST_CODE static uint64_t guest_mix(uint64_t a, uint64_t b, uint64_t c)
{
	return a * 3 + (b << 7) - c;
}

/* Reads the binary's rodata, as copied into the guest */
GUEST_CODE static uint64_t guest_table_sum(uint64_t scale, uint64_t unused1,
					   uint64_t unused2)
{
	uint64_t i, sum = 0;

	for (i = 0; i < ARRAY_SIZE(guest_table); i++)
		sum = sum * 10 + GUEST_READ(&guest_table[i]) * scale;
	return sum;
}

/* libc's string functions, whatever SIMD variant the host selected */
GUEST_CODE static uint64_t guest_libc(uint64_t dst, uint64_t src,
				      uint64_t len)
{
	memcpy((void *)dst, (void *)src, len);
	memset((void *)src, 0x5a, len);
	return memcmp((void *)dst, (void *)src, len) != 0;
}

GUEST_CODE static uint64_t guest_ud2(uint64_t unused0, uint64_t unused1,
				     uint64_t unused2)
{
	asm volatile("ud2");
	return 0;
}

/* With an empty IDT, #UD becomes #GP, #DF, then a triple fault */
GUEST_CODE static uint64_t guest_triple_fault(uint64_t unused0,
					      uint64_t unused1,
					      uint64_t unused2)
{
	/* Limit and base: all zeroes */
	uint64_t idtr[2] = { 0, 0 };

	asm volatile("lidt %0\n\tud2" : : "m" (idtr));
	return 0;
}

static uint64_t host_sum(const uint64_t *p, uint64_t words)
{
	uint64_t i, sum = 0;

	for (i = 0; i < words; i++)
		sum += p[i] * (i + 1);
	return sum;
}

FIXTURE(kvm) {
	struct kvm_guest g;
	void *boot;
	uint64_t *data;
	uint64_t *ro;
	char why[128];
};

FIXTURE_SETUP(kvm)
{
	int ret;

	self->boot = mmap(NULL, KVM_GUEST_BOOT_SIZE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->boot);
	self->data = mmap(NULL, SLOT_SIZE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->data);
	self->ro = mmap(NULL, SLOT_SIZE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->ro);

	ret = kvm_guest_open(&self->g);
	if (ret == -ENOENT || ret == -ENODEV)
		SKIP(return, "no /dev/kvm");
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, kvm_guest_set_memory_region(self->g.vm_fd, BOOT_SLOT, 0, 0,
						 KVM_GUEST_BOOT_SIZE, self->boot));
	ASSERT_EQ(0, kvm_guest_set_memory_region(self->g.vm_fd, DATA_SLOT, 0, DATA_GPA,
						 SLOT_SIZE, self->data));
	ASSERT_EQ(0, kvm_guest_setup_boot(&self->g, self->boot));
	ret = kvm_guest_create_vcpu(&self->g);
	ASSERT_EQ(0, ret)
		TH_LOG("%s", ret == -EOPNOTSUPP ?
		       "no TSC frequency (see dmesg): KVM cannot run guests" :
		       strerror(-ret));
}

FIXTURE_TEARDOWN(kvm)
{
	kvm_guest_close(&self->g);
	munmap(self->boot, KVM_GUEST_BOOT_SIZE);
	munmap(self->data, SLOT_SIZE);
	munmap(self->ro, SLOT_SIZE);
}

#define CALL(fn, a0, a1, a2, ret) \
	kvm_guest_call(&self->g, fn, a0, a1, a2, ret)
#define WHY	kvm_guest_describe(&self->g, self->why, sizeof(self->why))

TEST_F(kvm, guest_writes_host_reads)
{
	uint64_t i, ret = 0;

	ASSERT_EQ(KVM_EXIT_HLT, CALL(guest_fill, DATA_GPA, SLOT_WORDS, 0x77, &ret))
		TH_LOG("%s", WHY);
	ASSERT_EQ(SLOT_WORDS, ret);
	for (i = 0; i < SLOT_WORDS; i++) {
		ASSERT_EQ(0x77 ^ (i * GOLDEN), self->data[i])
			TH_LOG("word %llu", (unsigned long long)i);
	}
}

TEST_F(kvm, host_writes_guest_reads)
{
	uint64_t i, ret = 0;

	for (i = 0; i < SLOT_WORDS; i++)
		self->data[i] = i * i + 0x1234567;
	ASSERT_EQ(KVM_EXIT_HLT, CALL(guest_sum, DATA_GPA, SLOT_WORDS, 0, &ret))
		TH_LOG("%s", WHY);
	ASSERT_EQ(host_sum(self->data, SLOT_WORDS), ret);
	ASSERT_EQ(KVM_EXIT_HLT, CALL(guest_read64, DATA_GPA + SLOT_SIZE - 8,
				     0, 0, &ret));
	ASSERT_EQ(self->data[SLOT_WORDS - 1], ret);

	/* A change between two calls is seen by the second */
	self->data[5] = 0xfeedfacecafef00dULL;
	ASSERT_EQ(KVM_EXIT_HLT, CALL(guest_read64, DATA_GPA + 5 * 8, 0, 0, &ret));
	ASSERT_EQ(0xfeedfacecafef00dULL, ret);
}

TEST_F(kvm, readonly_slot)
{
	struct kvm_run *run = self->g.run;
	uint64_t ret = 0;
	uint32_t val;

	if (ioctl(self->g.kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_READONLY_MEM) <= 0)
		SKIP(return, "no KVM_CAP_READONLY_MEM");
	self->ro[1] = 0x0123456789abcdefULL;
	self->ro[0x20] = 0x1111111111111111ULL;
	ASSERT_EQ(0, kvm_guest_set_memory_region(self->g.vm_fd, RO_SLOT,
						 KVM_MEM_READONLY, RO_GPA,
						 SLOT_SIZE, self->ro));

	ASSERT_EQ(KVM_EXIT_HLT, CALL(guest_read64, RO_GPA + 8, 0, 0, &ret))
		TH_LOG("%s", WHY);
	ASSERT_EQ(0x0123456789abcdefULL, ret);

	ASSERT_EQ(KVM_EXIT_MMIO, CALL(guest_write32, RO_GPA + 0x104, 0xdeadbeef,
				      0, &ret))
		TH_LOG("%s", WHY);
	ASSERT_EQ(RO_GPA + 0x104, run->mmio.phys_addr);
	ASSERT_EQ(4, run->mmio.len);
	ASSERT_EQ(1, run->mmio.is_write);
	memcpy(&val, run->mmio.data, sizeof(val));
	ASSERT_EQ(0xdeadbeef, val);
	/* The write did not reach the memory */
	ASSERT_EQ(0x1111111111111111ULL, self->ro[0x20]);

	/* The vCPU goes on with the next call */
	ASSERT_EQ(KVM_EXIT_HLT, CALL(guest_read64, RO_GPA + 0x100, 0, 0, &ret))
		TH_LOG("%s", WHY);
	ASSERT_EQ(0x1111111111111111ULL, ret);
}

TEST_F(kvm, outside_every_slot)
{
	struct kvm_run *run = self->g.run;
	uint64_t val = 0x1122334455667788ULL, ret = 0;

	ASSERT_EQ(KVM_EXIT_MMIO, CALL(guest_read64, HOLE_GPA + 0x18, 0, 0, &ret))
		TH_LOG("%s", WHY);
	ASSERT_EQ(HOLE_GPA + 0x18, run->mmio.phys_addr);
	ASSERT_EQ(8, run->mmio.len);
	ASSERT_EQ(0, run->mmio.is_write);

	/* What userspace answers is what the guest reads */
	memcpy(run->mmio.data, &val, sizeof(val));
	ASSERT_EQ(KVM_EXIT_HLT, kvm_guest_resume(&self->g, &ret))
		TH_LOG("%s", WHY);
	ASSERT_EQ(val, ret);

	ASSERT_EQ(KVM_EXIT_MMIO, CALL(guest_write32, HOLE_GPA, 0xabcd, 0, &ret))
		TH_LOG("%s", WHY);
	ASSERT_EQ(HOLE_GPA, run->mmio.phys_addr);
	ASSERT_EQ(1, run->mmio.is_write);
	ASSERT_EQ(4, run->mmio.len);
}

TEST_F(kvm, delete_and_move_slot)
{
	struct kvm_run *run = self->g.run;
	uint64_t ret = 0;

	ASSERT_EQ(KVM_EXIT_HLT, CALL(guest_fill, DATA_GPA, SLOT_WORDS, 0x42, &ret))
		TH_LOG("%s", WHY);

	ASSERT_EQ(0, kvm_guest_set_memory_region(self->g.vm_fd, DATA_SLOT, 0, DATA_GPA, 0,
						 self->data));
	ASSERT_EQ(KVM_EXIT_MMIO, CALL(guest_read64, DATA_GPA + 0x40, 0, 0, &ret))
		TH_LOG("%s", WHY);
	ASSERT_EQ(DATA_GPA + 0x40, run->mmio.phys_addr);
	ASSERT_EQ(0, run->mmio.is_write);

	/* Same memory, new address */
	ASSERT_EQ(0, kvm_guest_set_memory_region(self->g.vm_fd, DATA_SLOT, 0, MOVED_GPA,
						 SLOT_SIZE, self->data));
	ASSERT_EQ(KVM_EXIT_HLT, CALL(guest_sum, MOVED_GPA, SLOT_WORDS, 0, &ret))
		TH_LOG("%s", WHY);
	ASSERT_EQ(host_sum(self->data, SLOT_WORDS), ret);
	ASSERT_EQ(KVM_EXIT_HLT, CALL(guest_read64, MOVED_GPA + 0x40, 0, 0, &ret));
	ASSERT_EQ(0x42 ^ (8 * GOLDEN), ret);
	ASSERT_EQ(KVM_EXIT_HLT, CALL(guest_write32, MOVED_GPA + 0x44, 0x5555aaaa,
				     0, &ret));
	ASSERT_EQ(0x5555aaaa, self->data[8] >> 32);
	ASSERT_EQ(KVM_EXIT_MMIO, CALL(guest_read64, DATA_GPA + 0x40, 0, 0, &ret))
		TH_LOG("%s", WHY);
}

/* KVM's own dirty log: exactly the pages the guest wrote, then none */
TEST_F(kvm, kvm_dirty_log)
{
	uint64_t bitmap[SLOT_SIZE / 4096 / 64 + 1] = {};
	struct kvm_dirty_log log = { .slot = DATA_SLOT, .dirty_bitmap = bitmap };
	uint64_t ret = 0;

	ASSERT_EQ(0, kvm_guest_set_memory_region(self->g.vm_fd, DATA_SLOT,
						 KVM_MEM_LOG_DIRTY_PAGES, DATA_GPA, SLOT_SIZE,
						 self->data));
	ASSERT_EQ(KVM_EXIT_HLT, CALL(guest_write32, DATA_GPA + 4096 + 8, 1, 0,
				     &ret))
		TH_LOG("%s", WHY);
	ASSERT_EQ(KVM_EXIT_HLT, CALL(guest_write32, DATA_GPA + 3 * 4096, 2, 0,
				     &ret))
		TH_LOG("%s", WHY);
	ASSERT_EQ(KVM_EXIT_HLT, CALL(guest_read64, DATA_GPA + 5 * 4096, 0, 0,
				     &ret));
	ASSERT_EQ(0, ioctl(self->g.vm_fd, KVM_GET_DIRTY_LOG, &log));
	EXPECT_EQ((1ULL << 1) | (1ULL << 3), bitmap[0]);
	ASSERT_EQ(0, ioctl(self->g.vm_fd, KVM_GET_DIRTY_LOG, &log));
	EXPECT_EQ(0, bitmap[0]);
}

TEST_F(kvm, sequential_calls)
{
	uint64_t i, ret;

	for (i = 0; i < 64; i++) {
		ret = ~0ULL;
		ASSERT_EQ(KVM_EXIT_HLT, CALL(guest_mix, i * GOLDEN, i, 1000 - i,
					     &ret))
			TH_LOG("%s", WHY);
		ASSERT_EQ(i * GOLDEN * 3 + (i << 7) - (1000 - i), ret);
	}
	ASSERT_EQ(KVM_EXIT_HLT, CALL(guest_table_sum, 1, 0, 0, &ret));
	ASSERT_EQ(31415926, ret);
	ASSERT_EQ(KVM_EXIT_HLT, CALL(guest_table_sum, 2, 0, 0, &ret));
	ASSERT_EQ(62831852, ret);
}

TEST_F(kvm, guest_exceptions)
{
	struct kvm_guest_exception e;
	uint64_t ret = 0;

	ASSERT_EQ(KVM_EXIT_IO, CALL(guest_ud2, 0, 0, 0, &ret))
		TH_LOG("%s", WHY);
	ASSERT_TRUE(kvm_guest_exception(&self->g, &e));
	ASSERT_EQ(6, e.vector);		/* #UD */
	ASSERT_EQ(0, e.error_code);
	ASSERT_LE((uintptr_t)guest_ud2, e.rip);
	ASSERT_GT((uintptr_t)guest_ud2 + 16, e.rip);

	ASSERT_EQ(KVM_EXIT_IO, CALL(guest_read64, UNMAPPED_GVA, 0, 0, &ret))
		TH_LOG("%s", WHY);
	ASSERT_TRUE(kvm_guest_exception(&self->g, &e));
	ASSERT_EQ(14, e.vector);	/* #PF: not present, read, supervisor */
	ASSERT_EQ(0, e.error_code);
	ASSERT_EQ(UNMAPPED_GVA, e.cr2);
	ASSERT_LE((uintptr_t)guest_read64, e.rip);
	ASSERT_GT((uintptr_t)guest_read64 + 16, e.rip);

	ASSERT_EQ(KVM_EXIT_HLT, CALL(guest_mix, 1, 2, 3, &ret))
		TH_LOG("%s", WHY);
	ASSERT_EQ(3 + 256 - 3, ret);
}

/* A shutdown resets the vCPU (on SVM); the next call sets it up again */
TEST_F(kvm, shutdown_then_call)
{
	uint64_t ret = 0;

	ASSERT_EQ(KVM_EXIT_SHUTDOWN, CALL(guest_triple_fault, 0, 0, 0, &ret))
		TH_LOG("%s", WHY);
	ASSERT_EQ(KVM_EXIT_HLT, CALL(guest_mix, 5, 1, 2, &ret))
		TH_LOG("%s", WHY);
	ASSERT_EQ(15 + 128 - 2, ret);
	ASSERT_EQ(KVM_EXIT_HLT, CALL(guest_table_sum, 1, 0, 0, &ret))
		TH_LOG("%s", WHY);
	ASSERT_EQ(31415926, ret);
}

TEST_F(kvm, libc_in_guest)
{
	uint8_t *bytes = (uint8_t *)self->data;
	uint64_t i, ret = ~0ULL;

	for (i = 0; i < SLOT_SIZE / 2; i++)
		bytes[i] = i * 7 + (i >> 8);
	ASSERT_EQ(KVM_EXIT_HLT, CALL(guest_libc, DATA_GPA + SLOT_SIZE / 2,
				     DATA_GPA, SLOT_SIZE / 2 - 3, &ret))
		TH_LOG("%s", WHY);
	ASSERT_EQ(1, ret);
	for (i = 0; i < SLOT_SIZE / 2 - 3; i++) {
		ASSERT_EQ((uint8_t)(i * 7 + (i >> 8)), bytes[SLOT_SIZE / 2 + i]);
		ASSERT_EQ(0x5a, bytes[i]);
	}
}

TEST_HARNESS_MAIN
