/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vbus internals, shared by the files of vbus.ko
 *
 * Lock order: vbus->lock > vbus_conn->lock > vbus_shm->map_lock >
 * (inside vas) the vas's memslot lock > the owner's mmap_lock. The classes
 * lock nests inside vbus->lock. A vmap's ->invalidate takes none of
 * these: it only waits for RCU readers (vbus_shm_access_begin/end).
 */
#ifndef __VBUS_PRIVATE_H
#define __VBUS_PRIVATE_H

#include <linux/eventfd.h>
#include <linux/list.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vbus.h>
#include <linux/vbus_ring.h>
#include <linux/wait.h>
#include <linux/xarray.h>

/**
 * struct vbus_memctx - a connection's way to guest memory: the bus's vas
 * @vas: The vas, referenced by the bus
 */
struct vbus_memctx {
	struct vas *vas;
};

/**
 * struct vbus - one open of /dev/vbus
 * @lock: Protects everything below but @memctx, once set
 * @memctx: The vas (NULL until VBUS_SET_VAS)
 * @devices: Device id -> struct vbus_device
 * @conns: Connection id -> struct vbus_conn
 */
struct vbus {
	struct mutex lock;	/* see above */
	struct vbus_memctx memctx;
	struct xarray devices;
	struct xarray conns;
};

/**
 * struct vbus_conn - the bus's side of a connection
 * @ref: Held by the bus's table and by each ioctl using it
 * @lock: Serializes call, shm and close
 * @bus: The bus
 * @dev: The device it connects to
 * @conn: The model's connection
 * @closed: Closed: the model's ops are not called any more
 * @faulted: Its shared memory could not be mapped again
 * @err: The eventfd VBUS_CONN_OPEN gave, or NULL
 * @shms: Its shared memory regions (struct vbus_shm)
 */
struct vbus_conn {
	struct kref ref;
	struct mutex lock;	/* see above */
	struct vbus *bus;
	struct vbus_device *dev;
	struct vbus_connection *conn;
	bool closed;
	atomic_t faulted;
	struct eventfd_ctx *err;
	struct list_head shms;
};

/**
 * struct shm_signal - the device's end of a signal in shared memory
 * @shm: The region the descriptor is in
 * @offset: Offset of the struct shm_signal_desc in @shm
 * @kick_file: The kick eventfd's file, held until stopped
 * @kick: The kick eventfd
 * @call: The call eventfd, or NULL
 * @notifier: Told of kicks, between shm_signal_start() and _stop()
 * @wait: On the kick eventfd's wait queue while started
 * @pt: Used to get on it
 */
struct shm_signal {
	struct vbus_shm *shm;
	size_t offset;
	struct file *kick_file;
	struct eventfd_ctx *kick;
	struct eventfd_ctx *call;
	struct shm_signal_notifier *notifier;
	wait_queue_entry_t wait;
	poll_table pt;
};

/**
 * struct vbus_shm - a shared memory region of a connection
 * @conn: The connection
 * @id: The interface's id for it
 * @gpa: Guest-physical address
 * @len: Length
 * @map_lock: Serializes (re)mapping against unmapping
 * @map: Its writable vmap; its address is NULL once invalidated
 * @node: In @conn->shms
 * @has_signal: @signal is in use
 * @signal: Its signal
 */
struct vbus_shm {
	struct vbus_conn *conn;
	u32 id;
	u64 gpa;
	size_t len;
	struct mutex map_lock;	/* see above */
	struct vas_vmap *map;
	struct list_head node;
	bool has_signal;
	struct shm_signal signal;
};

/*
 * Copies the size-first ioctl structure at @argp into @args (@size bytes,
 * this version's): a smaller size is -EINVAL, a larger one up to a page
 * must be zero beyond what is known (-E2BIG).
 */
static inline int vbus_copy_args(void *args, size_t size, void __user *argp)
{
	u32 usize;

	if (get_user(usize, (u32 __user *)argp))
		return -EFAULT;
	if (usize < size)
		return -EINVAL;
	if (usize > PAGE_SIZE)
		return -E2BIG;
	return copy_struct_from_user(args, size, argp, usize);
}

/* A NUL-terminated, non-empty name of at most VBUS_NAME_MAX bytes */
static inline bool vbus_name_valid(const char name[VBUS_NAME_MAX])
{
	size_t len = strnlen(name, VBUS_NAME_MAX);

	return len && len < VBUS_NAME_MAX;
}

/* connection.c */
long vbus_conn_open(struct vbus *bus, void __user *argp);
long vbus_conn_close_ioctl(struct vbus *bus, void __user *argp);
long vbus_conn_call(struct vbus *bus, void __user *argp);
long vbus_conn_shm(struct vbus *bus, void __user *argp);
void vbus_conn_close(struct vbus_conn *c);

/* devclass.c */
struct vbus_devclass *vbus_devclass_get(const char *name);
void vbus_devclass_put(struct vbus_devclass *dc);

/* shm.c */
struct vbus_shm *vbus_shm_create(struct vbus_conn *c,
				 const struct vbus_conn_shm *args);
void vbus_shm_destroy(struct vbus_shm *shm);

/* shm_signal.c */
int shm_signal_init(struct shm_signal *s, struct vbus_shm *shm,
		    size_t offset, int kick_fd, int call_fd);
void shm_signal_stop(struct shm_signal *s);
void shm_signal_destroy(struct shm_signal *s);

#endif /* __VBUS_PRIVATE_H */
