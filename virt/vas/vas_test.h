/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The vas test interface, CONFIG_VAS_TEST only. Not part of the uAPI: the
 * vas selftests include this header from the kernel tree, like iommufd's
 * selftests include iommufd_test.h.
 */
#ifndef _VAS_TEST_H
#define _VAS_TEST_H

#include <linux/types.h>
#include <linux/vas.h>

#define VAS_CMD_TEST		0x1f
#define VAS_CMD_TEST_BINDER	0x1e
#define VAS_CMD_TEST_BENCH	0x1d

/* Operations of the test interface, CONFIG_VAS_TEST only */
enum vas_test_op {
	VAS_TEST_OP_READ = 0,
	VAS_TEST_OP_WRITE = 1,
	VAS_TEST_OP_BIND = 2,	/* returns the fd of a new test binder */
};

/* Context an access of the test interface runs in */
enum vas_test_context {
	VAS_TEST_CALLER = 0,	/* the calling process itself */
	VAS_TEST_KTHREAD = 1,	/* a kernel thread started for the access */
};

/* Access paths, as reported in vas_test.path_taken */
enum vas_test_path {
	VAS_TEST_PATH_OWNER = 1,	/* current->mm is the owner's mm */
	VAS_TEST_PATH_KTHREAD = 2,	/* kernel thread borrowing the owner's mm */
	VAS_TEST_PATH_REMOTE = 3,	/* any other process: remote GUP */
};

/**
 * struct vas_test - ioctl(VAS_TEST), only with CONFIG_VAS_TEST
 * @size: sizeof(struct vas_test)
 * @op: enum vas_test_op
 * @context: enum vas_test_context
 * @path_taken: Output: enum vas_test_path the access went through
 * @gpa: Guest-physical address to access
 * @length: Number of bytes, at most 1 MiB
 * @buffer: Caller's buffer: filled by a read, the source of a write
 * @flags: VAS_TEST_FLAG_*
 * @fd: With VAS_TEST_FLAG_VIA_FD: a file descriptor of the caller
 *
 * Runs the in-kernel vas_read() or vas_write() on a kernel buffer, in the
 * calling process or in a kernel thread, so that selftests reach every
 * in-kernel access path. Returns the errno of vas_read()/vas_write().
 *
 * VAS_TEST_OP_BIND binds a test binder to the vas and returns a file
 * descriptor for it (see struct vas_test_binder_cmd). A non-zero @length
 * is then the errno the binder vetoes every change with from the start,
 * the replay of the existing memslots included.
 *
 * With VAS_TEST_FLAG_VIA_FD the access goes to the vas that
 * vas_get_from_fd(@fd) returns, not to the one the ioctl was issued on, as
 * a kernel user handed a descriptor would do; its errors are returned.
 */
struct vas_test {
	__u32 size;
	__u32 op;
	__u32 context;
	__u32 path_taken;
	__aligned_u64 gpa;
	__aligned_u64 length;
	__aligned_u64 buffer;
	__u32 flags;
	__s32 fd;
};

#define VAS_TEST_FLAG_VIA_FD	0x1U
/* VAS_TEST_OP_BIND: the binder's ops have prepare_applies, like KVM's */
#define VAS_TEST_FLAG_BIND_APPLIES	0x2U

#define VAS_TEST		_IO(VAS_TYPE, VAS_CMD_TEST)

/* What a test binder was told, as read() from its fd returns them */
enum vas_test_event_type {
	VAS_TEST_EVENT_PREPARE = 1,
	VAS_TEST_EVENT_COMMIT = 2,
	VAS_TEST_EVENT_ABORT = 3,
	VAS_TEST_EVENT_INVALIDATE = 4,
	VAS_TEST_EVENT_SYNC_DIRTY = 5,
	VAS_TEST_EVENT_RELEASE = 6,
	VAS_TEST_EVENT_VMAP_INVALIDATE = 7,
};

