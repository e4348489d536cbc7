/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vbus: a virtual bus for in-kernel device models on a vas
 *
 * Opening /dev/vbus creates an empty bus; closing the last reference to
 * that file destroys the bus, its devices and their connections. The VMM
 * binds the bus to a vas (VBUS_SET_VAS), creates devices by class name
 * (VBUS_DEV_CREATE), and opens connections to their interfaces on behalf
 * of the guest (VBUS_CONN_OPEN). Through a connection the guest calls the
 * device (VBUS_CONN_CALL, a request in guest memory) and hands it shared
 * memory (VBUS_CONN_SHM: a guest-physical range with an optional signal,
 * <linux/vbus_ring.h>, kicked and interrupted through eventfds).
 *
 * Every address is a guest-physical address of the bound vas. Every ioctl
 * takes a structure that starts with its own size: any size from the first
 * version up to a page is accepted, and bytes the kernel does not know
 * must be zero (E2BIG otherwise). See Documentation/virt/vas/vbus.rst.
 */
#ifndef _UAPI_LINUX_VBUS_H
#define _UAPI_LINUX_VBUS_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* In the vas ioctl range of ioctl-number.rst: 0xB9 0x40-0x4F */
#define VBUS_TYPE		0xB9

/* Length of class and interface names, the terminating NUL included */
#define VBUS_NAME_MAX		32

/**
 * struct vbus_set_vas - ioctl(VBUS_SET_VAS)
 * @size: sizeof(struct vbus_set_vas)
 * @flags: Must be 0
 * @vas_fd: A vas file descriptor
 * @__reserved: Must be 0
 *
 * Binds the bus, once, to the vas its devices reach guest memory through.
 * Errors: EINVAL for unknown flags, a non-zero @__reserved or a @size below
 * this version's; EBADF or EINVAL if @vas_fd is not a vas; EBUSY if the bus
 * is bound already.
 */
struct vbus_set_vas {
	__u32 size;
	__u32 flags;
	__s32 vas_fd;
	__u32 __reserved;
};

/**
 * struct vbus_dev_create - ioctl(VBUS_DEV_CREATE)
 * @size: sizeof(struct vbus_dev_create)
 * @flags: Must be 0
 * @id: Out: the new device's id on this bus (never 0)
 * @__reserved: Must be 0
 * @devclass: Name of a registered device class, NUL-terminated
 *
 * Creates a device of class @devclass. Errors: EINVAL for unknown flags, a
 * non-zero @__reserved, or a @devclass that is empty or not terminated;
 * ENOENT if no such class is registered; ENOSPC if the bus has
 * VBUS_MAX_DEVICES devices; or what the class's create() returns.
 */
struct vbus_dev_create {
	__u32 size;
	__u32 flags;
	__u32 id;
	__u32 __reserved;
	char devclass[VBUS_NAME_MAX];
};

/* Devices and connections a bus holds at most */
#define VBUS_MAX_DEVICES	256
#define VBUS_MAX_CONNECTIONS	1024

/**
 * struct vbus_dev_destroy - ioctl(VBUS_DEV_DESTROY)
 * @size: sizeof(struct vbus_dev_destroy)
 * @flags: Must be 0
 * @id: The device
 * @__reserved: Must be 0
 *
 * Destroys a device that has no open connection. Errors: EINVAL for
 * unknown flags or a non-zero @__reserved; ENOENT if there is no device
 * @id; EBUSY while a connection to it is open, or a call another thread
 * made on a connection just closed has yet to return.
 */
struct vbus_dev_destroy {
	__u32 size;
	__u32 flags;
	__u32 id;
	__u32 __reserved;
};

/**
 * struct vbus_intf_info - one interface of one device, in VBUS_DEV_LIST
 * @dev_id: The device's id
 * @version: Highest interface version the device speaks
 * @devclass: The device's class
 * @type: The interface's type, the name VBUS_CONN_OPEN takes
 * @name: The device's name in the host, if it has one (a venet device:
 *	its network interface), else empty
 */
