// SPDX-License-Identifier: GPL-2.0-only
/*
 * vas fault-injection selftests, after iommufd's iommufd_fail_nth.c.
 *
 * Each test sweeps one operation through every allocation it makes in the
 * calling task. Run 0 builds the objects the operation needs and runs it
 * without injection; run nth builds them again, writes nth to
 * /proc/thread-self/fail-nth so that the nth allocation of the operation
 * fails (failslab and fail_page_alloc are set up to fail any allocation,
 * sleeping or not, of any order), runs it, and reads fail-nth back: 0
 * means a failure was injected, anything else that the operation made
 * fewer than nth allocations, which ends the sweep.
 *
 * After an injected failure the operation must have succeeded anyway (the
 * kernel may fall back or retry: kmemleak's own allocations, a uaccess
 * that faults again byte by byte) or failed with an errno its sweep
 * accepts: ENOMEM, and EFAULT only where the operation faults in memory of
 * the owner or of the caller's buffer, as a uaccess whose page fault fails
 * for lack of memory returns EFAULT. Then the objects are checked: a
 * change happened entirely or not at all (memslots, dirty bits, guest
 * memory, what binders saw, pinned pages, a KVM VM's memslots), no file
 * descriptor leaked, and everything still works. Splats and leaks are
 * left to the kernel's debug aids and the kmemleak scan that follow the
 * tests; allocation failure reports are expected (see VAS_FAIL_NTH_BEGIN).
 *
 * Every sweep prints its number of failure points and must find at least
 * one, else it is not reaching the kernel; the memslot delete is the
 * exception, allocation-free by design, which its sweep checks instead.
 * A sweep needing more than MAX_NTH runs fails: something is unbounded.
 */
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <linux/kvm.h>

#include "kselftest_harness.h"
#include "vas_util.h"

#define MAX_NTH		100
#define DEBUGFS		"/sys/kernel/debug"

/* Memslot SLOT: NPAGES pages of mem at GPA; NEXT_SLOT right after it */
#define SLOT		5
#define NPAGES		16
#define GPA		0x100000ULL
#define NEXT_SLOT	6
#define NEXT_PAGES	4
#define NEXT_GPA	(GPA + NPAGES * PAGE)
#define NEXT_MEM	32	/* first page of mem behind NEXT_SLOT */
#define MOVED_GPA	0x400000ULL
/* A memslot id free in every test */
#define SPARE_SLOT	8
/* A memslot whose dirty bitmap takes more than one page fault to copy */
#define LOG_SLOT	9
#define LOG_GPA		0x10000000ULL
#define LOG_PAGES	1024
#define LOG_WORDS	(LOG_PAGES / 64)
/* First memslot id KVM refuses: KVM_USER_MEM_SLOTS on x86 */
#define KVM_FIRST_PRIVATE_SLOT	32764

#define BIT_PAGE(n)	(1ULL << (n))

/* ------------------------------------------------------------ sweeps */

struct sweep {
	const char *name;
	const int *accept;	/* errnos of an injected failure, 0-terminated */
	unsigned int min_points;
	int clean_errno;	/* how a run without injection fails, or 0 */
	int procfd;
	bool started;
	unsigned int nth;	/* 0: the run without injection */
	bool injected;		/* this run had a failure injected */
	bool done;
	unsigned int points;
	unsigned int survived;	/* injected runs that succeeded anyway */
	int errs[8];
	unsigned int counts[8];
	unsigned int vm_killed;	/* KVM sweeps: runs that killed the VM */
};

static const int enomem[] = { ENOMEM, 0 };
/* The operation faults the owner's memory in, as a uaccess: see the top */
static const int enomem_efault[] = { ENOMEM, EFAULT, 0 };

static void sweep_begin(struct __test_metadata *_metadata, struct sweep *s,
			const char *name, const int *accept,
			unsigned int min_points, int clean_errno)
{
	memset(s, 0, sizeof(*s));
	s->name = name;
	s->accept = accept;
	s->min_points = min_points;
	s->clean_errno = clean_errno;
	s->procfd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, s->procfd);
}

static void sweep_report(struct __test_metadata *_metadata, struct sweep *s)
{
	char seen[160] = "";
	size_t len = 0;
	int i;

	for (i = 0; i < 8 && s->errs[i]; i++)
		len += snprintf(seen + len, sizeof(seen) - len, ", %s %u",
				strerrorname_np(s->errs[i]), s->counts[i]);
	if (s->survived)
		len += snprintf(seen + len, sizeof(seen) - len,
				", succeeded %u", s->survived);
	if (s->vm_killed)
		snprintf(seen + len, sizeof(seen) - len, ", VM killed %u",
			 s->vm_killed);
	ksft_print_msg("fail-nth: %s: %u failure points%s%s%s\n", s->name,
		       s->points, *seen ? " (" : "", *seen ? seen + 2 : "",
		       *seen ? ")" : "");
	close(s->procfd);
	ASSERT_LE(s->min_points, s->points)
		TH_LOG("%s: the sweep does not reach the kernel", s->name);
}

static bool sweep_next(struct __test_metadata *_metadata, struct sweep *s)
{
	if (s->started)
		s->nth++;
	s->started = true;
	if (s->done) {
		sweep_report(_metadata, s);
		return false;
	}
	ASSERT_GE(MAX_NTH, s->nth)
		TH_LOG("%s: more than %d failure points", s->name, MAX_NTH);
	return true;
}

static void sweep_arm(struct __test_metadata *_metadata, struct sweep *s)
{
	char buf[16];
	int len;

	if (!s->nth)
		return;
	len = snprintf(buf, sizeof(buf), "%u", s->nth);
	ASSERT_EQ(len, pwrite(s->procfd, buf, len, 0));
}

/*
 * Stops the injection before anything can fail, then checks @ret (>= 0 or
 * -errno): only an injected failure may make the operation fail, with an
 * errno the sweep accepts.
 */
static void sweep_disarm(struct __test_metadata *_metadata, struct sweep *s,
			 long ret)
{
	char buf[16] = "";
	ssize_t n = 1;
	int i;

	s->injected = false;
	if (s->nth) {
		n = pread(s->procfd, buf, sizeof(buf) - 1, 0);
		/* The read took the failure: the operation ended before it. */
		if (n < 0 && errno == EFAULT)
			n = snprintf(buf, sizeof(buf), "1\n");
		while (pwrite(s->procfd, "0", 1, 0) != 1)
			ASSERT_EQ(EFAULT, errno);
		s->injected = n > 0 && atoi(buf) == 0;
	}
	ASSERT_LT(0, n);
	if (!s->injected) {
		if (s->nth) {
			s->done = true;
			s->points = s->nth - 1;
		}
		if (s->clean_errno) {
			ASSERT_EQ(-s->clean_errno, ret);
		} else {
			ASSERT_LE(0, ret)
				TH_LOG("%s failed without injection: %s",
				       s->name, strerror(-ret));
		}
		return;
	}
	if (ret >= 0) {
		s->survived++;
		return;
	}
	for (i = 0; s->accept[i] && s->accept[i] != -ret; i++)
		;
	ASSERT_NE(0, s->accept[i])
		TH_LOG("%s: failure point %u: unexpected %s", s->name, s->nth,
		       strerrorname_np(-ret));
	for (i = 0; i < 7 && s->errs[i] && s->errs[i] != -ret; i++)
		;
	s->errs[i] = -ret;
	s->counts[i]++;
}

/*
 * For each run of the sweep. An operation that works without injection
 * must have @min_points failure points; one that fails without injection
 * has @clean_errno.
 */
