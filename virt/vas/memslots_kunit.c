// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the vas memslot table: validation of every
 * VAS_SET_MEMSLOT rule, lookup at the boundaries, overlap, create, move,
 * flags-only change, delete and the generation number. The owner memory
 * is a kunit_vm_mmap() area, so the addresses pass access_ok() for real.
 */
#include <kunit/test.h>
#include <linux/mman.h>
#include <linux/sched/mm.h>

#include "vas_kunit.h"

#define TEST_PAGES	64

struct memslots_test {
	struct vas *vas;
	unsigned long uaddr;
};

static int memslots_test_init(struct kunit *test)
{
	struct memslots_test *t;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	t->uaddr = kunit_vm_mmap(test, NULL, 0, TEST_PAGES * PAGE_SIZE,
				 PROT_READ | PROT_WRITE,
				 MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_NE_MSG(test, t->uaddr, 0, "no userspace mm");
	t->vas = vas_alloc(current->mm);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, t->vas);
	test->priv = t;
	return 0;
}

static void memslots_test_exit(struct kunit *test)
{
	struct memslots_test *t = test->priv;

	if (t && !IS_ERR_OR_NULL(t->vas))
		vas_put(t->vas);
}

static int set_slot(struct kunit *test, u32 id, u32 flags, u64 gpa,
		    u64 size, u64 uaddr)
{
	struct memslots_test *t = test->priv;

	return vas_kunit_set_memslot(t->vas, id, flags, gpa, size, uaddr);
}

/* Creates memslot @id at @gpa_page covering @pages pages of the test area */
static int add_slot(struct kunit *test, u32 id, u64 gpa_page, u64 pages,
		    u64 upage)
{
	struct memslots_test *t = test->priv;

	return set_slot(test, id, 0, gpa_page * PAGE_SIZE, pages * PAGE_SIZE,
			t->uaddr + upage * PAGE_SIZE);
}

/* Id of the memslot holding @gfn, or -1 */
static int slot_at(struct kunit *test, u64 gfn)
{
	struct memslots_test *t = test->priv;
	struct vas_memslot *slot;
	int idx, id;

	idx = srcu_read_lock(&t->vas->srcu);
	slot = vas_memslot_lookup(t->vas, gfn);
	id = slot ? slot->id : -1;
	srcu_read_unlock(&t->vas->srcu, idx);
	return id;
}

static void test_lookup_boundaries(struct kunit *test)
{
	KUNIT_ASSERT_EQ(test, add_slot(test, 3, 0x100, 4, 0), 0);
	KUNIT_EXPECT_EQ(test, slot_at(test, 0xff), -1);
	KUNIT_EXPECT_EQ(test, slot_at(test, 0x100), 3);
	KUNIT_EXPECT_EQ(test, slot_at(test, 0x103), 3);
	KUNIT_EXPECT_EQ(test, slot_at(test, 0x104), -1);
	KUNIT_EXPECT_EQ(test, slot_at(test, 0), -1);
	KUNIT_EXPECT_EQ(test, slot_at(test, U64_MAX >> PAGE_SHIFT), -1);
}