struct vbus_intf_info {
	__u32 dev_id;
	__u32 version;
	char devclass[VBUS_NAME_MAX];
	char type[VBUS_NAME_MAX];
	char name[VBUS_NAME_MAX];
};

/**
 * struct vbus_dev_list - ioctl(VBUS_DEV_LIST)
 * @size: sizeof(struct vbus_dev_list)
 * @flags: Must be 0
 * @num_intfs: In: how many entries @intfs has room for; out: how many
 *	interfaces the bus has
 * @__reserved: Must be 0
 * @intfs: User pointer to an array of struct vbus_intf_info
 *
 * Lists the interfaces of every device, by device id. If @num_intfs is too
 * small for all of them, the first @num_intfs are written, @num_intfs is
 * set to the total and the ioctl fails with EMSGSIZE (0 entries asks for
 * the count alone). Errors: EINVAL for unknown flags or a non-zero
 * @__reserved; EFAULT if @intfs cannot be written.
 */
struct vbus_dev_list {
	__u32 size;
	__u32 flags;
	__u32 num_intfs;
	__u32 __reserved;
	__aligned_u64 intfs;
};

/**
 * struct vbus_conn_open - ioctl(VBUS_CONN_OPEN)
 * @size: sizeof(struct vbus_conn_open)
 * @flags: Must be 0
 * @dev_id: The device
 * @version: Interface version the guest speaks
 * @err_fd: An eventfd signalled once if the connection faults (its shared
 *	memory can no longer be reached), or -1
 * @id: Out: the connection's id on this bus (never 0)
 * @type: Interface type, as VBUS_DEV_LIST reports it, NUL-terminated
 *
 * Connects to an interface of a device. Errors: EINVAL for unknown flags
 * or a @type that is empty or not terminated; ENXIO if the bus has no vas;
 * ENOENT if there is no device @dev_id or it has no interface @type;
 * EBADF or EINVAL if @err_fd is neither -1 nor an eventfd; ENOSPC at
 * VBUS_MAX_CONNECTIONS; or what the interface's connect() returns
 * (EPROTONOSUPPORT for a version it does not speak, EBUSY if it takes one
 * connection and has it, by convention).
 */
struct vbus_conn_open {
	__u32 size;
	__u32 flags;
	__u32 dev_id;
	__u32 version;
	__s32 err_fd;
	__u32 id;
	char type[VBUS_NAME_MAX];
};

/**
 * struct vbus_conn_close - ioctl(VBUS_CONN_CLOSE)
 * @size: sizeof(struct vbus_conn_close)
 * @flags: Must be 0
 * @id: The connection
 * @__reserved: Must be 0
 *
 * Closes a connection: the device stops using its shared memory, which is
 * unmapped before the ioctl returns. Errors: EINVAL for unknown flags or a
 * non-zero @__reserved; ENOENT if there is no connection @id.
 */
struct vbus_conn_close {
	__u32 size;
	__u32 flags;
	__u32 id;
	__u32 __reserved;
};

/**
 * struct vbus_conn_call - ioctl(VBUS_CONN_CALL)
 * @size: sizeof(struct vbus_conn_call)
 * @flags: Must be 0
 * @id: The connection
 * @func: What to do; the interface defines the functions
 * @data: Guest-physical address of the request
 * @len: Length of the request
 * @__reserved: Must be 0
 *
 * Calls the device, as a guest's hypercall would: the device reads and
 * writes the request in guest memory. Returns what the device returns, a
 * non-negative value on success. Errors: EINVAL for unknown flags or a
 * non-zero @__reserved; ENOENT if there is no connection @id; EIO once
 * the connection has faulted; or the device's (EINVAL for an unknown
 * @func, EFAULT for a request outside guest memory, by convention).
 */
