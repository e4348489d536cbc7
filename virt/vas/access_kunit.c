// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of vas_read() and vas_write() on owner memory from
 * kunit_vm_mmap(): round trips across memslots, holes, read-only
 * memslots, wrap-around, and the kthread path, including an owner whose
 * address space is gone. The remote path (another process) needs a second
 * process and is covered by the selftests.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/mman.h>
#include <linux/sched/mm.h>
#include <linux/uaccess.h>

#include "vas_kunit.h"

#define TEST_PAGES	8

struct access_test {
	struct vas *vas;
	unsigned long uaddr;
	u8 *buf;
};

static int add_slot(struct kunit *test, u32 id, u32 flags, u64 gpa,
		    u64 size, u64 uaddr)
{
	struct access_test *t = test->priv;

	return vas_kunit_set_memslot(t->vas, id, flags, gpa, size, uaddr);
}

/*
 * Guest layout: gpa 0x10000 + 2 pages -> owner pages 4-5 (slot 0), gpa
 * 0x12000 + 2 pages -> owner pages 0-1 (slot 1): contiguous in the guest,
 * swapped in the owner; gpa 0x20000 + 1 page -> owner page 6, read-only.
 */
static int access_test_init(struct kunit *test)
{
	struct access_test *t;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	test->priv = t;
	t->buf = kunit_kzalloc(test, TEST_PAGES * PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t->buf);
	t->uaddr = kunit_vm_mmap(test, NULL, 0, TEST_PAGES * PAGE_SIZE,
				 PROT_READ | PROT_WRITE,
				 MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_NE_MSG(test, t->uaddr, 0, "no userspace mm");
	t->vas = vas_alloc(current->mm);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, t->vas);

	KUNIT_ASSERT_EQ(test, add_slot(test, 0, 0, 0x10000, 2 * PAGE_SIZE,
				       t->uaddr + 4 * PAGE_SIZE), 0);
	KUNIT_ASSERT_EQ(test, add_slot(test, 1, 0, 0x12000, 2 * PAGE_SIZE,
				       t->uaddr), 0);
	KUNIT_ASSERT_EQ(test, add_slot(test, 2, VAS_MEM_READONLY, 0x20000,
				       PAGE_SIZE, t->uaddr + 6 * PAGE_SIZE), 0);
	return 0;
}

static void access_test_exit(struct kunit *test)
{
	struct access_test *t = test->priv;

	if (t && !IS_ERR_OR_NULL(t->vas))
		vas_put(t->vas);
}

static void fill(u8 *buf, size_t len, u8 seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = seed + i * 7;
}