#define SWEEP_EX(s, name, accept, min_points, clean_errno)		\
	for (sweep_begin(_metadata, s, name, accept, min_points, clean_errno); \
	     sweep_next(_metadata, s);)
#define SWEEP(s, name, accept)	SWEEP_EX(s, name, accept, 1, 0)

/* Evaluates @expr, >= 0 or -errno, with the sweep's failure injected */
#define ARMED(s, expr) ({						\
	long __ret;							\
									\
	sweep_arm(_metadata, s);					\
	__ret = (expr);							\
	sweep_disarm(_metadata, s, __ret);				\
	__ret;								\
})

/* ------------------------------------------------------------ helpers */

static long ret_of(long ret)
{
	return ret < 0 ? -errno : ret;
}

/* The lowest free file descriptor: where the next one will go */
static int lowest_free_fd(void)
{
	int fd = open("/dev/null", O_RDONLY);

	close(fd);
	return fd;
}

static bool fd_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

/* One byte of guest memory, or -errno */
static int peek(int fd, uint64_t gpa)
{
	unsigned char byte;

	return pread(fd, &byte, 1, gpa) == 1 ? byte : -errno;
}

static int poke(int fd, uint64_t gpa, unsigned char value)
{
	return pwrite(fd, &value, 1, gpa) == 1 ? 0 : -errno;
}

/* The dirty bits of a memslot of up to 64 pages, kept; or -errno */
static long long dirty_bits(int fd, uint32_t slot)
{
	uint64_t bits = 0;
	int ret = get_dirty_log(fd, slot, VAS_DIRTY_LOG_KEEP, &bits);

	return ret ? ret : (long long)bits;
}

static int drain_events(int bfd)
{
	struct vas_test_event ev[16];
	int n, total = 0;

	while ((n = binder_events(bfd, ev, 16)) > 0)
		total += n;
	return n < 0 ? n : total;
}

/*
 * What a binder saw of one memslot change: nothing (it failed before
 * reaching the binders), PREPARE then ABORT (it failed later), or PREPARE,
 * invalidations and COMMIT (it happened).
 */
static void expect_protocol(struct __test_metadata *_metadata, int bfd,
			    long ret)
{
	struct vas_test_event ev[16];
	int n = binder_events(bfd, ev, 16), i;

	ASSERT_LE(0, n);
	if (!n) {
		EXPECT_NE(0, ret);
		return;
	}
	ASSERT_LE(2, n);
	EXPECT_EQ(VAS_TEST_EVENT_PREPARE, ev[0].type);
	for (i = 1; i < n - 1; i++)
		EXPECT_TRUE(ev[i].type == VAS_TEST_EVENT_INVALIDATE ||
			    ev[i].type == VAS_TEST_EVENT_VMAP_INVALIDATE);
	if (ret) {
		EXPECT_EQ(2, n);
		EXPECT_EQ(VAS_TEST_EVENT_ABORT, ev[1].type);
	} else {
		EXPECT_EQ(VAS_TEST_EVENT_COMMIT, ev[n - 1].type);
	}
}

static int binder_map(int bfd, uint32_t op, uint64_t gpa, uint64_t len,
		      bool write, uint32_t context)
{
	return binder_ioctl(bfd, op, write ? VAS_TEST_MAP_WRITE : 0, context,
			    gpa, len, NULL);
}

static int bind_vas(int vm_fd, int vas_fd)
{
	struct kvm_bind_vas args = { .fd = vas_fd };

	return ioctl(vm_fd, KVM_BIND_VAS, &args) ? -errno : 0;
}

static int kvm_create_vm(void)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC), vm;

	if (kvm < 0)
		return -errno;
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	vm = vm < 0 ? -errno : vm;
	close(kvm);
	return vm;
}

/* ------------------------------------------------------------ fixture */

static int write_knob(int dfd, const char *path, const char *value)
{
	int fd = openat(dfd, path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, value, strlen(value));
	close(fd);
	return n == (ssize_t)strlen(value) ? 0 : -EIO;
}

/*
 * An allocation that fails may print an allocation failure report with a
 * stack dump (warn_alloc(): KVM's memslot metadata is vmalloc()ed). The
 * kernel log brackets each test with these lines, between which the test
 * results ignore such reports, and only those: see tests/qemu/results.py.
 */
#define VAS_FAIL_NTH_BEGIN	"vas-fail-nth: begin"
#define VAS_FAIL_NTH_END	"vas-fail-nth: end"

static void log_to_kernel(const char *line)
{
	int fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (write(fd, line, strlen(line)) < 0)
		ksft_print_msg("/dev/kmsg: %s\n", strerror(errno));
	close(fd);
}

FIXTURE(fail_nth) {
	struct sweep s;
	unsigned char *mem;
	unsigned char *bitmap;	/* two pages of shared memory */
	unsigned char *big;	/* LOG_PAGES pages, for LOG_SLOT */
	int fd;		/* the vas of the current run */
	int bfd;	/* a test binder bound to it */
	int vm;		/* a KVM VM, -1 if none */
};