struct vbus_conn_call {
	__u32 size;
	__u32 flags;
	__u32 id;
	__u32 func;
	__aligned_u64 data;
	__u32 len;
	__u32 __reserved;
};

/* Flags of struct vbus_conn_shm */
#define VBUS_SHM_SIGNAL		(1U << 0)	/* a signal at signal_offset */

/**
 * struct vbus_conn_shm - ioctl(VBUS_CONN_SHM)
 * @size: sizeof(struct vbus_conn_shm)
 * @flags: VBUS_SHM_*
 * @id: The connection
 * @shm_id: Which shared memory region of the interface this is (a ring,
 *	say); the interface defines them
 * @gpa: Guest-physical address of the region
 * @len: Length of the region, at most VBUS_SHM_MAX_LEN
 * @signal_offset: With VBUS_SHM_SIGNAL, offset in the region of a struct
 *	shm_signal_desc (8-byte aligned); else 0
 * @kick_fd: With VBUS_SHM_SIGNAL, an eventfd the guest's signals to the
 *	device arrive on (a KVM_IOEVENTFD, say); else -1
 * @call_fd: With VBUS_SHM_SIGNAL, an eventfd the device's signals to the
 *	guest are sent to (a KVM_IRQFD, say), or -1 for none; else -1
 * @__reserved: Must be 0
 * @__reserved2: Must be 0
 *
 * Hands the device a region of guest memory it keeps mapped: the device
 * reads and writes it with plain loads and stores, its pages count as
 * dirty while it is mapped, and a memslot change under it unmaps it; the
 * device maps it again at its next access, or faults the connection if it
 * cannot. Errors: EINVAL for unknown flags, a non-zero @__reserved, a @len
 * of 0 or above VBUS_SHM_MAX_LEN, a range that wraps, a signal that is
 * misaligned, outside the region or has a bad magic or version, or
 * eventfds given without VBUS_SHM_SIGNAL; EBADF for an eventfd that is not
 * one; ENOENT if there is no connection @id; EEXIST if @shm_id is given
 * already; EFAULT if the range is not guest memory in one memslot; EPERM
 * if that memslot is read-only; ENOMEM also beyond the VMM's
 * RLIMIT_MEMLOCK (the region is pinned); EIO once the connection has
 * faulted; or the
 * interface's (EINVAL for an @shm_id it does not know or a region it
 * cannot use, by convention).
 */
struct vbus_conn_shm {
	__u32 size;
	__u32 flags;
	__u32 id;
	__u32 shm_id;
	__aligned_u64 gpa;
	__aligned_u64 len;
	__aligned_u64 signal_offset;
	__s32 kick_fd;
	__s32 call_fd;
	__u32 __reserved;
	__u32 __reserved2;
};

/* Largest shared memory region */
#define VBUS_SHM_MAX_LEN	(1ULL << 22)

#define VBUS_SET_VAS		_IOW(VBUS_TYPE, 0x40, struct vbus_set_vas)
#define VBUS_DEV_CREATE		_IOWR(VBUS_TYPE, 0x41, struct vbus_dev_create)
#define VBUS_DEV_DESTROY	_IOW(VBUS_TYPE, 0x42, struct vbus_dev_destroy)
#define VBUS_DEV_LIST		_IOWR(VBUS_TYPE, 0x43, struct vbus_dev_list)
#define VBUS_CONN_OPEN		_IOWR(VBUS_TYPE, 0x44, struct vbus_conn_open)
#define VBUS_CONN_CLOSE		_IOW(VBUS_TYPE, 0x45, struct vbus_conn_close)
#define VBUS_CONN_CALL		_IOW(VBUS_TYPE, 0x46, struct vbus_conn_call)
#define VBUS_CONN_SHM		_IOW(VBUS_TYPE, 0x47, struct vbus_conn_shm)

#endif /* _UAPI_LINUX_VBUS_H */