/* enum vas_memslot_change_kind, as vas_test_event.kind reports it */
enum vas_test_change_kind {
	VAS_TEST_CREATE = 0,
	VAS_TEST_DELETE = 1,
	VAS_TEST_MOVE = 2,
	VAS_TEST_FLAGS_ONLY = 3,
};

/**
 * struct vas_test_event - one op call a test binder received
 * @type: enum vas_test_event_type
 * @slot: Memslot id (PREPARE, COMMIT, ABORT, SYNC_DIRTY)
 * @kind: enum vas_test_change_kind (PREPARE, COMMIT, ABORT)
 * @flags: VMAP_INVALIDATE: VAS_TEST_EVENT_ADDR_CLEARED if vas_vmap_addr()
 *	already returned NULL when ->invalidate ran
 * @gpa: INVALIDATE: first address; PREPARE/COMMIT/ABORT: the memslot's
 *	new address, or old one for a delete; VMAP_INVALIDATE: the vmap's
 * @len: INVALIDATE: length; PREPARE/COMMIT/ABORT: the memslot's size;
 *	VMAP_INVALIDATE: the vmap's
 */
struct vas_test_event {
	__u32 type;
	__u32 slot;
	__u32 kind;
	__u32 flags;
	__aligned_u64 gpa;
	__aligned_u64 len;
};

#define VAS_TEST_EVENT_ADDR_CLEARED	0x1U

/* Operations on a test binder fd */
enum vas_test_binder_op {
	VAS_TEST_BINDER_SET_VETO = 0,	/* ->prepare returns -@veto from now on */
	VAS_TEST_BINDER_ADD_DIRTY = 1,	/* report [@gpa, +@length) at ->sync_dirty */
	VAS_TEST_BINDER_READ = 2,	/* vas_read() through the binder's reference */
	VAS_TEST_BINDER_WRITE = 3,	/* vas_write() through it */
	VAS_TEST_BINDER_VMAP = 4,	/* vas_vmap() [@gpa, +@length) */
	VAS_TEST_BINDER_VUNMAP = 5,	/* vas_vunmap() it */
	VAS_TEST_BINDER_VMAP_READ = 6,	/* copy [@gpa, +@length) out of the vmap */
	VAS_TEST_BINDER_VMAP_WRITE = 7,	/* copy into the vmap */
	VAS_TEST_BINDER_SGMAP = 8,	/* vas_sgmap() [@gpa, +@length) */
	VAS_TEST_BINDER_SGUNMAP = 9,	/* vas_sgunmap() it */
	VAS_TEST_BINDER_SGMAP_READ = 10,	/* copy out of the sgmap's pages */
	VAS_TEST_BINDER_SGMAP_WRITE = 11,	/* copy into them */
	VAS_TEST_BINDER_SGMAP_NENTS = 12,	/* returns the sg_table's nents */
	VAS_TEST_BINDER_GPC_ACTIVATE = 13,	/* vas_gpc_activate() [@gpa, +@length) */
	VAS_TEST_BINDER_GPC_DEACTIVATE = 14,
	VAS_TEST_BINDER_GPC_READ = 15,	/* copy @length bytes out, irqs off; */
	VAS_TEST_BINDER_GPC_WRITE = 16,	/* in, and mark dirty; both return */
					/* the number of refreshes needed */
};

/* Flags of struct vas_test_binder_cmd */
#define VAS_TEST_MAP_WRITE	0x1U

