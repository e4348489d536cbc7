// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of how the vas's mmu notifier reaches binders: a range the
 * OOM reaper or process_mrelease() zaps without sleeping is refused only
 * when a binder's ->invalidate would have to run for a memslot over it,
 * and an munmap of a memslot that a change has unpublished but not yet
 * reported is still reported. The owner memory is a kunit_vm_mmap() area
 * of the test's own mm.
 */
#include <kunit/test.h>
#include <linux/mman.h>
#include <linux/mmu_notifier.h>

#include "vas_kunit.h"

#define GPA		0x10000ULL
#define MAX_RANGES	8

struct binder_test {
	struct vas *vas;
	unsigned long uaddr;
	struct vas_binder *binder;
	spinlock_t lock;	/* protects the ranges */
	unsigned int nr_ranges;
	struct {
		u64 gpa;
		u64 len;
	} ranges[MAX_RANGES];
};

static void record_invalidate(void *data, u64 gpa, u64 len)
{
	struct binder_test *t = data;

	spin_lock(&t->lock);
	if (t->nr_ranges < MAX_RANGES) {
		t->ranges[t->nr_ranges].gpa = gpa;
		t->ranges[t->nr_ranges].len = len;
	}
	t->nr_ranges++;
	spin_unlock(&t->lock);
}

static const struct vas_binder_ops invalidating_ops = {
	.invalidate = record_invalidate,
};

/* A binder with no ->invalidate, like KVM's */
static const struct vas_binder_ops quiet_ops = {};

static int binder_test_init(struct kunit *test)
{
	struct binder_test *t;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	spin_lock_init(&t->lock);
	test->priv = t;
	t->uaddr = kunit_vm_mmap(test, NULL, 0, 8 * PAGE_SIZE,
				 PROT_READ | PROT_WRITE,
				 MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_NE_MSG(test, t->uaddr, 0, "no userspace mm");
	t->vas = vas_alloc(current->mm);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, t->vas);
	/* owner pages 2-3 back guest pages 0x10-0x11 */
	KUNIT_ASSERT_EQ(test, vas_kunit_set_memslot(t->vas, 0, 0, GPA,
						    2 * PAGE_SIZE,
						    t->uaddr + 2 * PAGE_SIZE), 0);
	return 0;
}

static void binder_test_exit(struct kunit *test)
{
	struct binder_test *t = test->priv;

	if (!t || IS_ERR_OR_NULL(t->vas))
		return;
	if (!IS_ERR_OR_NULL(t->binder))
		vas_unbind(t->binder);
	vas_put(t->vas);
}

static void bind(struct kunit *test, const struct vas_binder_ops *ops)
{
	struct binder_test *t = test->priv;

	t->binder = vas_bind(t->vas, ops, t);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, t->binder);
}

/* Runs the vas's invalidate_range_start on owner pages [first, first + n) */
static int notify(struct kunit *test, unsigned long first, unsigned long n,
		  bool blockable)
{
	struct binder_test *t = test->priv;
	struct mmu_notifier_range range = {
		.mm = current->mm,
		.start = t->uaddr + first * PAGE_SIZE,
		.end = t->uaddr + (first + n) * PAGE_SIZE,
		.event = MMU_NOTIFY_CLEAR,
		.flags = blockable ? MMU_NOTIFIER_RANGE_BLOCKABLE : 0,
	};

	return t->vas->mn.ops->invalidate_range_start(&t->vas->mn, &range);
}

/* Without a binder that sleeps, nothing is refused to the OOM reaper. */
static void test_nonblocking_quiet_binder(struct kunit *test)
{
	struct binder_test *t = test->priv;

	bind(test, &quiet_ops);
	KUNIT_EXPECT_EQ(test, notify(test, 0, 8, false), 0);
	KUNIT_EXPECT_EQ(test, notify(test, 2, 1, false), 0);
	KUNIT_EXPECT_EQ(test, notify(test, 2, 1, true), 0);
	KUNIT_EXPECT_EQ(test, t->nr_ranges, 0);
}

/*
 * With one, only a range over a memslot is refused; a blocking caller gets
 * it reported, in guest-physical terms.
 */
static void test_nonblocking_invalidating_binder(struct kunit *test)
{
	struct binder_test *t = test->priv;

	bind(test, &invalidating_ops);
	KUNIT_EXPECT_EQ(test, notify(test, 0, 2, false), 0);
	KUNIT_EXPECT_EQ(test, notify(test, 4, 4, false), 0);
	KUNIT_EXPECT_EQ(test, t->nr_ranges, 0);
	KUNIT_EXPECT_EQ(test, notify(test, 1, 2, false), -EAGAIN);
	KUNIT_EXPECT_EQ(test, notify(test, 3, 1, false), -EAGAIN);
	KUNIT_EXPECT_EQ(test, t->nr_ranges, 0);

	KUNIT_EXPECT_EQ(test, notify(test, 1, 2, true), 0);
	KUNIT_ASSERT_EQ(test, t->nr_ranges, 1);
	KUNIT_EXPECT_EQ(test, t->ranges[0].gpa, GPA);
	KUNIT_EXPECT_EQ(test, t->ranges[0].len, PAGE_SIZE);
}

/*
 * A delete has unpublished the memslot and waits for a reader (this test)
 * before it reports the range to the binders. An munmap in that window
 * must still reach them: the binder could otherwise keep using pages the
 * munmap frees.
 */
static void test_unmap_of_retiring_memslot(struct kunit *test)
{
	struct binder_test *t = test->priv;
	struct vas_kunit_change change;
	unsigned int seen;
	int idx;

	bind(test, &invalidating_ops);
	idx = srcu_read_lock(&t->vas->srcu);
	vas_kunit_change_start(test, &change, t->vas, 0, 0, 0, 0, 0);
	KUNIT_EXPECT_NULL(test, vas_memslot_lookup(t->vas, GPA >> PAGE_SHIFT));
	KUNIT_EXPECT_EQ(test, vm_munmap(t->uaddr + 3 * PAGE_SIZE, PAGE_SIZE), 0);
	seen = t->nr_ranges;
	KUNIT_EXPECT_FALSE(test, completion_done(&change.done));
	srcu_read_unlock(&t->vas->srcu, idx);
	wait_for_completion(&change.done);
	KUNIT_EXPECT_EQ(test, change.err, 0);

	KUNIT_ASSERT_EQ_MSG(test, seen, 1, "munmap not reported in the window");
	KUNIT_EXPECT_EQ(test, t->ranges[0].gpa, GPA + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, t->ranges[0].len, PAGE_SIZE);
	/* then the delete itself reported the whole memslot */
	KUNIT_ASSERT_EQ(test, t->nr_ranges, 2);
	KUNIT_EXPECT_EQ(test, t->ranges[1].gpa, GPA);
	KUNIT_EXPECT_EQ(test, t->ranges[1].len, 2 * PAGE_SIZE);
	/* and once retired, unmaps of its memory are not reported any more */
	KUNIT_EXPECT_EQ(test, vm_munmap(t->uaddr + 2 * PAGE_SIZE, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, t->nr_ranges, 2);
}

static struct kunit_case binder_test_cases[] = {
	KUNIT_CASE(test_nonblocking_quiet_binder),
	KUNIT_CASE(test_nonblocking_invalidating_binder),
	KUNIT_CASE(test_unmap_of_retiring_memslot),
	{}
};

static struct kunit_suite binder_test_suite = {
	.name = "vas_binder",
	.init = binder_test_init,
	.exit = binder_test_exit,
	.test_cases = binder_test_cases,
};

kunit_test_suite(binder_test_suite);