FIXTURE_SETUP(fail_nth)
{
	struct dirent *dent;
	char path[300];
	DIR *dir;
	int dfd;

	self->fd = self->bfd = self->vm = -1;
	if (access("/proc/thread-self/fail-nth", R_OK | W_OK))
		SKIP(return, "no fail-nth: CONFIG_FAULT_INJECTION is off");
	/* In a mount namespace of this test only, if debugfs is not mounted */
	if (access(DEBUGFS "/failslab", F_OK)) {
		ASSERT_EQ(0, unshare(CLONE_NEWNS));
		ASSERT_EQ(0, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
		ASSERT_EQ(0, mount("debugfs", DEBUGFS, "debugfs", 0, NULL));
	}
	dfd = open(DEBUGFS, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, dfd);
	/* Any allocation may fail, sleeping or not, of any order */
	ASSERT_EQ(0, write_knob(dfd, "failslab/ignore-gfp-wait", "N"))
		TH_LOG("needs CONFIG_FAILSLAB and CONFIG_FAULT_INJECTION_DEBUG_FS");
	ASSERT_EQ(0, write_knob(dfd, "fail_page_alloc/ignore-gfp-wait", "N"))
		TH_LOG("needs CONFIG_FAIL_PAGE_ALLOC");
	ASSERT_EQ(0, write_knob(dfd, "fail_page_alloc/ignore-gfp-highmem", "N"));
	ASSERT_EQ(0, write_knob(dfd, "fail_page_alloc/min-order", "0"));
	/* The kernel console is for splats, not for every injected failure */
	dir = fdopendir(dup(dfd));
	ASSERT_NE(NULL, dir);
	while ((dent = readdir(dir))) {
		if (strncmp(dent->d_name, "fail", 4))
			continue;
		snprintf(path, sizeof(path), "%s/verbose", dent->d_name);
		write_knob(dfd, path, "0");
	}
	closedir(dir);
	close(dfd);

	self->fd = sys_vas_create(0);
	ASSERT_LE(0, self->fd);
	self->bfd = vas_test_bind(self->fd);
	close(self->fd);
	self->fd = -1;
	if (self->bfd == -ENOTTY)
		SKIP(return, "CONFIG_VAS_TEST is off");
	ASSERT_LE(0, self->bfd);
	close(self->bfd);
	self->bfd = -1;

	self->mem = mmap(NULL, MEM_PAGES * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
	fill(self->mem, MEM_PAGES * PAGE, 0x31);
	self->big = mmap(NULL, LOG_PAGES * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->big);
	self->bitmap = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->bitmap);
	memset(self->bitmap, 0, 2 * PAGE);
	log_to_kernel(VAS_FAIL_NTH_BEGIN);
}

FIXTURE_TEARDOWN(fail_nth)
{
	if (self->vm >= 0)
		close(self->vm);
	if (self->bfd >= 0)
		close(self->bfd);
	if (self->fd >= 0)
		close(self->fd);
	if (self->mem && self->mem != MAP_FAILED)
		munmap(self->mem, MEM_PAGES * PAGE);
	if (self->big && self->big != MAP_FAILED)
		munmap(self->big, LOG_PAGES * PAGE);
	if (self->bitmap && self->bitmap != MAP_FAILED) {
		munmap(self->bitmap, 2 * PAGE);
		log_to_kernel(VAS_FAIL_NTH_END);
	}
}

/*
 * The objects of one run, made without injection: a vas with NEXT_SLOT
 * and, unless @slot_flags is negative, SLOT with those flags; a test binder
 * bound to it; the owner memory filled again and faulted in.
 */
static void new_vas(struct __test_metadata *_metadata,
		    FIXTURE_DATA(fail_nth) *self, int slot_flags)
{
	fill(self->mem, MEM_PAGES * PAGE, 0x31);
	self->fd = sys_vas_create(0);
	ASSERT_LE(0, self->fd);
	self->bfd = vas_test_bind(self->fd);
	ASSERT_LE(0, self->bfd);
	ASSERT_EQ(0, set_memslot(self->fd, NEXT_SLOT, 0, NEXT_GPA,
				 NEXT_PAGES * PAGE, self->mem + NEXT_MEM * PAGE));
	if (slot_flags >= 0)
		ASSERT_EQ(0, set_memslot(self->fd, SLOT, slot_flags, GPA,
					 NPAGES * PAGE, self->mem));
	ASSERT_LE(0, drain_events(self->bfd));
}

static void free_vas(FIXTURE_DATA(fail_nth) *self)
{
	if (self->vm >= 0)
		close(self->vm);
	close(self->bfd);
	close(self->fd);
	self->vm = self->bfd = self->fd = -1;
}

/* A VM bound to the vas of the run, after its test binder */
static void new_vm(struct __test_metadata *_metadata,
		   FIXTURE_DATA(fail_nth) *self, bool bind)
{
	self->vm = kvm_create_vm();
	ASSERT_LE(0, self->vm);
	ASSERT_EQ(1, ioctl(self->vm, KVM_CHECK_EXTENSION, KVM_CAP_VAS));
	if (bind)
		ASSERT_EQ(0, bind_vas(self->vm, self->fd));
}

/* Memslot SLOT is in place, with its dirty log if @log, and works */
static void expect_slot(struct __test_metadata *_metadata,
			FIXTURE_DATA(fail_nth) *self, uint64_t gpa, bool log)
{
	EXPECT_EQ(self->mem[3 * PAGE + 1], peek(self->fd, gpa + 3 * PAGE + 1));
	if (!log) {
		EXPECT_EQ(-ENOENT, dirty_bits(self->fd, SLOT));
		return;
	}
	ASSERT_LE(0, get_dirty_log(self->fd, SLOT, 0, &(uint64_t){0}));
	ASSERT_EQ(0, poke(self->fd, gpa + 7 * PAGE + 9, 0x7e));
	EXPECT_EQ(0x7e, self->mem[7 * PAGE + 9]);
	EXPECT_EQ(BIT_PAGE(7), dirty_bits(self->fd, SLOT));
	/* the neighbour did not change */
	EXPECT_EQ(self->mem[NEXT_MEM * PAGE], peek(self->fd, NEXT_GPA));
}

/* ------------------------------------------------------------ vas_create */

TEST_F(fail_nth, vas_create)
{
	int fd, expect, bfd;

	SWEEP(&self->s, "vas_create", enomem) {
		expect = lowest_free_fd();
		fd = ARMED(&self->s, ret_of(sys_vas_create(0)));
		if (fd < 0) {
			EXPECT_FALSE(fd_open(expect));
			fd = sys_vas_create(0);
			ASSERT_LE(0, fd);
		}
		EXPECT_EQ(expect, fd);
		ASSERT_EQ(0, set_memslot(fd, SLOT, VAS_MEM_LOG_DIRTY_PAGES, GPA,
					 NPAGES * PAGE, self->mem));
		ASSERT_EQ(0, poke(fd, GPA + PAGE, 0x5a));
		EXPECT_EQ(0x5a, self->mem[PAGE]);
		EXPECT_EQ(BIT_PAGE(1), dirty_bits(fd, SLOT));
		bfd = vas_test_bind(fd);
		ASSERT_LE(0, bfd);
		close(bfd);
		close(fd);
	}
}

/* ------------------------------------------------------------ memslots */

/*
 * A VM is slow to make: with @kvm, one vas and one VM bound to it serve
 * every run, and undoing the change without injection makes the start of
 * the next run.
 */
static void sweep_create(struct __test_metadata *_metadata,
			 FIXTURE_DATA(fail_nth) *self, const char *name,
			 uint32_t flags, bool kvm)
{
	long ret;

	if (kvm) {
		new_vas(_metadata, self, -1);
		new_vm(_metadata, self, true);
	}
	SWEEP(&self->s, name, enomem) {
		if (!kvm)
			new_vas(_metadata, self, -1);
		ret = ARMED(&self->s, set_memslot(self->fd, SLOT, flags, GPA,
						  NPAGES * PAGE, self->mem));
		expect_protocol(_metadata, self->bfd, ret);
		if (ret) {
			EXPECT_EQ(-EFAULT, peek(self->fd, GPA));
			EXPECT_EQ(-ENOENT, dirty_bits(self->fd, SLOT));
			/*
			 * Nothing is left behind, in the VM either: another
			 * memslot can take the range.
			 */
			ASSERT_EQ(0, set_memslot(self->fd, SPARE_SLOT, 0, GPA,
						 2 * PAGE, self->mem));
			ASSERT_EQ(0, set_memslot(self->fd, SPARE_SLOT, 0, 0, 0,
						 NULL));
			ASSERT_EQ(0, set_memslot(self->fd, SLOT, flags, GPA,
						 NPAGES * PAGE, self->mem));
		} else {
			/* done: the same request changes nothing */
			ASSERT_EQ(0, set_memslot(self->fd, SLOT, flags, GPA,
						 NPAGES * PAGE, self->mem));
		}
		ASSERT_LE(0, drain_events(self->bfd));
		expect_slot(_metadata, self, GPA, flags & VAS_MEM_LOG_DIRTY_PAGES);
		if (kvm) {
			ASSERT_EQ(0, set_memslot(self->fd, SLOT, 0, 0, 0, NULL));
			ASSERT_LE(0, drain_events(self->bfd));
		} else {
			free_vas(self);
		}
	}
	if (kvm)
		free_vas(self);
}

TEST_F(fail_nth, memslot_create)
{
	sweep_create(_metadata, self, "VAS_SET_MEMSLOT create", 0, false);
}

TEST_F(fail_nth, memslot_create_log)
{
	sweep_create(_metadata, self, "VAS_SET_MEMSLOT create+log",
		     VAS_MEM_LOG_DIRTY_PAGES, false);
}

/* As sweep_create() for @kvm */
static void sweep_move(struct __test_metadata *_metadata,
		       FIXTURE_DATA(fail_nth) *self, const char *name, bool kvm)
{
	long ret;

	if (kvm) {
		new_vas(_metadata, self, VAS_MEM_LOG_DIRTY_PAGES);
		new_vm(_metadata, self, true);
	}
	SWEEP(&self->s, name, enomem) {
		if (!kvm)
			new_vas(_metadata, self, VAS_MEM_LOG_DIRTY_PAGES);
		ASSERT_EQ(0, poke(self->fd, GPA + 3 * PAGE + 1, 0x3c));
		ret = ARMED(&self->s, set_memslot(self->fd, SLOT,
						  VAS_MEM_LOG_DIRTY_PAGES,
						  MOVED_GPA, NPAGES * PAGE,
						  self->mem));
		expect_protocol(_metadata, self->bfd, ret);
		/* the memslot is at one place, and its log went with it */
		EXPECT_EQ(0x3c, peek(self->fd, (ret ? GPA : MOVED_GPA) + 3 * PAGE + 1));
		EXPECT_EQ(-EFAULT, peek(self->fd, (ret ? MOVED_GPA : GPA) + 3 * PAGE));
		EXPECT_EQ(BIT_PAGE(3), dirty_bits(self->fd, SLOT));
		/* the place it is not at is free, in the VM too */
		ASSERT_EQ(0, set_memslot(self->fd, SPARE_SLOT, 0,
					 ret ? MOVED_GPA : GPA, 2 * PAGE,
					 self->mem + 40 * PAGE));
		ASSERT_EQ(0, set_memslot(self->fd, SPARE_SLOT, 0, 0, 0, NULL));
		if (ret)
			ASSERT_EQ(0, set_memslot(self->fd, SLOT,
						 VAS_MEM_LOG_DIRTY_PAGES,
						 MOVED_GPA, NPAGES * PAGE,
						 self->mem));
		ASSERT_LE(0, drain_events(self->bfd));
		expect_slot(_metadata, self, MOVED_GPA, true);
		if (kvm) {
			ASSERT_EQ(0, set_memslot(self->fd, SLOT,
						 VAS_MEM_LOG_DIRTY_PAGES, GPA,
						 NPAGES * PAGE, self->mem));
			ASSERT_EQ(0, get_dirty_log(self->fd, SLOT, 0,
						   &(uint64_t){0}));
			ASSERT_LE(0, drain_events(self->bfd));
		} else {
			free_vas(self);
		}
	}
	if (kvm)
		free_vas(self);
}

TEST_F(fail_nth, memslot_move)
{
	sweep_move(_metadata, self, "VAS_SET_MEMSLOT move", false);
}

TEST_F(fail_nth, memslot_flags_log)
{
	long ret;

	SWEEP(&self->s, "VAS_SET_MEMSLOT flags (log on)", enomem) {
		new_vas(_metadata, self, 0);
		ASSERT_EQ(0, poke(self->fd, GPA + 2 * PAGE, 0x11));
		ret = ARMED(&self->s, set_memslot(self->fd, SLOT,
						  VAS_MEM_LOG_DIRTY_PAGES, GPA,
						  NPAGES * PAGE, self->mem));
		expect_protocol(_metadata, self->bfd, ret);
		if (ret) {
			EXPECT_EQ(-ENOENT, dirty_bits(self->fd, SLOT));
			ASSERT_EQ(0, set_memslot(self->fd, SLOT,
						 VAS_MEM_LOG_DIRTY_PAGES, GPA,
						 NPAGES * PAGE, self->mem));
		}
		/* a new log starts clean */
		EXPECT_EQ(0, dirty_bits(self->fd, SLOT));
		ASSERT_LE(0, drain_events(self->bfd));
		expect_slot(_metadata, self, GPA, true);
		free_vas(self);
	}
}

/* Made read-only, a memslot takes a writable vmap on it down with it. */
TEST_F(fail_nth, memslot_flags_readonly)
{
	unsigned char buf[16];
	long ret, base;

	SWEEP(&self->s, "VAS_SET_MEMSLOT flags (read-only)", enomem) {
		new_vas(_metadata, self, VAS_MEM_LOG_DIRTY_PAGES);
		base = vm_pin_pages();
		ASSERT_EQ(0, binder_map(self->bfd, VAS_TEST_BINDER_VMAP,
					GPA + 2 * PAGE, 2 * PAGE, true, 0));
		ASSERT_EQ(base + 2, vm_pin_pages());
		ret = ARMED(&self->s, set_memslot(self->fd, SLOT,
						  VAS_MEM_READONLY, GPA,
						  NPAGES * PAGE, self->mem));
		expect_protocol(_metadata, self->bfd, ret);
		memset(buf, 0x6b, sizeof(buf));
		if (ret) {
			EXPECT_EQ(0, poke(self->fd, GPA + 5, 0x55));
			EXPECT_LE(0, dirty_bits(self->fd, SLOT));
			EXPECT_EQ(0, binder_cmd(self->bfd, VAS_TEST_BINDER_VMAP_WRITE,
						0, GPA + 3 * PAGE, sizeof(buf), buf));
			EXPECT_EQ(0x6b, self->mem[3 * PAGE]);
			EXPECT_EQ(base + 2, vm_pin_pages());
			ASSERT_EQ(0, set_memslot(self->fd, SLOT, VAS_MEM_READONLY,
						 GPA, NPAGES * PAGE, self->mem));
		}
		EXPECT_EQ(-EPERM, poke(self->fd, GPA + 5, 0x55));
		EXPECT_EQ(-ENOENT, dirty_bits(self->fd, SLOT));
		EXPECT_EQ(-ESTALE, binder_cmd(self->bfd, VAS_TEST_BINDER_VMAP_WRITE,
					      0, GPA + 3 * PAGE, sizeof(buf), buf));
		EXPECT_EQ(base, vm_pin_pages());
		EXPECT_EQ(self->mem[3 * PAGE + 1], peek(self->fd, GPA + 3 * PAGE + 1));
		ASSERT_EQ(0, binder_cmd(self->bfd, VAS_TEST_BINDER_VUNMAP, 0, 0, 0, NULL));
		free_vas(self);
	}
}

static void sweep_delete(struct __test_metadata *_metadata,
			 FIXTURE_DATA(fail_nth) *self, const char *name,
			 bool kvm, unsigned int min_points)
{
	unsigned char byte;
	long ret, base;

	SWEEP_EX(&self->s, name, enomem, min_points, 0) {
		new_vas(_metadata, self, VAS_MEM_LOG_DIRTY_PAGES);
		if (kvm)
			new_vm(_metadata, self, true);
		base = vm_pin_pages();
		ASSERT_EQ(0, binder_map(self->bfd, VAS_TEST_BINDER_VMAP,
					GPA + PAGE, PAGE, true, 0));
		ret = ARMED(&self->s, set_memslot(self->fd, SLOT, 0, 0, 0, NULL));
		expect_protocol(_metadata, self->bfd, ret);
		if (ret) {
			EXPECT_EQ(self->mem[3 * PAGE + 1],
				  peek(self->fd, GPA + 3 * PAGE + 1));
			EXPECT_EQ(0, binder_cmd(self->bfd, VAS_TEST_BINDER_VMAP_READ,
						0, GPA + PAGE, 1, &byte));
			/* the VM still has it: its delete works */
			ASSERT_EQ(0, set_memslot(self->fd, SLOT, 0, 0, 0, NULL));
		}
		EXPECT_EQ(-EFAULT, peek(self->fd, GPA));
		EXPECT_EQ(-ENOENT, dirty_bits(self->fd, SLOT));
		EXPECT_EQ(-ESTALE, binder_cmd(self->bfd, VAS_TEST_BINDER_VMAP_READ,
					      0, GPA + PAGE, 1, &byte));
		EXPECT_EQ(base, vm_pin_pages());
		/* gone from the VM too: the range is free */
		ASSERT_EQ(0, set_memslot(self->fd, SPARE_SLOT, 0, GPA, PAGE,
					 self->mem));
		EXPECT_EQ(self->mem[1], peek(self->fd, GPA + 1));
		ASSERT_EQ(0, binder_cmd(self->bfd, VAS_TEST_BINDER_VUNMAP, 0, 0, 0, NULL));
		free_vas(self);
	}
}

/*
 * A delete allocates nothing (memslots.c): it cannot fail for lack of
 * memory, and its sweep checks that it has no failure point at all.
 */
TEST_F(fail_nth, memslot_delete)
{
	sweep_delete(_metadata, self, "VAS_SET_MEMSLOT delete", false, 0);
	EXPECT_EQ(0, self->s.points);
}

/* ------------------------------------------------------------ dirty log */

/*
 * The dirty log calls allocate nothing: their failure points are the page
 * faults of the caller's bitmap. LOG_SLOT has a bitmap of LOG_WORDS words,
 * copied in one step; the test puts the second half of it in a page of
 * shared memory not faulted in (MADV_REMOVE), so that the copy faults
 * there and the fault allocates a page. If that fails, the call fails
 * with EFAULT and no dirty bit is lost.
 */
static uint64_t *straddling_bitmap(struct __test_metadata *_metadata,
				   FIXTURE_DATA(fail_nth) *self)
{
	ASSERT_EQ(0, madvise(self->bitmap + PAGE, PAGE, MADV_REMOVE));
	return (uint64_t *)(self->bitmap + PAGE) - LOG_WORDS / 2;
}

static void set_bit_in(uint64_t *words, unsigned int page)
{
	words[page / 64] |= 1ULL << (page % 64);
}

/* Memslot LOG_SLOT with the pages @pages dirty, ended by -1 */
static void new_log(struct __test_metadata *_metadata,
		    FIXTURE_DATA(fail_nth) *self, const int *pages,
		    uint64_t *words)
{
	new_vas(_metadata, self, -1);
	ASSERT_EQ(0, set_memslot(self->fd, LOG_SLOT, VAS_MEM_LOG_DIRTY_PAGES,
				 LOG_GPA, LOG_PAGES * PAGE, self->big));
	memset(words, 0, LOG_WORDS * sizeof(*words));
	for (; *pages >= 0; pages++) {
		ASSERT_EQ(0, poke(self->fd, LOG_GPA + *pages * PAGE, 1));
		set_bit_in(words, *pages);
	}
}

TEST_F(fail_nth, get_dirty_log)
{
	uint64_t want[LOG_WORDS], now[LOG_WORDS], *bits;
	static const int pages[] = { 1, 9, 1000, -1 };
	long ret;

	SWEEP(&self->s, "VAS_GET_DIRTY_LOG", enomem_efault) {
		new_log(_metadata, self, pages, want);
		/* and the binder reports a write of its own */
		ASSERT_EQ(0, binder_cmd(self->bfd, VAS_TEST_BINDER_ADD_DIRTY, 0,
					LOG_GPA + 700 * PAGE, PAGE, NULL));
		set_bit_in(want, 700);
		bits = straddling_bitmap(_metadata, self);
		ret = ARMED(&self->s, get_dirty_log(self->fd, LOG_SLOT, 0, bits));
		if (ret) {
			ASSERT_EQ(0, get_dirty_log(self->fd, LOG_SLOT,
						   VAS_DIRTY_LOG_KEEP, now));
			EXPECT_EQ(0, memcmp(want, now, sizeof(now)));
			ASSERT_EQ(0, get_dirty_log(self->fd, LOG_SLOT, 0, bits));
		}
		EXPECT_EQ(0, memcmp(want, bits, sizeof(want)));
		ASSERT_EQ(0, get_dirty_log(self->fd, LOG_SLOT, VAS_DIRTY_LOG_KEEP,
					   now));
		memset(want, 0, sizeof(want));
		EXPECT_EQ(0, memcmp(want, now, sizeof(now)));
		free_vas(self);
	}
}

TEST_F(fail_nth, clear_dirty_log)
{
	uint64_t want[LOG_WORDS], now[LOG_WORDS], *clear;
	static const int pages[] = { 1, 9, 1000, -1 };
	long ret;

	SWEEP(&self->s, "VAS_CLEAR_DIRTY_LOG", enomem_efault) {
		new_log(_metadata, self, pages, want);
		/* clears page 1; the half of the bitmap with page 1000 is 0 */
		clear = straddling_bitmap(_metadata, self);
		memset(clear, 0, LOG_WORDS / 2 * sizeof(*clear));
		set_bit_in(clear, 1);
		ret = ARMED(&self->s, clear_dirty_log(self->fd, LOG_SLOT, 0,
						      LOG_PAGES, clear));
		if (ret) {
			ASSERT_EQ(0, get_dirty_log(self->fd, LOG_SLOT,
						   VAS_DIRTY_LOG_KEEP, now));
			EXPECT_EQ(0, memcmp(want, now, sizeof(now)));
			ASSERT_EQ(0, clear_dirty_log(self->fd, LOG_SLOT, 0,
						     LOG_PAGES, clear));
		}
		want[0] &= ~BIT_PAGE(1);
		ASSERT_EQ(0, get_dirty_log(self->fd, LOG_SLOT, VAS_DIRTY_LOG_KEEP,
					   now));
		EXPECT_EQ(0, memcmp(want, now, sizeof(now)));
		free_vas(self);
	}
}

/* ------------------------------------------------------------ access */

#define RW_OFFSET	100
#define RW_LEN		(2 * PAGE + 300)
/* The pages [RW_OFFSET, RW_OFFSET + RW_LEN) touches */
#define RW_PAGES	(BIT_PAGE(0) | BIT_PAGE(1) | BIT_PAGE(2))

TEST_F(fail_nth, pread)
{
	unsigned char buf[RW_LEN];
	long ret;

	SWEEP(&self->s, "pread", enomem) {
		new_vas(_metadata, self, 0);
		memset(buf, 0, sizeof(buf));
		ret = ARMED(&self->s, ret_of(pread(self->fd, buf, RW_LEN,
						   GPA + RW_OFFSET)));
		if (ret < 0) {
			ASSERT_EQ(RW_LEN, pread(self->fd, buf, RW_LEN,
						GPA + RW_OFFSET));
		} else {
			EXPECT_EQ(RW_LEN, ret);
		}
		EXPECT_EQ(0, memcmp(buf, self->mem + RW_OFFSET, RW_LEN));
		free_vas(self);
	}
}

TEST_F(fail_nth, pwrite)
{
	unsigned char data[RW_LEN], before[RW_LEN];
	long ret;

	fill(data, RW_LEN, 0x77);
	SWEEP(&self->s, "pwrite", enomem) {
		new_vas(_metadata, self, VAS_MEM_LOG_DIRTY_PAGES);
		memcpy(before, self->mem + RW_OFFSET, RW_LEN);
		ret = ARMED(&self->s, ret_of(pwrite(self->fd, data, RW_LEN,
						    GPA + RW_OFFSET)));
		if (ret < 0) {
			EXPECT_EQ(0, memcmp(before, self->mem + RW_OFFSET, RW_LEN));
			EXPECT_EQ(0, dirty_bits(self->fd, SLOT));
			ASSERT_EQ(RW_LEN, pwrite(self->fd, data, RW_LEN,
						 GPA + RW_OFFSET));
		} else {
			EXPECT_EQ(RW_LEN, ret);
		}
		EXPECT_EQ(0, memcmp(data, self->mem + RW_OFFSET, RW_LEN));
		EXPECT_EQ(RW_PAGES, dirty_bits(self->fd, SLOT));
		free_vas(self);
	}
}

/*
 * pwrite to owner memory that is not faulted in: the owner's page faults
 * allocate too. A fault that fails ends the write there (EFAULT, or the
 * bytes written before it).
 */
TEST_F(fail_nth, pwrite_unpopulated)
{
	unsigned char data[3 * PAGE], zero[3 * PAGE] = {};
	uint64_t want;
	long ret, done;

	fill(data, sizeof(data), 0x19);
	SWEEP(&self->s, "pwrite (owner memory not faulted in)", enomem_efault) {
		new_vas(_metadata, self, VAS_MEM_LOG_DIRTY_PAGES);
		ASSERT_EQ(0, madvise(self->mem + 4 * PAGE, 3 * PAGE, MADV_DONTNEED));
		ASSERT_LE(0, drain_events(self->bfd));
		ret = ARMED(&self->s, ret_of(pwrite(self->fd, data, sizeof(data),
						    GPA + 4 * PAGE)));
		done = ret < 0 ? 0 : ret;
		EXPECT_GE(sizeof(data), done);
		EXPECT_EQ(0, memcmp(data, self->mem + 4 * PAGE, done));
		EXPECT_EQ(0, memcmp(zero, self->mem + 4 * PAGE + done,
				    sizeof(data) - done));
		want = done ? ((BIT_PAGE((done + PAGE - 1) / PAGE) - 1) << 4) : 0;
		EXPECT_EQ(want, dirty_bits(self->fd, SLOT));
		if (done < (long)sizeof(data))
			ASSERT_EQ(sizeof(data) - done,
				  pwrite(self->fd, data + done, sizeof(data) - done,
					 GPA + 4 * PAGE + done));
		EXPECT_EQ(0, memcmp(data, self->mem + 4 * PAGE, sizeof(data)));
		free_vas(self);
	}
}

static void sweep_vas_test(struct __test_metadata *_metadata,
			   FIXTURE_DATA(fail_nth) *self, const char *name,
			   uint32_t op, uint32_t context)
{
	unsigned char buf[256], data[256], before[256];
	uint64_t gpa = GPA + PAGE + 10;
	uint32_t path;
	long ret;

	fill(data, sizeof(data), 0x4d);
	SWEEP(&self->s, name, enomem) {
		new_vas(_metadata, self, VAS_MEM_LOG_DIRTY_PAGES);
		memcpy(before, self->mem + PAGE + 10, sizeof(before));
		memcpy(buf, op == VAS_TEST_OP_WRITE ? data : before, sizeof(buf));
		if (op == VAS_TEST_OP_READ)
			memset(buf, 0, sizeof(buf));
		path = 0;
		ret = ARMED(&self->s, vas_test_access(self->fd, op, context, gpa,
						      buf, sizeof(buf), &path));
		if (ret) {
			EXPECT_EQ(0, memcmp(before, self->mem + PAGE + 10,
					    sizeof(before)));
			EXPECT_EQ(0, dirty_bits(self->fd, SLOT));
			ASSERT_EQ(0, vas_test_access(self->fd, op, context, gpa,
						     buf, sizeof(buf), &path));
		}
		EXPECT_EQ(context == VAS_TEST_KTHREAD ? VAS_TEST_PATH_KTHREAD :
			  VAS_TEST_PATH_OWNER, path);
		if (op == VAS_TEST_OP_WRITE) {
			EXPECT_EQ(0, memcmp(data, self->mem + PAGE + 10,
					    sizeof(data)));
			EXPECT_EQ(BIT_PAGE(1), dirty_bits(self->fd, SLOT));
		} else {
			EXPECT_EQ(0, memcmp(buf, before, sizeof(buf)));
		}
		free_vas(self);
	}
}

TEST_F(fail_nth, vas_test_read)
{
	sweep_vas_test(_metadata, self, "VAS_TEST read", VAS_TEST_OP_READ,
		       VAS_TEST_CALLER);
}

TEST_F(fail_nth, vas_test_write)
{
	sweep_vas_test(_metadata, self, "VAS_TEST write", VAS_TEST_OP_WRITE,
		       VAS_TEST_CALLER);
}

TEST_F(fail_nth, vas_test_read_kthread)
{
	sweep_vas_test(_metadata, self, "VAS_TEST read (kthread)",
		       VAS_TEST_OP_READ, VAS_TEST_KTHREAD);
}

TEST_F(fail_nth, vas_test_write_kthread)
{
	sweep_vas_test(_metadata, self, "VAS_TEST write (kthread)",
		       VAS_TEST_OP_WRITE, VAS_TEST_KTHREAD);
}

/* ------------------------------------------------------------ binders */

/* A late binder is offered the existing memslots; the others see nothing. */
TEST_F(fail_nth, bind)
{
	struct vas_test_event ev[16];
	unsigned char byte;
	int expect, n, i;
	long late;

	SWEEP(&self->s, "VAS_TEST_OP_BIND (replay of 2 memslots)", enomem) {
		new_vas(_metadata, self, VAS_MEM_LOG_DIRTY_PAGES);
		expect = lowest_free_fd();
		late = ARMED(&self->s, vas_test_bind(self->fd));
		EXPECT_EQ(0, binder_events(self->bfd, ev, 16));
		if (late < 0) {
			EXPECT_FALSE(fd_open(expect));
			late = vas_test_bind(self->fd);
			ASSERT_LE(0, late);
		}
		EXPECT_EQ(expect, late);
		n = binder_events(late, ev, 16);
		ASSERT_EQ(4, n);
		for (i = 0; i < n; i++)
			EXPECT_EQ(i < 2 ? VAS_TEST_EVENT_PREPARE :
				  VAS_TEST_EVENT_COMMIT, ev[i].type);
		ASSERT_EQ(0, binder_cmd(late, VAS_TEST_BINDER_READ, 0,
					GPA + 3 * PAGE, 1, &byte));
		EXPECT_EQ(self->mem[3 * PAGE], byte);
		/* both binders follow the next change */
		ASSERT_EQ(0, set_memslot(self->fd, SPARE_SLOT, 0, MOVED_GPA, PAGE,
					 self->mem + 40 * PAGE));
		EXPECT_EQ(2, binder_events(self->bfd, ev, 16));
		EXPECT_EQ(2, binder_events(late, ev, 16));
		close(late);
		free_vas(self);
	}
}

static void expect_pins(struct __test_metadata *_metadata, long want)
{
	EXPECT_EQ(want, vm_pin_pages());
}

/*
 * VMAP or SGMAP of 3 pages, one not faulted in; SGMAP across two memslots.
 * After a failure nothing stays pinned and the binder can map again.
 */
static void sweep_map(struct __test_metadata *_metadata,
		      FIXTURE_DATA(fail_nth) *self, const char *name,
		      uint32_t op, uint32_t context)
{
	bool sg = op == VAS_TEST_BINDER_SGMAP;
	uint64_t gpa = sg ? GPA + 15 * PAGE + 100 : GPA + 4 * PAGE + 100;
	unsigned char data[2 * PAGE], buf[2 * PAGE];
	uint32_t unmap = sg ? VAS_TEST_BINDER_SGUNMAP : VAS_TEST_BINDER_VUNMAP;
	uint32_t write = sg ? VAS_TEST_BINDER_SGMAP_WRITE :
			      VAS_TEST_BINDER_VMAP_WRITE;
	uint32_t read = sg ? VAS_TEST_BINDER_SGMAP_READ :
			     VAS_TEST_BINDER_VMAP_READ;
	long ret, base;

	fill(data, sizeof(data), 0x2f);
	SWEEP(&self->s, name, enomem) {
		new_vas(_metadata, self, VAS_MEM_LOG_DIRTY_PAGES);
		/* the middle page is not faulted in */
		ASSERT_EQ(0, madvise(self->mem + (sg ? NEXT_MEM : 5) * PAGE,
				     PAGE, MADV_DONTNEED));
		ASSERT_LE(0, drain_events(self->bfd));
		base = vm_pin_pages();
		ASSERT_LE(0, base);
		ret = ARMED(&self->s, binder_map(self->bfd, op, gpa, 2 * PAGE,
						 true, context));
		if (ret) {
			expect_pins(_metadata, base);
			EXPECT_EQ(-ENOENT, binder_cmd(self->bfd, unmap, 0, 0, 0,
						      NULL));
			ASSERT_EQ(0, binder_map(self->bfd, op, gpa, 2 * PAGE,
						true, context));
		}
		expect_pins(_metadata, base + 3);
		if (sg)
			EXPECT_LE(1, binder_map(self->bfd,
						VAS_TEST_BINDER_SGMAP_NENTS,
						0, 0, false, 0));
		ASSERT_EQ(0, binder_cmd(self->bfd, write, 0, gpa, sizeof(data),
					data));
		ASSERT_EQ(0, binder_cmd(self->bfd, read, 0, gpa, sizeof(buf),
					buf));
		EXPECT_EQ(0, memcmp(data, buf, sizeof(buf)));
		if (!sg)
			EXPECT_EQ(0, memcmp(data, self->mem + 4 * PAGE + 100,
					    sizeof(data)));
		ASSERT_EQ(0, binder_cmd(self->bfd, unmap, 0, 0, 0, NULL));
		expect_pins(_metadata, base);
		if (sg) {
			EXPECT_EQ(0, memcmp(data, self->mem + 15 * PAGE + 100,
					    PAGE - 100));
			EXPECT_EQ(0, memcmp(data + PAGE - 100,
					    self->mem + NEXT_MEM * PAGE,
					    PAGE + 100));
		}
		free_vas(self);
	}
}

TEST_F(fail_nth, vmap)
{
	sweep_map(_metadata, self, "VMAP", VAS_TEST_BINDER_VMAP,
		  VAS_TEST_CALLER);
}

TEST_F(fail_nth, vmap_kthread)
{
	sweep_map(_metadata, self, "VMAP (kthread)", VAS_TEST_BINDER_VMAP,
		  VAS_TEST_KTHREAD);
}

TEST_F(fail_nth, sgmap)
{
	sweep_map(_metadata, self, "SGMAP", VAS_TEST_BINDER_SGMAP,
		  VAS_TEST_CALLER);
}

TEST_F(fail_nth, sgmap_kthread)
{
	sweep_map(_metadata, self, "SGMAP (kthread)", VAS_TEST_BINDER_SGMAP,
		  VAS_TEST_KTHREAD);
}

/* Copies through a vmap or an sgmap, after mapping */
static void sweep_map_copy(struct __test_metadata *_metadata,
			   FIXTURE_DATA(fail_nth) *self, const char *name,
			   uint32_t map, uint32_t copy, bool write)
{
	unsigned char data[100], buf[100], before[100];
	uint64_t gpa = GPA + 2 * PAGE + 40;
	long ret;

	fill(data, sizeof(data), 0x66);
	SWEEP(&self->s, name, enomem) {
		new_vas(_metadata, self, VAS_MEM_LOG_DIRTY_PAGES);
		ASSERT_EQ(0, binder_map(self->bfd, map, gpa, PAGE, true, 0));
		memcpy(before, self->mem + 2 * PAGE + 40, sizeof(before));
		memcpy(buf, write ? data : before, sizeof(buf));
		if (!write)
			memset(buf, 0, sizeof(buf));
		ret = ARMED(&self->s, binder_cmd(self->bfd, copy, 0, gpa,
						 sizeof(buf), buf));
		if (ret) {
			EXPECT_EQ(0, memcmp(before, self->mem + 2 * PAGE + 40,
					    sizeof(before)));
			ASSERT_EQ(0, binder_cmd(self->bfd, copy, 0, gpa,
						sizeof(buf), buf));
		}
		EXPECT_EQ(0, memcmp(write ? data : before,
				    self->mem + 2 * PAGE + 40, sizeof(data)));
		EXPECT_EQ(0, memcmp(write ? data : before, buf, sizeof(buf)));
		ASSERT_EQ(0, binder_cmd(self->bfd, map == VAS_TEST_BINDER_VMAP ?
					VAS_TEST_BINDER_VUNMAP :
					VAS_TEST_BINDER_SGUNMAP, 0, 0, 0, NULL));
		free_vas(self);
	}
}

TEST_F(fail_nth, vmap_write)
{
	sweep_map_copy(_metadata, self, "VMAP_WRITE", VAS_TEST_BINDER_VMAP,
		       VAS_TEST_BINDER_VMAP_WRITE, true);
}

TEST_F(fail_nth, sgmap_read)
{
	sweep_map_copy(_metadata, self, "SGMAP_READ", VAS_TEST_BINDER_SGMAP,
		       VAS_TEST_BINDER_SGMAP_READ, false);
}

#define GPC_GPA		(GPA + 2 * PAGE + 8)
#define GPC_MEM		(2 * PAGE + 8)

/* A writable cache of a page not faulted in: activating faults it in. */
static void sweep_gpc_activate(struct __test_metadata *_metadata,
			       FIXTURE_DATA(fail_nth) *self, const char *name,
			       uint32_t context)
{
	unsigned char data[64];
	long ret;

	fill(data, sizeof(data), 0x0b);
	SWEEP(&self->s, name, enomem) {
		new_vas(_metadata, self, VAS_MEM_LOG_DIRTY_PAGES);
		ASSERT_EQ(0, madvise(self->mem + 2 * PAGE, PAGE, MADV_DONTNEED));
		ret = ARMED(&self->s, binder_map(self->bfd,
						 VAS_TEST_BINDER_GPC_ACTIVATE,
						 GPC_GPA, sizeof(data), true,
						 context));
		if (ret) {
			/* left inactive */
			EXPECT_EQ(-EINVAL, gpc_rw(self->bfd,
						  VAS_TEST_BINDER_GPC_READ,
						  data, 1));
			ASSERT_EQ(0, binder_map(self->bfd,
						VAS_TEST_BINDER_GPC_ACTIVATE,
						GPC_GPA, sizeof(data), true,
						context));
		}
		ASSERT_EQ(0, get_dirty_log(self->fd, SLOT, 0, &(uint64_t){0}));
		EXPECT_EQ(0, gpc_rw(self->bfd, VAS_TEST_BINDER_GPC_WRITE, data,
				    sizeof(data)));
		EXPECT_EQ(0, memcmp(data, self->mem + GPC_MEM, sizeof(data)));
		EXPECT_EQ(BIT_PAGE(2), dirty_bits(self->fd, SLOT));
		free_vas(self);
	}
}

TEST_F(fail_nth, gpc_activate)
{
	sweep_gpc_activate(_metadata, self, "GPC_ACTIVATE", VAS_TEST_CALLER);
}

TEST_F(fail_nth, gpc_activate_kthread)
{
	sweep_gpc_activate(_metadata, self, "GPC_ACTIVATE (kthread)",
			   VAS_TEST_KTHREAD);
}

/* The owner zaps the cached page: the next write refreshes and faults it in. */
TEST_F(fail_nth, gpc_refresh)
{
	unsigned char data[64], zero[64] = {};
	long ret;

	fill(data, sizeof(data), 0x5e);
	SWEEP(&self->s, "GPC_WRITE (refresh)", enomem) {
		new_vas(_metadata, self, VAS_MEM_LOG_DIRTY_PAGES);
		ASSERT_EQ(0, binder_map(self->bfd, VAS_TEST_BINDER_GPC_ACTIVATE,
					GPC_GPA, sizeof(data), true, 0));
		ASSERT_EQ(0, madvise(self->mem + 2 * PAGE, PAGE, MADV_DONTNEED));
		ASSERT_EQ(0, get_dirty_log(self->fd, SLOT, 0, &(uint64_t){0}));
		ret = ARMED(&self->s, gpc_rw(self->bfd, VAS_TEST_BINDER_GPC_WRITE,
					     data, sizeof(data)));
		if (ret < 0) {
			EXPECT_EQ(0, memcmp(zero, self->mem + GPC_MEM,
					    sizeof(zero)));
			EXPECT_EQ(0, dirty_bits(self->fd, SLOT));
			ret = gpc_rw(self->bfd, VAS_TEST_BINDER_GPC_WRITE, data,
				     sizeof(data));
		}
		EXPECT_LE(1, ret);
		EXPECT_EQ(0, memcmp(data, self->mem + GPC_MEM, sizeof(data)));
		EXPECT_EQ(BIT_PAGE(2), dirty_bits(self->fd, SLOT));
		/* and then hits */
		EXPECT_EQ(0, gpc_rw(self->bfd, VAS_TEST_BINDER_GPC_READ, data, 8));
		free_vas(self);
	}
}

/* ------------------------------------------------------------ KVM */

/* A VM bound to the vas has its memslots and refuses its own. */
static void expect_vm_bound(struct __test_metadata *_metadata,
			    FIXTURE_DATA(fail_nth) *self)
{
	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.guest_phys_addr = 0x10000000,
		.memory_size = PAGE,
		.userspace_addr = (uintptr_t)self->mem,
	};

	EXPECT_EQ(-EBUSY, bind_vas(self->vm, self->fd));
	EXPECT_EQ(-1, ioctl(self->vm, KVM_SET_USER_MEMORY_REGION, &region));
	EXPECT_EQ(EBUSY, errno);
	/* KVM's memslot limit applies to the vas: KVM follows it */
	EXPECT_EQ(-EINVAL, set_memslot(self->fd, KVM_FIRST_PRIVATE_SLOT, 0,
				       MOVED_GPA, PAGE, self->mem + 40 * PAGE));
	/* SLOT is in the VM: moving it works, moving it back too */
	ASSERT_EQ(0, set_memslot(self->fd, SLOT, VAS_MEM_LOG_DIRTY_PAGES,
				 MOVED_GPA, NPAGES * PAGE, self->mem));
	ASSERT_EQ(0, set_memslot(self->fd, SLOT, VAS_MEM_LOG_DIRTY_PAGES,
				 GPA, NPAGES * PAGE, self->mem));
	ASSERT_EQ(0, poke(self->fd, GPA + 6 * PAGE, 6));
	EXPECT_EQ(BIT_PAGE(6), dirty_bits(self->fd, SLOT));
}

