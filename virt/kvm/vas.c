// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM guests on a vas
 *
 * KVM_BIND_VAS makes a VM a binder of a vas (include/linux/vas.h): from
 * then on the vas owns the VM's memory map, and KVM follows it. KVM keeps
 * its own memslots and their arch metadata (rmaps, dirty bitmaps, page
 * tables); the vas is the source of truth for what they contain.
 *
 * Memslot changes. Every vas memslot change reaches KVM as the binder's
 * ->prepare, which makes the same change in the VM's address space 0 with
 * __kvm_set_memory_region(), slot id for slot id. KVM's memslot update is
 * all or nothing and runs every check KVM has (flags, alignment, its slot
 * limit, overlaps with its internal memslots, arch limits, memory), so
 * when KVM cannot take a change, ->prepare returns exactly the errno
 * KVM_SET_USER_MEMORY_REGION would have, VAS_SET_MEMSLOT fails with it and
 * neither the vas nor any binder changes. A separate "would you accept"
 * step could disagree with the real update; this cannot. KVM's binder ops
 * have prepare_applies, so the vas offers KVM each change only after every
 * other binder accepted it: vCPUs never run on a layout another binder
 * vetoes, and no accepted change is undone. ->abort only undoes memslots
 * of vas_bind()'s replay (the memslots a vas has when the VM binds arrive
 * as CREATE changes) after KVM refused a later one. That can only fail
 * when memory runs out, and then the VM is killed (kvm_vm_dead()) rather
 * than left running on a map the vas does not have. ->commit has nothing
 * left to do.
 *
 * Dirty log. VAS_MEM_LOG_DIRTY_PAGES becomes KVM_MEM_LOG_DIRTY_PAGES, so
 * KVM logs guest writes in its own bitmap. ->sync_dirty, run before
 * VAS_GET_DIRTY_LOG reads a memslot's log, harvests KVM's bitmap the way
 * KVM_GET_DIRTY_LOG does (take the bits, write-protect those pages again,
 * flush TLBs) and adds the pages to the vas's log with vas_mark_dirty().
 * Before any change to a memslot that logs, its bits are harvested the
 * same way, so that a change that drops or replaces KVM's bitmap (delete,
 * move, logging off) loses nothing. KVM_GET_DIRTY_LOG and
 * KVM_CLEAR_DIRTY_LOG would steal bits from the vas, so a bound VM refuses
 * them, like KVM_SET_USER_MEMORY_REGION. A dirty ring would take guest
 * writes away from the bitmap: a bound VM refuses to enable one (EBUSY,
 * in kvm_main.c), and a VM that has one refuses logging (EOPNOTSUPP).
 *
 * Lifetimes. The binding holds a vas reference (through vas_bind()), so
 * closing the vas fd does not affect the guest. The VM does not hold the
 * vas's owner or any vas object alive beyond that reference; kvm_destroy_vm()
 * unbinds before anything of the VM is torn down. A vas is bound to at
 * most one VM, as the vas allows one binder with prepare_applies: two VMs
 * running on one memory map would share one dirty log and no VMM needs
 * that.
 *
 * Lock order, outermost first:
 *
 *   kvm->lock (KVM_BIND_VAS: no vCPU can be created meanwhile)
 *     vas memslot lock (vas_bind(), every vas memslot change)
 *       kvm->slots_lock (binder ops; KVM_SET_USER_MEMORY_REGION's check)
 *         kvm->mmu_lock (dirty-log harvest)
 *         vas SRCU (vas_mark_dirty())
 */
#include <linux/kvm_host.h>
#include <linux/slab.h>
#include <linux/vas.h>

#include "kvm_mm.h"
#include "kvm_vas.h"

MODULE_IMPORT_NS(VAS);

/**
 * struct kvm_vas_binding - a VM bound to a vas
 * @kvm: The VM; the binding lives no longer than it
 * @vas: The vas, referenced by @binder
 * @binder: From vas_bind()
 */
struct kvm_vas_binding {
	struct kvm *kvm;
	struct vas *vas;
	struct vas_binder *binder;
};

static u32 kvm_vas_memslot_flags(u32 vas_flags)
{
	u32 flags = 0;

	if (vas_flags & VAS_MEM_READONLY)
		flags |= KVM_MEM_READONLY;
	if (vas_flags & VAS_MEM_LOG_DIRTY_PAGES)
		flags |= KVM_MEM_LOG_DIRTY_PAGES;
	return flags;
}

/* Makes memslot @id of address space 0 what @desc says (size 0: none). */
static int kvm_vas_set_memslot(struct kvm *kvm, u32 id,
			       const struct vas_memslot_desc *desc)
{
	struct kvm_userspace_memory_region2 mem = {
		.slot = id,
		.flags = kvm_vas_memslot_flags(desc->flags),
		.guest_phys_addr = desc->guest_phys_addr,
		.memory_size = desc->size,
		.userspace_addr = desc->userspace_addr,
	};

	lockdep_assert_held(&kvm->slots_lock);
	return __kvm_set_memory_region(kvm, &mem);
}

/*
 * Moves the guest writes KVM logged in memslot @id into the vas's dirty
 * log. The same steps as KVM_GET_DIRTY_LOG without manual protection: take
 * the bits, write-protect the pages again so later writes are logged,
 * flush, then report, with contiguous dirty pages reported as one range.
 */
static void kvm_vas_harvest_dirty(struct kvm_vas_binding *binding, u32 id)
{
	struct kvm *kvm = binding->kvm;
	struct kvm_memory_slot *memslot;
	unsigned long *bitmap, *taken;
	unsigned long i, n, first, end;
	bool flush = false;

	lockdep_assert_held(&kvm->slots_lock);
	if (id >= KVM_USER_MEM_SLOTS)
		return;
	memslot = id_to_memslot(__kvm_memslots(kvm, 0), id);
	if (!memslot || !memslot->dirty_bitmap)
		return;

	bitmap = memslot->dirty_bitmap;
	taken = kvm_second_dirty_bitmap(memslot);
	n = kvm_dirty_bitmap_bytes(memslot) / sizeof(long);
	memset(taken, 0, n * sizeof(long));
	kvm_arch_sync_dirty_log(kvm, memslot);

	KVM_MMU_LOCK(kvm);
	for (i = 0; i < n; i++) {
		if (!READ_ONCE(bitmap[i]))
			continue;
		flush = true;
		taken[i] = xchg(&bitmap[i], 0);
		kvm_arch_mmu_enable_log_dirty_pt_masked(kvm, memslot,
							i * BITS_PER_LONG,
							taken[i]);
	}
	KVM_MMU_UNLOCK(kvm);
	if (!flush)
		return;
	kvm_flush_remote_tlbs_memslot(kvm, memslot);

	for_each_set_bitrange(first, end, taken, memslot->npages)
		vas_mark_dirty(binding->vas,
			       (memslot->base_gfn + first) << PAGE_SHIFT,
			       (u64)(end - first) << PAGE_SHIFT);
}

static int kvm_vas_prepare(void *data, const struct vas_memslot_change *change)
{
	struct kvm_vas_binding *binding = data;
	struct kvm *kvm = binding->kvm;

	/* What KVM_SET_USER_MEMORY_REGION checks before taking slots_lock */
	if (change->slot >= KVM_USER_MEM_SLOTS)
		return -EINVAL;

	guard(mutex)(&kvm->slots_lock);
	/* Set before binding if at all: KVM_BIND_VAS fences it off after */
	if (change->new.flags & VAS_MEM_LOG_DIRTY_PAGES &&
	    READ_ONCE(kvm->dirty_ring_size))
		return -EOPNOTSUPP;
	if (change->kind != VAS_MEMSLOT_CREATE)
		kvm_vas_harvest_dirty(binding, change->slot);
	return kvm_vas_set_memslot(kvm, change->slot, &change->new);
}

/* KVM refused a memslot of vas_bind()'s replay: undo those it took. */
static void kvm_vas_abort(void *data, const struct vas_memslot_change *change)
{
	struct kvm_vas_binding *binding = data;
	struct kvm *kvm = binding->kvm;
	int err;

	guard(mutex)(&kvm->slots_lock);
	err = kvm_vas_set_memslot(kvm, change->slot, &change->old);
	if (err) {
		pr_warn_ratelimited("kvm: VM of pid %d: cannot restore memslot %u (%d), killing it\n",
				    kvm->userspace_pid, change->slot, err);
		kvm_vm_dead(kvm);
	}
}

static void kvm_vas_sync_dirty(void *data, u32 slot)
{
	struct kvm_vas_binding *binding = data;

	guard(mutex)(&binding->kvm->slots_lock);
	kvm_vas_harvest_dirty(binding, slot);
}

/*
 * No ->invalidate and no ->release: KVM follows the owner's mm with its
 * own mmu notifier, and memslot changes reach it through ->prepare.
 */
static const struct vas_binder_ops kvm_vas_binder_ops = {
	.prepare = kvm_vas_prepare,
	.abort = kvm_vas_abort,
	.sync_dirty = kvm_vas_sync_dirty,
	.prepare_applies = true,
};

static bool kvm_has_user_memslots(struct kvm *kvm)
{
	struct kvm_memory_slot *memslot;
	int as_id, bkt;

	lockdep_assert_held(&kvm->slots_lock);
	for (as_id = 0; as_id < kvm_arch_nr_memslot_as_ids(kvm); as_id++)
		kvm_for_each_memslot(memslot, bkt, __kvm_memslots(kvm, as_id))
			if (memslot->id < KVM_USER_MEM_SLOTS)
				return true;
	return false;
}

/*
 * Marks the VM bound, so that KVM_SET_USER_MEMORY_REGION fails from now on,
 * if it may still be bound: no vCPU (kvm->lock held), no user memslot.
 */
static int kvm_vas_claim(struct kvm *kvm, struct kvm_vas_binding *binding)
{
	lockdep_assert_held(&kvm->lock);
	guard(mutex)(&kvm->slots_lock);
	if (kvm->vas_binding || kvm->created_vcpus || kvm_has_user_memslots(kvm))
		return -EBUSY;
	WRITE_ONCE(kvm->vas_binding, binding);
	return 0;
}

static void kvm_vas_unclaim(struct kvm *kvm)
{
	guard(mutex)(&kvm->slots_lock);
	WRITE_ONCE(kvm->vas_binding, NULL);
}

/**
 * kvm_vm_ioctl_bind_vas() - KVM_BIND_VAS: take the VM's memslots from a vas
 * @kvm: The VM
 * @argp: struct kvm_bind_vas in userspace
 *
 * Context: Process context, from the VM's process; takes kvm->lock.
 * Return: 0, or -EFAULT, -EINVAL (flags, not a vas, a memslot KVM refuses),
 * -EBADF (no such fd), -EPERM (another process's vas), -EBUSY (vCPUs or
 * memslots exist, the VM or the vas is bound already), -ENOMEM, or the
 * errno KVM refuses one of the vas's memslots with.
 */
int kvm_vm_ioctl_bind_vas(struct kvm *kvm, void __user *argp)
{
	struct kvm_vas_binding *binding;
	struct vas_binder *binder;
	struct kvm_bind_vas args;
	struct vas *vas;
	int err;

	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	if (args.flags)
		return -EINVAL;
	vas = vas_get_from_fd(args.fd);
	if (IS_ERR(vas))
		return PTR_ERR(vas);
	err = -EPERM;
	if (vas_owner_mm(vas) != kvm->mm)
		goto out_put;
	err = -ENOMEM;
	binding = kzalloc(sizeof(*binding), GFP_KERNEL_ACCOUNT);
	if (!binding)
		goto out_put;
	binding->kvm = kvm;
	binding->vas = vas;

	mutex_lock(&kvm->lock);
	err = kvm_vas_claim(kvm, binding);
	if (err)
		goto out_unlock;
	/* -EBUSY if another VM is bound to the vas */
	binder = vas_bind(vas, &kvm_vas_binder_ops, binding);
	if (IS_ERR(binder)) {
		err = PTR_ERR(binder);
		goto out_unclaim;
	}
	binding->binder = binder;
	mutex_unlock(&kvm->lock);
	vas_put(vas);
	return 0;

out_unclaim:
	kvm_vas_unclaim(kvm);
out_unlock:
	mutex_unlock(&kvm->lock);
	kfree(binding);
out_put:
	vas_put(vas);
	return err;
}

/**
 * kvm_vas_unbind() - Unbind a dying VM from its vas
 * @kvm: The VM, from kvm_destroy_vm(), before anything is torn down
 *
 * The VM's memslots stay and are freed with the VM.
 *
 * Context: Process context; may wait for a vas memslot change to finish.
 */
void kvm_vas_unbind(struct kvm *kvm)
{
	struct kvm_vas_binding *binding = kvm->vas_binding;

	if (!binding)
		return;
	vas_unbind(binding->binder);
	WRITE_ONCE(kvm->vas_binding, NULL);
	kfree(binding);
}
