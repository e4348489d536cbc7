// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the dirty log's pure logic: which bits a write sets in a
 * memslot's bitmap (page boundaries, first and last page), and how
 * vas_mark_dirty() splits a guest range over memslots, holes and memslots
 * that do not log, up to the end of the address space.
 */
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/mman.h>

#include "vas_kunit.h"

#define SLOT_PAGES	70

static void test_memslot_bits(struct kunit *test)
{
	struct vas_memslot slot = { .base_gfn = 100, .npages = SLOT_PAGES };
	u64 base = 100ULL << PAGE_SHIFT;
	unsigned long *bitmap;

	slot.dirty_bitmap = vas_dirty_bitmap_alloc(SLOT_PAGES);
	KUNIT_ASSERT_NOT_NULL(test, slot.dirty_bitmap);
	bitmap = slot.dirty_bitmap->bits;

	/* two bytes across the first page boundary */
	vas_memslot_mark_dirty(&slot, base + PAGE_SIZE - 1, 2);
	KUNIT_EXPECT_EQ(test, bitmap_weight(bitmap, SLOT_PAGES), 2);
	KUNIT_EXPECT_TRUE(test, test_bit(0, bitmap) && test_bit(1, bitmap));
	/* exactly one page, aligned: one bit */
	bitmap_zero(bitmap, SLOT_PAGES);
	vas_memslot_mark_dirty(&slot, base + 5 * PAGE_SIZE, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, bitmap_weight(bitmap, SLOT_PAGES), 1);
	KUNIT_EXPECT_TRUE(test, test_bit(5, bitmap));
	/* the last byte of the memslot; nothing for zero bytes */
	bitmap_zero(bitmap, SLOT_PAGES);
	vas_memslot_mark_dirty(&slot, base + SLOT_PAGES * PAGE_SIZE - 1, 1);
	vas_memslot_mark_dirty(&slot, base + 3 * PAGE_SIZE, 0);
	KUNIT_EXPECT_EQ(test, bitmap_weight(bitmap, SLOT_PAGES), 1);
	KUNIT_EXPECT_TRUE(test, test_bit(SLOT_PAGES - 1, bitmap));
	/* the whole memslot, spanning two bitmap words */
	vas_memslot_mark_dirty(&slot, base, SLOT_PAGES * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, bitmap_weight(bitmap, SLOT_PAGES), SLOT_PAGES);
	vas_dirty_bitmap_put(slot.dirty_bitmap);

	/* no bitmap: no logging, no crash */
	slot.dirty_bitmap = NULL;
	vas_memslot_mark_dirty(&slot, base, PAGE_SIZE);
}

/* Memslots at pages [16, 20) (log), [24, 28) (no log), [28, 32) (log) */
static void test_mark_dirty_split(struct kunit *test)
{
	unsigned long uaddr;
	struct vas_memslot *a, *c;
	struct vas *vas;

	uaddr = kunit_vm_mmap(test, NULL, 0, 16 * PAGE_SIZE,
			      PROT_READ | PROT_WRITE,
			      MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_NE(test, uaddr, 0);
	vas = vas_alloc(current->mm);
	KUNIT_ASSERT_FALSE(test, IS_ERR(vas));
	KUNIT_ASSERT_EQ(test, vas_kunit_set_memslot(vas, 0, VAS_MEM_LOG_DIRTY_PAGES,
						    16 * PAGE_SIZE,
						    4 * PAGE_SIZE, uaddr), 0);
	KUNIT_ASSERT_EQ(test, vas_kunit_set_memslot(vas, 1, 0, 24 * PAGE_SIZE,
						    4 * PAGE_SIZE, uaddr), 0);
	KUNIT_ASSERT_EQ(test, vas_kunit_set_memslot(vas, 2, VAS_MEM_LOG_DIRTY_PAGES,
						    28 * PAGE_SIZE,
						    4 * PAGE_SIZE, uaddr), 0);
	a = xa_load(&vas->slots, 0);
	c = xa_load(&vas->slots, 2);

	/* from the hole before slot 0 to the middle of slot 2 */
	vas_mark_dirty(vas, 14 * PAGE_SIZE + 7, 16 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, bitmap_weight(a->dirty_bitmap->bits, 4), 4);
	KUNIT_EXPECT_EQ(test, bitmap_weight(c->dirty_bitmap->bits, 4), 3);
	KUNIT_EXPECT_FALSE(test, test_bit(3, c->dirty_bitmap->bits));

	/* to the end of the address space, and a wrapping length */
	bitmap_zero(c->dirty_bitmap->bits, 4);
	vas_mark_dirty(vas, 31 * PAGE_SIZE, U64_MAX);
	KUNIT_EXPECT_EQ(test, bitmap_weight(c->dirty_bitmap->bits, 4), 1);
	vas_mark_dirty(vas, U64_MAX - 10, 100);
	vas_put(vas);
}

static struct kunit_case dirty_test_cases[] = {
	KUNIT_CASE(test_memslot_bits),
	KUNIT_CASE(test_mark_dirty_split),
	{}
};

static struct kunit_suite dirty_test_suite = {
	.name = "vas_dirty",
	.test_cases = dirty_test_cases,
};

kunit_test_suite(dirty_test_suite);
