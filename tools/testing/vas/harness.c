// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vas memslot table and dirty log, built for userspace.
 *
 * memslots.c and dirty.c are included unchanged (the Makefile puts the
 * virt/vas/ directory of VAS_DIR on the quote include path); the shim
 * headers of linux/ stand in for the kernel's. What the two files call in the rest of
 * vas (binders, vmaps) is stubbed here: the stubs record their calls for
 * the fuzzer's checks.
 */
#include <stdlib.h>
#include <string.h>

#include "memslots.c"
#include "dirty.c"

#include "harness.h"

static struct mm_struct owner_mm;
static struct task_struct owner_task = { .mm = &owner_mm };
static struct task_struct other_task;
struct task_struct *vas_shim_current = &owner_task;

struct vas_harness_calls vas_harness_calls;
int vas_harness_veto;
void (*vas_harness_sync_hook)(struct vas *vas, u32 slot);

int vas_binders_prepare(struct vas *vas,
			const struct vas_memslot_change *change)
{
	lockdep_assert_held(&vas->slots_lock);
	vas_harness_calls.prepare++;
	vas_harness_calls.prepared = *change;
	return vas_harness_veto;
}

void vas_binders_commit(struct vas *vas,
			const struct vas_memslot_change *change)
{
	lockdep_assert_held(&vas->slots_lock);
	vas_harness_calls.commit++;
	vas_harness_calls.committed = *change;
}

/*
 * From the memslot path, binders hear of a range once its memslot is out
 * of the table but still vas->retiring, so the mmu notifier covers it.
 */
void vas_binders_invalidate(struct vas *vas, u64 gpa, u64 len)
{
	struct vas_memslot *old = vas->retiring;

	lockdep_assert_held(&vas->slots_lock);
	if (!old || !old->dead || old->base_gfn << PAGE_SHIFT != gpa ||
	    old->npages << PAGE_SHIFT != len ||
	    xa_load(&vas->slots, old->id) == old)
		abort();
	vas_harness_calls.invalidate++;
}

void vas_binders_sync_dirty(struct vas *vas, u32 slot)
{
	lockdep_assert_held(&vas->slots_lock);
	vas_harness_calls.sync_dirty++;
	vas_harness_calls.sync_slot = slot;
	if (vas_harness_sync_hook)
		vas_harness_sync_hook(vas, slot);
}

/*
 * vmaps are torn down while the memslot they map is still published, so
 * that their pages are logged where they are.
 */
void vas_vmaps_invalidate(struct vas *vas, u64 gpa, u64 len,
			  bool writable_only)
{
	struct vas_memslot *slot;

	lockdep_assert_held(&vas->slots_lock);
	slot = vas_memslot_lookup(vas, gpa >> PAGE_SHIFT);
	if (vas->retiring || !slot || slot->dead ||
	    slot->base_gfn << PAGE_SHIFT != gpa ||
	    slot->npages << PAGE_SHIFT != len)
		abort();
	vas_harness_calls.vmaps_invalidate++;
}

void vas_vmaps_sync_dirty(struct vas *vas)
{
	vas_harness_calls.vmaps_sync_dirty++;
}

void vas_sgmaps_sync_dirty(struct vas *vas)
{
	vas_harness_calls.sgmaps_sync_dirty++;
}

struct vas *vas_harness_create(void)
{
	struct vas *vas = calloc(1, sizeof(*vas));

	if (!vas)
		abort();
	vas->owner_mm = &owner_mm;
	init_srcu_struct(&vas->srcu);
	vas_memslots_init(vas);
	return vas;
}

void vas_harness_owner(struct vas *vas, bool owner)
{
	vas_shim_current = owner ? &owner_task : &other_task;
}

void vas_harness_destroy(struct vas *vas)
{
	vas_memslots_destroy(vas);
	cleanup_srcu_struct(&vas->srcu);
	free(vas);
}