/**
 * struct vas_test_binder_cmd - ioctl(VAS_TEST_BINDER) on a test binder fd
 * @size: sizeof(struct vas_test_binder_cmd)
 * @op: enum vas_test_binder_op
 * @veto: SET_VETO: positive errno for ->prepare to return, 0 to accept
 * @flags: VMAP, SGMAP, GPC_ACTIVATE: VAS_TEST_MAP_WRITE for writing
 * @gpa: Guest-physical address
 * @length: Bytes, at most 1 MiB
 * @buffer: READ/WRITE/VMAP_READ/VMAP_WRITE: the caller's buffer
 * @context: VMAP, SGMAP, GPC_ACTIVATE: enum vas_test_context to run in
 * @__pad: 0
 *
 * A test binder holds at most one vmap. VMAP_READ and VMAP_WRITE copy
 * through it with memcpy(), under the lock its ->invalidate takes: after
 * an invalidation they fail with ESTALE instead of touching the pages.
 * It also holds at most one sgmap, copied with sg_pcopy_{to,from}_buffer(),
 * and one gfn->pfn cache, used with interrupts disabled.
 */
struct vas_test_binder_cmd {
	__u32 size;
	__u32 op;
	__s32 veto;
	__u32 flags;
	__aligned_u64 gpa;
	__aligned_u64 length;
	__aligned_u64 buffer;
	__u32 context;
	__u32 __pad;
};

#define VAS_TEST_BINDER		_IO(VAS_TYPE, VAS_CMD_TEST_BINDER)

/**
 * struct vas_test_bench - ioctl(VAS_TEST_BENCH) on a vas fd, CONFIG_VAS_BENCH
 * @size: sizeof(struct vas_test_bench)
 * @iterations: Repetitions of each 64 KiB copy; 16 times as many of the
 *	8-byte reads, cache reads and lookups
 * @context: enum vas_test_context the access loops run in
 * @kvm_fd: A KVM VM fd whose memslots mirror the vas's (same guest
 *	addresses, same owner memory), or -1 to skip the KVM anchors;
 *	only used in the owner's own context
 * @gpa: 64 KiB of guest memory inside one memslot, for the copies
 * @lookup_gpa: First guest address for the lookup loop
 * @lookup_stride: Step between looked-up addresses
 * @lookup_count: Number of distinct addresses, cycled through
 * @path_taken: Output: enum vas_test_path of the access loops
 * @memcpy_64k_ns: Output: memcpy() of 64 KiB between kernel buffers
 * @copy_from_user_64k_ns: Output: copy_from_user() of the same 64 KiB of
 *	owner memory (owner context only)
 * @vas_read_64k_ns: Output: vas_read() of 64 KiB
 * @vas_write_64k_ns: Output: vas_write() of 64 KiB
 * @vas_read_8_ns: Output: vas_read() of 8 bytes
 * @kvm_read_8_ns: Output: kvm_read_guest() of 8 bytes
 * @vas_gpc_read_ns: Output: vas_gpc_check() and an 8-byte read
 * @kvm_gpc_read_ns: Output: kvm_gpc_check() and an 8-byte read
 * @vas_lookup_ns: Output: one vas memslot lookup
 * @kvm_lookup_ns: Output: one gfn_to_memslot()
 *
 * All outputs are nanoseconds per operation, measured in one call, so
 * their ratios compare paths under the same conditions; 0 means "not
 * measured".
 */
struct vas_test_bench {
	__u32 size;
	__u32 iterations;
	__u32 context;
	__s32 kvm_fd;
	__aligned_u64 gpa;
	__aligned_u64 lookup_gpa;
	__aligned_u64 lookup_stride;
	__u32 lookup_count;
	__u32 path_taken;
	__aligned_u64 memcpy_64k_ns;
	__aligned_u64 copy_from_user_64k_ns;
	__aligned_u64 vas_read_64k_ns;
	__aligned_u64 vas_write_64k_ns;
	__aligned_u64 vas_read_8_ns;
	__aligned_u64 kvm_read_8_ns;
	__aligned_u64 vas_gpc_read_ns;
	__aligned_u64 kvm_gpc_read_ns;
	__aligned_u64 vas_lookup_ns;
	__aligned_u64 kvm_lookup_ns;
};

#define VAS_TEST_BENCH		_IO(VAS_TYPE, VAS_CMD_TEST_BENCH)

#endif /* _VAS_TEST_H */
