/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vbus: the device-model API
 *
 * A device model is a module that registers a device class. The VMM
 * creates devices of that class on a bus (/dev/vbus) by its name; the
 * class's create() returns a struct vbus_device with its interfaces. The
 * VMM then connects to an interface on the guest's behalf: the interface's
 * connect() returns a struct vbus_connection, through which the guest
 * calls the device and hands it shared memory (struct vbus_shm, with a
 * struct shm_signal if it has one, <linux/vbus_ring.h>).
 *
 * Guest memory is reached only through the connection's memory context:
 * vbus_memctx_copy_from(), vbus_memctx_copy_to(), and the shared memory
 * regions. A device model never sees the vas behind them, nor KVM.
 *
 * Lifetimes: a connection ends with close() (stop using its shared memory;
 * the bus unmaps it when close() returns) and then release(); a device
 * ends with release() once it has no connection. All ops run in process
 * context and may sleep, unless said otherwise.
 *
 * Everything here is exported in the VBUS symbol namespace:
 * MODULE_IMPORT_NS(VBUS). See Documentation/virt/vas/vbus.rst.
 */
#ifndef __LINUX_VBUS_H
#define __LINUX_VBUS_H

#include <linux/list.h>
#include <linux/types.h>
#include <uapi/linux/vbus.h>

struct module;
struct vbus;
struct vbus_memctx;
struct vbus_shm;
struct shm_signal;
struct vbus_devclass;
struct vbus_device;
struct vbus_device_interface;
struct vbus_connection;

/**
 * struct vbus_devclass_ops - what a device class does
 * @create: Creates a device for the bus. Returns it, with @ops and its
 *	interfaces set, or an ERR_PTR().
 */
struct vbus_devclass_ops {
	struct vbus_device *(*create)(struct vbus_devclass *dc);
};

/**
 * struct vbus_devclass - a kind of device, registered by a device model
 * @name: The name VBUS_DEV_CREATE takes; at most VBUS_NAME_MAX - 1 bytes
 * @ops: Its operations
 * @owner: THIS_MODULE: held while a device of the class exists
 * @node: The bus's; do not touch
 */
struct vbus_devclass {
	const char *name;
	const struct vbus_devclass_ops *ops;
	struct module *owner;
	struct list_head node;
};

/**
 * struct vbus_device_interface_ops - what an interface does
 * @connect: Connects the guest to the interface, speaking @version, with
 *	guest memory reached through @ctx. Returns the connection, with its
 *	@ops set, or an ERR_PTR() (-EPROTONOSUPPORT for a version it does
 *	not speak, -EBUSY if it takes one connection and has it).
 */
struct vbus_device_interface_ops {
	struct vbus_connection *(*connect)(struct vbus_device_interface *intf,
					   struct vbus_memctx *ctx,
					   u32 version);
};

/**
 * struct vbus_device_interface - a way into a device
 * @type: What it speaks ("echo", "virtual-ethernet"); the name
 *	VBUS_CONN_OPEN takes
 * @version: Highest version it speaks
 * @ops: Its operations
 */
struct vbus_device_interface {
	const char *type;
	u32 version;
	const struct vbus_device_interface_ops *ops;
};

/**
 * struct vbus_device_ops - what a device does
 * @release: The device is destroyed (VBUS_DEV_DESTROY, or its bus went
 *	away) and has no connection left: free it
 */
struct vbus_device_ops {
	void (*release)(struct vbus_device *dev);
};

/**
 * struct vbus_device - a device on a bus, embedded in the model's own
 * @ops: Set by create()
 * @intfs: Its interfaces, set by create()
 * @nr_intfs: How many
 * @name: Its name in the host, if it has one (a network interface, say),
 *	set by create(); VBUS_DEV_LIST reports it
 * @devclass: Set by the bus: the class it was created from
 * @id: Set by the bus: its id
 * @nr_conns: The bus's count of open connections to it
 */
struct vbus_device {
	const struct vbus_device_ops *ops;
	struct vbus_device_interface *intfs;
	unsigned int nr_intfs;
	char name[VBUS_NAME_MAX];
	struct vbus_devclass *devclass;
	u32 id;
	unsigned int nr_conns;
};

/**
 * struct vbus_connection_ops - what a connection does
 * @call: The guest calls function @func with a request of @len bytes at
 *	guest-physical @data. Returns a non-negative result or a negative
 *	errno (-EINVAL for an unknown @func). Calls on one connection are
 *	serialized with each other and with @shm.
 * @shm: The guest hands the device shared memory region @shm_id, with
 *	@signal if it has one (else NULL). Return 0 to take it: it then stays
 *	until @close returns; or a negative errno (-EINVAL for an @shm_id the
 *	interface does not know, or a region it cannot use).
 * @close: The connection is closed: stop every use of its shared memory
 *	and signals (flush the work that uses them) before returning.
 *	Optional.
 * @release: Free the connection.
 */
struct vbus_connection_ops {
	long (*call)(struct vbus_connection *conn, u32 func, u64 data,
		     u32 len);
	int (*shm)(struct vbus_connection *conn, u32 shm_id,
		   struct vbus_shm *shm, struct shm_signal *signal);
	void (*close)(struct vbus_connection *conn);
	void (*release)(struct vbus_connection *conn);
};

/**
 * struct vbus_connection - a connection, embedded in the model's own
 * @ops: Set by connect()
 * @priv: The bus's; do not touch
 */
struct vbus_connection {
	const struct vbus_connection_ops *ops;
	void *priv;
};

int vbus_devclass_register(struct vbus_devclass *dc);
void vbus_devclass_unregister(struct vbus_devclass *dc);

int vbus_memctx_copy_from(struct vbus_memctx *ctx, void *dst, u64 gpa,
			  size_t len);
int vbus_memctx_copy_to(struct vbus_memctx *ctx, u64 gpa, const void *src,
			size_t len);

void *vbus_shm_access_begin(struct vbus_shm *shm);
void vbus_shm_access_end(struct vbus_shm *shm);
size_t vbus_shm_len(struct vbus_shm *shm);

void vbus_connection_fault(struct vbus_connection *conn);

#endif /* __LINUX_VBUS_H */
