/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vas internals shared by the files of virt/vas/.
 *
 * Lock order (outermost first), checked by lockdep:
 *
 *   vas->slots_lock (mutex)
 *     binder ->prepare, ->commit, ->abort, ->invalidate, ->sync_dirty
 *     owner's mmap_lock (pinning for vas_vmap())
 *     vas->vmaps_lock, vas->sgmaps_lock
 *       vmap->lock
 *         vmap holder's ->invalidate
 *     vas->slots xa_lock
 *     synchronize_srcu(&vas->srcu)
 *
 *   owner's mmap_lock (the vmap's mmu_interval_notifier)
 *     vmap->lock
 *       vmap holder's ->invalidate
 *
 *   owner's mmap_lock (munmap, exit: the vas's mmu notifier)
 *     srcu_read_lock(&vas->srcu)
 *       binder ->invalidate, ->release
 *
 *   srcu_read_lock(&vas->srcu)
 *     mmap_lock of the owner's mm (page faults, remote GUP, the pinning
 *     of vas_sgmap())
 *
 * slots_lock serializes every memslot change and is never held across a
 * copy to or from userspace, which may block for as long as the caller
 * likes (userfaultfd, FUSE). Readers never take it: they
 * look memslots up under vas->srcu, and a memslot is freed only after a
 * synchronize_srcu() that follows its removal from both lookup structures.
 * Nothing may take slots_lock while holding the owner's mmap_lock or
 * inside an SRCU read-side section of vas->srcu.
 */
#ifndef __VAS_PRIVATE_H
#define __VAS_PRIVATE_H

#include <linux/bitops.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/rbtree_latch.h>
#include <linux/refcount.h>
#include <linux/slab.h>
#include <linux/srcu.h>
#include <linux/types.h>
#include <linux/vas.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

struct mm_struct;

/* Memslot ids run from 0 to VAS_MAX_MEMSLOTS - 1, at least KVM's 32764 */
#define VAS_MAX_MEMSLOTS	32768U
/* Largest memslot, in pages: the same as KVM_MEM_MAX_NR_PAGES */
#define VAS_MAX_MEMSLOT_PAGES	((1ULL << 31) - 1)
/* Flags a memslot may carry */
#define VAS_MEM_FLAGS_VALID	(VAS_MEM_READONLY | VAS_MEM_LOG_DIRTY_PAGES)

/**
 * struct vas_dirty_bitmap - the dirty log of a memslot
 * @users: References: the memslots that log into it, and each reader of
 *	VAS_GET_DIRTY_LOG or VAS_CLEAR_DIRTY_LOG while it works on it
 * @npages: Number of pages, the memslot's
 * @bits: A bit per page written through the vas
 *
 * Refcounted so that the ioctls can work on it without vas->slots_lock
 * while they copy to and from userspace (see dirty.c).
 */
struct vas_dirty_bitmap {
	refcount_t users;
	u64 npages;
	unsigned long bits[];
};

/*
 * A new, empty dirty bitmap with one reference, or NULL. The bitmap of the
 * largest memslot is 256 MiB: kvzalloc() falls back to vmalloc() rather
 * than asking for a huge contiguous allocation, and the memory is charged
 * to the caller's memory cgroup.
 */
static inline struct vas_dirty_bitmap *vas_dirty_bitmap_alloc(u64 npages)
{
	struct vas_dirty_bitmap *log;

	log = kvzalloc(struct_size(log, bits, BITS_TO_LONGS(npages)),
		       GFP_KERNEL_ACCOUNT);
	if (!log)
		return NULL;
	refcount_set(&log->users, 1);
	log->npages = npages;
	return log;
}

static inline struct vas_dirty_bitmap *
vas_dirty_bitmap_get(struct vas_dirty_bitmap *log)
{
	refcount_inc(&log->users);
	return log;
}

/* Any context but NMI: an SRCU callback frees memslots */
static inline void vas_dirty_bitmap_put(struct vas_dirty_bitmap *log)
{
	if (refcount_dec_and_test(&log->users))
		kvfree(log);
}

/**
 * struct vas_memslot - one guest-physical range mapped onto owner memory
 * @base_gfn: First guest frame number
 * @npages: Number of pages, at least 1
 * @userspace_addr: Owner address of the first page
 * @flags: VAS_MEM_* flags
 * @id: Memslot id chosen by userspace
 * @gfn_node: Node in vas->gfn_tree
 * @dirty_bitmap: With VAS_MEM_LOG_DIRTY_PAGES, its dirty log, referenced;
 *	the memslot that replaces this one on a move or a flags change that
 *	keeps logging on takes a reference on the same log
 * @dead: Retired: lookups must not take it from vas->last_used_slot
 * @rcu: For freeing after an SRCU grace period
 *
 * A published memslot is never changed: a move or a flags change publishes
 * a new one and retires the old one, so that a reader that found a memslot
 * under vas->srcu sees one consistent description of it.
 */
