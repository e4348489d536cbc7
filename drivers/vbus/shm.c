// SPDX-License-Identifier: GPL-2.0-only
/*
 * vbus memory context and shared memory: guest memory as a device sees it
 *
 * The memory context of the 2009 vbus is the vas here: copy_to/copy_from
 * are vas_write()/vas_read(), which take the guest-physical address the
 * guest gave, check it against the memslots, and log what they write dirty.
 *
 * A shared memory region is a writable vas_vmap() of a guest range, so a
 * device model uses rings and signal descriptors with plain loads and
 * stores, inside vbus_shm_access_begin()/_end(), an RCU read-side section.
 * The original pinned such regions for good. A vas vmap is invalidated
 * when its memslot changes or the VMM unmaps the memory: ->invalidate
 * then waits for the sections in progress, and the next
 * vbus_shm_access_begin() maps the range again, wherever its memslot now
 * is. If it cannot (the range is a hole now), the connection faults: its
 * error eventfd fires and every later access fails with -EFAULT.
 */
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/vas.h>

#include "vbus_private.h"

/**
 * vbus_memctx_copy_from() - read guest memory
 * @ctx: The connection's memory context
 * @dst: Kernel buffer
 * @gpa: Guest-physical address
 * @len: Bytes to read
 *
 * Context: Process context or kernel thread: may sleep.
 * Return: 0, or a negative errno: -EFAULT if the range is not all guest
 * memory.
 */
int vbus_memctx_copy_from(struct vbus_memctx *ctx, void *dst, u64 gpa,
			  size_t len)
{
	return vas_read(ctx->vas, gpa, dst, len);
}
EXPORT_SYMBOL_NS_GPL(vbus_memctx_copy_from, VBUS);

/**
 * vbus_memctx_copy_to() - write guest memory
 * @ctx: The connection's memory context
 * @gpa: Guest-physical address
 * @src: Kernel buffer
 * @len: Bytes to write
 *
 * The pages written are logged dirty.
 *
 * Context: Process context or kernel thread: may sleep.
 * Return: 0, or a negative errno: -EFAULT if the range is not all guest
 * memory, or read-only.
 */
int vbus_memctx_copy_to(struct vbus_memctx *ctx, u64 gpa, const void *src,
			size_t len)
{
	return vas_write(ctx->vas, gpa, src, len);
}
EXPORT_SYMBOL_NS_GPL(vbus_memctx_copy_to, VBUS);

/* Accesses stop when the address reads NULL: wait for those in progress */
static void vbus_shm_invalidate(struct vas_vmap *map, void *data)
{
	synchronize_rcu();
}

static const struct vas_vmap_ops vbus_shm_vmap_ops = {
	.invalidate = vbus_shm_invalidate,
};

/* Maps @shm unless its mapping is still valid */
static int vbus_shm_map(struct vbus_shm *shm)
{
	struct vas_vmap *map;

	lockdep_assert_held(&shm->map_lock);
	if (shm->map && vas_vmap_addr(shm->map))
		return 0;
	if (shm->map) {
		vas_vunmap(shm->map);
		shm->map = NULL;
	}
	map = vas_vmap(shm->conn->bus->memctx.vas, shm->gpa, shm->len,
		       VAS_MAP_WRITE, &vbus_shm_vmap_ops, shm);
	if (IS_ERR(map))
		return PTR_ERR(map);
	shm->map = map;
	return 0;
}

/**
 * vbus_shm_access_begin() - start using a shared memory region
 * @shm: The region
 *
 * Maps the region again if a memslot change or the VMM took it away; if
 * that fails, faults the connection. Either way the caller is then in an
 * RCU read-side section until vbus_shm_access_end(), which it calls
 * whatever this returned: it must not sleep in between, and the address
 * is valid only until then.
 *
 * Context: Process context or kernel thread: may sleep.
 * Return: The kernel address of the region's start, or ERR_PTR(-EFAULT).
 */
void *vbus_shm_access_begin(struct vbus_shm *shm)
	__acquires(RCU)
{
	void *addr;
	int err = 0;

	for (;;) {
		rcu_read_lock();
		addr = shm->map ? vas_vmap_addr(shm->map) : NULL;
		if (addr || err)
			break;
		rcu_read_unlock();

		if (atomic_read(&shm->conn->faulted)) {
			err = -EFAULT;
			continue;
		}
		mutex_lock(&shm->map_lock);
		err = vbus_shm_map(shm);
		mutex_unlock(&shm->map_lock);
		if (err) {
			vbus_connection_fault(shm->conn->conn);
			err = -EFAULT;
		}
	}
	return addr ?: ERR_PTR(err);
}
EXPORT_SYMBOL_NS_GPL(vbus_shm_access_begin, VBUS);

/**
 * vbus_shm_access_end() - stop using a shared memory region
 * @shm: The region, after vbus_shm_access_begin()
 */
void vbus_shm_access_end(struct vbus_shm *shm)
	__releases(RCU)
{
	rcu_read_unlock();
}
EXPORT_SYMBOL_NS_GPL(vbus_shm_access_end, VBUS);

/**
 * vbus_shm_len() - the length of a shared memory region
 * @shm: The region
 *
 * Return: Its length in bytes.
 */
size_t vbus_shm_len(struct vbus_shm *shm)
{
	return shm->len;
}
EXPORT_SYMBOL_NS_GPL(vbus_shm_len, VBUS);

/* Under @c->lock: maps the region @args gives, checked already */
struct vbus_shm *vbus_shm_create(struct vbus_conn *c,
				 const struct vbus_conn_shm *args)
{
	struct vbus_shm *shm;
	int err;

	shm = kzalloc(sizeof(*shm), GFP_KERNEL_ACCOUNT);
	if (!shm)
		return ERR_PTR(-ENOMEM);
	shm->conn = c;
	shm->id = args->shm_id;
	shm->gpa = args->gpa;
	shm->len = args->len;
	mutex_init(&shm->map_lock);

	mutex_lock(&shm->map_lock);
	err = vbus_shm_map(shm);
	mutex_unlock(&shm->map_lock);
	if (err) {
		mutex_destroy(&shm->map_lock);
		kfree(shm);
		return ERR_PTR(err);
	}
	return shm;
}

/* Nothing uses @shm any more: its signal, if any, is destroyed already */
void vbus_shm_destroy(struct vbus_shm *shm)
{
	if (shm->map)
		vas_vunmap(shm->map);
	mutex_destroy(&shm->map_lock);
	kfree(shm);
}