static void test_adjacent_and_overlap(struct kunit *test)
{
	KUNIT_ASSERT_EQ(test, add_slot(test, 0, 0x10, 4, 0), 0);
	/* touching on either side is fine */
	KUNIT_EXPECT_EQ(test, add_slot(test, 1, 0x14, 2, 4), 0);
	KUNIT_EXPECT_EQ(test, add_slot(test, 2, 0x0e, 2, 6), 0);
	KUNIT_EXPECT_EQ(test, slot_at(test, 0x0f), 2);
	KUNIT_EXPECT_EQ(test, slot_at(test, 0x10), 0);
	KUNIT_EXPECT_EQ(test, slot_at(test, 0x13), 0);
	KUNIT_EXPECT_EQ(test, slot_at(test, 0x14), 1);
	/* overlap: start inside, end inside, containing, contained */
	KUNIT_EXPECT_EQ(test, add_slot(test, 5, 0x15, 4, 8), -EEXIST);
	KUNIT_EXPECT_EQ(test, add_slot(test, 5, 0x0a, 5, 8), -EEXIST);
	KUNIT_EXPECT_EQ(test, add_slot(test, 5, 0x00, 0x40, 8), -EEXIST);
	KUNIT_EXPECT_EQ(test, add_slot(test, 5, 0x11, 1, 8), -EEXIST);
	/* the same slot id again with another layout */
	KUNIT_EXPECT_EQ(test, add_slot(test, 0, 0x10, 2, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, add_slot(test, 0, 0x10, 4, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, slot_at(test, 0x18), -1);
}

static void test_invalid_requests(struct kunit *test)
{
	struct memslots_test *t = test->priv;
	u64 u = t->uaddr;

	KUNIT_EXPECT_EQ(test, set_slot(test, 0, 0, 0x800, 0x1000, u), -EINVAL);
	KUNIT_EXPECT_EQ(test, set_slot(test, 0, 0, 0x1000, 0x800, u), -EINVAL);
	KUNIT_EXPECT_EQ(test, set_slot(test, 0, 0, 0x1000, 0x1000, u + 8),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, set_slot(test, 0, BIT(7), 0, 0x1000, u), -EINVAL);
	KUNIT_EXPECT_EQ(test, set_slot(test, VAS_MAX_MEMSLOTS, 0, 0, 0x1000, u),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, set_slot(test, U32_MAX, 0, 0, 0x1000, u), -EINVAL);
	/* gpa + size and uaddr + size wrap around */
	KUNIT_EXPECT_EQ(test, set_slot(test, 0, 0, U64_MAX & PAGE_MASK,
				       2 * PAGE_SIZE, u), -EINVAL);
	KUNIT_EXPECT_EQ(test, set_slot(test, 0, 0, U64_MAX & PAGE_MASK,
				       PAGE_SIZE, u), -EINVAL);
	KUNIT_EXPECT_EQ(test, set_slot(test, 0, 0, 0, 2 * PAGE_SIZE,
				       U64_MAX & PAGE_MASK), -EINVAL);
	/* larger than the largest memslot */
	KUNIT_EXPECT_EQ(test, set_slot(test, 0, 0, 0,
				       (VAS_MAX_MEMSLOT_PAGES + 1) << PAGE_SHIFT,
				       u), -EINVAL);
	/* owner memory outside the user address range */
	KUNIT_EXPECT_EQ(test, set_slot(test, 0, 0, 0, PAGE_SIZE,
				       (u64)TASK_SIZE_MAX), -EINVAL);
	KUNIT_EXPECT_EQ(test, set_slot(test, 0, 0, 0, 2 * PAGE_SIZE,
				       (u64)TASK_SIZE_MAX - PAGE_SIZE), -EINVAL);
	/* deleting a memslot that does not exist */
	KUNIT_EXPECT_EQ(test, set_slot(test, 7, 0, 0, 0, 0), -ENOENT);
	/* the highest id and the last page below 2^64 - PAGE_SIZE are fine */
	KUNIT_EXPECT_EQ(test, set_slot(test, VAS_MAX_MEMSLOTS - 1, 0,
				       (U64_MAX & PAGE_MASK) - PAGE_SIZE,
				       PAGE_SIZE, u), 0);
	KUNIT_EXPECT_EQ(test, slot_at(test, (U64_MAX >> PAGE_SHIFT) - 1),
			VAS_MAX_MEMSLOTS - 1);
}

static void test_reserved_field(struct kunit *test)
{
	struct memslots_test *t = test->priv;
	struct vas_set_memslot req = {
		.size = sizeof(req),
		.slot = 0,
		.__reserved = 1,
		.memory_size = PAGE_SIZE,
		.userspace_addr = t->uaddr,
	};

	KUNIT_EXPECT_EQ(test, vas_memslots_set(t->vas, &req), -EINVAL);
	KUNIT_EXPECT_EQ(test, slot_at(test, 0), -1);
}

static void test_move(struct kunit *test)
{
	KUNIT_ASSERT_EQ(test, add_slot(test, 1, 0x100, 8, 0), 0);
	KUNIT_ASSERT_EQ(test, add_slot(test, 2, 0x200, 8, 8), 0);

	/* far away */
	KUNIT_EXPECT_EQ(test, add_slot(test, 1, 0x300, 8, 0), 0);
	KUNIT_EXPECT_EQ(test, slot_at(test, 0x100), -1);
	KUNIT_EXPECT_EQ(test, slot_at(test, 0x300), 1);
	KUNIT_EXPECT_EQ(test, slot_at(test, 0x307), 1);
	/* overlapping its own old range, both directions */
	KUNIT_EXPECT_EQ(test, add_slot(test, 1, 0x302, 8, 0), 0);
	KUNIT_EXPECT_EQ(test, slot_at(test, 0x301), -1);
	KUNIT_EXPECT_EQ(test, slot_at(test, 0x309), 1);
	KUNIT_EXPECT_EQ(test, add_slot(test, 1, 0x2fe, 8, 0), 0);
	KUNIT_EXPECT_EQ(test, slot_at(test, 0x2fe), 1);
	KUNIT_EXPECT_EQ(test, slot_at(test, 0x306), -1);
	/* onto another slot: refused, nothing changes */
	KUNIT_EXPECT_EQ(test, add_slot(test, 1, 0x204, 8, 0), -EEXIST);
	KUNIT_EXPECT_EQ(test, add_slot(test, 1, 0x1fc, 8, 0), -EEXIST);
	KUNIT_EXPECT_EQ(test, slot_at(test, 0x2fe), 1);
	KUNIT_EXPECT_EQ(test, slot_at(test, 0x200), 2);
	KUNIT_EXPECT_EQ(test, slot_at(test, 0x1fc), -1);
}

static void test_flags_only(struct kunit *test)
{
	struct memslots_test *t = test->priv;
	struct vas_memslot *slot;
	int idx;

	KUNIT_ASSERT_EQ(test, add_slot(test, 4, 0x40, 2, 0), 0);
	KUNIT_EXPECT_EQ(test, set_slot(test, 4, VAS_MEM_READONLY, 0x40 * PAGE_SIZE,
				       2 * PAGE_SIZE, t->uaddr), 0);
	idx = srcu_read_lock(&t->vas->srcu);
	slot = vas_memslot_lookup(t->vas, 0x41);
	KUNIT_ASSERT_NOT_NULL(test, slot);
	KUNIT_EXPECT_EQ(test, slot->flags, VAS_MEM_READONLY);
	KUNIT_EXPECT_EQ(test, slot->base_gfn, 0x40);
	KUNIT_EXPECT_EQ(test, slot->npages, 2);
	KUNIT_EXPECT_EQ(test, slot->userspace_addr, t->uaddr);
	srcu_read_unlock(&t->vas->srcu, idx);
}

static void test_delete(struct kunit *test)
{
	KUNIT_ASSERT_EQ(test, add_slot(test, 9, 0x20, 4, 0), 0);
	KUNIT_ASSERT_EQ(test, slot_at(test, 0x21), 9);
	KUNIT_EXPECT_EQ(test, set_slot(test, 9, 0, 0, 0, 0), 0);
	/* the lookup hint pointed at the deleted slot */
	KUNIT_EXPECT_EQ(test, slot_at(test, 0x21), -1);
	KUNIT_EXPECT_EQ(test, set_slot(test, 9, 0, 0, 0, 0), -ENOENT);
	/* the id and the range can be used again */
	KUNIT_EXPECT_EQ(test, add_slot(test, 9, 0x22, 4, 4), 0);
	KUNIT_EXPECT_EQ(test, add_slot(test, 10, 0x20, 2, 8), 0);
	KUNIT_EXPECT_EQ(test, slot_at(test, 0x21), 10);
	KUNIT_EXPECT_EQ(test, slot_at(test, 0x22), 9);
}

static void test_generation(struct kunit *test)
{
	struct memslots_test *t = test->priv;
	u64 gen = vas_memslots_generation(t->vas);

	KUNIT_ASSERT_EQ(test, add_slot(test, 0, 0x10, 2, 0), 0);
	KUNIT_EXPECT_GT(test, vas_memslots_generation(t->vas), gen);

	/* a refused change and a no-op change leave it alone */
	gen = vas_memslots_generation(t->vas);
	KUNIT_EXPECT_EQ(test, add_slot(test, 1, 0x11, 2, 2), -EEXIST);
	KUNIT_EXPECT_EQ(test, add_slot(test, 0, 0x10, 2, 0), 0);
	KUNIT_EXPECT_EQ(test, vas_memslots_generation(t->vas), gen);

	KUNIT_EXPECT_EQ(test, add_slot(test, 0, 0x20, 2, 0), 0);
	KUNIT_EXPECT_GT(test, vas_memslots_generation(t->vas), gen);
	gen = vas_memslots_generation(t->vas);
	KUNIT_EXPECT_EQ(test, set_slot(test, 0, VAS_MEM_READONLY, 0x20 * PAGE_SIZE,
				       2 * PAGE_SIZE, t->uaddr), 0);
	KUNIT_EXPECT_GT(test, vas_memslots_generation(t->vas), gen);
	gen = vas_memslots_generation(t->vas);
	KUNIT_EXPECT_EQ(test, set_slot(test, 0, 0, 0, 0, 0), 0);
	KUNIT_EXPECT_GT(test, vas_memslots_generation(t->vas), gen);
}

/* Many memslots: every one is found at both ends, gaps are holes. */
static void test_many_slots(struct kunit *test)
{
	const u32 n = 509;
	u32 i;

	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, add_slot(test, n - 1 - i, 4 * i, 2, 0), 0);
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_EQ(test, slot_at(test, 4 * i), n - 1 - i);
		KUNIT_EXPECT_EQ(test, slot_at(test, 4 * i + 1), n - 1 - i);
		KUNIT_EXPECT_EQ(test, slot_at(test, 4 * i + 2), -1);
	}
	for (i = 0; i < n; i += 2)
		KUNIT_ASSERT_EQ(test, set_slot(test, n - 1 - i, 0, 0, 0, 0), 0);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, slot_at(test, 4 * i + 1),
				i % 2 ? (int)(n - 1 - i) : -1);
}