struct vas_memslot {
	u64 base_gfn;
	u64 npages;
	unsigned long userspace_addr;
	u32 flags;
	u32 id;
	struct latch_tree_node gfn_node;
	struct vas_dirty_bitmap *dirty_bitmap;
	bool dead;
	struct rcu_head rcu;
};

/**
 * struct vas - a guest-physical address space
 * @users: References: the file, and each vas_get()
 * @owner_mm: mm of the creating process; mmgrab()ed, so it stays
 *	allocated but its memory goes away when the owner exits
 * @srcu: Protects the lifetime of memslots found by lockless readers
 * @slots_lock: Serializes memslot changes
 * @gfn_tree: Guest frame ranges -> struct vas_memslot, RCU-safe lookups
 * @slots: Memslot id -> struct vas_memslot
 * @generation: Bumped by every memslot change; read locklessly
 * @last_used_slot: The memslot the last lookup found, a hint; never a
 *	freed memslot, and ignored once the memslot is dead
 * @retiring: The memslot a change is replacing or deleting, from when it
 *	is unpublished until the binders were told it is gone; the mmu
 *	notifier reports unmaps of its memory too (see binder.c)
 * @binders: struct vas_binder list; changed under @slots_lock, walked
 *	under @slots_lock or @srcu
 * @applying_binder: The binder whose ops have prepare_applies, if any;
 *	under @slots_lock
 * @mn: Follows the owner's mm for the binders (unmaps, exit)
 * @owner_task: Thread group leader of the owner: its RLIMIT_MEMLOCK
 *	limits pins
 * @owner_user: User of the owner, charged for pins (locked_vm)
 * @pins_unlimited: The owner had CAP_IPC_LOCK when it created the vas:
 *	pins are counted but not limited by RLIMIT_MEMLOCK
 * @vmaps_lock: Protects @vmaps
 * @vmaps: struct vas_vmap list
 * @sgmaps_lock: Protects @sgmaps
 * @sgmaps: struct vas_sgmap list of the sgmaps for writing
 */
struct vas {
	refcount_t users;
	struct mm_struct *owner_mm;
	struct srcu_struct srcu;
	struct mutex slots_lock; /* serializes memslot changes */
	struct latch_tree_root gfn_tree;
	struct xarray slots;
	u64 generation;
	struct vas_memslot *last_used_slot;
	struct vas_memslot *retiring;
	struct list_head binders;
	struct vas_binder *applying_binder;
	struct mmu_notifier mn;
	struct task_struct *owner_task;
	struct user_struct *owner_user;
	bool pins_unlimited;
	struct mutex vmaps_lock; /* protects vmaps */
	struct list_head vmaps;
	struct mutex sgmaps_lock; /* protects sgmaps */
	struct list_head sgmaps;
};

/* memslots.c */

/* Last guest frame of @slot */
static inline u64 vas_memslot_last_gfn(const struct vas_memslot *slot)
{
	return slot->base_gfn + slot->npages - 1;
}

/* First guest-physical address past @slot */
static inline u64 vas_memslot_end_gpa(const struct vas_memslot *slot)
{
	return (slot->base_gfn + slot->npages) << PAGE_SHIFT;
}

/* Owner address of guest-physical address @gpa, which @slot holds */
static inline unsigned long vas_memslot_hva(const struct vas_memslot *slot,
					    u64 gpa)
{
	return slot->userspace_addr + (gpa - (slot->base_gfn << PAGE_SHIFT));
}

void vas_memslots_init(struct vas *vas);
void vas_memslots_destroy(struct vas *vas);
int vas_memslots_set(struct vas *vas, const struct vas_set_memslot *req);
struct vas_memslot *vas_memslot_lookup(struct vas *vas, u64 gfn);
struct vas_memslot *vas_memslot_translate(struct vas *vas, u64 gpa,
					  bool write);
struct vas_memslot *vas_memslot_first(struct vas *vas, u64 first, u64 last);
struct vas_memslot *vas_memslot_next(struct vas *vas,
				     const struct vas_memslot *slot, u64 last);
struct vas_memslot *vas_memslot_retiring(struct vas *vas);
void vas_memslot_describe(const struct vas_memslot *slot,
			  struct vas_memslot_desc *desc);