/*
 * KVM_BIND_VAS replays the vas's memslots into the VM; a failure leaves
 * the VM unbound and without memslots, so that it can bind again.
 */
TEST_F_TIMEOUT(fail_nth, kvm_bind_vas, 120)
{
	struct vas_test_event ev[4];
	long ret;

	if (access("/dev/kvm", R_OK | W_OK))
		SKIP(return, "no /dev/kvm");
	SWEEP(&self->s, "KVM_BIND_VAS", enomem) {
		new_vas(_metadata, self, VAS_MEM_LOG_DIRTY_PAGES);
		new_vm(_metadata, self, false);
		ret = ARMED(&self->s, bind_vas(self->vm, self->fd));
		/* the binding changed no memslot of the vas */
		EXPECT_EQ(0, binder_events(self->bfd, ev, 4));
		if (ret)
			ASSERT_EQ(0, bind_vas(self->vm, self->fd));
		expect_vm_bound(_metadata, self);
		free_vas(self);
	}
}

TEST_F(fail_nth, kvm_memslot_create)
{
	if (access("/dev/kvm", R_OK | W_OK))
		SKIP(return, "no /dev/kvm");
	sweep_create(_metadata, self, "VAS_SET_MEMSLOT create+log (KVM bound)",
		     VAS_MEM_LOG_DIRTY_PAGES, true);
}