static void test_owner_round_trip(struct kunit *test)
{
	struct access_test *t = test->priv;
	size_t len = 4 * PAGE_SIZE - 3;
	u8 *out = t->buf + PAGE_SIZE * 4;

	KUNIT_ASSERT_EQ(test, vas_access_path(t->vas), VAS_PATH_OWNER);
	fill(t->buf, len, 1);
	KUNIT_ASSERT_EQ(test, vas_write(t->vas, 0x10001, t->buf, len), 0);
	memset(out, 0, len);
	KUNIT_ASSERT_EQ(test, vas_read(t->vas, 0x10001, out, len), 0);
	KUNIT_EXPECT_EQ(test, memcmp(out, t->buf, len), 0);

	/* the bytes landed in the owner pages the memslots name */
	KUNIT_ASSERT_EQ(test, copy_from_user(out, (void __user *)t->uaddr +
					     4 * PAGE_SIZE + 1,
					     2 * PAGE_SIZE - 1), 0);
	KUNIT_EXPECT_EQ(test, memcmp(out, t->buf, 2 * PAGE_SIZE - 1), 0);
	KUNIT_ASSERT_EQ(test, copy_from_user(out, (void __user *)t->uaddr,
					     PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, memcmp(out, t->buf + 2 * PAGE_SIZE - 1, PAGE_SIZE), 0);
}

static void test_errors(struct kunit *test)
{
	struct access_test *t = test->priv;
	u8 *buf = t->buf;

	/* hole before, after and between memslots */
	KUNIT_EXPECT_EQ(test, vas_read(t->vas, 0xf000, buf, 16), -EFAULT);
	KUNIT_EXPECT_EQ(test, vas_read(t->vas, 0xfff8, buf, 16), -EFAULT);
	KUNIT_EXPECT_EQ(test, vas_read(t->vas, 0x13ff8, buf, 16), -EFAULT);
	KUNIT_EXPECT_EQ(test, vas_write(t->vas, 0x14000, buf, 1), -EFAULT);
	/* read-only memslot: reads work, writes do not */
	KUNIT_EXPECT_EQ(test, vas_read(t->vas, 0x20000, buf, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, vas_write(t->vas, 0x20000, buf, 1), -EPERM);
	/* wrap-around */
	KUNIT_EXPECT_EQ(test, vas_read(t->vas, U64_MAX, buf, 2), -EINVAL);
	/* nothing at all is fine */
	KUNIT_EXPECT_EQ(test, vas_read(t->vas, 0xdead000, buf, 0), 0);
}

static void test_partial_done(struct kunit *test)
{
	struct access_test *t = test->priv;
	size_t done;

	/* runs from slot 1 into the hole after it */
	KUNIT_EXPECT_EQ(test, vas_access(t->vas, 0x13ff0, t->buf, 64, false,
					 &done), -EFAULT);
	KUNIT_EXPECT_EQ(test, done, 16);
	/* runs into the owner's munmapped page */
	KUNIT_ASSERT_EQ(test, vm_munmap(t->uaddr + PAGE_SIZE, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, vas_access(t->vas, 0x12ff8, t->buf, 64, true,
					 &done), -EFAULT);
	KUNIT_EXPECT_EQ(test, done, 8);
}

struct kthread_access {
	struct vas *vas;
	void *buf;
	size_t len;
	bool write;
	int err;
	enum vas_access_path path;
	struct completion done;
};

static int kthread_access_fn(void *data)
{
	struct kthread_access *a = data;

	a->path = vas_access_path(a->vas);
	if (a->write)
		a->err = vas_write(a->vas, 0x11000, a->buf, a->len);
	else
		a->err = vas_read(a->vas, 0x11000, a->buf, a->len);
	complete(&a->done);
	return 0;
}

static void run_in_kthread(struct kunit *test, struct kthread_access *a)
{
	struct task_struct *task;

	init_completion(&a->done);
	task = kthread_run(kthread_access_fn, a, "vas-kunit");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	wait_for_completion(&a->done);
}

static void test_kthread(struct kunit *test)
{
	struct access_test *t = test->priv;
	struct kthread_access a = {
		.vas = t->vas,
		.buf = t->buf,
		.len = 2 * PAGE_SIZE,
		.write = true,
	};
	u8 *check = t->buf + 4 * PAGE_SIZE;

	fill(t->buf, a.len, 9);
	run_in_kthread(test, &a);
	KUNIT_EXPECT_EQ(test, a.path, VAS_PATH_KTHREAD);
	KUNIT_ASSERT_EQ(test, a.err, 0);
	KUNIT_ASSERT_EQ(test, vas_read(t->vas, 0x11000, check, a.len), 0);
	KUNIT_EXPECT_EQ(test, memcmp(check, t->buf, a.len), 0);

	a.buf = check;
	a.write = false;
	memset(check, 0, a.len);
	run_in_kthread(test, &a);
	KUNIT_ASSERT_EQ(test, a.err, 0);
	KUNIT_EXPECT_EQ(test, memcmp(check, t->buf, a.len), 0);
}

/* A vas whose owner's address space is gone: accesses fail with -ESRCH. */
static void test_owner_gone(struct kunit *test)
{
	struct kthread_access a = { .buf = NULL, .len = 8 };
	struct mm_struct *mm;
	u8 buf[8];

	mm = mm_alloc();
	KUNIT_ASSERT_NOT_NULL(test, mm);
	a.vas = vas_alloc(mm);
	a.buf = buf;
	mmput(mm);	/* the "owner" exits; the vas still holds mm_count */
	KUNIT_ASSERT_FALSE(test, IS_ERR(a.vas));

	run_in_kthread(test, &a);
	KUNIT_EXPECT_EQ(test, a.path, VAS_PATH_KTHREAD);
	KUNIT_EXPECT_EQ(test, a.err, -ESRCH);
	/* from this thread (another mm) it is the remote path */
	KUNIT_EXPECT_EQ(test, vas_access_path(a.vas), VAS_PATH_REMOTE);
	KUNIT_EXPECT_EQ(test, vas_read(a.vas, 0, buf, sizeof(buf)), -ESRCH);
	vas_put(a.vas);
}

static struct kunit_case access_test_cases[] = {
	KUNIT_CASE(test_owner_round_trip),
	KUNIT_CASE(test_errors),
	KUNIT_CASE(test_partial_done),
	KUNIT_CASE(test_kthread),
	KUNIT_CASE(test_owner_gone),
	{}
};

static struct kunit_suite access_test_suite = {
	.name = "vas_access",
	.init = access_test_init,
	.exit = access_test_exit,
	.test_cases = access_test_cases,
};

kunit_test_suite(access_test_suite);