u64 vas_memslots_generation(struct vas *vas);

/* binder.c */
int vas_binders_init(struct vas *vas);
void vas_binders_destroy(struct vas *vas);
int vas_binders_prepare(struct vas *vas, const struct vas_memslot_change *change);
void vas_binders_commit(struct vas *vas, const struct vas_memslot_change *change);
void vas_binders_invalidate(struct vas *vas, u64 gpa, u64 len);
void vas_binders_sync_dirty(struct vas *vas, u32 slot);

/* dirty.c */
void vas_memslot_mark_dirty(struct vas_memslot *slot, u64 gpa, u64 len);
int vas_ioctl_get_dirty_log(struct vas *vas, void *data);
int vas_ioctl_clear_dirty_log(struct vas *vas, void *data);

/* pin.c */

/**
 * struct vas_pins - owner pages pinned and charged as one set
 * @vas: The vas, referenced
 * @pages: The pages
 * @npages: Capacity of @pages, and what is charged
 * @pinned: Pages pinned so far
 * @write: Pinned for writing; marked dirty when unpinned
 * @release_work: For vas_pins_release_later()
 */
struct vas_pins {
	struct vas *vas;
	struct page **pages;
	unsigned long npages;
	unsigned long pinned;
	bool write;
	struct work_struct release_work;
};

struct vas_pins *vas_pins_alloc(struct vas *vas, unsigned long npages,
				bool write);
int vas_pins_pin(struct vas_pins *pins, unsigned long hva,
		 unsigned long npages);
struct vas_pins *vas_pins_get(struct vas *vas, unsigned long hva,
			      unsigned long npages, bool write);
void vas_pins_release(struct vas_pins *pins);
void vas_pins_release_later(struct vas_pins *pins);

/* vmap.c */
void vas_vmaps_invalidate(struct vas *vas, u64 gpa, u64 len,
			  bool writable_only);
void vas_vmaps_sync_dirty(struct vas *vas);

/* sgmap.c */
void vas_sgmaps_sync_dirty(struct vas *vas);

/* access.c */

/**
 * enum vas_access_path - how an access reaches the owner's memory
 * @VAS_PATH_OWNER: current->mm is the owner's mm: copy_{from,to}_user()
 * @VAS_PATH_KTHREAD: a kernel thread without an mm: kthread_use_mm()
 * @VAS_PATH_REMOTE: any other task: access_remote_vm() on the owner's mm
 */
enum vas_access_path {
	VAS_PATH_OWNER = 1,
	VAS_PATH_KTHREAD,
	VAS_PATH_REMOTE,
};

enum vas_access_path vas_access_path(struct vas *vas);
int vas_access(struct vas *vas, u64 gpa, void *buf, size_t len, bool write,
	       size_t *done);

/* main.c */
struct vas *vas_alloc(struct mm_struct *owner_mm);
int vas_ioctl_copy_in(void *dst, size_t ksize, size_t min_size,
		      void __user *uarg);

/* test.c, test_binder.c, bench.c: the test interface (vas_test.h) */
struct vas_test_cmd;

/**
 * struct vas_test_cmd_op - one entry of a table of VAS_TEST ops
 * @execute: Runs the op on the fd's vas or test binder; returns what the
 *	ioctl returns
 * @flags: The flags of struct vas_test_cmd the op takes
 * @context: The op takes a context (VAS_TEST_KTHREAD)
 * @copy_out: The command goes back to the caller after the op ran
 */
struct vas_test_cmd_op {
	int (*execute)(void *target, struct vas_test_cmd *cmd);
	u32 flags;
	bool context;
	bool copy_out;
};

#if IS_ENABLED(CONFIG_VAS_TEST)
long vas_test_ioctl(struct vas *vas, void __user *arg);
long vas_test_dispatch(const struct vas_test_cmd_op *ops, size_t nops,
		       u32 first_op, void *target, void __user *uarg);
int vas_test_run(u32 context, int (*fn)(void *arg), void *arg);
int vas_test_bounce(struct vas_test_cmd *cmd, bool write,
		    int (*fn)(void *arg), void *arg, void **buf);
int vas_test_binder_create(struct vas *vas, int veto, bool applies);
#else
static inline long vas_test_ioctl(struct vas *vas, void __user *arg)
{
	return -ENOTTY;
}
#endif

#if IS_ENABLED(CONFIG_VAS_BENCH)
int vas_test_bench(void *target, struct vas_test_cmd *cmd);
#else
#define vas_test_bench NULL
#endif

#endif /* __VAS_PRIVATE_H */