/*
 * A reader that found a memslot (and so left it in the lookup hint) holds
 * vas->srcu while the memslot is deleted: the change waits for it, but
 * from the moment the memslot is unpublished no new lookup may return it,
 * through the hint or otherwise.
 */
static void test_hint_skips_retired_memslot(struct kunit *test)
{
	struct memslots_test *t = test->priv;
	struct vas_kunit_change change;
	struct vas_memslot *slot;
	int idx;

	KUNIT_ASSERT_EQ(test, add_slot(test, 4, 0x200, 4, 0), 0);
	idx = srcu_read_lock(&t->vas->srcu);
	slot = vas_memslot_lookup(t->vas, 0x201);
	KUNIT_ASSERT_NOT_NULL(test, slot);
	KUNIT_EXPECT_PTR_EQ(test, READ_ONCE(t->vas->last_used_slot), slot);

	vas_kunit_change_start(test, &change, t->vas, 4, 0, 0, 0, 0);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(slot->dead));
	KUNIT_EXPECT_NULL(test, vas_memslot_lookup(t->vas, 0x201));
	KUNIT_EXPECT_NULL(test, vas_memslot_lookup(t->vas, 0x200));
	/* the delete still waits for this reader */
	KUNIT_EXPECT_FALSE(test, completion_done(&change.done));
	srcu_read_unlock(&t->vas->srcu, idx);

	wait_for_completion(&change.done);
	KUNIT_EXPECT_EQ(test, change.err, 0);
	KUNIT_EXPECT_EQ(test, slot_at(test, 0x201), -1);
}

static struct kunit_case memslots_test_cases[] = {
	KUNIT_CASE(test_lookup_boundaries),
	KUNIT_CASE(test_adjacent_and_overlap),
	KUNIT_CASE(test_invalid_requests),
	KUNIT_CASE(test_reserved_field),
	KUNIT_CASE(test_move),
	KUNIT_CASE(test_flags_only),
	KUNIT_CASE(test_delete),
	KUNIT_CASE(test_generation),
	KUNIT_CASE(test_many_slots),
	KUNIT_CASE(test_hint_skips_retired_memslot),
	{}
};

static struct kunit_suite memslots_test_suite = {
	.name = "vas_memslots",
	.init = memslots_test_init,
	.exit = memslots_test_exit,
	.test_cases = memslots_test_cases,
};

kunit_test_suite(memslots_test_suite);
