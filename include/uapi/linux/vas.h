/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vas: guest-physical address spaces
 *
 * A vas is created by vas_create(2) and handled as a file descriptor. The
 * process that created it (its owner) maps guest-physical ranges, memslots,
 * onto its own memory with VAS_SET_MEMSLOT. Whoever holds the descriptor
 * reads and writes guest-physical memory with pread(2)/pwrite(2) and
 * preadv(2)/pwritev(2): the file offset is the guest-physical address.
 *
 * Every ioctl takes a pointer to a structure whose first member, size, is
 * the size of the structure userspace knows. The kernel accepts any size
 * from the first published version of the structure on, up to the page
 * size: a shorter one is zero-extended, a longer one must have only zero
 * bytes past the end of the structure the kernel knows (else E2BIG), and
 * one beyond a page is refused with E2BIG. See Documentation/virt/vas/.
 */
#ifndef _UAPI_LINUX_VAS_H
#define _UAPI_LINUX_VAS_H

#include <linux/ioctl.h>
#include <linux/types.h>

/*
 * Flags of vas_create(2). VAS_CLOEXEC is O_CLOEXEC, as EFD_CLOEXEC is for
 * eventfd; O_CLOEXEC comes from <fcntl.h>, which this header does not
 * include because <linux/fcntl.h> clashes with the C library's.
 */
#define VAS_CLOEXEC		O_CLOEXEC

/* The API version reported by VAS_GET_INFO */
#define VAS_API_VERSION		1

#define VAS_TYPE		0xB9

enum {
	VAS_CMD_GET_INFO = 0x00,
	VAS_CMD_SET_MEMSLOT = 0x01,
	VAS_CMD_GET_DIRTY_LOG = 0x02,
	VAS_CMD_CLEAR_DIRTY_LOG = 0x03,
};

/* Capability bits reported in vas_get_info.capabilities */
#define VAS_CAP_READONLY_MEMSLOTS	(1ULL << 0)
#define VAS_CAP_RW_FD			(1ULL << 1)
#define VAS_CAP_DIRTY_LOG		(1ULL << 2)

/**
 * struct vas_get_info - ioctl(VAS_GET_INFO)
 * @size: sizeof(struct vas_get_info)
 * @flags: Must be 0
 * @api_version: Output: VAS_API_VERSION of the running kernel
 * @max_memslots: Output: memslot ids run from 0 to max_memslots - 1
 * @capabilities: Output: VAS_CAP_* bits of the features this kernel has
 * @max_memslot_size: Output: largest memory_size of one memslot, in bytes
 *
 * Tells what this kernel's vas supports, so that later features can be
 * probed before use. Unknown capability bits must be ignored.
 */
struct vas_get_info {
	__u32 size;
	__u32 flags;
	__u32 api_version;
	__u32 max_memslots;
	__aligned_u64 capabilities;
	__aligned_u64 max_memslot_size;
};

#define VAS_GET_INFO		_IO(VAS_TYPE, VAS_CMD_GET_INFO)

/* Flags of a memslot */
#define VAS_MEM_READONLY	(1U << 0)
#define VAS_MEM_LOG_DIRTY_PAGES	(1U << 1)

/**
 * struct vas_set_memslot - ioctl(VAS_SET_MEMSLOT)
 * @size: sizeof(struct vas_set_memslot)
 * @flags: VAS_MEM_* flags of the memslot
 * @slot: Memslot id, below vas_get_info.max_memslots
 * @__reserved: Must be 0
 * @guest_phys_addr: First guest-physical address of the memslot
 * @memory_size: Length of the memslot in bytes, 0 to delete it
 * @userspace_addr: Caller's address that guest_phys_addr maps to
 *
 * Creates, deletes, moves or changes the flags of memslot @slot. Only the
 * process that created the vas may call it. Addresses and sizes are
 * multiples of the page size; memslots never overlap.
 *
 * - slot unused, memory_size != 0: create the memslot.
 * - slot used, memory_size == 0: delete it.
 * - slot used, same memory_size and userspace_addr: move it to
 *   guest_phys_addr and/or change its flags.
 *
 * When the call returns, no access through the vas uses the old layout.
 */
struct vas_set_memslot {
	__u32 size;
	__u32 flags;
	__u32 slot;
	__u32 __reserved;
	__aligned_u64 guest_phys_addr;
	__aligned_u64 memory_size;
	__aligned_u64 userspace_addr;
};

#define VAS_SET_MEMSLOT		_IO(VAS_TYPE, VAS_CMD_SET_MEMSLOT)

/* Flags of vas_dirty_log for VAS_GET_DIRTY_LOG */
#define VAS_DIRTY_LOG_KEEP	(1U << 0)	/* read without clearing */

/**
 * struct vas_dirty_log - ioctl(VAS_GET_DIRTY_LOG) and ioctl(VAS_CLEAR_DIRTY_LOG)
 * @size: sizeof(struct vas_dirty_log)
 * @flags: VAS_GET_DIRTY_LOG: VAS_DIRTY_LOG_KEEP or 0; VAS_CLEAR_DIRTY_LOG: 0
 * @slot: Memslot id; the memslot must have VAS_MEM_LOG_DIRTY_PAGES
 * @__reserved: Must be 0
 * @first_page: VAS_CLEAR_DIRTY_LOG: first page, a multiple of 64;
 *	VAS_GET_DIRTY_LOG: must be 0
 * @num_pages: VAS_CLEAR_DIRTY_LOG: number of pages, a multiple of 64 or
 *	up to the end of the memslot; VAS_GET_DIRTY_LOG: must be 0
 * @bitmap: Pointer to a bitmap of 64-bit words, bit N for page N (of the
 *	memslot for GET, of @first_page on for CLEAR)
 *
 * VAS_GET_DIRTY_LOG copies the memslot's dirty bitmap to @bitmap, one bit
 * per page, rounded up to whole 64-bit words, and clears it unless
 * VAS_DIRTY_LOG_KEEP is set. A page is dirty if it was written through the
 * vas (vas_write(), pwrite() on the fd, kernel users that mark their
 * writes, binders that report theirs) since the log was last cleared;
 * pages under a writable kernel mapping (vmap) count as dirty on every
 * read while it exists.
 *
 * VAS_CLEAR_DIRTY_LOG clears the pages whose bits are set in @bitmap, so
 * that userspace can read with VAS_DIRTY_LOG_KEEP, copy the pages, then
 * clear exactly what it copied.
 */
struct vas_dirty_log {
	__u32 size;
	__u32 flags;
	__u32 slot;
	__u32 __reserved;
	__aligned_u64 first_page;
	__aligned_u64 num_pages;
	__aligned_u64 bitmap;
};

#define VAS_GET_DIRTY_LOG	_IO(VAS_TYPE, VAS_CMD_GET_DIRTY_LOG)
#define VAS_CLEAR_DIRTY_LOG	_IO(VAS_TYPE, VAS_CMD_CLEAR_DIRTY_LOG)

#endif /* _UAPI_LINUX_VAS_H */