TEST_F(fail_nth, kvm_memslot_move)
{
	if (access("/dev/kvm", R_OK | W_OK))
		SKIP(return, "no /dev/kvm");
	sweep_move(_metadata, self, "VAS_SET_MEMSLOT move (KVM bound)", true);
}

TEST_F(fail_nth, kvm_memslot_delete)
{
	if (access("/dev/kvm", R_OK | W_OK))
		SKIP(return, "no /dev/kvm");
	sweep_delete(_metadata, self, "VAS_SET_MEMSLOT delete (KVM bound)", true,
		     1);
}

/*
 * A binder bound after KVM vetoes every change: neither the vas nor the VM
 * may keep any of it, whichever allocation failed. The one way out allowed
 * to KVM when it cannot undo what it did is killing the VM
 * (virt/kvm/vas.c), which the sweep counts.
 */
TEST_F(fail_nth, kvm_memslot_create_vetoed)
{
	static const int enomem_veto[] = { ENOMEM, EBUSY, 0 };
	long ret;
	int late;

	if (access("/dev/kvm", R_OK | W_OK))
		SKIP(return, "no /dev/kvm");
	SWEEP_EX(&self->s, "VAS_SET_MEMSLOT create (KVM bound, vetoed after it)",
		 enomem_veto, 1, EBUSY) {
		new_vas(_metadata, self, -1);
		new_vm(_metadata, self, true);
		late = vas_test_bind(self->fd);
		ASSERT_LE(0, late);
		ASSERT_EQ(0, binder_cmd(late, VAS_TEST_BINDER_SET_VETO, EBUSY,
					0, 0, NULL));
		ret = ARMED(&self->s, set_memslot(self->fd, SLOT, 0, GPA,
						  NPAGES * PAGE, self->mem));
		ASSERT_NE(0, ret);
		expect_protocol(_metadata, self->bfd, ret);
		EXPECT_EQ(-EFAULT, peek(self->fd, GPA));
		ASSERT_EQ(0, binder_cmd(late, VAS_TEST_BINDER_SET_VETO, 0, 0, 0,
					NULL));
		if (ioctl(self->vm, KVM_CHECK_EXTENSION, KVM_CAP_VAS) < 0) {
			EXPECT_EQ(EIO, errno);
			self->s.vm_killed++;
		} else {
			/* the VM has no leftover memslot in the range */
			ASSERT_EQ(0, set_memslot(self->fd, SLOT, 0, GPA,
						 NPAGES * PAGE, self->mem));
			EXPECT_EQ(self->mem[3 * PAGE + 1],
				  peek(self->fd, GPA + 3 * PAGE + 1));
		}
		close(late);
		free_vas(self);
	}
}

TEST_HARNESS_MAIN
