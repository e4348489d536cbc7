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

/*
 * The ops of VAS_TEST. Those named VAS_TEST_OP_* are issued on a vas fd,
 * those named VAS_TEST_BINDER_* on a test binder fd (from
 * VAS_TEST_OP_BIND); each uses the member of struct vas_test_cmd's union
 * named in its comment.
 */
enum vas_test_op {
	VAS_TEST_OP_READ = 0,	/* access: vas_read() into @buffer */
	VAS_TEST_OP_WRITE = 1,	/* access: vas_write() from @buffer */
	VAS_TEST_OP_BIND = 2,	/* bind: returns the fd of a new test binder */
	VAS_TEST_OP_BENCH = 3,	/* bench: time vas paths, CONFIG_VAS_BENCH */
	VAS_TEST_OP_READ_ONCE = 4,	/* access: vas_read_once(), @length */
	VAS_TEST_OP_WRITE_ONCE = 5,	/* access: vas_write_once() */

	VAS_TEST_BINDER_SET_VETO = 16,	/* bind: ->prepare returns -@veto now on */
	VAS_TEST_BINDER_ADD_DIRTY = 17,	/* range: reported at ->sync_dirty */
	VAS_TEST_BINDER_READ = 18,	/* access: vas_read() through its reference */
	VAS_TEST_BINDER_WRITE = 19,	/* access: vas_write() through it */
	VAS_TEST_BINDER_VMAP = 20,	/* range: vas_vmap() */
	VAS_TEST_BINDER_VUNMAP = 21,	/* none: vas_vunmap() it */
	VAS_TEST_BINDER_VMAP_READ = 22,	/* access: copy out of the vmap */
	VAS_TEST_BINDER_VMAP_WRITE = 23,	/* access: copy into the vmap */
	VAS_TEST_BINDER_SGMAP = 24,	/* range: vas_sgmap() */
	VAS_TEST_BINDER_SGUNMAP = 25,	/* none: vas_sgunmap() it */
	VAS_TEST_BINDER_SGMAP_READ = 26,	/* access: copy out of its pages */
	VAS_TEST_BINDER_SGMAP_WRITE = 27,	/* access: copy into them */
	VAS_TEST_BINDER_SGMAP_NENTS = 28,	/* none: returns the table's nents */
	VAS_TEST_BINDER_GPC_ACTIVATE = 29,	/* range: vas_gpc_activate() */
	VAS_TEST_BINDER_GPC_DEACTIVATE = 30,	/* none */
	VAS_TEST_BINDER_GPC_READ = 31,	/* access: copy out, irqs off; and */
	VAS_TEST_BINDER_GPC_WRITE = 32,	/* in, marked dirty; both return */
					/* the number of refreshes needed */
};

/* Context an op runs in: READ, WRITE, *_ONCE, BENCH, VMAP, SGMAP, GPC_ACTIVATE */
enum vas_test_context {
	VAS_TEST_CALLER = 0,	/* the calling process itself */
	VAS_TEST_KTHREAD = 1,	/* a kernel thread started for the op */
};

/* Access paths, as reported in access.path_taken */
enum vas_test_path {
	VAS_TEST_PATH_OWNER = 1,	/* current->mm is the owner's mm */
	VAS_TEST_PATH_KTHREAD = 2,	/* kernel thread borrowing the owner's mm */
	VAS_TEST_PATH_REMOTE = 3,	/* any other process: remote GUP */
};

/* Flags of struct vas_test_cmd, each for the ops named */
#define VAS_TEST_FLAG_VIA_FD		0x1U	/* READ, WRITE, *_ONCE: access.fd */
#define VAS_TEST_FLAG_BIND_APPLIES	0x2U	/* BIND: prepare_applies, as KVM */
#define VAS_TEST_MAP_WRITE		0x4U	/* VMAP, SGMAP, GPC_ACTIVATE */

/**
 * struct vas_test_bench - the bench member of struct vas_test_cmd
 * @iterations: Repetitions of each 64 KiB copy; 16 times as many of the
 *	8-byte reads, cache reads and lookups
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
 * measured". The access loops run in the command's context.
 */
struct vas_test_bench {
	__u32 iterations;
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

/**
 * struct vas_test_cmd - ioctl(VAS_TEST), only with CONFIG_VAS_TEST
 * @size: sizeof(struct vas_test_cmd)
 * @op: enum vas_test_op
 * @context: enum vas_test_context, for the ops that take one; else 0
 * @flags: VAS_TEST_FLAG_* and VAS_TEST_MAP_WRITE, for the ops named
 * @access: READ, WRITE, READ_ONCE, WRITE_ONCE and the binder's copies
 * @access.gpa: Guest-physical address
 * @access.length: Bytes, at most 1 MiB; READ_ONCE, WRITE_ONCE: the size
 *	of the value (1, 2, 4 or 8)
 * @access.buffer: Caller's buffer: filled by a read, the source of a write
 * @access.fd: With VAS_TEST_FLAG_VIA_FD: the access goes to
 *	the vas that vas_get_from_fd(@access.fd) returns, as a kernel user
 *	handed a descriptor would do, not to the one the ioctl was issued on
 * @access.path_taken: Output of the vas fd's accesses: enum vas_test_path
 * @range: ADD_DIRTY, VMAP, SGMAP, GPC_ACTIVATE
 * @range.gpa: Guest-physical address
 * @range.length: Bytes
 * @bind: BIND, SET_VETO
 * @bind.veto: Positive errno the test binder's ->prepare returns from
 *	now on (BIND: from the start, the replay of the existing memslots
 *	included), or 0 to accept changes
 * @bind.__reserved: Must be 0
 * @bench: BENCH
 *
 * One command of the test interface, like iommufd's IOMMU_TEST_CMD: READ
 * and WRITE run the in-kernel vas_read()/vas_write() on a kernel buffer in
 * the caller or a kernel thread, so that selftests reach every access
 * path; BIND binds a test binder, a binder driven from userspace whose fd
 * takes the VAS_TEST_BINDER_* ops and returns, from read(), the
 * struct vas_test_event of every op it received. A test binder holds at
 * most one vmap (VMAP_READ/VMAP_WRITE copy through it under the lock its
 * ->invalidate takes: after an invalidation they fail with ESTALE), one
 * sgmap and one gfn->pfn cache, used with interrupts disabled.
 *
 * Returns 0 or what the op returns, or -errno: EINVAL for an unknown op,
 * an op on the wrong kind of fd, flags or a context the op does not take,
 * a non-zero reserved field; ENOTTY for an op this kernel does not build.
 */
struct vas_test_cmd {
	__u32 size;
	__u32 op;
	__u32 context;
	__u32 flags;
	union {
		struct {
			__aligned_u64 gpa;
			__aligned_u64 length;
			__aligned_u64 buffer;
			__s32 fd;
			__u32 path_taken;
		} access;
		struct {
			__aligned_u64 gpa;
			__aligned_u64 length;
		} range;
		struct {
			__s32 veto;
			__u32 __reserved;
		} bind;
		struct vas_test_bench bench;
	};
};

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

#endif /* _VAS_TEST_H */
