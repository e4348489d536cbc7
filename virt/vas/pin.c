// SPDX-License-Identifier: GPL-2.0-only
/*
 * vas page pinning and its accounting
 *
 * vmaps and sgmaps hold the owner's pages with long-term pins
 * (FOLL_LONGTERM, so the pages are first migrated out of movable zones) and
 * charge them, like iommufd does, to the owner: to its user's locked_vm,
 * limited by the owner's RLIMIT_MEMLOCK (-ENOMEM beyond it), and to the
 * owner mm's pinned_vm for /proc. The owner is the process that created
 * the vas, whoever asks for the pin: a backend cannot pin more of the
 * guest than the VMM itself could lock. An owner that had CAP_IPC_LOCK
 * when it created the vas is not limited, as with VFIO and iommufd; its
 * pins are still counted. The charge is taken before anything is
 * allocated for the pins, so a request beyond the limit costs nothing.
 *
 * Pins go through pin_user_pages_remote() on the owner's mm from every
 * context, after taking an mm_users reference (-ESRCH once the owner has
 * exited). A struct vas_pins is one set of pinned pages, possibly from
 * several owner ranges, charged as a whole; it holds a reference on the vas
 * until it is released, which may happen from a work item when the pins
 * are dropped from an mmu notifier.
 */
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/user.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "vas_private.h"

/* The page array is one kvcalloc(), which refuses more than INT_MAX bytes */
#define VAS_PINS_MAX_PAGES	(INT_MAX / sizeof(struct page *))

static int vas_pin_charge(struct vas *vas, unsigned long npages)
{
	unsigned long limit, cur, new;

	limit = vas->pins_unlimited ? ULONG_MAX :
		task_rlimit(vas->owner_task, RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	cur = atomic_long_read(&vas->owner_user->locked_vm);
	do {
		if (check_add_overflow(cur, npages, &new) || new > limit)
			return -ENOMEM;
	} while (!atomic_long_try_cmpxchg(&vas->owner_user->locked_vm, &cur,
					  new));
	atomic64_add(npages, &vas->owner_mm->pinned_vm);
	return 0;
}

static void vas_pin_uncharge(struct vas *vas, unsigned long npages)
{
	atomic_long_sub(npages, &vas->owner_user->locked_vm);
	atomic64_sub(npages, &vas->owner_mm->pinned_vm);
}

/**
 * vas_pins_alloc() - Make room for pinning pages, and charge them
 * @vas: The vas; referenced by the result
 * @npages: Number of pages that will be pinned
 * @write: Pin for writing
 *
 * Return: An empty set of pins, or ERR_PTR(-ENOMEM): beyond the owner's
 * RLIMIT_MEMLOCK, more than VAS_PINS_MAX_PAGES pages, or no memory.
 */
struct vas_pins *vas_pins_alloc(struct vas *vas, unsigned long npages,
				bool write)
{
	struct vas_pins *pins;
	int err;

	if (npages > VAS_PINS_MAX_PAGES)
		return ERR_PTR(-ENOMEM);
	err = vas_pin_charge(vas, npages);
	if (err)
		return ERR_PTR(err);
	err = -ENOMEM;
	pins = kzalloc(sizeof(*pins), GFP_KERNEL_ACCOUNT);
	if (!pins)
		goto err_uncharge;
	pins->pages = kvcalloc(npages, sizeof(*pins->pages),
			       GFP_KERNEL_ACCOUNT);
	if (!pins->pages)
		goto err_free;
	vas_get(vas);
	pins->vas = vas;
	pins->npages = npages;
	pins->write = write;
	return pins;

err_free:
	kfree(pins);
err_uncharge:
	vas_pin_uncharge(vas, npages);
	return ERR_PTR(err);
}

/**
 * vas_pins_pin() - Pin a range of owner pages into a set
 * @pins: From vas_pins_alloc()
 * @hva: Page-aligned owner address
 * @npages: Number of pages; they go after those already pinned
 *
 * Context: Process context or kernel thread; takes the owner's mmap_lock.
 * Return: 0, -ESRCH if the owner is gone, -EFAULT if part of the range
 * cannot be pinned (what was pinned of it is dropped), -EINTR on a fatal
 * signal.
 */
int vas_pins_pin(struct vas_pins *pins, unsigned long hva,
		 unsigned long npages)
{
	unsigned int gup_flags = FOLL_LONGTERM | (pins->write ? FOLL_WRITE : 0);
	struct mm_struct *mm = pins->vas->owner_mm;
	struct page **pages = pins->pages + pins->pinned;
	unsigned long done = 0;
	long ret = 0;

	if (WARN_ON_ONCE(pins->pinned + npages > pins->npages))
		return -EINVAL;
	if (!mmget_not_zero(mm))
		return -ESRCH;
	if (mmap_read_lock_killable(mm)) {
		mmput(mm);
		return -EINTR;
	}
	while (done < npages) {
		ret = pin_user_pages_remote(mm, hva + done * PAGE_SIZE,
					    npages - done, gup_flags,
					    pages + done, NULL);
		if (ret <= 0)
			break;
		done += ret;
	}
	mmap_read_unlock(mm);
	mmput(mm);

	if (done == npages) {
		pins->pinned += npages;
		return 0;
	}
	unpin_user_pages(pages, done);
	return ret < 0 ? (int)ret : -EFAULT;
}

/**
 * vas_pins_get() - Pin one range of owner pages
 * @vas: The vas
 * @hva: Page-aligned owner address
 * @npages: Number of pages
 * @write: Pin for writing
 *
 * Return: The pins, or an ERR_PTR() as for vas_pins_alloc() and
 * vas_pins_pin().
 */
struct vas_pins *vas_pins_get(struct vas *vas, unsigned long hva,
			      unsigned long npages, bool write)
{
	struct vas_pins *pins;
	int err;

	pins = vas_pins_alloc(vas, npages, write);
	if (IS_ERR(pins))
		return pins;
	err = vas_pins_pin(pins, hva, npages);
	if (err) {
		vas_pins_release(pins);
		return ERR_PTR(err);
	}
	return pins;
}

/**
 * vas_pins_release() - Unpin, uncharge and free a set of pins
 * @pins: The pins; pages pinned for writing are marked dirty
 *
 * Context: Process context; locks the pages. Not from an mmu notifier:
 * use vas_pins_release_later() there.
 */
void vas_pins_release(struct vas_pins *pins)
{
	struct vas *vas = pins->vas;

	unpin_user_pages_dirty_lock(pins->pages, pins->pinned, pins->write);
	vas_pin_uncharge(vas, pins->npages);
	kvfree(pins->pages);
	kfree(pins);
	vas_put(vas);
}

static void vas_pins_release_work(struct work_struct *work)
{
	vas_pins_release(container_of(work, struct vas_pins, release_work));
}

/**
 * vas_pins_release_later() - vas_pins_release() from a work item
 * @pins: The pins
 *
 * Context: Any; allocates nothing.
 */
void vas_pins_release_later(struct vas_pins *pins)
{
	INIT_WORK(&pins->release_work, vas_pins_release_work);
	schedule_work(&pins->release_work);
}
