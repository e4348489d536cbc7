// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the vas gfn->pfn cache's hold on owner pages: like KVM's
 * cache it takes no lasting reference (the owner's page table and the
 * mmu notifier keep it safe), so an active cache does not pin the page
 * against migration, compaction or MADV_DONTNEED.
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/uaccess.h>

#include "vas_kunit.h"

#define GPA	0x20000ULL

/* The page behind owner address @uaddr, with a reference */
static struct page *owner_page(struct kunit *test, unsigned long uaddr)
{
	struct page *page;
	long ret;

	mmap_read_lock(current->mm);
	ret = get_user_pages(uaddr, 1, 0, &page);
	mmap_read_unlock(current->mm);
	KUNIT_ASSERT_EQ(test, ret, 1);
	return page;
}

static void test_no_reference_held(struct kunit *test)
{
	unsigned int flags[] = { 0, VAS_MAP_WRITE };
	unsigned long uaddr, irqflags;
	struct vas_gpc gpc;
	struct page *page;
	struct vas *vas;
	int refs, i;
	u64 value;

	uaddr = kunit_vm_mmap(test, NULL, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
			      MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_NE_MSG(test, uaddr, 0, "no userspace mm");
	KUNIT_ASSERT_EQ(test, put_user(0x1234ULL, (u64 __user *)(uaddr + 8)), 0);
	vas = vas_alloc(current->mm);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vas);
	KUNIT_ASSERT_EQ(test, vas_kunit_set_memslot(vas, 0, 0, GPA, PAGE_SIZE,
						    uaddr), 0);
	page = owner_page(test, uaddr);
	refs = page_ref_count(page);

	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		vas_gpc_init(&gpc, vas);
		KUNIT_ASSERT_EQ(test, vas_gpc_activate(&gpc, GPA + 8, 8,
						       flags[i]), 0);
		read_lock_irqsave(&gpc.lock, irqflags);
		KUNIT_EXPECT_TRUE(test, vas_gpc_check(&gpc, 8));
		value = *(u64 *)gpc.khva;
		read_unlock_irqrestore(&gpc.lock, irqflags);
		KUNIT_EXPECT_EQ(test, value, 0x1234ULL);
		/* the cache is live, and the page has no more users than before */
		KUNIT_EXPECT_EQ(test, page_ref_count(page), refs);
		vas_gpc_deactivate(&gpc);
		KUNIT_EXPECT_EQ(test, page_ref_count(page), refs);
	}
	put_page(page);
	vas_put(vas);
}

static struct kunit_case pfncache_test_cases[] = {
	KUNIT_CASE(test_no_reference_held),
	{}
};

static struct kunit_suite pfncache_test_suite = {
	.name = "vas_pfncache",
	.test_cases = pfncache_test_cases,
};

kunit_test_suite(pfncache_test_suite);
